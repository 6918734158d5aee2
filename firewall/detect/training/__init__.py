"""Training, data building and loading for the project's default prompt-injection classifier.

- ``data``: builds train/dev JSONL from the shared datasets plus generated tool-output-like text.
- ``train``: LoRA fine-tune of all-MiniLM-L6-v2, threshold choice, artifact writing.
- ``load``: self-contained loader (adapter merged onto the base) and windowed scoring.
"""
