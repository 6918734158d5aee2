"""Real benign tool outputs, captured on this machine, as hard negatives for the classifier.

The classifier flagged ordinary tool outputs ("Echo: hello", a two-line ``app.py``, ``git branch``
output, ``[]``, a directory tree); this corpus holds thousands of such outputs, all produced by real
programs: the reference MCP servers driven over real stdio with the mcp SDK client
(``mcp.ClientSession`` + ``mcp.client.stdio.stdio_client``), and ordinary command-line tools.

How it was made::

    .venv/bin/python -m training.realtools --out training/corpus/real_tool_outputs.jsonl.gz

with the reference servers of ``/tmp/refsrv`` (npm ``@modelcontextprotocol/server-filesystem``,
``server-memory``, ``server-everything``; PyPI ``mcp-server-git``, ``mcp-server-time``,
``mcp-server-fetch``) on the development machine, in issue 13 (captured once; the committed
``.jsonl.gz`` is the artifact: 5,117 rows, captured 2026-12-02). What the calls work on is real:
Python standard library modules of several versions (so diffs between versions are real diffs),
files of ``/usr/share/doc``, ``/etc`` configuration files, the system logs, temporary clones of
this repository and of a public repository mirror (``/work/.mirror``), pydoc-rendered HTML pages and
JSON documents served by a local ``python -m http.server`` on 127.0.0.1. Random choices are seeded
(``random.Random(13)``); timestamps, hashes and timings differ from run to run.

Rows: ``{"text", "family", "source", "tool"}``, deduplicated by text, sorted by (family, source,
tool, text). ``family`` is one of :data:`FAMILIES`; ``source`` names the program (``mcp:<server>``
or ``cli:<tool>``) and ``tool`` the MCP tool or command. Each text is at most 6,000 characters (cut at
a line boundary); texts matching ``training.data._SUSPICIOUS`` or :data:`_RISKY` (injection-ish or
attack words: this repository's own history talks about attacks) are dropped, and so is any text in
which ``firewall.detect.secrets``' detect-secrets plugins find a secret.

Split rule (:func:`split_of_row`): rows are held out by (source, tool) group. The dev groups are the
fixed set :data:`DEV_GROUPS`, chosen once on the captured corpus by :func:`choose_dev_groups`: groups
in the order of the SHA-256 of ``"source|tool"``; first, for each family (in :data:`FAMILIES` order)
that has at least two groups, the first group of that family in hash order goes to dev unless that
would leave the family without a train group; then groups are added in hash order while the dev share
stays under 25% of the rows. A group not in :data:`DEV_GROUPS` (a row of a recaptured corpus with a
new group) is train.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gzip
import hashlib
import http.server
import json
import os
import random
import re
import shutil
import subprocess
import sys
import threading
import zoneinfo
from collections import Counter
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

DEFAULT = Path(__file__).parent / "corpus" / "real_tool_outputs.jsonl.gz"

FAMILIES = (
    "status",
    "json",
    "listing",
    "git",
    "code",
    "config",
    "log",
    "traceback",
    "test",
    "api",
    "time",
    "memory",
    "doc",
)

MAX_CHARS = 6000

# Stricter than training.data._SUSPICIOUS: words of attacks and of this project's own subject.
_RISKY = re.compile(
    r"inject|attacker|exfiltrat|malicious|phish|jailbreak|system prompt|"
    r"ignore (all|previous|prior|the above)|"
    r"disregard|forget (all|your|previous)|you must now|new instructions",
    re.I,
)

# Chosen once by choose_dev_groups() on the committed corpus (see the module docstring).
DEV_GROUPS: frozenset[tuple[str, str]] = frozenset(
    {
        ("cli:git", "git blame"),
        ("cli:http.server", "access log"),
        ("cli:node-test", "node --test"),
        ("cli:pytest", "pytest -q --tb=short"),
        ("cli:pytest", "pytest -rA -q"),
        ("cli:pytest", "pytest -v"),
        ("cli:python-traceback", "python script"),
        ("cli:shell", "date"),
        ("cli:shell", "echo"),
        ("cli:shell", "head"),
        ("cli:shell", "ls"),
        ("cli:shell", "uname"),
        ("mcp:mcp-server-fetch", "fetch"),
        ("mcp:mcp-server-git", "git_log"),
        ("mcp:mcp-server-git", "git_status"),
        ("mcp:mcp-server-time", "convert_time"),
        ("mcp:server-everything", "get-structured-content"),
        ("mcp:server-everything", "simulate-research-query"),
        ("mcp:server-filesystem", "edit_file"),
        ("mcp:server-memory", "delete_observations"),
    }
)


# --------------------------------------------------------------------------------------------------
# loading and splitting


def load(path: Path | str = DEFAULT) -> list[dict]:
    """The corpus rows: dicts with text, family, source and tool."""
    with gzip.open(path, "rt", encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def split_of_row(row: dict) -> str:
    """``"dev"`` when the row's (source, tool) group is held out (:data:`DEV_GROUPS`), else ``"train"``."""
    return "dev" if (row["source"], row["tool"]) in DEV_GROUPS else "train"


def _group_hash(group: tuple[str, str]) -> str:
    return hashlib.sha256(f"{group[0]}|{group[1]}".encode()).hexdigest()


def choose_dev_groups(rows: list[dict], share: float = 0.25) -> frozenset[tuple[str, str]]:
    """The held-out (source, tool) groups for ``rows`` (the rule of the module docstring)."""
    sizes: Counter[tuple[str, str]] = Counter()
    families: dict[tuple[str, str], set[str]] = {}
    for r in rows:
        g = (r["source"], r["tool"])
        sizes[g] += 1
        families.setdefault(g, set()).add(r["family"])
    order = sorted(sizes, key=_group_hash)
    total, limit = sum(sizes.values()), share * sum(sizes.values())
    dev: set[tuple[str, str]] = set()

    def covered(family: str, in_dev: bool) -> bool:
        return any(family in families[g] and ((g in dev) == in_dev) for g in order)

    for family in FAMILIES:
        if covered(family, True):
            continue
        for g in order:
            if family in families[g] and g not in dev:
                dev.add(g)
                if all(covered(f, False) for f in families[g]) and sum(sizes[d] for d in dev) <= limit:
                    break
                dev.discard(g)
    for g in order:
        if g in dev:
            continue
        if sum(sizes[d] for d in dev) + sizes[g] > limit:
            continue
        dev.add(g)
        if not all(covered(f, False) for f in families[g]):
            dev.discard(g)
    del total
    return frozenset(dev)


# --------------------------------------------------------------------------------------------------
# collecting


def _truncate(text: str) -> str:
    text = text.replace("\r\n", "\n").strip("\n")
    if len(text) <= MAX_CHARS:
        return text
    cut = text.rfind("\n", 0, MAX_CHARS)
    return text[: cut if cut > MAX_CHARS // 3 else MAX_CHARS].rstrip()


def _has_secret(text: str) -> bool:
    from detect_secrets.core.scan import scan_line
    from detect_secrets.settings import transient_settings

    from firewall.detect.secrets import PLUGINS

    with transient_settings({"plugins_used": PLUGINS}):
        return any(True for line in text.splitlines() for _ in scan_line(line))


class Collector:
    """Deduplicated rows, in capture order (first source of a text wins)."""

    def __init__(self) -> None:
        self.rows: dict[str, dict[str, str]] = {}
        self.dropped: Counter[str] = Counter()
        self.errors: list[str] = []

    def add(self, text: str, family: str, source: str, tool: str) -> None:
        """Add one output (truncated, filtered, deduplicated)."""
        from training.data import _SUSPICIOUS

        assert family in FAMILIES, family
        text = _truncate(text)
        if not text.strip():
            self.dropped["empty"] += 1
            return
        if text in self.rows:
            self.dropped["duplicate"] += 1
            return
        if _SUSPICIOUS.search(text) or _RISKY.search(text):
            self.dropped["suspicious"] += 1
            return
        self.rows[text] = {"text": text, "family": family, "source": source, "tool": tool}

    def finish(self) -> list[dict[str, str]]:
        """The rows without secrets, sorted."""
        out = []
        for row in self.rows.values():
            if _has_secret(row["text"]):
                self.dropped["secret"] += 1
                continue
            out.append(row)
        return sorted(out, key=lambda r: (r["family"], r["source"], r["tool"], r["text"]))


# --------------------------------------------------------------------------------------------------
# real material on this machine

PYENV = Path("/root/.pyenv/versions")
STDLIB_VERSIONS = ["3.8.18", "3.9.18", "3.10.13", "3.11.7", "3.12.1", "3.13.0"]
REFSRV = Path("/tmp/refsrv")
NPM = REFSRV / "npm" / "node_modules" / "@modelcontextprotocol"
ROOT = Path("/tmp/rt-capture")
PROJECT_NAMES = ["webapp", "data-pipeline", "billing-service", "cli-tools", "notebook", "infra", "docs-site"]
SMALL_MODULES = [
    "bisect",
    "colorsys",
    "fnmatch",
    "glob",
    "heapq",
    "keyword",
    "linecache",
    "netrc",
    "numbers",
    "opcode",
    "queue",
    "sched",
    "shlex",
    "stat",
    "string",
    "textwrap",
    "this",
    "token",
    "tty",
    "uu",
    "wave",
    "getopt",
    "filecmp",
    "graphlib",
    "contextvars",
    "copy",
    "abc",
    "cmd",
    "codeop",
    "dis",
    "genericpath",
    "nturl2path",
    "pprint",
    "reprlib",
    "rlcompleter",
    "shelve",
    "statistics",
    "struct",
    "symtable",
    "timeit",
    "types",
    "weakref",
    "zipapp",
    "fractions",
    "operator",
    "calendar",
    "base64",
    "hmac",
    "mimetypes",
]


def stdlib(version: str = "3.11.7") -> Path:
    """The standard library directory of one installed Python."""
    return PYENV / version / "lib" / f"python{version.rsplit('.', 1)[0]}"


def module_source(name: str, version: str = "3.11.7") -> str | None:
    """A standard library module's source, if that version has it."""
    p = stdlib(version) / f"{name}.py"
    return p.read_text(encoding="utf-8", errors="replace") if p.exists() else None


def snippets(rng: random.Random, n: int) -> list[str]:
    """Small real code pieces: the first lines of functions of the standard library."""
    import ast

    out: list[str] = []
    for name in SMALL_MODULES:
        src = module_source(name)
        if not src:
            continue
        try:
            tree = ast.parse(src)
        except SyntaxError:
            continue
        lines = src.splitlines()
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef | ast.ClassDef) and node.end_lineno:
                body = lines[node.lineno - 1 : node.end_lineno]
                k = rng.choice([2, 3, 4, 6, 10, 40])
                out.append("\n".join(body[:k]) + "\n")
    rng.shuffle(out)
    return out[:n]


def doc_files(rng: random.Random, n: int) -> list[Path]:
    """Plain text files of /usr/share/doc (not compressed)."""
    files = sorted(
        p
        for p in Path("/usr/share/doc").rglob("*")
        if p.is_file() and not p.is_symlink() and p.suffix != ".gz"
    )
    files = [p for p in files if 40 < p.stat().st_size < 200_000]
    rng.shuffle(files)
    return files[:n]


def config_files() -> list[Path]:
    """Real configuration files of this machine."""
    out = sorted(Path("/etc").glob("*.conf")) + sorted(Path("/etc").glob("*/*.cfg"))
    out += sorted(Path("/root/.pyenv").glob(".github/**/*.yml")) + sorted(
        Path("/root/.pyenv/plugins").rglob("*.yml")
    )
    out += sorted((stdlib("3.13.0") / "test" / "test_tomllib" / "data" / "valid").rglob("*.toml"))[:40]
    out += [Path("/etc/os-release"), Path("/etc/pip.conf"), Path("/work/main/pyproject.toml")]
    return [p for p in out if p.is_file() and 0 < p.stat().st_size < 100_000]


def log_files() -> list[Path]:
    """Real logs of this machine."""
    out = [Path("/var/log") / n for n in ("dpkg.log", "alternatives.log", "fontconfig.log")]
    out += sorted(Path("/var/log/apt").glob("*.log")) + sorted(REFSRV.glob("*.log"))
    return [p for p in out if p.is_file() and p.stat().st_size > 0]


def _env() -> dict[str, str]:
    return {
        "PATH": "/usr/local/bin:/usr/bin:/bin",
        "HOME": str(ROOT / "home"),
        "LANG": "C.UTF-8",
        "GIT_AUTHOR_NAME": "Dana Reyes",
        "GIT_AUTHOR_EMAIL": "dana.reyes@example.com",
        "GIT_COMMITTER_NAME": "Dana Reyes",
        "GIT_COMMITTER_EMAIL": "dana.reyes@example.com",
        "GIT_CONFIG_NOSYSTEM": "1",
    }


def sh(args: list[str] | str, cwd: Path | str | None = None, timeout: float = 30, shell: bool = False) -> str:
    """A command's stdout and stderr (never raises; a timeout returns what is known)."""
    try:
        p = subprocess.run(
            args,
            cwd=cwd,
            capture_output=True,
            text=True,
            timeout=timeout,
            env=_env(),
            shell=shell,
            errors="replace",
        )
    except (subprocess.TimeoutExpired, OSError) as e:
        return f"<failed: {e}>"
    return (p.stdout + p.stderr).strip("\n")


def build_projects(rng: random.Random) -> list[Path]:
    """Sandbox projects of real files: stdlib modules, docs, configs and logs."""
    shutil.rmtree(ROOT / "projects", ignore_errors=True)
    projects = []
    docs = doc_files(rng, 60)
    configs = config_files()
    logs = log_files()
    for i, name in enumerate(PROJECT_NAMES):
        root = ROOT / "projects" / name
        pkg = root / "src" / name.replace("-", "_")
        for d in (pkg, root / "tests", root / "docs", root / "config", root / "logs"):
            d.mkdir(parents=True, exist_ok=True)
        for mod in rng.sample(SMALL_MODULES, 6):
            src = module_source(mod)
            if src:
                (pkg / f"{mod}.py").write_text(src)
        (pkg / "__init__.py").write_text(f'"""{name}."""\n\n__version__ = "0.{i}.{rng.randint(0, 9)}"\n')
        (root / "app.py").write_text(rng.choice(snippets(rng, 200)))
        for d in docs[i * 8 : i * 8 + 8]:
            shutil.copy(d, root / "docs" / (d.parent.name + "-" + d.name + ("" if d.suffix else ".txt")))
        for c in rng.sample(configs, min(5, len(configs))):
            shutil.copy(c, root / "config" / c.name)
        for lg in rng.sample(logs, min(2, len(logs))):
            text = lg.read_text(errors="replace").splitlines()
            start = rng.randrange(max(1, len(text) - 200))
            (root / "logs" / lg.name).write_text("\n".join(text[start : start + 200]) + "\n")
        (root / "README.md").write_text(f"# {name}\n\nInternal {name} project.\n")
        projects.append(root)
    return projects


def _ext_family(path: str) -> str:
    suffix = Path(path).suffix.lower()
    if suffix in {".py", ".js", ".c", ".sh", ".ts"}:
        return "code"
    if suffix in {".toml", ".cfg", ".ini", ".conf", ".yml", ".yaml"}:
        return "config"
    if suffix == ".json":
        return "json"
    if suffix == ".log":
        return "log"
    return "doc"


# --------------------------------------------------------------------------------------------------
# MCP sessions


@contextlib.asynccontextmanager
async def mcp_session(command: str, args: list[str], env: dict[str, str] | None = None) -> AsyncIterator[Any]:
    """An initialized client session with a server started over stdio."""
    from mcp import ClientSession
    from mcp.client.stdio import StdioServerParameters, stdio_client

    params = StdioServerParameters(command=command, args=args, env=env)
    with open(os.devnull, "w") as devnull:
        async with stdio_client(params, errlog=devnull) as (r, w), ClientSession(r, w) as s:
            await asyncio.wait_for(s.initialize(), 30)
            yield s


class Driver:
    """Calls the tools of one session and collects the text of their results."""

    def __init__(self, session: Any, out: Collector, source: str, family: Callable[[str, dict], str]) -> None:
        self.session, self.out, self.source, self.family = session, out, source, family
        self.calls = 0

    async def call(self, tool: str, args: dict | None = None, family: str | None = None) -> list[str]:
        """Call a tool; each text part (and the structured content, as JSON) is one row."""
        args = args or {}
        try:
            res = await asyncio.wait_for(self.session.call_tool(tool, args), 30)
        except Exception as e:
            self.out.errors.append(f"{self.source} {tool}: {type(e).__name__}: {e}"[:300])
            return []
        self.calls += 1
        texts = [c.text for c in getattr(res, "content", []) or [] if getattr(c, "type", "") == "text"]
        for c in getattr(res, "content", []) or []:
            resource = getattr(c, "resource", None)
            if resource is not None and getattr(resource, "text", None):
                texts.append(resource.text)
        fam = family or ("status" if getattr(res, "is_error", False) else self.family(tool, args))
        for t in texts:
            self.out.add(t, fam, self.source, tool)
        sc = getattr(res, "structured_content", None)
        if sc:
            self.out.add(json.dumps(sc, ensure_ascii=False), fam, self.source, tool)
        return texts


FS_FAMILY = {
    "write_file": "status",
    "create_directory": "status",
    "move_file": "status",
    "edit_file": "code",
    "list_directory": "listing",
    "list_directory_with_sizes": "listing",
    "directory_tree": "listing",
    "search_files": "listing",
    "get_file_info": "json",
    "list_allowed_directories": "listing",
}


def _fs_family(tool: str, args: dict) -> str:
    if tool in FS_FAMILY:
        return FS_FAMILY[tool]
    if tool == "read_multiple_files":
        return _ext_family(args["paths"][0])
    return _ext_family(args.get("path", ""))


async def capture_filesystem(out: Collector, rng: random.Random, projects: list[Path]) -> None:
    """server-filesystem: reads, writes, edits, listings, searches, moves, errors."""
    base = ROOT / "projects"
    async with mcp_session("node", [str(NPM / "server-filesystem/dist/index.js"), str(base)]) as s:
        d = Driver(s, out, "mcp:server-filesystem", _fs_family)
        await d.call("list_allowed_directories")
        await d.call("list_directory", {"path": str(base)})
        snips = snippets(rng, 400)
        for root in projects:
            files = sorted(p for p in root.rglob("*") if p.is_file())
            dirs = sorted({root, *(p.parent for p in files)})
            for p in dirs:
                await d.call("list_directory", {"path": str(p)})
                await d.call(
                    "list_directory_with_sizes", {"path": str(p), "sortBy": rng.choice(["name", "size"])}
                )
            await d.call("directory_tree", {"path": str(root)})
            await d.call("directory_tree", {"path": str(root / "src"), "excludePatterns": ["__pycache__"]})
            for pattern in rng.sample(
                ["*.py", "*.md", "*.log", "*.toml", "*.conf", "test_*", "*.txt", "*.yml", "*read*"], 5
            ):
                await d.call("search_files", {"path": str(root), "pattern": pattern})
            for p in rng.sample(files, min(12, len(files))):
                await d.call("get_file_info", {"path": str(p)})
                mode = rng.choice(["all", "head", "tail", "head", "tail"])
                args: dict = {"path": str(p)}
                if mode != "all":
                    args[mode] = rng.choice([1, 2, 3, 5, 10, 20, 40, 80])
                await d.call("read_text_file", args)
            await d.call("read_multiple_files", {"paths": [str(p) for p in rng.sample(files, 2)]})
            # new files with real code, then edits and moves
            (work := root / "scratch").mkdir(exist_ok=True)
            await d.call(
                "create_directory", {"path": str(work / rng.choice(["tmp", "out", "build", "cache"]))}
            )
            for k in range(14):
                code = snips.pop()
                name = (
                    rng.choice(["app", "main", "util", "helpers", "models", "views", "cli", "tasks"])
                    + f"_{k}.py"
                )
                await d.call("write_file", {"path": str(work / name), "content": code})
                await d.call("read_text_file", {"path": str(work / name)})
                lines = code.splitlines()
                if len(lines) > 1:
                    old = lines[0]
                    new = old.replace("def ", "def _", 1) if "def " in old else old + "  # noqa"
                    await d.call(
                        "edit_file",
                        {
                            "path": str(work / name),
                            "edits": [{"oldText": old, "newText": new}],
                            "dryRun": rng.random() < 0.3,
                        },
                    )
                if k % 3 == 0:
                    await d.call(
                        "move_file", {"source": str(work / name), "destination": str(work / ("old_" + name))}
                    )
            await d.call("list_directory", {"path": str(work)})
            # ordinary errors
            await d.call(
                "read_text_file",
                {"path": str(root / rng.choice(["missing.txt", "config/app.yaml", "src/nope.py"]))},
            )
            await d.call("list_directory", {"path": str(root / "does-not-exist")})
            await d.call("read_text_file", {"path": "/etc/hostname"})
        await d.call("create_directory", {"path": str(base / "notes")})
        for i, msg in enumerate(rng.sample(snips, 30)):
            await d.call("write_file", {"path": str(base / "notes" / f"note_{i}.md"), "content": msg})
        await d.call("list_directory", {"path": str(base / "notes")})


async def capture_memory(out: Collector, rng: random.Random) -> None:
    """server-memory: a knowledge graph built, searched and pruned."""
    from training import pools

    mem = ROOT / "memory.jsonl"
    mem.unlink(missing_ok=True)
    env = {"PATH": "/usr/bin:/bin", "MEMORY_FILE_PATH": str(mem)}
    kinds = ["person", "project", "company", "meeting", "service", "team", "document", "customer"]
    facts = [
        "works at {company}",
        "prefers email over phone",
        "joined in {year}",
        "owns the {word} workstream",
        "reports to {name}",
        "based in {city}",
        "speaks Spanish and English",
        "on call this week",
        "last met on {day}",
        "asked for the {word} by {day}",
        "uses Python {ver}",
        "deploys every {day}",
        "contact: {email}",
        "status: active",
        "budget approved for {year}",
        "reviewed the {word} draft",
    ]
    cities = ["Lisbon", "Toronto", "Osaka", "Nairobi", "Denver", "Berlin", "Austin", "Pune", "Leeds", "Lyon"]

    def fact() -> str:
        return rng.choice(facts).format(
            company=rng.choice(pools.COMPANIES),
            year=rng.randint(2015, 2025),
            word=rng.choice(pools.WORDS),
            name=pools.fake_name(rng),
            city=rng.choice(cities),
            day=rng.choice(pools.DAYS),
            ver=rng.choice(["3.10", "3.11", "3.12"]),
            email=pools.fake_email(rng),
        )

    async with mcp_session("node", [str(NPM / "server-memory/dist/index.js")], env) as s:
        d = Driver(s, out, "mcp:server-memory", lambda t, a: "memory")
        await d.call("read_graph")
        for _round in range(16):
            names = list(dict.fromkeys(pools.fake_name(rng) for _ in range(rng.randint(2, 9))))
            names += [
                *rng.sample(pools.COMPANIES, 2),
                f"{rng.choice(pools.WORDS).title()} {rng.randint(1, 40)}",
            ]
            ents = [
                {
                    "name": n,
                    "entityType": rng.choice(kinds),
                    "observations": [fact() for _ in range(rng.randint(0, 3))],
                }
                for n in names
            ]
            for chunk in (ents[:3], ents[3:]):
                if chunk:
                    await d.call("create_entities", {"entities": chunk})
            rels = [
                {
                    "from": a,
                    "to": b,
                    "relationType": rng.choice(
                        ["works_with", "manages", "owns", "depends_on", "met", "reports_to"]
                    ),
                }
                for a, b in (rng.sample(names, 2) for _ in range(rng.randint(1, 5)))
            ]
            await d.call("create_relations", {"relations": rels})
            await d.call(
                "add_observations",
                {"observations": [{"entityName": n, "contents": [fact()]} for n in rng.sample(names, 2)]},
            )
            await d.call(
                "add_observations", {"observations": [{"entityName": "Nobody Here", "contents": [fact()]}]}
            )
            for q in [
                rng.choice(names).split()[0],
                rng.choice(kinds),
                rng.choice(pools.WORDS),
                rng.choice(cities),
                "zzz",
            ]:
                await d.call("search_nodes", {"query": q})
            await d.call("open_nodes", {"names": rng.sample(names, rng.randint(1, 3))})
            await d.call("open_nodes", {"names": ["Unknown Entity"]})
            if _round % 3 == 0:
                await d.call("read_graph")
            await d.call("delete_relations", {"relations": rels[:1]})
            await d.call(
                "delete_observations",
                {"deletions": [{"entityName": ents[0]["name"], "observations": ents[0]["observations"][:1]}]},
            )
            await d.call("delete_entities", {"entityNames": rng.sample(names, len(names) - 2)})
        await d.call("read_graph")


def echo_messages(rng: random.Random, n: int) -> list[str]:
    """Varied everyday echo messages."""
    from training import pools

    base = [
        "hello",
        "Hello, world!",
        "test",
        "ping",
        "hi there",
        "testing 1 2 3",
        "ok",
        "done",
        "foo",
        "bar",
        "It works!",
        "check",
        "42",
        "",
        "hello from the client",
        "round trip",
        "good morning",
    ]
    out = list(base)
    for _ in range(n):
        k = rng.random()
        if k < 0.25:
            out.append(rng.choice(base) + " " + str(rng.randint(1, 999)))
        elif k < 0.45:
            out.append(
                f"{rng.choice(pools.WORDS)} "
                + rng.choice(["ready", "sent", "updated", "saved", "draft", "v2", "final"])
            )
        elif k < 0.6:
            out.append(pools.fake_name(rng))
        elif k < 0.75:
            out.append(f"Meeting with {pools.fake_name(rng)} on {rng.choice(pools.DAYS)}")
        else:
            out.append(" ".join(rng.sample(pools.WORDS, rng.randint(1, 4))))
    return list(dict.fromkeys(out))[:n]


async def capture_everything(out: Collector, rng: random.Random) -> None:
    """server-everything: echo, sums, annotated messages, structured content, resources, env."""
    import base64

    fam = {
        "echo": "status",
        "get-sum": "status",
        "get-annotated-message": "status",
        "get-env": "json",
        "get-resource-links": "api",
        "get-resource-reference": "doc",
        "get-structured-content": "json",
        "get-tiny-image": "status",
        "gzip-file-as-resource": "api",
        "toggle-simulated-logging": "status",
        "toggle-subscriber-updates": "status",
        "trigger-long-running-operation": "status",
        "simulate-research-query": "doc",
    }
    async with mcp_session("node", [str(NPM / "server-everything/dist/index.js")]) as s:
        d = Driver(s, out, "mcp:server-everything", lambda t, a: fam.get(t, "status"))
        for m in echo_messages(rng, 450):
            await d.call("echo", {"message": m})
        for _ in range(150):
            a = rng.choice([rng.randint(0, 100), rng.randint(-50, 5000), round(rng.uniform(-10, 100), 2)])
            b = rng.choice([rng.randint(0, 100), rng.randint(1, 99999), round(rng.uniform(0, 10), 1)])
            await d.call("get-sum", {"a": a, "b": b})
        for t in ["error", "success", "debug"]:
            await d.call("get-annotated-message", {"messageType": t})
            await d.call("get-annotated-message", {"messageType": t, "includeImage": True})
        await d.call("get-env")
        for c in range(1, 11):
            await d.call("get-resource-links", {"count": c})
        for i in range(1, 12):
            await d.call(
                "get-resource-reference", {"resourceType": rng.choice(["Text", "Blob"]), "resourceId": i}
            )
        for loc in ["New York", "Chicago", "Los Angeles"]:
            await d.call("get-structured-content", {"location": loc})
        await d.call("get-tiny-image")
        for name in ["notes.txt.gz", "README.md.gz", "report.csv.gz"]:
            data = base64.b64encode(rng.choice(snippets(rng, 50)).encode()).decode()
            await d.call("gzip-file-as-resource", {"name": name, "data": f"data:text/plain;base64,{data}"})
        await d.call("toggle-simulated-logging")
        await d.call("toggle-simulated-logging")
        await d.call("toggle-subscriber-updates")
        await d.call("toggle-subscriber-updates")
        for dur, steps in [(0.2, 1), (0.3, 2), (0.5, 3), (0.4, 4)]:
            await d.call("trigger-long-running-operation", {"duration": dur, "steps": steps})
        for topic in ["solar panels", "sourdough starters", "rust async runtimes"]:
            await d.call("simulate-research-query", {"topic": topic})
        await d.call("get-sum", {"a": "x", "b": 2})
        await d.call("no-such-tool", {})


async def capture_time(out: Collector, rng: random.Random) -> None:
    """mcp-server-time: the current time in many zones and conversions."""
    zones = sorted(
        z for z in zoneinfo.available_timezones() if "/" in z and not z.startswith(("Etc/", "SystemV"))
    )
    async with mcp_session(
        str(REFSRV / "time/bin/mcp-server-time"), ["--local-timezone", "Europe/Berlin"]
    ) as s:
        d = Driver(s, out, "mcp:mcp-server-time", lambda t, a: "time")
        for z in rng.sample(zones, 130):
            await d.call("get_current_time", {"timezone": z})
        for _ in range(170):
            a, b = rng.sample(zones, 2)
            t = f"{rng.randint(0, 23):02d}:{rng.choice([0, 15, 30, 45, rng.randint(0, 59)]):02d}"
            await d.call("convert_time", {"source_timezone": a, "time": t, "target_timezone": b})
        for bad in ["Mars/Olympus", "EST5", "Europe/Atlantis"]:
            await d.call("get_current_time", {"timezone": bad})
        await d.call(
            "convert_time", {"source_timezone": "UTC", "time": "25:99", "target_timezone": "Asia/Tokyo"}
        )


# --------------------------------------------------------------------------------------------------
# git


def clone_repos() -> list[Path]:
    """Temporary clones of real repositories: this one and the public mirrors of /work/.mirror."""
    dest = ROOT / "clones"
    shutil.rmtree(dest, ignore_errors=True)
    dest.mkdir(parents=True)
    sources = [Path("/work/main"), *sorted(Path("/work/.mirror").glob("*/repo"))]
    out = []
    for src in sources:
        name = src.parent.name.split("+")[-1] if src.name == "repo" else "mcp-firewall"
        sh(["git", "clone", "-q", str(src), str(dest / name)], timeout=120)
        if (dest / name / ".git").exists():
            out.append(dest / name)
    return out


def _risky_commit(repo: Path, rev: str) -> bool:
    names = sh(["git", "show", "--name-only", "--format=", rev], cwd=repo)
    return bool(re.search(r"training/|scenarios/|corpus|attack|inject|secret|pools|fixtures|tests/", names))


def _safe_revs(repo: Path, rng: random.Random, n: int) -> list[str]:
    revs = sh(["git", "rev-list", "--no-merges", "HEAD"], cwd=repo).split()
    rng.shuffle(revs)
    return [r for r in revs[: n * 3] if not _risky_commit(repo, r)][:n]


def build_temp_repos(rng: random.Random) -> list[Path]:
    """Fresh repositories whose history is real stdlib modules across Python versions."""
    dest = ROOT / "repos"
    shutil.rmtree(dest, ignore_errors=True)
    repos = []
    for i, name in enumerate(PROJECT_NAMES[:5]):
        repo = dest / name
        repo.mkdir(parents=True)
        sh(["git", "init", "-q", "-b", "main"], cwd=repo)
        mods = rng.sample(SMALL_MODULES, 4)
        for m in mods:
            src = module_source(m, STDLIB_VERSIONS[i % 3])
            if src:
                (repo / f"{m}.py").write_text(src)
        (repo / "README.md").write_text(f"# {name}\n")
        sh(["git", "add", "-A"], cwd=repo)
        sh(["git", "commit", "-q", "-m", "Initial import"], cwd=repo)
        repos.append(repo)
    return repos


async def capture_git_mcp(out: Collector, rng: random.Random, temp: list[Path], clones: list[Path]) -> None:
    """mcp-server-git: a working session on fresh repositories, then reads of real histories."""
    async with mcp_session(str(REFSRV / "git/bin/mcp-server-git"), []) as s:
        d = Driver(s, out, "mcp:mcp-server-git", lambda t, a: "git")
        for i, repo in enumerate(temp):
            rp = str(repo)
            await d.call("git_status", {"repo_path": rp})
            files = sorted(p.stem for p in repo.glob("*.py"))
            for step, version in enumerate(STDLIB_VERSIONS[i % 3 + 1 :]):
                for m in rng.sample(files, 2):
                    src = module_source(m, version)
                    if src:
                        (repo / f"{m}.py").write_text(src)
                new = rng.choice(SMALL_MODULES)
                if (src := module_source(new, version)) and not (repo / f"{new}.py").exists():
                    (repo / f"{new}.py").write_text(src)
                await d.call("git_status", {"repo_path": rp})
                await d.call(
                    "git_diff_unstaged", {"repo_path": rp, "context_lines": rng.choice([0, 1, 3, 5])}
                )
                changed = [ln[3:] for ln in sh(["git", "status", "--porcelain"], cwd=repo).splitlines()]
                if not changed:
                    continue
                await d.call("git_add", {"repo_path": rp, "files": changed})
                await d.call("git_diff_staged", {"repo_path": rp, "context_lines": rng.choice([0, 2, 3])})
                await d.call("git_status", {"repo_path": rp})
                msg = rng.choice(
                    [
                        "Update {m} from Python {v}",
                        "Sync {m} with {v}",
                        "Bump {m} to the {v} version",
                        "{m}: take {v}",
                    ]
                )
                await d.call(
                    "git_commit",
                    {"repo_path": rp, "message": msg.format(m=", ".join(changed[:2]), v=version)},
                )
                if step == 0:
                    br = rng.choice(
                        ["feature-x", "fix/typo", "release-1.2", "dev", "experiment", "docs-update"]
                    )
                    await d.call("git_create_branch", {"repo_path": rp, "branch_name": br})
                    await d.call("git_branch", {"repo_path": rp, "branch_type": "local"})
                    await d.call("git_checkout", {"repo_path": rp, "branch_name": br})
                    await d.call("git_branch", {"repo_path": rp, "branch_type": "local"})
                    await d.call("git_checkout", {"repo_path": rp, "branch_name": "main"})
            await d.call("git_log", {"repo_path": rp, "max_count": rng.choice([1, 2, 5, 10])})
            await d.call("git_show", {"repo_path": rp, "revision": "HEAD"})
            await d.call("git_diff", {"repo_path": rp, "target": "HEAD~1"})
            await d.call("git_branch", {"repo_path": rp, "branch_type": "all"})
            await d.call("git_checkout", {"repo_path": rp, "branch_name": "no-such-branch"})
            await d.call("git_reset", {"repo_path": rp})
        await d.call("git_status", {"repo_path": str(ROOT)})
        for repo in clones:
            rp = str(repo)
            await d.call("git_status", {"repo_path": rp})
            for b in ["local", "remote", "all"]:
                await d.call("git_branch", {"repo_path": rp, "branch_type": b})
            for n in [1, 3, 5, 10, 20]:
                await d.call("git_log", {"repo_path": rp, "max_count": n})
            await d.call("git_log", {"repo_path": rp, "max_count": 5, "start_timestamp": "2 weeks ago"})
            await d.call(
                "git_log",
                {
                    "repo_path": rp,
                    "max_count": 8,
                    "start_timestamp": "2023-01-01",
                    "end_timestamp": "2023-06-30",
                },
            )
            for rev in _safe_revs(repo, rng, 45):
                await d.call("git_show", {"repo_path": rp, "revision": rev})
            for rev in _safe_revs(repo, rng, 10):
                await d.call("git_diff", {"repo_path": rp, "target": rev, "context_lines": 1})


def capture_git_cli(out: Collector, rng: random.Random, clones: list[Path], temp: list[Path]) -> None:
    """git on the command line: logs, shows, diffs, branches, tags, blame on real histories."""

    def add(text: str, tool: str, family: str = "git") -> None:
        out.add(text, family, "cli:git", tool)

    for repo in clones + temp:
        revs = sh(["git", "rev-list", "--no-merges", "HEAD"], cwd=repo).split()
        add(sh(["git", "status"], cwd=repo), "git status")
        add(sh(["git", "status", "-sb"], cwd=repo), "git status")
        add(sh(["git", "branch"], cwd=repo), "git branch")
        add(sh(["git", "branch", "-a"], cwd=repo), "git branch")
        add(sh(["git", "branch", "-vv"], cwd=repo), "git branch")
        tags = sh(["git", "tag"], cwd=repo).splitlines()
        for k in range(0, len(tags), 15):
            add("\n".join(tags[k : k + 15]), "git tag")
        add(sh(["git", "shortlog", "-sn", "HEAD"], cwd=repo), "git shortlog")
        add(sh(["git", "ls-files"], cwd=repo), "git ls-files", "listing")
        for sub in sorted(
            {p.split("/")[0] for p in sh(["git", "ls-files"], cwd=repo).splitlines() if "/" in p}
        )[:12]:
            add(sh(["git", "ls-files", sub], cwd=repo), "git ls-files", "listing")
        for _ in range(min(25, len(revs))):
            skip = rng.randrange(len(revs))
            fmt = rng.choice(
                [
                    "--oneline",
                    "--format=%h %an %ad %s",
                    "--stat",
                    "--format=%h %s (%ar)",
                    "--graph --oneline",
                    "",
                ]
            )
            n = rng.choice([1, 2, 3, 5, 10, 15])
            add(sh(f"git log {fmt} -n {n} --skip={skip}", cwd=repo, shell=True), "git log")
        for rev in rng.sample(revs, min(300, len(revs))):
            add(sh(["git", "log", "-1", "--format=%s", rev], cwd=repo), "git log -1")
        for rev in _safe_revs(repo, rng, 40):
            add(sh(["git", "show", "--stat", rev], cwd=repo), "git show")
            if rng.random() < 0.6:
                add(sh(["git", "show", rev], cwd=repo), "git show")
            if rng.random() < 0.3:
                add(sh(["git", "diff", "--stat", f"{rev}~1", rev], cwd=repo), "git diff")
                add(sh(["git", "diff", f"{rev}~1", rev], cwd=repo), "git diff")
        py = [
            p
            for p in sh(["git", "ls-files", "*.py"], cwd=repo).splitlines()
            if not re.search(r"training|test|scenario", p)
        ]
        for p in rng.sample(py, min(8, len(py))):
            start = rng.randint(1, 40)
            add(sh(["git", "blame", "-L", f"{start},+{rng.randint(3, 15)}", p], cwd=repo), "git blame")
            add(sh(["git", "log", "--oneline", "-n", "8", "--", p], cwd=repo), "git log")
    scratch = ROOT / "scratch-repo"
    shutil.rmtree(scratch, ignore_errors=True)
    scratch.mkdir(parents=True)
    add(sh(["git", "init", "-b", "main"], cwd=scratch), "git init", "status")
    add(sh(["git", "status"], cwd=scratch), "git status")
    for name in rng.sample(SMALL_MODULES, 6):
        if src := module_source(name):
            (scratch / f"{name}.py").write_text(src)
            add(sh(["git", "status", "--short"], cwd=scratch), "git status")
            add(sh(["git", "add", "-v", f"{name}.py"], cwd=scratch), "git add", "status")
            add(sh(["git", "commit", "-m", f"Add {name}"], cwd=scratch), "git commit", "status")
    add(sh(["git", "checkout", "-b", "feature-x"], cwd=scratch), "git checkout", "status")
    add(sh(["git", "branch"], cwd=scratch), "git branch")
    add(sh(["git", "checkout", "main"], cwd=scratch), "git checkout", "status")
    add(sh(["git", "branch"], cwd=scratch), "git branch")
    add(sh(["git", "log", "--oneline"], cwd=scratch), "git log")
    add(sh(["git", "checkout", "nope"], cwd=scratch), "git checkout", "status")


# --------------------------------------------------------------------------------------------------
# fetch over a local web server


def build_site(rng: random.Random) -> Path:
    """A local site: pydoc pages of stdlib modules, JSON documents, and /usr/share/doc linked in."""
    import importlib
    import pydoc

    site = ROOT / "site"
    shutil.rmtree(site, ignore_errors=True)
    (site / "api").mkdir(parents=True)
    (site / "pydoc").mkdir()
    os.symlink("/usr/share/doc", site / "doc")
    for name in [m for m in SMALL_MODULES if m != "this"]:
        with contextlib.suppress(Exception):
            mod = importlib.import_module(name)
            page = pydoc.html.page(pydoc.describe(mod), pydoc.html.document(mod, name))
            (site / "pydoc" / f"{name}.html").write_text(page)
    pkgs = json.loads(
        sh(["/work/main/.venv/bin/python", "-m", "pip", "list", "--format", "json"], timeout=120) or "[]"
    )
    (site / "api" / "packages.json").write_text(json.dumps(pkgs[:60], indent=2))
    for k, p in enumerate(pkgs[:40]):
        rec = {"id": k + 1, "name": p["name"], "version": p["version"], "installed": True}
        (site / "api" / f"package-{k + 1}.json").write_text(json.dumps(rec))
    zones = sorted(zoneinfo.available_timezones())
    (site / "api" / "timezones.json").write_text(json.dumps({"count": len(zones), "items": zones[:50]}))
    (site / "api" / "health.json").write_text(
        json.dumps({"status": "ok", "uptime_s": rng.randint(10, 99999)})
    )
    (site / "api" / "empty.json").write_text("[]")
    for name in SMALL_MODULES:
        if (src := module_source(name)) is None:
            continue
        defs = re.findall(r"^def (\w+)", src, re.M)
        rec = {
            "module": name,
            "lines": src.count("\n"),
            "bytes": len(src.encode()),
            "functions": defs[: rng.randint(0, 6)],
        }
        (site / "api" / f"module-{name}.json").write_text(json.dumps(rec, indent=rng.choice([None, 2])))
    for z in rng.sample(zones, 30):
        rec = {"zone": z, "region": z.split("/")[0], "known": True}
        (site / "api" / f"tz-{z.replace('/', '_')}.json").write_text(json.dumps(rec))
    (site / "index.html").write_text(
        "<html><head><title>Local docs</title></head><body><h1>Local docs</h1><ul>"
        + "".join(f'<li><a href="pydoc/{n}.html">{n}</a></li>' for n in SMALL_MODULES[:40])
        + "</ul></body></html>"
    )
    return site


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    log_lines: list[str] = []

    def log_message(self, format: str, *args: Any) -> None:
        self.log_lines.append(f"{self.address_string()} - - [{self.log_date_time_string()}] {format % args}")


async def capture_fetch(out: Collector, rng: random.Random, site: Path) -> None:
    """mcp-server-fetch against the local server: markdown, raw, slices, JSON, errors."""
    import functools

    handler = functools.partial(_QuietHandler, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}"

    def fam(tool: str, args: dict) -> str:
        u = args["url"]
        if "/api/" in u:
            return "api"
        return "listing" if u.endswith("/") else "doc"

    try:
        args = [str(REFSRV / "fetch/bin/mcp-server-fetch"), "--ignore-robots-txt", "--allow-private-ips"]
        async with mcp_session(args[0], args[1:]) as s:
            d = Driver(s, out, "mcp:mcp-server-fetch", fam)
            pages = [f"{url}/pydoc/{p.name}" for p in sorted((site / "pydoc").glob("*.html"))]
            apis = [f"{url}/api/{p.name}" for p in sorted((site / "api").glob("*.json"))]
            docs = [f"{url}/doc/{p.relative_to('/usr/share/doc')}" for p in doc_files(rng, 60)]
            dirs = [f"{url}/doc/{p.name}/" for p in rng.sample(sorted(Path("/usr/share/doc").iterdir()), 25)]
            await d.call("fetch", {"url": url + "/"})
            for u in pages + apis + docs + dirs:
                a: dict = {"url": u}
                r = rng.random()
                if r < 0.3:
                    a["max_length"] = rng.choice([200, 500, 1000, 2000])
                elif r < 0.45:
                    a["start_index"] = rng.choice([500, 1000, 3000])
                if rng.random() < 0.15:
                    a["raw"] = True
                await d.call("fetch", a)
            await d.call("fetch", {"url": url + "/missing.html"})
            await d.call("fetch", {"url": url + "/api/none.json"})
            await d.call("fetch", {"url": "http://127.0.0.1:9/"})
        for u in apis + rng.sample(pages, 8) + [url + "/missing.json", url + "/api/"]:
            flags = rng.choice([["-s"], ["-s", "-i"], ["-s", "-I"]])
            out.add(sh(["curl", *flags, "--max-time", "10", u]), "api", "cli:curl", "curl " + " ".join(flags))
    finally:
        server.shutdown()
    for k in range(0, len(_QuietHandler.log_lines), 12):
        out.add(
            "\n".join(_QuietHandler.log_lines[k : k + rng.randint(3, 12)]),
            "log",
            "cli:http.server",
            "access log",
        )


# --------------------------------------------------------------------------------------------------
# pytest, unittest, node --test, tracebacks, shell

PY = "/work/main/.venv/bin/python"

TEST_BODIES = [
    ("test_dedent", "import textwrap\n\ndef {n}():\n    assert textwrap.dedent('  a\\n  b') == 'a\\nb'\n"),
    ("test_sum", "def {n}():\n    assert sum([1, 2, 3]) == {v}\n"),
    ("test_sorted", "def {n}():\n    assert sorted([3, 1, 2]) == [1, 2, 3]\n"),
    ("test_split", "def {n}():\n    assert 'a,b,c'.split(',') == ['a', 'b', {q}]\n"),
    ("test_json", "import json\n\ndef {n}():\n    assert json.loads('{{\"a\": {v}}}') == {{'a': 6}}\n"),
    ("test_div", "def {n}():\n    assert 10 / {v} > 1\n"),
    ("test_keys", "def {n}():\n    d = {{'x': 1}}\n    assert d['{k}'] == 1\n"),
    ("test_upper", "def {n}():\n    assert 'abc'.upper() == 'ABC'\n"),
    ("test_skip", "import pytest\n\n@pytest.mark.skip(reason='not ready')\ndef {n}():\n    pass\n"),
    ("test_xfail", "import pytest\n\n@pytest.mark.xfail\ndef {n}():\n    assert 1 == 2\n"),
    (
        "test_param",
        "import pytest\n\n@pytest.mark.parametrize('x', [1, 2, {v}])\ndef {n}(x):\n    assert x < 5\n",
    ),
    ("test_raises", "import pytest\n\ndef {n}():\n    with pytest.raises(ValueError):\n        int('{k}')\n"),
    (
        "test_path",
        "from pathlib import Path\n\ndef {n}(tmp_path):\n    (tmp_path / 'a.txt').write_text('hi')\n"
        "    assert (tmp_path / 'a.txt').read_text() == 'hi'\n",
    ),
    ("test_approx", "import pytest\n\ndef {n}():\n    assert 0.1 + 0.2 == pytest.approx(0.{v})\n"),
]


def capture_tests(out: Collector, rng: random.Random) -> None:
    """Real pytest, unittest and node --test runs of small generated test files (passing and failing)."""
    base = ROOT / "pytests"
    shutil.rmtree(base, ignore_errors=True)
    names = ["parser", "utils", "models", "api", "cli", "config", "cache", "auth", "report", "io"]
    for run in range(110):
        d = base / f"run{run}"
        (d / "tests").mkdir(parents=True)
        (d / "pytest.ini").write_text("[pytest]\n")
        for f in rng.sample(names, rng.randint(1, 3)):
            body = []
            for stem, tpl in rng.sample(TEST_BODIES, rng.randint(1, 5)):
                n = f"{stem}_{rng.choice(['basic', 'edge', 'empty', 'large', 'unicode', 'ok'])}"
                body.append(
                    tpl.format(
                        n=n,
                        v=rng.choice([6, 6, 6, 7, 0, 3]),
                        q=rng.choice(["'c'", "'c'", "'d'"]),
                        k=rng.choice(["x", "x", "y", "12", "abc"]),
                    )
                )
            (d / "tests" / f"test_{f}.py").write_text("\n\n".join(body))
        flags = rng.choice(
            [
                ["-q"],
                ["-v"],
                ["-q", "--tb=short"],
                ["-q", "--tb=line"],
                ["-x", "-q"],
                ["-rA", "-q"],
                ["--tb=no", "-q"],
                [],
            ]
        )
        tool = "pytest " + " ".join(flags)
        out.add(
            sh([PY, "-m", "pytest", "-p", "no:cacheprovider", *flags, "tests"], cwd=d, timeout=120),
            "test",
            "cli:pytest",
            tool.strip(),
        )
    # unittest
    for run in range(28):
        d = base / f"ut{run}"
        d.mkdir(parents=True)
        cases = []
        for k in range(rng.randint(1, 5)):
            expr = rng.choice(
                [
                    "1 + 1, 2",
                    "len('abc'), 3",
                    "'a'.upper(), 'A'",
                    "sorted('cba'), list('abc')",
                    "2 ** 3, 9",
                    "int('7'), 7",
                ]
            )
            cases.append(f"    def test_{rng.choice(names)}_{k}(self):\n        self.assertEqual({expr})\n")
        (d / f"test_{rng.choice(names)}.py").write_text(
            "import unittest\n\n\nclass T(unittest.TestCase):\n" + "\n".join(cases)
        )
        out.add(
            sh([PY, "-m", "unittest", *rng.choice([[], ["-v"]])], cwd=d, timeout=60),
            "test",
            "cli:unittest",
            "python -m unittest",
        )
    # node --test
    for run in range(22):
        d = base / f"node{run}"
        d.mkdir(parents=True)
        tests = []
        for k in range(rng.randint(1, 4)):
            a, b = rng.choice(
                [("1 + 1", "2"), ("'ab'.length", "2"), ("[1,2].length", "3"), ("Math.max(1, 4)", "4")]
            )
            tests.append(f"test('{rng.choice(names)} {k}', () => {{ assert.strictEqual({a}, {b}); }});")
        (d / "app.test.js").write_text(
            "const test = require('node:test');\nconst assert = require('node:assert');\n"
            + "\n".join(tests)
            + "\n"
        )
        out.add(
            sh(
                ["node", "--test", *rng.choice([[], ["--test-reporter=spec"], ["--test-reporter=dot"]])],
                cwd=d,
                timeout=60,
            ),
            "test",
            "cli:node-test",
            "node --test",
        )


FAILING = [
    "import json\njson.loads('{{\"a\": 1,}}')\n",
    "d = {{'name': 'x'}}\nprint(d['{k}'])\n",
    "items = [1, 2, 3]\nprint(items[{i}])\n",
    "def mean(xs):\n    return sum(xs) / len(xs)\n\nprint(mean([]))\n",
    "import {mod}\n",
    "from pathlib import Path\nPath('{f}').read_text()\n",
    "int('{k}')\n",
    "'abc' + {i}\n",
    "class Config:\n    pass\n\nConfig().{k}\n",
    "def f(a, b):\n    return a + b\n\nf(1)\n",
    "import datetime\ndatetime.date(2024, {m}, 31)\n",
    "def r(n):\n    return r(n + 1)\n\nr(0)\n",
    "x = None\nx.split(',')\n",
    "open('{f}', 'w').write(3)\n",
    "import os\nos.environ['{e}']\n",
    "assert {i} == 0, 'expected zero'\n",
    "import csv, io\nrows = list(csv.DictReader(io.StringIO('a,b\\n1,2')))\nprint(rows[0]['{k}'])\n",
    "from collections import OrderedDict\nOrderedDict().popitem()\n",
    "import struct\nstruct.unpack('>I', b'{k}')\n",
    "import re\nre.compile('(unclosed')\n",
    "import subprocess\nsubprocess.run(['{k}-nope'], check=True)\n",
    "raise NotImplementedError('{k} is not supported yet')\n",
    "import shutil\nshutil.copy('{f}', '/tmp')\n",
    "def load():\n    raise ValueError('bad header in {f}')\n\ndef main():\n    load()\n\nmain()\n",
    "import math\nmath.sqrt(-{i})\n",
    "[].pop()\n",
    "import decimal\ndecimal.Decimal('{k}')\n",
    "import tomllib\ntomllib.loads('a = ')\n",
    "import uuid\nuuid.UUID('{k}')\n",
    "print(undefined_{k})\n",
]


def capture_tracebacks(out: Collector, rng: random.Random) -> None:
    """Real tracebacks: failing snippets run as scripts, with -c and under several Pythons."""
    base = ROOT / "tb"
    shutil.rmtree(base, ignore_errors=True)
    base.mkdir(parents=True)
    pythons = [str(PYENV / v / "bin" / "python") for v in STDLIB_VERSIONS] + [PY]
    scripts = ["main.py", "app.py", "run.py", "etl.py", "report.py", "server.py", "job.py", "convert.py"]
    for k in range(260):
        code = rng.choice(FAILING).format(
            k=rng.choice(["id", "email", "user", "price", "abc", "3.x", "total", "path", "name", "x1"]),
            i=rng.choice([3, 5, 10, 42]),
            mod=rng.choice(["yaml", "requests_mock", "numpyy", "app.settings", "utils"]),
            f=rng.choice(
                ["config.ini", "data/input.csv", "missing.txt", "/var/tmp/none/out.log", "notes.md"]
            ),
            m=rng.choice([2, 4, 6, 9, 11]),
            e=rng.choice(["DATABASE_URL", "APP_ENV", "REGION", "LOG_LEVEL"]),
        )
        py = rng.choice(pythons)
        if k % 3 == 2:
            out.add(
                sh([py, "-c", code], cwd=base, timeout=30), "traceback", "cli:python-traceback", "python -c"
            )
        else:
            f = base / rng.choice(scripts)
            f.write_text(code)
            out.add(
                sh([py, f.name], cwd=base, timeout=30), "traceback", "cli:python-traceback", "python script"
            )


def capture_shell(out: Collector, rng: random.Random, projects: list[Path]) -> None:
    """Everyday shell output: ls, find, du, wc, pip list/show, cat and head of configs and logs, stat."""

    def add(text: str, tool: str, family: str) -> None:
        out.add(text, family, "cli:shell", tool)

    docdirs = sorted(Path("/usr/share/doc").iterdir())
    for p in rng.sample(docdirs, 90):
        add(sh(["ls", *rng.choice([["-la"], ["-l"], [], ["-lh"], ["-1"]]), str(p)]), "ls", "listing")
    for root in projects:
        add(sh(["ls", "-la"], cwd=root), "ls", "listing")
        add(sh(["ls", "-R"], cwd=root / "src"), "ls", "listing")
        add(
            sh(["find", ".", "-name", rng.choice(["*.py", "*.md", "*.log", "*.conf"])], cwd=root),
            "find",
            "listing",
        )
        add(sh(["find", ".", "-type", "d"], cwd=root), "find", "listing")
        add(sh("du -sh *", cwd=root, shell=True), "du", "listing")
        add(sh(["du", "-h", "-d", "1", "."], cwd=root), "du", "listing")
        add(sh("wc -l src/*/*.py", cwd=root, shell=True), "wc", "listing")
        for f in rng.sample(sorted(root.rglob("*.py")), 5):
            add(sh(["wc", "-l", str(f.relative_to(root))], cwd=root), "wc", "status")
            add(sh(["stat", str(f.relative_to(root))], cwd=root), "stat", "json")
    for v in STDLIB_VERSIONS:
        d = stdlib(v)
        for sub in rng.sample(
            [
                "json",
                "email",
                "http",
                "urllib",
                "logging",
                "asyncio",
                "xml",
                "unittest",
                "sqlite3",
                "concurrent",
            ],
            3,
        ):
            add(sh(["ls", str(d / sub)]), "ls", "listing")
        add(sh(["find", str(d / "json"), "-name", "*.py"]), "find", "listing")
        add(sh([str(PYENV / v / "bin" / "python"), "--version"]), "python --version", "status")
    for venv in ["/work/main/.venv", *(str(REFSRV / n) for n in ("git", "time", "fetch"))]:
        listing = sh([f"{venv}/bin/python", "-m", "pip", "list"], timeout=120)
        add(listing, "pip list", "listing")
        names = [ln.split()[0] for ln in listing.splitlines()[2:] if ln.split()]
        for n in rng.sample(names, min(12, len(names))):
            add(sh([f"{venv}/bin/python", "-m", "pip", "show", n], timeout=60), "pip show", "json")
    for c in config_files():
        text = c.read_text(errors="replace")
        add(text, "cat", "config")
        lines = text.splitlines()
        if len(lines) > 15:
            add(sh(["head", "-n", str(rng.choice([5, 10, 20])), str(c)]), "head", "config")
    for lg in log_files():
        lines = lg.read_text(errors="replace").splitlines()
        for _ in range(min(40, len(lines) // 5 + 1)):
            start, count = rng.randrange(max(1, len(lines) - 5)), rng.choice([1, 2, 3, 5, 8, 15, 30])
            add("\n".join(lines[start : start + count]), "tail", "log")
    for cmd in [
        "uname -sr",
        "node --version",
        "git --version",
        "npm --version",
        "nproc",
        "echo ok",
        "pwd",
        "date -u +%Y-%m-%d",
    ]:
        add(sh(cmd, shell=True, cwd="/tmp"), cmd.split()[0], "status")
    for p in rng.sample(docdirs, 40):
        add(sh(["du", "-sh", str(p)]), "du", "status")


# --------------------------------------------------------------------------------------------------
# main


async def capture_mcp(
    out: Collector, rng: random.Random, projects: list[Path], temp: list[Path], clones: list[Path]
) -> None:
    """Every MCP capture, each under its own deadline; a failing server is logged, not fatal."""
    site = build_site(rng)
    steps: list[tuple[str, Any]] = [
        ("filesystem", capture_filesystem(out, rng, projects)),
        ("memory", capture_memory(out, rng)),
        ("everything", capture_everything(out, rng)),
        ("time", capture_time(out, rng)),
        ("git", capture_git_mcp(out, rng, temp, clones)),
        ("fetch", capture_fetch(out, rng, site)),
    ]
    for name, coro in steps:
        before = len(out.rows)
        try:
            await asyncio.wait_for(coro, 900)
        except Exception as e:
            out.errors.append(f"{name}: {type(e).__name__}: {e}"[:300])
        print(f"  mcp {name}: +{len(out.rows) - before} rows", file=sys.stderr)


def wait_ready(deadline_s: float = 600) -> None:
    """Wait for the reference servers (/tmp/refsrv/READY), up to a deadline."""
    import time

    end = time.monotonic() + deadline_s
    while not (REFSRV / "READY").exists():
        if time.monotonic() > end:
            raise SystemExit("reference servers not ready: /tmp/refsrv/READY missing")
        time.sleep(5)


def capture(seed: int = 13) -> tuple[list[dict[str, str]], Collector]:
    """Capture everything; the sorted rows and the collector (for its drop counts and errors)."""
    wait_ready()
    rng = random.Random(seed)
    out = Collector()
    ROOT.mkdir(parents=True, exist_ok=True)
    (ROOT / "home").mkdir(exist_ok=True)
    projects = build_projects(rng)
    temp = build_temp_repos(rng)
    clones = clone_repos()
    asyncio.run(capture_mcp(out, rng, projects, temp, clones))
    for name, fn in [
        ("git cli", lambda: capture_git_cli(out, rng, clones, temp)),
        ("tests", lambda: capture_tests(out, rng)),
        ("tracebacks", lambda: capture_tracebacks(out, rng)),
        ("shell", lambda: capture_shell(out, rng, projects)),
    ]:
        before = len(out.rows)
        fn()
        print(f"  {name}: +{len(out.rows) - before} rows", file=sys.stderr)
    return out.finish(), out


def write(rows: list[dict[str, str]], path: Path) -> None:
    """Rows as gzip JSON lines (no timestamp in the gzip header, so equal rows give equal bytes)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as gz:
        for r in rows:
            gz.write((json.dumps(r, ensure_ascii=False, sort_keys=True) + "\n").encode())


def summary(rows: list[dict]) -> str:
    """Counts per family, source and split, and the share of short rows."""
    lines = [f"rows: {len(rows)}; short (<20 words): {sum(len(r['text'].split()) < 20 for r in rows)}"]
    for key in ("family", "source"):
        lines.append(
            f"{key}: " + ", ".join(f"{k}={v}" for k, v in sorted(Counter(r[key] for r in rows).items()))
        )
    by = Counter((split_of_row(r), r["family"]) for r in rows)
    for split in ("train", "dev"):
        n = sum(v for (s, _), v in by.items() if s == split)
        lines.append(f"{split} ({n}): " + ", ".join(f"{f}={by[(split, f)]}" for f in FAMILIES))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    """Command line: capture the corpus, or print the summary and dev groups of an existing one."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=DEFAULT)
    ap.add_argument("--seed", type=int, default=13)
    ap.add_argument("--summary", action="store_true", help="only summarize --out and print its dev groups")
    a = ap.parse_args(argv)
    if not a.summary:
        rows, out = capture(a.seed)
        write(rows, a.out)
        print(f"dropped: {dict(out.dropped)}", file=sys.stderr)
        for e in out.errors[:40]:
            print("error:", e, file=sys.stderr)
    rows = load(a.out)
    print(summary(rows))
    print("choose_dev_groups():", sorted(choose_dev_groups(rows)))


if __name__ == "__main__":
    main()
