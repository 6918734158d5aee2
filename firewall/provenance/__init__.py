"""Provenance: a per-session graph of where content came from, down to tool-call argument values."""
