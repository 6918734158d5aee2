"""Policy engines: the embedded Rego evaluator (regorus) and a central OPA server.

Both answer one question, data.mcp_firewall.result for an input document, and both fail closed:
any error, timeout or undefined result raises PolicyError, which the policy stage turns into DENY.

regorus Engines are bound to the thread that created them: using one elsewhere panics (with a
BaseException), and even dropping one elsewhere is an error. So the embedded engine compiles its
Engine on the thread that builds the firewall (the event loop's) and evaluates inline there, in
microseconds; a call from any other thread compiles a throwaway Engine on that thread (slow, but
correct) rather than touching the owner's.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import urlparse

import anyio
import anyio.to_thread

from firewall.errors import FirewallError

RESULT_PACKAGE = "mcp_firewall"
RESULT_RULE = "result"
RESULT = f"data.{RESULT_PACKAGE}.{RESULT_RULE}"


class PolicyError(FirewallError):
    """A policy failed to compile, load or evaluate."""


@dataclass(frozen=True)
class Source:
    path: str
    text: str


def load_sources(paths: Sequence[Path], *, tests: bool = False) -> list[Source]:
    """Every .rego file under the given files and folders (tests only when asked), in a stable order."""
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files.extend(sorted(path.rglob("*.rego")))
        elif path.exists():
            files.append(path)
        else:
            raise PolicyError(f"policy path not found: {path}")
    return [
        Source(str(f), f.read_text(encoding="utf-8"))
        for f in files
        if tests or not f.name.endswith("_test.rego")
    ]


def rego_message(exc: BaseException) -> str:
    """regorus errors carry 'path:line:col', the message and a Rust backtrace; keep the first two."""
    text = str(exc).split("Stack backtrace:")[0].strip()
    return re.sub(r"\n\s*\n", "\n", text)


class PolicyEngine(Protocol):
    name: str

    async def evaluate(self, document: dict[str, Any]) -> Any:
        """data.mcp_firewall.result for this input (None when undefined); raises PolicyError."""
        ...


class EmbeddedEngine:
    name = "embedded"

    def __init__(self, sources: Sequence[Source], data: dict[str, Any]) -> None:
        self.sources = list(sources)
        self.data = data
        self._owner = threading.get_ident()
        self._engine = self._compile()  # now: a policy that does not compile stops the firewall at start

    def engine(self) -> Any:
        """The compiled Engine if called on the owner thread, else a fresh one for this thread."""
        return self._engine if threading.get_ident() == self._owner else self._compile()

    def _compile(self) -> Any:
        import regorus

        engine = regorus.Engine()
        for source in self.sources:
            try:
                engine.add_policy(source.path, source.text)
            except RuntimeError as exc:
                raise PolicyError(f"policy does not compile:\n{rego_message(exc)}") from None
        engine.add_data(self.data)
        return engine

    def packages(self) -> list[str]:
        return [p.removeprefix("data.") for p in self.engine().get_packages()]

    def evaluate_now(self, document: dict[str, Any]) -> Any:
        engine = self.engine()
        try:
            engine.set_input(document)
            return engine.eval_rule(RESULT)
        except RuntimeError as exc:
            raise PolicyError(f"policy evaluation failed: {rego_message(exc)}") from None

    async def evaluate(self, document: dict[str, Any]) -> Any:
        return self.evaluate_now(document)


class OpaServerEngine:
    """A central OPA server over its REST data API, through opa-python-client (in worker threads)."""

    name = "opa"

    def __init__(self, url: str, *, token: str | None, timeout: float) -> None:
        parsed = urlparse(url)
        if parsed.scheme not in ("http", "https") or not parsed.hostname:
            raise PolicyError(f"policy.opa.url must be an http(s) URL, got {url!r}")
        self.url = url
        self._params = {
            "host": parsed.hostname,
            "port": parsed.port or (443 if parsed.scheme == "https" else 80),
            "ssl": parsed.scheme == "https",
            "token": token,
            "timeout": timeout,
            "retries": 0,
        }
        self.timeout = timeout
        self._local = threading.local()

    def client(self) -> Any:
        client = getattr(self._local, "client", None)
        if client is None:
            from opa_client import OpaClient

            client = OpaClient(**self._params)
            self._local.client = client
        return client

    def push(self, sources: Sequence[Source], data: dict[str, Any]) -> None:
        """Load our policies and data onto the server (at start; errors stop the firewall)."""
        client = self.client()
        try:
            for source in sources:
                policy_id = "mcp_firewall/" + Path(source.path).stem
                client.update_policy_from_string(source.text, policy_id, rego_compat=False)
            client.update_or_create_data(data[RESULT_PACKAGE]["config"], f"{RESULT_PACKAGE}/config")
        except Exception as exc:
            raise PolicyError(f"could not load policies onto the OPA server at {self.url}: {exc}") from None

    def _query(self, document: dict[str, Any]) -> Any:
        response = self.client().query_rule(document, RESULT_PACKAGE, RESULT_RULE)
        return response.get("result") if isinstance(response, dict) else None

    async def evaluate(self, document: dict[str, Any]) -> Any:
        try:
            with anyio.fail_after(self.timeout):
                return await anyio.to_thread.run_sync(self._query, document, abandon_on_cancel=True)
        except TimeoutError:
            raise PolicyError(f"the OPA server at {self.url} did not answer within {self.timeout}s") from None
        except Exception as exc:
            raise PolicyError(f"the OPA server at {self.url} failed: {exc}") from None


def policy_data(packs: Sequence[str], grants: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """The data document the packs read: which packs run, and the allowlist's grants."""
    return json.loads(
        json.dumps({RESULT_PACKAGE: {"config": {"packs": list(packs), "grants": list(grants)}}})
    )
