"""The offline pipeline behind the project's prompt-injection classifier: not installed (the package
is ``firewall``), run from the repository root, and never imported by the runtime.

- ``data``: builds train/dev JSONL from the shared data sets plus generated tool-output-like text,
  and writes a manifest naming every input (``inputs``) so that a build can be reproduced or its
  differences named; ``pools`` holds the text pools it generates from.
- ``train``: LoRA fine-tune of all-MiniLM-L6-v2, threshold choice, writes the model's files into
  ``firewall/detect/models/`` where the runtime's loader (``firewall.detect.model``) reads them.
- ``metrics``: ROC AUC, TPR at a fixed FPR, thresholds and tables (train.py and bench/detector_eval.py).
"""
