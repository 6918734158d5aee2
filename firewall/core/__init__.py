"""The sans-I/O core: event types, verdicts, labels, provenance records and the stage pipeline.

Imports nothing of the rest of the firewall (tests/unit/core/test_imports.py).
"""
