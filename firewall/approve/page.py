"""The local approval page: the ApprovalBroker's pending questions, answered from a browser or from
`mcp-firewall approvals` (docs/approval-page.md).

It listens on 127.0.0.1 only and runs on the relay's event loop, so it calls the broker directly.
Every request needs the page's token: `?token=` for the HTML page, a hidden form field for its
buttons, `Authorization: Bearer` for the JSON API. A Host header other than a loopback name
(DNS rebinding) and an Origin from elsewhere (a cross-site form post) are refused. Questions hold
attacker-influenced text (argument values from untrusted content): all of it is HTML-escaped, and
the page sends a Content-Security-Policy that runs no script at all.
"""

from __future__ import annotations

import hmac
import html
import json
import logging
import secrets
import socket
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import anyio
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from firewall.approve.broker import ApprovalBroker
from firewall.approve.question import CHOICE_TITLES, CHOICES, Question

log = logging.getLogger(__name__)

PAGE_BY = "approval page"
"""Who an answer from the page's buttons is recorded as."""
CLI_BY = "mcp-firewall approvals"
"""Who an answer through the JSON API is recorded as, when the request names nobody."""

LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "[::1]"})
_MAX_BODY = 16 * 1024
_MAX_BY = 100
_REFRESH_SECONDS = 3
"""With nothing pending the page reloads itself this often (a meta refresh: no script)."""

_SECURITY_HEADERS = {
    # No script, no external resource, no framing (clickjacking), forms post to this page only.
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; "
        "frame-ancestors 'none'; base-uri 'none'"
    ),
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    # The token is in the URL: no Referer leaves the page. (Not no-referrer: then a browser sends
    # "Origin: null" with the page's own form posts, which the Origin check refuses.)
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}


def new_token() -> str:
    """A random page token (for a start without [approval] page_token)."""
    return secrets.token_urlsafe(24)


def page_app(broker: ApprovalBroker, token: str) -> Starlette:
    """The page and its JSON API over `broker`, guarded by `token`."""
    guard = _Guard(token)

    async def index(request: Request) -> Response:
        refused = guard.refuse(request, request.query_params.get("token"), html_page=True)
        if refused is not None:
            return refused
        return _html(_render(broker.pending(), token, request.query_params))

    async def answer_form(request: Request) -> Response:
        body = await _body(request)
        if body is None:
            return _html(_message("The form is too large."), 413)
        form = {key: values[0] for key, values in parse_qs(body.decode("utf-8", "replace")).items()}
        refused = guard.refuse(request, form.get("token"), html_page=True)
        if refused is not None:
            return refused
        question_id, choice = form.get("id", ""), form.get("choice", "")
        try:
            answered = broker.answer(question_id, choice, by=PAGE_BY, via="page")
        except ValueError as exc:
            return _html(_message(str(exc), token), 400)
        if not answered:
            return _html(_message(_unknown(question_id), token), 404)
        log.warning("question %s answered %s on the approval page", question_id, choice)
        query = urlencode({"token": token, "answered": question_id, "choice": choice})
        return RedirectResponse(f"/?{query}", status_code=303, headers=_SECURITY_HEADERS)

    async def api_pending(request: Request) -> Response:
        refused = guard.refuse(request, _bearer(request))
        if refused is not None:
            return refused
        return _json({"pending": [q.to_json() for q in broker.pending()]})

    async def api_answer(request: Request) -> Response:
        refused = guard.refuse(request, _bearer(request))
        if refused is not None:
            return refused
        body = await _body(request)
        if body is None:
            return _json({"error": "the request body is too large"}, 413)
        try:
            data = json.loads(body)
        except ValueError:
            return _json({"error": "the body must be a JSON object {id, choice}"}, 400)
        if not isinstance(data, dict) or not isinstance(data.get("id"), str):
            return _json({"error": "the body must be a JSON object {id, choice}"}, 400)
        by = data.get("by")
        by = by.strip()[:_MAX_BY] if isinstance(by, str) and by.strip() else CLI_BY
        choice = data.get("choice")
        if choice not in CHOICES:
            return _json({"error": f"not a choice: {choice!r} (once, session or deny)"}, 400)
        if not broker.answer(data["id"], choice, by=by, via="cli"):
            return _json({"error": _unknown(data["id"])}, 404)
        log.warning("question %s answered %s by %s through the approvals API", data["id"], choice, by)
        return _json({"id": data["id"], "choice": choice, "by": by, "via": "cli"})

    return Starlette(
        routes=[
            Route("/", index, methods=["GET"]),
            Route("/answer", answer_form, methods=["POST"]),
            Route("/api/pending", api_pending, methods=["GET"]),
            Route("/api/answer", api_answer, methods=["POST"]),
        ]
    )


def _unknown(question_id: str) -> str:
    return (
        f"no pending question {question_id!r}: it was answered, timed out or withdrawn, or never asked here"
    )


class _Guard:
    """The checks every request passes: a loopback Host, no foreign Origin, the right token."""

    def __init__(self, token: str) -> None:
        self._token = token.encode()

    def refuse(self, request: Request, given: str | None, *, html_page: bool = False) -> Response | None:
        """The refusal for a request that fails a check, else None."""
        host = request.headers.get("host", "")
        if _hostname(host) not in LOOPBACK_HOSTS:
            return self._error("this page answers only at 127.0.0.1 or localhost", 403, html_page)
        origin = request.headers.get("origin")
        if origin is not None and not _same_origin(origin, host):
            return self._error("a request from another site is refused", 403, html_page)
        if request.headers.get("sec-fetch-site") == "cross-site":
            return self._error("a request from another site is refused", 403, html_page)
        if not given:
            return self._error(
                "the page's token is missing (open the URL the firewall logged)", 401, html_page
            )
        if not hmac.compare_digest(given.encode(), self._token):
            return self._error("wrong token", 403, html_page)
        return None

    @staticmethod
    def _error(message: str, status: int, html_page: bool) -> Response:
        return _html(_message(message), status) if html_page else _json({"error": message}, status)


def _hostname(host: str) -> str:
    """The Host header without its port ("[::1]:8080" -> "[::1]")."""
    if host.startswith("["):
        return host.partition("]")[0] + "]"
    return host.rpartition(":")[0] if ":" in host else host


def _same_origin(origin: str, host: str) -> bool:
    parts = urlsplit(origin)
    return parts.scheme == "http" and parts.netloc == host


def _bearer(request: Request) -> str | None:
    scheme, _, credentials = request.headers.get("authorization", "").partition(" ")
    return credentials.strip() if scheme.lower() == "bearer" else None


async def _body(request: Request) -> bytes | None:
    """The request body, or None past _MAX_BODY bytes."""
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > _MAX_BODY:
            return None
        chunks.append(chunk)
    return b"".join(chunks)


def _json(data: dict[str, Any], status: int = 200) -> Response:
    return JSONResponse(data, status, headers={"Cache-Control": "no-store"})


def _html(body: str, status: int = 200) -> Response:
    return HTMLResponse(body, status, headers=_SECURITY_HEADERS)


# -- rendering: every value from a question goes through html.escape ----------------------------

_STYLE = """
body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#222}
.q{border:1px solid #bbb;border-radius:6px;padding:1rem;margin:1rem 0}
pre{background:#f4f4f4;padding:.5rem;white-space:pre-wrap;word-break:break-word}
button{margin-right:.5rem;padding:.4rem .8rem} .deny{color:#a00} .note{background:#eef6ee;padding:.5rem}
.meta{color:#666;font-size:.9em}
"""


def _document(title: str, body: str, refresh: bool = False) -> str:
    meta = f'<meta http-equiv="refresh" content="{_REFRESH_SECONDS}">' if refresh else ""
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        f"<title>{html.escape(title)}</title>{meta}<style>{_STYLE}</style></head>"
        f"<body>{body}</body></html>"
    )


def _message(text: str, token: str | None = None) -> str:
    back = (
        f'<p><a href="/?{html.escape(urlencode({"token": token}))}">Back to the questions</a></p>'
        if token
        else ""
    )
    return _document(
        "mcp-firewall approvals", f"<h1>mcp-firewall approvals</h1><p>{html.escape(text)}</p>{back}"
    )


def _render(pending: list[Question], token: str, query: Any) -> str:
    parts = ["<h1>mcp-firewall: calls waiting for your approval</h1>"]
    answered, choice = query.get("answered"), query.get("choice")
    if answered and choice in CHOICE_TITLES:
        parts.append(
            f'<p class="note">Question {html.escape(answered)}: '
            f"{html.escape(CHOICE_TITLES[choice])}, recorded.</p>"
        )
    if not pending:
        parts.append(f"<p>Nothing is waiting. This page reloads every {_REFRESH_SECONDS} s.</p>")
    parts.extend(_question(q, token) for q in pending)
    reload = html.escape(urlencode({"token": token}))
    parts.append(f'<p><a href="/?{reload}">Reload</a></p>')
    return _document("mcp-firewall approvals", "".join(parts), refresh=not pending)


def _question(question: Question, token: str) -> str:
    e = html.escape
    arguments = json.dumps(question.arguments, indent=2, ensure_ascii=False, default=str)
    reasons = "".join(f"<li>{e(reason)}</li>" for reason in question.reasons)
    buttons = "".join(
        f'<button type="submit" name="choice" value="{choice}"'
        f"{' class=deny' if choice == 'deny' else ''}>{e(CHOICE_TITLES[choice])}</button>"
        for choice in CHOICES
    )
    return (
        f'<section class="q" id="q-{e(question.id)}" data-tool="{e(question.tool)}">'
        f"<h2>{e(question.title)}</h2>"
        f'<p class="meta">question {e(question.id)} · session {e(question.session)} · '
        f"principal {e(question.principal)} · asked {e(question.asked_at)}</p>"
        f"<h3>Arguments</h3><pre>{e(arguments)}</pre>"
        f"<h3>Why it asks</h3><ul>{reasons}</ul>"
        f"<details><summary>The whole question</summary><pre>{e(question.text)}</pre></details>"
        f'<form method="post" action="/answer">'
        f'<input type="hidden" name="token" value="{e(token)}">'
        f'<input type="hidden" name="id" value="{e(question.id)}">{buttons}</form></section>'
    )


# -- serving, on the caller's event loop -------------------------------------------------------


class _Server(uvicorn.Server):
    """uvicorn without its own signal handling (the firewall's stopping_on_signals owns them)."""

    @contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


def listen(port: int = 0) -> socket.socket:
    """A listening socket on 127.0.0.1:`port` (0: a free port) for `serving`; OSError when the
    port is taken."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", port))
        sock.listen(64)
        sock.setblocking(False)
    except OSError:
        sock.close()
        raise
    return sock


@asynccontextmanager
async def serving(broker: ApprovalBroker, token: str, sock: socket.socket) -> AsyncIterator[str]:
    """Serve the page on a `listen` socket for the body's duration (closing the socket after);
    yields its base URL, good at once (the socket is listening already)."""
    url = f"http://127.0.0.1:{sock.getsockname()[1]}"
    # log_config=None and no access log: uvicorn's default config logs access lines to stdout,
    # which in wrap is the MCP wire.
    config = uvicorn.Config(
        page_app(broker, token),
        log_config=None,
        access_log=False,
        lifespan="off",
        log_level="warning",
        timeout_graceful_shutdown=1,
    )
    server = _Server(config)
    stopped = anyio.Event()

    async def serve() -> None:
        try:
            await server.serve([sock])
        finally:
            stopped.set()

    failure: Exception | None = None
    try:
        async with anyio.create_task_group() as tg:
            tg.start_soon(serve)
            try:
                yield url
            except Exception as exc:  # raised as itself, not inside the task group's ExceptionGroup
                failure = exc
            finally:
                # A graceful stop (open connections closed), even when the body was cancelled.
                server.should_exit = True
                with anyio.move_on_after(3, shield=True):
                    await stopped.wait()
                tg.cancel_scope.cancel()
    finally:
        sock.close()
    if failure is not None:
        raise failure
