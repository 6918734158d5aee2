"""`python -m firewall` runs the command-line interface."""

from firewall.cli import main

raise SystemExit(main())
