"""A local server speaking OPA's REST API (the parts the firewall uses), evaluating with regorus.

No OPA binary exists for these machines, so the OPA-server engine is tested against this: the real
opa-python-client over real HTTP to PUT /v1/policies/{id}, PUT /v1/data/{path} and
POST /v1/data/{path}. TCP_NODELAY is set on accepted sockets (else Nagle adds ~40 ms a query).
"""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import regorus


class OpaState:
    def __init__(self) -> None:
        self.policies: dict[str, str] = {}
        self.data: dict[str, Any] = {}
        self.version = 0
        self.lock = threading.Lock()
        self.local = threading.local()
        self.queries = 0
        self.delay = 0.0

    def engine(self) -> Any:
        # regorus Engines are thread-bound: one per handler thread, rebuilt when policies change.
        cached = getattr(self.local, "cached", None)
        if cached is None or cached[0] != self.version:
            with self.lock:
                engine = regorus.Engine()
                for policy_id, text in sorted(self.policies.items()):
                    engine.add_policy(policy_id, text)
                engine.add_data(json.loads(json.dumps(self.data)))
                cached = (self.version, engine)
            self.local.cached = cached
        return cached[1]


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    state: OpaState

    def setup(self) -> None:
        super().setup()
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def log_message(self, format: str, *args: Any) -> None:  # quiet
        return

    def _body(self) -> bytes:
        return self.rfile.read(int(self.headers.get("Content-Length", "0")))

    def _reply(self, status: int, payload: Any = None) -> None:
        body = b"" if payload is None else json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:
        self._reply(200, {}) if self.path.startswith("/health") else self._reply(404, {"code": "not_found"})

    def do_PUT(self) -> None:
        body = self._body()
        state = self.state
        if self.path.startswith("/v1/policies/"):
            text = body.decode()
            try:
                regorus.Engine().add_policy("check.rego", text)
            except RuntimeError as exc:
                self._reply(400, {"code": "invalid_parameter", "message": str(exc).split("Stack")[0]})
                return
            with state.lock:
                state.policies[self.path.removeprefix("/v1/policies/")] = text
                state.version += 1
            self._reply(200, {})
        elif self.path.startswith("/v1/data/"):
            parts = [p for p in self.path.removeprefix("/v1/data/").split("/") if p]
            with state.lock:
                node = state.data
                for part in parts[:-1]:
                    node = node.setdefault(part, {})
                node[parts[-1]] = json.loads(body)
                state.version += 1
            self._reply(204)
        else:
            self._reply(404, {"code": "not_found"})

    def do_POST(self) -> None:
        body = json.loads(self._body() or b"{}")
        path = self.path.split("?")[0].removeprefix("/v1/data").strip("/").replace("/", ".")
        state = self.state
        state.queries += 1
        if state.delay:
            threading.Event().wait(state.delay)
        engine = state.engine()
        engine.set_input(body.get("input"))
        try:
            value = engine.eval_rule(f"data.{path}")
        except RuntimeError as exc:
            self._reply(500, {"code": "internal_error", "message": str(exc).split("Stack")[0]})
            return
        self._reply(200, {} if value is None else {"result": value})


@contextmanager
def opa_server() -> Iterator[tuple[str, OpaState]]:
    """Serve on a free loopback port; yields (url, state)."""
    state = OpaState()
    handler = type("Handler", (_Handler,), {"state": state})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", state
    finally:
        server.shutdown()
        server.server_close()
