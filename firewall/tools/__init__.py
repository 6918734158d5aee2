"""Tooling around the firewall: trace replay and its in-memory harness, the demo, scan, policy
commands and graph rendering. Nothing on the relay's path imports from here."""
