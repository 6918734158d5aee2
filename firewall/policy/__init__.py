"""Rego policy: the input document, the embedded and OPA-server engines, and the policy stage."""
