"""The inputs of a data build, named: every file the builder reads goes through :class:`Inputs`,
which records it (where it lives, its sha256, the Debian/PyPI package and version it comes from)
for the manifest written beside the data, and, when rebuilding from a manifest, refuses any file
that the manifest does not name or whose content differs.

Files are named by a root and a path inside it, so that a manifest holds on another machine:

* ``shared``: the shared data sets (``--shared``), path relative to it;
* ``stdlib``: the Python standard library, path relative to ``sysconfig``'s stdlib directory;
* ``site-packages``: an installed Python distribution's file, path relative to its site directory;
* ``system``: any other file of the machine (``/usr/share/doc``, ``/usr/lib/node_modules``, ...),
  by its absolute path.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import json
import os
import platform
import site
import sys
import sysconfig
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

MANIFEST = "manifest.json"
FORMAT = 1
BUILDER = (
    "data.py",
    "inputs.py",
    "pools.py",
    "work.py",
    "requests.py",
    "hardneg.py",
    "realtools.py",
    "corpus/real_tool_outputs.jsonl.gz",
)
"""The sources whose code shapes a build's output (their sha256 goes into the manifest)."""


def sha256_of(path: Path) -> str:
    """The sha256 of a whole file, hex."""
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def site_dirs() -> list[Path]:
    """This interpreter's site-packages directories (the environment's first, then the base's)."""
    paths = [Path(p) for p in site.getsitepackages()]
    paths.append(Path(sysconfig.get_paths()["purelib"]))
    base = Path(sys.base_prefix) / "lib" / f"python{sys.version_info.major}.{sys.version_info.minor}"
    paths.append(base / "site-packages")
    out: list[Path] = []
    for p in paths:
        if p.is_dir() and p not in out:
            out.append(p)
    return out


def stdlib_dir() -> Path:
    """The Python standard library's directory."""
    return Path(sysconfig.get_paths()["stdlib"])


@dataclass(frozen=True)
class Package:
    """Where a machine file comes from: ``source`` is debian, pypi, npm or cpython."""

    source: str
    name: str
    version: str

    def __str__(self) -> str:
        return f"{self.source} package {self.name} {self.version}"


@dataclass(frozen=True)
class Input:
    """One named input: ``role`` is tokenizer, dataset or benign-file; benign files also carry the
    context ``kind`` they were read as and the ``split`` they belong to."""

    role: str
    root: str
    path: str
    sha256: str
    package: Package | None = None
    kind: str | None = None
    split: str | None = None

    @property
    def name(self) -> str:
        """``root:path``, how reports name the input."""
        return f"{self.root}:{self.path}"

    def to_json(self) -> dict[str, Any]:
        """The manifest entry (fields that are None are left out)."""
        return {k: v for k, v in asdict(self).items() if v is not None}

    @classmethod
    def from_json(cls, entry: dict[str, Any]) -> Input:
        """An input from its manifest entry."""
        package = entry.get("package")
        return cls(
            role=entry["role"],
            root=entry["root"],
            path=entry["path"],
            sha256=entry["sha256"],
            package=Package(**package) if package else None,
            kind=entry.get("kind"),
            split=entry.get("split"),
        )


class UnnamedInput(Exception):
    """The builder read a file that the manifest it rebuilds from does not name (a builder change)."""


@dataclass
class Roots:
    """Where each root is on this machine."""

    shared: Path
    stdlib: Path = field(default_factory=stdlib_dir)
    sites: list[Path] = field(default_factory=site_dirs)

    def resolve(self, root: str, path: str) -> Path | None:
        """The file a named input is on this machine, or None where it is missing."""
        if root == "system":
            candidates = [Path(path)]
        elif root == "shared":
            candidates = [self.shared / path]
        elif root == "stdlib":
            candidates = [self.stdlib / path]
        elif root == "site-packages":
            candidates = [s / path for s in self.sites]
        else:
            raise ValueError(f"unknown root {root!r}")
        return next((c for c in candidates if c.is_file()), None)

    def name(self, path: Path, root: str | None = None) -> tuple[str, str]:
        """(root, path inside it) for a file of this machine; ``root`` forces the root (a stdlib glob
        can reach into site-packages, which lies inside the stdlib directory)."""
        if root == "shared" or (root is None and path.is_relative_to(self.shared)):
            return "shared", path.relative_to(self.shared).as_posix()
        if root in (None, "site-packages"):
            for s in self.sites:
                if path.is_relative_to(s):
                    return "site-packages", path.relative_to(s).as_posix()
        if root in (None, "stdlib") and path.is_relative_to(self.stdlib):
            return "stdlib", path.relative_to(self.stdlib).as_posix()
        return "system", str(path)


class PackageIndex:
    """Which installed package owns a file: Debian from dpkg's file lists, PyPI from the
    distributions' RECORD files, npm from the nearest package.json, CPython for the stdlib. Built
    lazily: a rebuild that finds every input unchanged never needs it."""

    def __init__(self, roots: Roots, dpkg: Path = Path("/var/lib/dpkg")) -> None:
        self.roots = roots
        self.dpkg = dpkg
        self._debian: dict[str, str] | None = None
        self._debian_versions: dict[str, str] | None = None
        self._pypi: dict[str, Package] | None = None

    def debian_versions(self) -> dict[str, str]:
        """Installed Debian package -> version, from dpkg's status file."""
        if self._debian_versions is None:
            self._debian_versions = {}
            status = self.dpkg / "status"
            text = status.read_text(encoding="utf-8", errors="replace") if status.is_file() else ""
            for stanza in text.split("\n\n"):
                fields = dict(
                    line.split(": ", 1) for line in stanza.splitlines() if ": " in line and line[0] != " "
                )
                if "Package" in fields and "installed" in fields.get("Status", "").split():
                    self._debian_versions[fields["Package"]] = fields.get("Version", "?")
        return self._debian_versions

    def _debian_owner(self, path: Path) -> str | None:
        if self._debian is None:
            self._debian = {}
            for listing in sorted((self.dpkg / "info").glob("*.list")):
                package = listing.stem.split(":", 1)[0]
                for line in listing.read_text(encoding="utf-8", errors="replace").splitlines():
                    self._debian.setdefault(line, package)
        for candidate in (str(path), os.path.realpath(path)):
            if candidate in self._debian:
                return self._debian[candidate]
        return None

    def _pypi_owner(self, path: Path) -> Package | None:
        if self._pypi is None:
            self._pypi = {}
            for s in self.roots.sites:
                for dist in importlib.metadata.distributions(path=[str(s)]):
                    package = Package("pypi", dist.metadata["Name"], dist.version)
                    for f in dist.files or []:
                        self._pypi.setdefault(os.path.normpath(s / f), package)
        return self._pypi.get(os.path.normpath(path))

    @staticmethod
    def _npm_owner(path: Path) -> Package | None:
        for parent in path.parents:
            manifest = parent / "package.json"
            if manifest.is_file() and "node_modules" in parent.parts:
                try:
                    meta = json.loads(manifest.read_text(encoding="utf-8"))
                except ValueError:
                    continue
                if isinstance(meta, dict) and meta.get("name") and meta.get("version"):
                    return Package("npm", str(meta["name"]), str(meta["version"]))
        return None

    def owner(self, path: Path) -> Package | None:
        """The package a file of this machine comes from, or None where no package manager knows it."""
        pypi = self._pypi_owner(path)
        if pypi is not None:
            return pypi
        debian = self._debian_owner(path)
        if debian is not None:
            return Package("debian", debian, self.debian_versions().get(debian, "?"))
        if path.is_relative_to(self.roots.stdlib):
            return Package("cpython", "python", platform.python_version())
        return self._npm_owner(path)

    def installed(self, package: Package) -> str | None:
        """The version of a package installed here, or None where it is not installed."""
        if package.source == "debian":
            return self.debian_versions().get(package.name)
        if package.source == "pypi":
            sites = [str(s) for s in self.roots.sites]
            found = importlib.metadata.distributions(name=package.name, path=sites)
            return next((d.version for d in found), None)
        if package.source == "cpython":
            return platform.python_version()
        return None


class Inputs:
    """The record of what a build reads. Without ``expected`` (a fresh build) every file read is
    named and hashed as it is read; with it (a rebuild from a manifest) only named inputs may be
    read, and :meth:`problems` says, before anything is built, which are missing or different."""

    def __init__(self, roots: Roots, expected: Sequence[Input] | None = None) -> None:
        self.roots = roots
        self.packages = PackageIndex(roots)
        self.expected = {(i.root, i.path): i for i in expected} if expected is not None else None
        self.read: list[Input] = []

    def use(
        self,
        path: Path,
        role: str,
        *,
        root: str | None = None,
        kind: str | None = None,
        split: str | None = None,
    ) -> Path:
        """Record that the build reads ``path`` (a file of this machine) and return it."""
        root_name, inner = self.roots.name(path, root)
        if self.expected is not None:
            named = self.expected.get((root_name, inner))
            if named is None:
                raise UnnamedInput(f"the build read {root_name}:{inner}, which the manifest does not name")
            self.read.append(named)  # verified up front by problems()
            return path
        package = self.packages.owner(path) if root_name != "shared" else None
        self.read.append(Input(role, root_name, inner, sha256_of(path), package, kind, split))
        return path

    def shared(self, inner: str) -> Path:
        """A shared data-set file, by its path inside the shared root."""
        return self.use(self.roots.shared / inner, "dataset", root="shared")

    def problems(self) -> list[str]:
        """For a rebuild: one line per named input that is missing here or whose content differs,
        with the package it came from and what is installed here instead."""
        if self.expected is None:
            return []
        out: list[str] = []
        for named in self.expected.values():
            here = self.roots.resolve(named.root, named.path)
            if here is None:
                out.append(f"missing: {named.name}{self._origin(named)}")
                continue
            digest = sha256_of(here)
            if digest != named.sha256:
                out.append(
                    f"different: {named.name} ({here}) has sha256 {digest}, the manifest names "
                    f"{named.sha256}{self._origin(named)}"
                )
        return out

    def _origin(self, named: Input) -> str:
        if named.package is None:
            return ""
        installed = self.packages.installed(named.package)
        here = "not installed here" if installed is None else f"installed here: {installed}"
        return f" (from {named.package}; {here})"

    def named(self, role: str) -> list[Input]:
        """For a rebuild: the inputs of a role the manifest names, in the order the build read them."""
        return [i for i in (self.expected or {}).values() if i.role == role]

    def locate(self, named: Input) -> Path:
        """Where a named input is on this machine (checked by :meth:`problems` beforehand)."""
        path = self.roots.resolve(named.root, named.path)
        if path is None:
            raise FileNotFoundError(f"missing: {named.name}")
        return path


def software() -> dict[str, Any]:
    """The interpreter and libraries whose behaviour shapes the output, and the builder's sources."""
    versions: dict[str, Any] = {"python": platform.python_version()}
    for name in ("tokenizers", "pyarrow"):
        try:
            versions[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            versions[name] = None
    here = Path(__file__).resolve().parent
    versions["builder"] = {name: sha256_of(here / name) for name in BUILDER}
    return versions


def write_manifest(out: Path, args: dict[str, Any], inputs: Iterable[Input], outputs: Iterable[Path]) -> Path:
    """Write ``manifest.json`` into ``out``: the build's arguments, software, inputs (one per line,
    in the order they were read) and the sha256 of each output file."""
    head = {
        "format": FORMAT,
        "args": args,
        "software": software(),
        "outputs": {p.name: sha256_of(p) for p in outputs},
    }
    lines = [json.dumps(i.to_json(), ensure_ascii=False, sort_keys=True) for i in inputs]
    body = json.dumps(head, indent=1, sort_keys=True)[:-2]  # reopen the object to append the inputs
    text = body + ',\n "inputs": [\n  ' + ",\n  ".join(lines) + "\n ]\n}\n"
    path = out / MANIFEST
    path.write_text(text, encoding="utf-8")
    return path


def read_manifest(path: Path) -> dict[str, Any]:
    """A manifest as written by :func:`write_manifest`, its inputs as :class:`Input`."""
    manifest = json.loads(path.read_text(encoding="utf-8"))
    if manifest.get("format") != FORMAT:
        raise SystemExit(f"{path}: manifest format {manifest.get('format')!r}, this builder reads {FORMAT}")
    manifest["inputs"] = [Input.from_json(e) for e in manifest["inputs"]]
    return manifest
