"""Detectors: the transformer injection classifier and deterministic detectors (hidden Unicode,
exfiltration links, secrets), each returning findings with scores and character spans."""
