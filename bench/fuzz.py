"""Fuzz the relay in both directions and check, after every batch, that it still decides every call.

An agent-side generator writes batches of messages (many lines per write) to `mcp-firewall wrap`, the
stdio gateway or the gateway's HTTP front, while each wrapped server is tests/support/raw_server.py in
its --fuzz mode, answering every line with fuzzed replies and notifications of its own. After every
batch a probe (a valid `tools/call echo`) must be answered correctly within PROBE_SECONDS, the relay
process must be alive, and every `tools/call` a server received must match an allow record of its
own in the audit log (one-to-one: same server, tool name and argument digest; the k-th such call
takes the k-th such record); the rule-denied tool must never reach a server. tests/e2e/test_fuzz.py runs the same engine on a small budget.

    python bench/fuzz.py --messages 20000 [--seed 1] [--target wrap|gateway|http] [--batch 200]
                         [--minutes M] [--noise 2] [--dir DIR] [--write]

Reports messages sent, crashes (the relay process died, or its HTTP session vanished), hangs (a probe
not answered in time), undecided calls (a tools/call at a server without its audit record), requests
never answered, the relay's internal errors (its catch-all fired: a bug failed closed) and msgs/s.
A crashed or hung relay is counted and replaced, and the run goes on; it stops at the first
undecided call. --write puts the target's row in bench/RESULTS.md (section "fuzz").
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import random
import re
import shlex
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter, deque
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

import anyio
import httpx
import psutil
from anyio.abc import ByteReceiveStream, Process
from anyio.streams.buffered import BufferedByteReceiveStream

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tests.support import processes  # noqa: E402
from tests.support.raw_client import INITIALIZE, raw_process  # noqa: E402
from tests.support.raw_server import PROBE, garbage, nested, odd_id, odd_text, odd_value  # noqa: E402

RAW_SERVER = [sys.executable, str(ROOT / "tests" / "support" / "raw_server.py")]
LIMIT = 65536
"""limits.max_message_bytes of the relay under test (small, so over-long lines are cheap)."""
REQUEST_TIMEOUT = 3
PROBE_SECONDS = 30.0
"""A probe not answered this long after its batch was written is a hang."""
WRITE_SECONDS = 30.0
EXIT_SECONDS = 30.0
TOKEN = "fuzz-token-0123456789abcdef"
CONFIG = f"""
[detect]
classifier = "off"
[limits]
request_timeout_seconds = {REQUEST_TIMEOUT}
max_message_bytes = {LIMIT}
[[rules]]
id = "no-delete"
tool = "*delete_everything"
action = "deny"
"""
DENIED = "delete_everything"


# -- the agent-side generator --------------------------------------------------------------------

METHODS = [
    "tools/list",
    "ping",
    "initialize",
    "resources/list",
    "resources/read",
    "resources/subscribe",
    "resources/templates/list",
    "prompts/list",
    "prompts/get",
    "completion/complete",
    "logging/setLevel",
    "server/discover",
    "sampling/createMessage",
    "notifications/cancelled",
    "tools/call ",
    "x/unknown",
    "",
]
NOTIFICATIONS = [
    "notifications/initialized",
    "notifications/roots/list_changed",
    "notifications/cancelled",
    "notifications/progress",
    "notifications/x",
]
TOOLS = {
    "wrap": ["echo", "echo", DENIED, "hang", "bad_progress", "bad_notes", "nope", "", "ECHO", DENIED + " "],
    "gateway": [
        "a__echo",
        "b__echo",
        f"a__{DENIED}",
        f"b__{DENIED}",
        "a__hang",
        "b__bad_progress",
        "a__bad_notes",
        "c__echo",
        "a__",
        "__echo",
        "echo",
        DENIED,
        "a__a__echo",
    ],
}
TOOLS["http"] = TOOLS["gateway"]
PROBE_TOOLS = {"wrap": ["echo"], "gateway": ["a__echo", "b__echo"], "http": ["a__echo", "b__echo"]}


NON_FINITE = "fuzz-non-finite"
NON_FINITE_TOKENS = [b"NaN", b"Infinity", b"-Infinity", b"1e400"]


def _line(message: Any) -> bytes:
    return json.dumps(message).encode()


class AgentFuzz:
    """Seeded generator of agent-to-relay lines (bytes, no newline): valid and invalid envelopes,
    wrong-typed ids, request methods as notifications, odd notifications, tools/call with odd names
    and arguments, replies to the relay's requests, random bytes, truncated and deep JSON, over-long
    lines, unicode. It never uses a probe's id."""

    def __init__(
        self, rng: random.Random, tools: list[str], limit: int = LIMIT, *, duplicates: bool = True
    ) -> None:
        self.rng = rng
        self.tools = tools
        self.limit = limit
        self.duplicates = duplicates
        """Reuse ids of requests maybe still in flight (not over HTTP, where the SDK's transport keys
        each POST's reply stream by str(id): a duplicate takes over the first request's stream)."""
        self.next_id = 1
        self.recent: deque[int | str] = deque(maxlen=32)
        self.server_requests: deque[Any] = deque(maxlen=256)
        self.expected: set[int | str] = set()
        """Ids of well-formed requests sent and not cancelled: each must get a reply."""
        """Ids of requests the relay sent us (its servers' requests), for replies fuzzed and not."""
        kinds: list[tuple[Callable[[], bytes], int]] = [
            (self.call, 16),
            (self.bad_call, 8),
            (self.request, 9),
            (self.bad_id, 10),
            (self.as_notification, 8),
            (self.notification, 12),
            (self.response, 8),
            (self.envelope, 8),
            (self.garbage, 7),
            (self.raw_bytes, 3),
            (self.unicode, 4),
            (self.batch, 2),
            (self.huge, 1),
        ]
        self.kinds = [k for k, _ in kinds]
        self.weights = [w for _, w in kinds]

    def line(self) -> bytes:
        return self.rng.choices(self.kinds, self.weights)[0]()

    # ids

    def fresh_id(self, *, expect: bool = True) -> int | str:
        """A valid id, now and then one used before; `expect`: the line is a well-formed request, so
        the relay owes it a reply (a result or an error), unless the generator cancels it."""
        rng = self.rng
        if self.duplicates and rng.random() < 0.08 and self.recent:
            value = rng.choice(self.recent)  # maybe still in flight: refused as a duplicate
        else:
            self.next_id += 1
            value = self.next_id if rng.random() < 0.75 else f"r{self.next_id}{odd_text(rng, 4)}"
            self.recent.append(value)
        if expect:
            self.expected.add(value)
        return value

    def meta(self) -> dict[str, Any]:
        rng = self.rng
        roll = rng.random()
        if roll < 0.7:
            return {}
        if roll < 0.9:
            token = rng.choice([1, 2, 3, "t1", "t2", f"p{self.next_id}"])
            return {"_meta": {"progressToken": token}}
        return {"_meta": {"progressToken": rng.choice([[1], {"a": 1}, True, 1.5, None])}}

    def arguments(self) -> Any:
        rng = self.rng
        roll = rng.random()
        if roll < 0.5:
            return {"text": odd_text(rng, 40)}
        if roll < 0.8:
            return {odd_text(rng, 6): odd_value(rng) for _ in range(rng.randint(0, 4))}
        if roll < 0.9:
            return {"text": "x", "deep": json.loads(nested(rng, rng.randint(1, 150)))}
        return {}

    # kinds

    def call(self) -> bytes:
        """A well-formed tools/call: any tool, the denied one included, plausible or odd arguments."""
        rng = self.rng
        params: dict[str, Any] = {
            "name": rng.choice(self.tools),
            "arguments": self.arguments(),
            **self.meta(),
        }
        if rng.random() < 0.05:
            del params["arguments"]
        elif rng.random() < 0.03:
            params["arguments"] = None
        elif rng.random() < 0.04:  # numbers JSON has not: the SDK's parser takes them, its writer nulls them
            params["arguments"] = {"text": "x", "n": NON_FINITE}
            line = _line({"jsonrpc": "2.0", "id": self.fresh_id(), "method": "tools/call", "params": params})
            return line.replace(json.dumps(NON_FINITE).encode(), rng.choice(NON_FINITE_TOKENS))
        return _line({"jsonrpc": "2.0", "id": self.fresh_id(), "method": "tools/call", "params": params})

    def bad_call(self) -> bytes:
        """tools/call with a wrong-typed name, arguments, params or _meta."""
        rng = self.rng
        name: Any = rng.choice(self.tools)
        arguments: Any = {"text": "x"}
        roll = rng.randrange(5)
        if roll == 0:
            name = rng.choice([[name], {"name": name}, 5, None, True, 1.5])
        elif roll == 1:
            arguments = rng.choice([[1], "x", 5, True, [{"text": "x"}]])
        elif roll == 2:
            params: Any = rng.choice([[name], name, 5, None])
            return _line({"jsonrpc": "2.0", "id": self.fresh_id(), "method": "tools/call", "params": params})
        elif roll == 3:
            return _line(
                {
                    "jsonrpc": "2.0",
                    "id": self.fresh_id(),
                    "method": "tools/call",
                    "params": {
                        "name": name,
                        "arguments": arguments,
                        "_meta": rng.choice(["x", [1], 5, True]),
                    },
                }
            )
        else:
            return _line({"jsonrpc": "2.0", "id": self.fresh_id(), "method": "tools/call", "params": {}})
        params = {"name": name, "arguments": arguments}
        return _line({"jsonrpc": "2.0", "id": self.fresh_id(), "method": "tools/call", "params": params})

    def request(self) -> bytes:
        """Any other method with a valid id and plausible or odd params."""
        rng = self.rng
        method = rng.choice(METHODS)
        roll = rng.random()
        params: Any
        if roll < 0.4:
            params = {**self.meta()}
        elif roll < 0.6:
            params = {
                "uri": rng.choice(["a+file:///x", "file:///x", odd_value(rng)]),
                "name": rng.choice([*self.tools, odd_value(rng)]),
                "ref": rng.choice(
                    [{"type": "ref/prompt", "name": "a__p"}, {"type": "ref/resource"}, odd_value(rng)]
                ),
            }
        elif roll < 0.7 and method == "initialize":
            params = {
                **INITIALIZE,
                "protocolVersion": rng.choice(["2025-11-25", "2025-06-18", odd_value(rng)]),
            }
        else:
            params = odd_value(rng)
        if method == "tools/list" and rng.random() < 0.6:
            # raw_server --fuzz answers a list that says "fuzz" with malformed entries among its tools
            params = {"fuzz": True, **({"cursor": odd_value(rng)} if rng.random() < 0.3 else {})}
        message: dict[str, Any] = {"jsonrpc": "2.0", "id": self.fresh_id(), "method": method}
        if rng.random() < 0.9:
            message["params"] = params
        return _line(message)

    def bad_id(self) -> bytes:
        """A request (tools/call, often of the denied tool) whose id no peer may use, or hides."""
        rng = self.rng
        method = rng.choice(["tools/call", "tools/call", "ping", "tools/list", "initialize"])
        params = {"name": rng.choice([DENIED, *self.tools]), "arguments": {"text": "x"}}
        bad = odd_id(rng)
        if not self.duplicates and isinstance(bad, int | str) and not isinstance(bad, bool):
            # a huge integer or a long string is a valid id after all: keep it unique
            self.next_id += 1
            bad = f"{bad}{self.next_id}" if isinstance(bad, str) else bad + self.next_id
        roll = rng.randrange(6)
        body = f'"method":{json.dumps(method)},"params":{json.dumps(params)}'
        if roll == 0:  # the key spelled with an escape
            return f'{{"jsonrpc":"2.0","\\u0069d":{json.dumps(bad)},{body}}}'.encode()
        if roll == 1:  # a valid id, then a bad one under the same key (and the other way round)
            ids = [json.dumps(self.fresh_id(expect=False)), json.dumps(bad)]
            rng.shuffle(ids)
            return f'{{"jsonrpc":"2.0","id":{ids[0]},{body},"id":{ids[1]}}}'.encode()
        if roll == 2:  # invalid UTF-8 later in the line: the strict-id check cannot parse it
            return f'{{"jsonrpc":"2.0","id":{json.dumps(bad)},{body},"x":"'.encode() + b'\xff\xfe"}'
        if roll == 3:  # a lone surrogate escape: Python's json accepts it, the SDK's parser does not
            return f'{{"jsonrpc":"2.0","id":{json.dumps(bad)},{body},"x":"\\ud800"}}'.encode()
        if roll == 4:
            tokens = ["1e2", "1.0", "01", "0x1", "NaN", "Infinity"] + (
                ["-0"] if self.duplicates else []
            )  # -0 is 0
            return f'{{"jsonrpc":"2.0","id":{rng.choice(tokens)},{body}}}'.encode()
        return _line({"jsonrpc": "2.0", "id": bad, "method": method, "params": params})

    def as_notification(self) -> bytes:
        """A request method without an id: a lenient server would run it undecided."""
        rng = self.rng
        method = rng.choice(
            ["tools/call", "tools/call", "ping", "tools/list", "initialize", "resources/read"]
        )
        params: Any = {"name": rng.choice([DENIED, *self.tools]), "arguments": self.arguments()}
        message: dict[str, Any] = {"jsonrpc": "2.0", "method": method, "params": params}
        if rng.random() < 0.2:
            message["id"] = None
        return _line(message)

    def notification(self) -> bytes:
        """Notifications, often with wrong-typed params (cancel and progress ids, _meta)."""
        rng = self.rng
        method = rng.choice(NOTIFICATIONS)
        roll = rng.randrange(6)
        params: Any
        if roll == 0 and self.recent:
            cancelled = rng.choice(self.recent)  # a real cancellation: the request may go unanswered
            self.expected.discard(cancelled)
            params = {"requestId": cancelled, "reason": odd_value(rng)}
        elif roll == 1:
            params = {"requestId": rng.choice([[1], {"a": 1}, True, 1.5, None, odd_id(rng)])}
        elif roll == 2:
            params = {
                "progressToken": rng.choice([[1], {"a": 1}, 1, "t1", odd_value(rng)]),
                "progress": odd_value(rng),
            }
        elif roll == 3:
            params = {"_meta": rng.choice(["x", [1], 5, None, True, {"progressToken": [1]}])}
        elif roll == 4:
            params = odd_value(rng)
        else:
            params = {}
        return _line({"jsonrpc": "2.0", "method": method, "params": params})

    def response(self) -> bytes:
        """A reply from the agent: to the relay's own requests (fuzzed or not), or to nothing."""
        rng = self.rng
        if self.server_requests and rng.random() < 0.7:
            request_id = self.server_requests.popleft()
        else:
            request_id = rng.choice([0, 1, 10**6, -1, "x", odd_id(rng)])
        roll = rng.randrange(5)
        if roll == 0:
            body: dict[str, Any] = {
                "result": {"role": "assistant", "content": {"type": "text", "text": "ok"}, "model": "m"}
            }
        elif roll == 1:
            body = {"result": odd_value(rng)}
        elif roll == 2:
            body = {"error": rng.choice([{"code": -1, "message": "no"}, {"code": "x"}, "x", None, [1]])}
        elif roll == 3:
            body = {"result": {}, "error": {"code": 1, "message": "m"}}
        else:
            body = {}
        return _line({"jsonrpc": "2.0", "id": request_id, **body})

    def envelope(self) -> bytes:
        """Envelopes that are not JSON-RPC 2.0."""
        rng = self.rng
        call = {"name": DENIED, "arguments": {}}
        return _line(
            rng.choice(
                [
                    {"jsonrpc": "1.0", "id": 9, "method": "tools/call", "params": call},
                    {"id": 9, "method": "tools/call", "params": call},
                    {"jsonrpc": 2, "id": 9, "method": "tools/call", "params": call},
                    {"jsonrpc": "2.0", "id": 9, "method": 5},
                    {"jsonrpc": "2.0", "id": 9, "method": ["tools/call"], "params": call},
                    {"jsonrpc": "2.0", "id": 9, "method": "tools/call", "params": [call]},
                    {"jsonrpc": "2.0", "method": "tools/call", "params": call, "result": {}},
                    {
                        "jsonrpc": "2.0",
                        "id": self.fresh_id(expect=False),
                        "method": "tools/call",
                        "params": call,
                        "error": {},
                    },
                    {"jsonrpc": "2.0"},
                    {"jsonrpc": "2.0", "id": 9},
                    {"jsonrpc": "2.0", "params": call},
                    {odd_text(rng, 5): odd_value(rng)},
                ]
            )
        )

    def garbage(self) -> bytes:
        """Random text, truncated JSON, non-object JSON, deep nesting, NaN, batches (raw_server's)."""
        return garbage(self.rng, self.limit, head='{"id":7,"x":"').encode("utf-8", "replace")

    def raw_bytes(self) -> bytes:
        rng = self.rng
        return bytes(rng.randrange(256) for _ in range(rng.randint(1, 80))).replace(b"\n", b" ")

    def unicode(self) -> bytes:
        """A valid echo call with raw non-ASCII, a BOM, a NUL, or a CRLF ending."""
        rng = self.rng
        text = "".join(
            rng.choice("é中😀\u202e\u2028\u0000\ufeff\U0010ffffa ") for _ in range(rng.randint(1, 30))
        )
        params = {"name": self.tools[0], "arguments": {"text": text, text: text}}
        roll = rng.randrange(4)
        line = json.dumps(
            {
                "jsonrpc": "2.0",
                "id": self.fresh_id(expect=roll != 0),
                "method": "tools/call",
                "params": params,
            },
            ensure_ascii=False,
        )
        data = line.encode()
        if roll == 0:
            return b"\xef\xbb\xbf" + data
        if roll == 1:
            return data + b"\r"
        if roll == 2:
            return b"  \t" + data
        return data

    def batch(self) -> bytes:
        """A JSON-RPC batch (MCP has none): nothing in it may be run."""
        rng = self.rng
        calls = [
            {
                "jsonrpc": "2.0",
                "id": self.fresh_id(expect=False),
                "method": "tools/call",
                "params": {"name": name, "arguments": {}},
            }
            for name in rng.sample(self.tools, 2)
        ]
        return _line(calls)

    def huge(self) -> bytes:
        """A tools/call over the size limit; its id is at the head, or after the big field."""
        rng = self.rng
        size = rng.randint(self.limit + 1, 2 * self.limit)
        at_head = rng.random() < 0.5  # then the refusal names the id: the request is answered
        request_id = json.dumps(self.fresh_id(expect=at_head))
        name = json.dumps(rng.choice(self.tools))
        if at_head:
            head = f'{{"jsonrpc":"2.0","id":{request_id},"method":"tools/call","params":{{"name":{name},"arguments":{{"text":"'
            return head.encode() + b"x" * size + b'"}}}'
        head = f'{{"jsonrpc":"2.0","method":"tools/call","params":{{"name":{name},"arguments":{{"text":"'
        return head.encode() + b"x" * size + f'"}}}},"id":{request_id}}}'.encode()


# -- the checks ----------------------------------------------------------------------------------


def digest(arguments: Any) -> str:
    """The audit log's argument digest (firewall.audit.digest) of what a server received."""
    blob = json.dumps(arguments, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
    return hashlib.sha256(blob).hexdigest()


class Tail:
    """The complete lines appended to a file since the last call."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.offset = 0

    def lines(self) -> list[bytes]:
        if not self.path.exists():
            return []
        with self.path.open("rb") as handle:
            handle.seek(self.offset)
            data = handle.read()
        end = data.rfind(b"\n")
        if end < 0:
            return []
        self.offset += end + 1
        return data[:end].split(b"\n")


class Ledger:
    """Every tools/call a server received (as raw_server parses its lines: it runs any object whose
    method is tools/call, id or not) against the audit log's allow records. Each call must take one
    allow record of its own (never one another call took) with the same server, tool name and
    argument digest (a redacted call: server and name); the k-th such call takes the k-th such
    record. Order across different calls is not asserted: calls are decided concurrently. The
    servers' records are read before the audit log, and a call is audited before it is forwarded,
    so a call without a record is undecided."""

    def __init__(self, audit: Path, records: dict[str, Path], *, by_server: bool) -> None:
        self.audit = Tail(audit)
        self.records = {server: Tail(path) for server, path in records.items()}
        self.by_server = by_server
        self.allowed: Counter[tuple[str, str, str]] = Counter()
        self.redacted: Counter[tuple[str, str]] = Counter()
        self.at_server = 0
        self.decided_calls = 0
        self.undecided = 0
        self.denied_reached = 0
        self.samples: list[str] = []

    def check(self) -> None:
        arrived: list[tuple[str, str, str, bytes]] = []
        for server, tail in self.records.items():
            for line in tail.lines():
                try:
                    message = json.loads(line)
                except ValueError:
                    continue
                if not (isinstance(message, dict) and message.get("method") == "tools/call"):
                    continue
                params = message.get("params") if isinstance(message.get("params"), dict) else {}
                arguments = params.get("arguments") or {}
                name = str(params.get("name"))
                if DENIED in name.lower():
                    self.denied_reached += 1
                    self._sample(f"the denied tool reached server {server}: {line[:300]!r}")
                arrived.append((server, name, digest(arguments), line))
        for line in self.audit.lines():
            record = json.loads(line)
            if record.get("kind") != "tool_call":
                continue
            server = str(record.get("server")) if self.by_server else ""
            if record.get("decision") == "allow":
                self.decided_calls += 1
                self.allowed[(server, str(record.get("tool")), record["content"]["sha256"])] += 1
            elif record.get("decision") == "redact":
                self.decided_calls += 1
                self.redacted[(server, str(record.get("tool")))] += 1
        for server, name, sha, line in arrived:
            self.at_server += 1
            key = (server if self.by_server else "", name)
            if self.allowed[(*key, sha)] > 0:
                self.allowed[(*key, sha)] -= 1
            elif self.redacted[key] > 0:
                self.redacted[key] -= 1
            else:
                self.undecided += 1
                self._sample(f"tools/call at server {server} without an allow record: {line[:300]!r}")

    def _sample(self, text: str) -> None:
        if len(self.samples) < 10:
            self.samples.append(text)


@dataclass
class Report:
    target: str
    seed: int
    messages: int = 0
    batches: int = 0
    probes: int = 0
    crashes: int = 0
    hangs: int = 0
    bad_probes: int = 0
    undecided: int = 0
    denied_reached: int = 0
    calls_at_server: int = 0
    decided_calls: int = 0
    server_messages: int = 0
    """Fuzzed messages the servers sent (as they report on exit)."""
    replies: int = 0
    unanswered: int = 0
    """Well-formed requests never answered: over stdio, by the time the relay exits at the agent's
    EOF; over HTTP, a POST with no response within PROBE_SECONDS (its SSE stream left open)."""
    bad_output: int = 0
    internal_errors: int = 0
    tracebacks: int = 0
    exit_codes: list[int | None] = field(default_factory=list)
    rss_mb: float = 0.0
    """The relay process's largest resident set seen after a batch (its servers excluded)."""
    seconds: float = 0.0
    failures: list[str] = field(default_factory=list)

    @property
    def rate(self) -> float:
        return self.messages / self.seconds if self.seconds else 0.0

    @property
    def clean(self) -> bool:
        return not (
            self.crashes
            or self.hangs
            or self.bad_probes
            or self.undecided
            or self.denied_reached
            or self.unanswered
        )

    def sample_rss(self, pid: int) -> None:
        with suppress(psutil.Error):
            self.rss_mb = max(self.rss_mb, psutil.Process(pid).memory_info().rss / 2**20)

    def add(self, ledger: Ledger) -> None:
        self.undecided += ledger.undecided
        self.denied_reached += ledger.denied_reached
        self.calls_at_server += ledger.at_server
        self.decided_calls += ledger.decided_calls
        for sample in ledger.samples:
            self.note(sample)

    def note(self, text: str) -> None:
        if len(self.failures) < 20:
            self.failures.append(text)

    def summary(self) -> str:
        return (
            f"{self.target} seed {self.seed}: {self.messages} messages in {self.batches} batches, "
            f"{self.seconds:.1f} s ({self.rate:.0f} msgs/s), {self.server_messages} fuzzed server messages; crashes {self.crashes}, hangs {self.hangs}, "
            f"bad probes {self.bad_probes}, undecided calls {self.undecided}, denied tool at a server "
            f"{self.denied_reached}; {self.calls_at_server} tools/call at the servers, "
            f"{self.decided_calls} allowed by the audit log; {self.replies} replies, "
            f"{self.unanswered} requests never answered; "
            f"internal errors logged {self.internal_errors}, tracebacks {self.tracebacks}, "
            f"exit codes {self.exit_codes}, peak RSS {self.rss_mb:.0f} MB"
        )


# -- the processes under test ---------------------------------------------------------------------


@dataclass
class Setup:
    target: str
    command: list[str]
    records: dict[str, Path]
    audit: Path
    stderr: Path
    port: int = 0

    @property
    def by_server(self) -> bool:
        return self.target != "wrap"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def setup(target: str, directory: Path, seed: int, noise: int) -> Setup:
    """The config and command of one relay process (and its fuzzing servers) in `directory`."""
    directory.mkdir(parents=True, exist_ok=True)
    audit, config = directory / "audit.jsonl", directory / "fuzz.toml"
    firewall = [sys.executable, "-m", "firewall"]
    names = ["server"] if target == "wrap" else ["a", "b"]
    records = {name: directory / f"received-{name}.jsonl" for name in names}
    servers = {
        name: [
            *RAW_SERVER,
            *("--record", str(records[name]), "--fuzz", str(seed * 7919 + offset)),
            *("--fuzz-noise", str(noise), "--fuzz-limit", str(LIMIT)),
        ]
        for offset, name in enumerate(names)
    }
    stderr = directory / "stderr.log"
    if target == "wrap":
        config.write_text(CONFIG)
        command = [
            *firewall,
            "wrap",
            "--config",
            str(config),
            "--audit-log",
            str(audit),
            "--",
            *servers["server"],
        ]
        return Setup(target, command, records, audit, stderr)
    port = free_port() if target == "http" else 0
    front = (
        f'[gateway]\ntransport = "http"\nport = {port}\n[[gateway.tokens]]\ntoken = "{TOKEN}"\nprincipal = "fuzz"\n'
        if target == "http"
        else '[gateway]\ntransport = "stdio"\n'
    )
    listed = "".join(
        f"[servers.{name}]\ncommand = {json.dumps(command)}\n" for name, command in servers.items()
    )
    config.write_text(CONFIG + front + listed)
    command = [*firewall, "serve", "--config", str(config), "--audit-log", str(audit)]
    return Setup(target, command, records, audit, stderr, port)


class Output:
    """What the relay sends the agent: probe replies by id; the relay's own requests are queued for
    the generator to answer. Every message must be a JSON object."""

    def __init__(self, report: Report, fuzz: AgentFuzz) -> None:
        self.report = report
        self.fuzz = fuzz
        self.waiting: dict[str, anyio.Event] = {}
        self.replies: dict[str, dict[str, Any]] = {}
        self.replied: set[int | str] = set()
        self.closed = anyio.Event()

    async def read(self, stdout: BufferedByteReceiveStream) -> None:
        try:
            while True:
                self.take(await stdout.receive_until(b"\n", 64 * 1024 * 1024))
        except (
            anyio.EndOfStream,
            anyio.IncompleteRead,
            anyio.ClosedResourceError,
            anyio.BrokenResourceError,
        ):
            pass
        except anyio.DelimiterNotFound:
            self.report.bad_output += 1
            self.report.note("the relay wrote a line over 64 MiB")
        finally:
            self.closed.set()
            for event in self.waiting.values():
                event.set()

    def take(self, line: bytes) -> None:
        self.report.replies += 1
        try:
            message = json.loads(line)
        except ValueError:
            message = None
        if not isinstance(message, dict):
            self.report.bad_output += 1
            self.report.note(f"the relay sent something that is not a JSON object: {line[:200]!r}")
            return
        if "method" in message:
            if "id" in message:
                self.fuzz.server_requests.append(message["id"])
            return
        request_id = message.get("id")
        if isinstance(request_id, int | str):
            self.replied.add(request_id)
        if isinstance(request_id, str) and request_id in self.waiting:
            self.replies[request_id] = message
            self.waiting.pop(request_id).set()


async def drain_stderr(stream: ByteReceiveStream | None, report: Report, log: Path) -> None:
    """Keep the relay's stderr flowing (it logs every refusal); count internal errors, tracebacks and
    the servers' fuzzed messages, and keep the lines around the first few errors in `log`."""
    if stream is None:
        return
    carry = b""
    keep = 0
    with log.open("ab") as out, suppress(anyio.ClosedResourceError, anyio.BrokenResourceError):
        async for chunk in stream:
            lines = (carry + chunk).split(b"\n")
            carry = lines.pop()
            for line in lines:
                if line.startswith(b"raw_server --fuzz: sent "):
                    report.server_messages += int(line.split()[3])
                    continue
                if b"internal error" in line:
                    report.internal_errors += 1
                    keep = max(keep, 1) if report.internal_errors <= 20 else keep
                if b"Traceback (most recent call last)" in line:
                    report.tracebacks += 1
                    keep = 60 if report.tracebacks <= 5 else 0
                if keep or b"raw_server --fuzz:" in line:
                    out.write(line + b"\n")
                    keep = max(0, keep - 1)


# -- the runs ------------------------------------------------------------------------------------


def probe_message(probe_id: str, tool: str) -> dict[str, Any]:
    params = {"name": tool, "arguments": {"text": f"{PROBE}{probe_id}"}}
    return {"jsonrpc": "2.0", "id": probe_id, "method": "tools/call", "params": params}


def probe_problem(probe_id: str, reply: dict[str, Any] | None) -> str | None:
    """Why a probe's reply is not the echo it asked for, or None."""
    expected = f"Echo: {PROBE}{probe_id}"
    with suppress(KeyError, IndexError, TypeError):
        if reply is not None and reply["result"]["content"][0]["text"] == expected:
            return None
    return f"probe {probe_id} answered {json.dumps(reply)[:300]}"


@dataclass
class Budget:
    messages: int
    batch: int
    deadline: float = math.inf
    """time.monotonic() after which no new batch starts."""

    def left(self, report: Report) -> int:
        if time.monotonic() >= self.deadline:
            return 0
        return max(0, self.messages - report.messages)


async def fuzz(
    target: str,
    *,
    messages: int,
    seed: int,
    directory: Path,
    batch: int = 100,
    noise: int = 2,
    minutes: float | None = None,
) -> Report:
    """Fuzz one target with `messages` agent messages (or until `minutes` have passed) in batches of
    `batch`, each followed by a probe and the ledger's check. A relay that crashes or hangs is
    counted and replaced by a fresh one (in a directory of its own) until the budget is spent."""
    if target not in TOOLS:
        raise ValueError(f"unknown target {target!r}")
    report = Report(target, seed)
    fuzzer = AgentFuzz(random.Random(seed), TOOLS[target], duplicates=target != "http")
    budget = Budget(messages, batch, math.inf if minutes is None else time.monotonic() + 60 * minutes)
    start = time.monotonic()
    for run in range(MAX_PROCESSES):
        if not budget.left(report):
            break
        where = setup(target, directory / f"run-{run}", seed + run, noise)
        ledger = Ledger(where.audit, where.records, by_server=where.by_server)
        if target == "http":
            await _http_process(where, fuzzer, report, budget, ledger)
        else:
            await _stdio_process(where, fuzzer, report, budget, ledger)
        ledger.check()
        report.add(ledger)
        if ledger.undecided or ledger.denied_reached:
            break  # the evidence is in the samples; more of it would not help
    else:
        report.note(f"stopped after {MAX_PROCESSES} relay processes")
    report.seconds = time.monotonic() - start
    return report


MAX_PROCESSES = 20


async def _stdio_process(
    where: Setup, fuzzer: AgentFuzz, report: Report, budget: Budget, ledger: Ledger
) -> None:
    """One `wrap` or stdio gateway process, fuzzed until the budget is spent or it fails."""
    probe_tools = PROBE_TOOLS[where.target]
    fuzzer.expected.clear()
    async with raw_process(where.command) as peer:
        output = Output(report, fuzzer)
        stdin = peer.process.stdin
        assert stdin is not None

        async def write(data: bytes) -> bool:
            try:
                with anyio.fail_after(WRITE_SECONDS):
                    await stdin.send(data)
            except (anyio.BrokenResourceError, anyio.ClosedResourceError, OSError):
                pass  # it died: the probe finds out
            except TimeoutError:
                report.hangs += 1
                report.note(f"the relay stopped reading its stdin (batch {report.batches})")
                return False
            return True

        async def probe(probe_id: str, tool: str, first: bool = False) -> bool:
            event = output.waiting[probe_id] = anyio.Event()
            lines = [probe_message(probe_id, tool)]
            if first:
                init = {"jsonrpc": "2.0", "id": "fuzz-init", "method": "initialize", "params": INITIALIZE}
                lines = [init, {"jsonrpc": "2.0", "method": "notifications/initialized"}, *lines]
            if not await write(b"".join(_line(m) + b"\n" for m in lines)):
                return False
            with anyio.move_on_after(PROBE_SECONDS):
                await event.wait()
            return _probed(report, probe_id, output.replies.pop(probe_id, None), output.closed.is_set())

        async with anyio.create_task_group() as tg:
            tg.start_soon(output.read, peer.stdout)
            tg.start_soon(drain_stderr, peer.process.stderr, report, where.stderr)
            alive = await probe("fuzz-probe-0", probe_tools[0], first=True)
            while alive and (count := min(budget.batch, budget.left(report))):
                lines = [fuzzer.line() for _ in range(count)]
                if not await write(b"\n".join(lines) + b"\n"):
                    break
                report.messages += count
                report.batches += 1
                probe_id = f"fuzz-probe-{report.batches}"
                alive = await probe(probe_id, probe_tools[report.batches % len(probe_tools)])
                report.sample_rss(peer.process.pid)
                ledger.check()
                if ledger.undecided or ledger.denied_reached:
                    break
            if alive:  # a clean end: the relay answers what is in flight, then exits 0
                await stdin.aclose()
                with anyio.move_on_after(EXIT_SECONDS):
                    await peer.process.wait()
                if peer.process.returncode != 0:
                    report.note(f"exit status {peer.process.returncode} after the agent closed stdin")
                with anyio.move_on_after(EXIT_SECONDS):
                    await output.closed.wait()
                _unanswered(report, fuzzer.expected - output.replied)
            report.exit_codes.append(peer.process.returncode)
            tg.cancel_scope.cancel()


def _unanswered(report: Report, missing: set[int | str]) -> None:
    """Requests the relay never answered (it answers every one before it exits at the agent's EOF)."""
    report.unanswered += len(missing)
    for request_id in sorted(missing, key=str)[:5]:
        report.note(f"request {request_id!r} never answered")


def _probed(report: Report, probe_id: str, reply: dict[str, Any] | None, dead: bool) -> bool:
    """Count a probe's outcome; False when the relay is dead or hung."""
    if reply is not None:
        report.probes += 1
        problem = probe_problem(probe_id, reply)
        if problem is not None:
            report.bad_probes += 1
            report.note(problem)
        return True
    if dead:
        report.crashes += 1
        report.note(f"the relay died before answering probe {probe_id} (batch {report.batches})")
    else:
        report.hangs += 1
        report.note(f"probe {probe_id} not answered within {PROBE_SECONDS:g} s (batch {report.batches})")
    return False


# -- the HTTP front ------------------------------------------------------------------------------


HTTP_HEADERS = {
    "Accept": "application/json, text/event-stream",
    "Content-Type": "application/json",
    "Authorization": f"Bearer {TOKEN}",
    "MCP-Protocol-Version": "2025-11-25",
}
HTTP_CONCURRENCY = 32


def sse_messages(response: httpx.Response) -> list[Any]:
    """The JSON-RPC messages of a response: a JSON body, or the data of its SSE events."""
    if "text/event-stream" not in response.headers.get("content-type", ""):
        with suppress(ValueError):
            return [response.json()]
        return []
    found: list[Any] = []
    for line in re.split(r"\r\n|\r|\n", response.text):  # not splitlines(): U+2028 is no SSE line end
        if line.startswith("data:") and line[5:].strip():
            try:
                found.append(json.loads(line[5:]))
            except ValueError:
                found.append(None)
    return found


def odd_headers(rng: random.Random, session: str) -> dict[str, str]:
    """Mostly the right headers; now and then a wrong one (the front refuses those before the relay)."""
    headers = {**HTTP_HEADERS, "mcp-session-id": session}
    roll = rng.randrange(60)
    if roll == 0:
        headers["Accept"] = "application/json"
    elif roll == 1:
        headers["Content-Type"] = "text/plain"
    elif roll == 2:
        headers["MCP-Protocol-Version"] = rng.choice(["2026-07-28", "1999-01-01", ""])
    elif roll == 3:
        headers["mcp-session-id"] = "0" * 32
    return headers


async def _http_process(
    where: Setup, fuzzer: AgentFuzz, report: Report, budget: Budget, ledger: Ledger
) -> None:
    """One gateway with the HTTP front and one session, fuzzed with one message per POST (up to
    HTTP_CONCURRENCY in flight; a batch's probe does not wait for the batch's replies)."""
    url = f"http://127.0.0.1:{where.port}/mcp"
    rng = fuzzer.rng
    stdio = {"stdin": subprocess.DEVNULL, "stdout": subprocess.DEVNULL, "stderr": subprocess.PIPE}
    drained = anyio.Event()

    async def drain(stream: ByteReceiveStream | None) -> None:
        try:
            await drain_stderr(stream, report, where.stderr)
        finally:
            drained.set()

    async with (
        processes.open_process(where.command, **stdio) as process,
        httpx.AsyncClient(timeout=httpx.Timeout(PROBE_SECONDS)) as http,
        anyio.create_task_group() as tg,
    ):
        tg.start_soon(drain, process.stderr)
        session = await _open_session(http, url, process, where.port, report)
        limiter = anyio.Semaphore(HTTP_CONCURRENCY)
        headers = {**HTTP_HEADERS, "mcp-session-id": session or ""}

        async def post(body: bytes, headers: dict[str, str]) -> None:
            try:
                response = None
                with anyio.move_on_after(PROBE_SECONDS), suppress(httpx.HTTPError):
                    response = await http.post(url, content=body, headers=headers)
            finally:
                limiter.release()
            if response is None:  # the read timeout alone never fires: SSE pings keep a stream alive
                report.unanswered += 1
                report.note(f"POST not answered within {PROBE_SECONDS:g} s: {body[:300]!r}")
                return
            report.replies += 1
            for message in sse_messages(response):
                if not isinstance(message, dict):
                    report.bad_output += 1
                    report.note(
                        f"the front sent something that is not a JSON object: {response.text[:200]!r}"
                    )
                elif "method" in message and "id" in message:
                    fuzzer.server_requests.append(message["id"])

        async def probe(probe_id: str, tool: str) -> bool:
            reply: dict[str, Any] | None = None
            try:
                with anyio.fail_after(PROBE_SECONDS):
                    response = await http.post(url, json=probe_message(probe_id, tool), headers=headers)
                if response.status_code == 404:
                    report.crashes += 1
                    report.note(f"the HTTP session vanished (probe {probe_id}): {response.text[:200]}")
                    return False
                replies = sse_messages(response)
                reply = next((m for m in replies if isinstance(m, dict) and m.get("id") == probe_id), None)
            except (httpx.HTTPError, TimeoutError) as exc:
                report.note(f"probe {probe_id}: {type(exc).__name__}")
            return _probed(report, probe_id, reply, process.returncode is not None)

        alive = session is not None and await probe("fuzz-probe-0", "a__echo")
        async with anyio.create_task_group() as posts:
            while alive and (count := min(budget.batch, budget.left(report))):
                for _ in range(count):
                    await limiter.acquire()
                    posts.start_soon(post, fuzzer.line(), odd_headers(rng, session or ""))
                report.messages += count
                report.batches += 1
                probe_id = f"fuzz-probe-{report.batches}"
                alive = await probe(probe_id, PROBE_TOOLS["http"][report.batches % 2])
                report.sample_rss(process.pid)
                ledger.check()
                if ledger.undecided or ledger.denied_reached:
                    break
        if process.returncode is not None:
            report.note(f"the gateway exited with {process.returncode}")
        else:  # a clean end: close the session, then stop the gateway (SIGTERM) and read its stderr to EOF
            with anyio.move_on_after(WRITE_SECONDS), suppress(httpx.HTTPError):
                await http.delete(url, headers=headers)
            process.terminate()
            with anyio.move_on_after(EXIT_SECONDS):
                await drained.wait()
                await processes.wait(process, EXIT_SECONDS)
        report.exit_codes.append(process.returncode)
        tg.cancel_scope.cancel()


async def _open_session(
    http: httpx.AsyncClient, url: str, process: Process, port: int, report: Report
) -> str | None:
    """Initialize a session on the gateway's HTTP front; its id, or None (counted) if it never opens."""
    if not await _listening(process, port, report):
        return None
    init = {"jsonrpc": "2.0", "id": "fuzz-init", "method": "initialize", "params": INITIALIZE}
    try:
        with anyio.fail_after(PROBE_SECONDS):
            opened = await http.post(url, json=init, headers=HTTP_HEADERS)
            session = opened.headers["mcp-session-id"]
            initialized = {"jsonrpc": "2.0", "method": "notifications/initialized"}
            await http.post(url, json=initialized, headers={**HTTP_HEADERS, "mcp-session-id": session})
    except (httpx.HTTPError, TimeoutError, KeyError) as exc:
        report.hangs += 1
        report.note(f"no session opened on the HTTP front: {type(exc).__name__}")
        return None
    return session


async def _listening(process: Process, port: int, report: Report, seconds: float = 30.0) -> bool:
    with anyio.move_on_after(seconds):
        while process.returncode is None:
            try:
                stream = await anyio.connect_tcp("127.0.0.1", port)
            except OSError:
                await anyio.sleep(0.05)
                continue
            await stream.aclose()
            return True
    report.crashes += 1
    report.note(f"the gateway did not listen within {seconds:g} s (exit status {process.returncode})")
    return False


# -- the command ---------------------------------------------------------------------------------

COLUMNS = (
    "| target | seed | agent messages | server messages | batches | crashes | hangs | undecided calls "
    "| denied tool at a server | unanswered requests | tools/call at the servers | internal errors "
    "| peak RSS MB | s | msgs/s |"
)


def row(report: Report) -> str:
    return (
        f"| {report.target} | {report.seed} | {report.messages:,} | {report.server_messages:,} "
        f"| {report.batches:,} | {report.crashes} | {report.hangs} | {report.undecided} "
        f"| {report.denied_reached} | {report.unanswered} | {report.calls_at_server:,} "
        f"| {report.internal_errors} | {report.rss_mb:.0f} | {report.seconds:.0f} | {report.rate:.0f} |"
    )


def write(report: Report, command: str, target_messages: int) -> None:
    """Replace this target's row (and command line) in the fuzz section of bench/RESULTS.md."""
    from results import RESULTS, machine, write_section

    text = RESULTS.read_text(encoding="utf-8") if RESULTS.exists() else ""
    old = re.search(r"<!-- fuzz -->\n(.*?)<!-- /fuzz -->", text, flags=re.S)
    rows = {}
    runs = {}
    for line in (old.group(1) if old else "").splitlines():
        if match := re.match(r"\| (wrap|gateway|http) \|", line):
            rows[match[1]] = line
        elif match := re.match(r"- (wrap|gateway|http): ", line):
            runs[match[1]] = line
    rows[report.target] = row(report)
    if not report.clean:
        verdict = "missed: " + "; ".join(report.failures[:3])
    elif report.messages < 1_000_000:
        verdict = f"missed on volume: clean, but {report.messages:,} of 1,000,000 messages"
    else:
        verdict = "met"
    runs[report.target] = (
        f"- {report.target}: `{command}`; {machine()}; {report.messages:,} of the {target_messages:,} "
        f"messages asked for were sent. Target (0 crashes, 0 hangs, 0 undecided calls over 1,000,000 "
        f"messages): {verdict}"
    )
    order = [t for t in ("wrap", "gateway", "http") if t in rows]
    body = "\n".join(
        [
            "## Fuzzing the relay (both directions)",
            "",
            COLUMNS,
            "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
            *(rows[t] for t in order),
            "",
            FUZZ_NOTES,
            "",
            *(runs[t] for t in order if t in runs),
        ]
    )
    write_section("fuzz", body)


FUZZ_NOTES = (
    "Agent messages: lines the fuzzer wrote to the relay (over HTTP, one per POST), "
    "in batches; after each batch a probe (a valid `tools/call echo`) must be answered correctly "
    f"within {PROBE_SECONDS:g} s (else a hang), the relay must be alive (else a crash), and every "
    "`tools/call` a server received must match an allow record of its own in the audit log, one-to-one "
    "by server, tool name and argument digest (else an undecided call); the rule-denied "
    "`delete_everything` must never reach a server. Server messages: fuzzed replies and "
    "notifications the raw servers (`tests/support/raw_server.py --fuzz`) sent back. Internal errors: "
    "messages the relay's catch-all refused (logged with a traceback) instead of a specific check. "
    "Unanswered requests: well-formed requests with no reply by the relay's exit (stdio) or within "
    f"{PROBE_SECONDS:g} s (HTTP). msgs/s: agent messages over the run's wall time, start and stop "
    "included. A run given --minutes starts no batch after that many minutes."
)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--messages", type=int, default=20000, help="agent messages to send")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--target", choices=sorted(TOOLS), default="wrap")
    parser.add_argument("--batch", type=int, default=200, help="messages per write, each batch then probed")
    parser.add_argument("--noise", type=int, default=2, help="most fuzzed server messages per line received")
    parser.add_argument("--minutes", type=float, help="start no batch after this many minutes")
    parser.add_argument("--dir", type=Path, help="keep the run's files here (default: a temporary directory)")
    parser.add_argument("--write", action="store_true", help="update this target's row in bench/RESULTS.md")
    args = parser.parse_args()
    # SIGTERM (nohup'd runs, timeouts) unwinds like Ctrl-C: the relay and its servers are reaped.
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    run = partial(
        fuzz,
        args.target,
        messages=args.messages,
        seed=args.seed,
        batch=args.batch,
        noise=args.noise,
        minutes=args.minutes,
    )
    try:
        with tempfile.TemporaryDirectory(prefix="fuzz-") as scratch:
            report = anyio.run(partial(run, directory=args.dir or Path(scratch)))
    except KeyboardInterrupt:
        print("bench/fuzz.py: interrupted; no results", file=sys.stderr)
        sys.exit(130)
    print(report.summary())
    for failure in report.failures:
        print("  -", failure)
    if args.write:
        write(
            report,
            " ".join(shlex.quote(a) for a in ["python", "bench/fuzz.py", *sys.argv[1:]]),
            args.messages,
        )
    sys.exit(0 if report.clean else 1)


if __name__ == "__main__":
    main()
