"""Where the bundled Rego packs and tool catalog live: the repository's top-level rego/ folder.

An editable install (the README's) finds them beside the package; elsewhere set policy.rego_dir.
"""

from pathlib import Path

REGO_DIR = Path(__file__).resolve().parent.parent / "rego"
CATALOG = REGO_DIR / "catalog.json"
