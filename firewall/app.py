"""Composition root: build the firewall from config, then run the wrapper or the gateway."""

from __future__ import annotations

import contextlib
import ipaddress
import logging
import os
import shlex
import signal
import sys
import uuid
from collections.abc import AsyncIterator, Callable, Iterator, Sequence
from contextlib import AsyncExitStack, asynccontextmanager
from pathlib import Path

import anyio
import uvicorn
from mcp.shared.message import SessionMessage

from firewall.approve import discovery
from firewall.approve.broker import ApprovalBroker
from firewall.approve.page import listen, new_token, serving
from firewall.approve.question import now
from firewall.approve.request_state import StateSealer
from firewall.approve.settings import ApprovalSettings
from firewall.audit import AuditLog
from firewall.bundle import REGO_DIR
from firewall.config import ApprovalConfig, DetectConfig, FirewallConfig, PolicyConfig
from firewall.core.errors import ConfigError
from firewall.core.events import SessionInfo
from firewall.core.pipeline import Pipeline, Stage, TimedStage
from firewall.detect.base import Detector
from firewall.detect.exfil import ExfilLinkDetector
from firewall.detect.model import BUILTIN as BUILTIN_MODEL
from firewall.detect.secrets import SecretsDetector
from firewall.detect.stage import DetectionStage
from firewall.detect.tool_mentions import ToolMentionStage
from firewall.detect.unicode import UnicodeDetector
from firewall.guard.firewall import Firewall
from firewall.guard.pin_store import ServerId, pin_binding
from firewall.guard.stages import RuleStage, ToolListStage, UnknownToolStage
from firewall.policy.engine import (
    EmbeddedEngine,
    OpaServerEngine,
    PolicyEngine,
    PolicyError,
    load_sources,
    pack_levels,
    policy_data,
)
from firewall.policy.stage import PolicyStage
from firewall.provenance.labeler import Labeler
from firewall.proxy.link import Link
from firewall.proxy.naming import Naming
from firewall.proxy.relay import Relay
from firewall.proxy.transports import HttpFront, Streams, agent_stdio, child_stdio, http_app, server_streams

log = logging.getLogger(__name__)

EXIT_OK, EXIT_SERVER_DOWN, EXIT_USAGE = 0, 1, 2


def build_firewall(config: FirewallConfig, extra_stages: Sequence[Stage] = ()) -> Firewall:
    """Everything that can fail at start fails here, with a message naming the problem."""
    labeler = Labeler(config.provenance)
    for name, server in config.servers.items():  # catalog entries bound to a server's identity
        labeler.identify(name, shlex.join(server.command) if server.command is not None else str(server.url))
    stages: list[Stage] = [
        UnknownToolStage(),
        RuleStage(config.rules),
        ToolListStage(labeler),
        *build_detection(config.detect),
        *([ToolMentionStage()] if config.detect.tool_mentions else []),
        *extra_stages,
    ]
    policy = build_policy_stage(config.policy, labeler)
    if policy is not None:
        stages.append(policy)  # last: it sees every other stage's findings
    audit = AuditLog(config.audit.path, include_content=config.audit.include_content)
    provenance = config.provenance
    return Firewall(
        Pipeline(stages, fail_open=config.fail_open),
        audit,
        labeler,
        max_nodes=provenance.max_nodes,
        max_bytes=provenance.max_bytes,
        approval=approval_settings(config.approval),
        # The approval page's broker answers the calls of clients that cannot be asked.
        approver=ApprovalBroker(timeout=config.approval.timeout_seconds) if config.approval.page else None,
        pins=pin_binding(config.pins, config.servers),
    )


def approval_settings(approval: ApprovalConfig) -> ApprovalSettings:
    """The process's approval settings from [approval] (a fresh state key when none is set)."""
    key = bytes.fromhex(approval.state_key) if approval.state_key else None
    return ApprovalSettings(
        timeout=approval.timeout_seconds,
        elicitation=approval.elicitation,
        sealer=StateSealer(key, ttl=approval.state_ttl_seconds),
    )


@asynccontextmanager
async def approval_page(firewall: Firewall, approval: ApprovalConfig, name: str) -> AsyncIterator[str | None]:
    """With [approval] page on: serve the approval page on 127.0.0.1 and publish its discovery file
    for the body's duration, and log its URL (with the token) on stderr; yields the URL, or None
    when the page is off."""
    broker = firewall.approver
    if not approval.page or not isinstance(broker, ApprovalBroker):
        yield None
        return
    token = approval.page_token or new_token()
    try:
        sock = listen(approval.page_port)
    except OSError as exc:
        raise ConfigError(
            f"approval.page_port: cannot listen on 127.0.0.1:{approval.page_port}: {exc}"
        ) from None
    directory = discovery.directory_for(approval.directory)
    async with serving(broker, token, sock) as url:
        try:
            path = discovery.write(directory, discovery.Discovery(url, token, os.getpid(), name, now()))
        except OSError as exc:
            raise ConfigError(
                f"approval.directory: cannot write the discovery file in {directory}: {exc}"
            ) from None
        try:
            log.warning("approval page: %s/?token=%s", url, token)
            yield url
        finally:
            discovery.remove(path)


def build_detection(detect: DetectConfig) -> list[Stage]:
    """The detection stage, with the classifier when configured (see DetectConfig.classifier)."""
    deterministic: list[Detector] = []
    if detect.unicode:
        deterministic.append(UnicodeDetector())
    if detect.exfil:
        deterministic.append(ExfilLinkDetector(detect.allowed_domains))
    classifier = build_classifier(detect)
    outputs = [*deterministic, classifier] if classifier is not None else deterministic
    calls: list[Detector] = [SecretsDetector()] if detect.secrets else []
    if not outputs and not calls:
        return []
    return [TimedStage(DetectionStage(outputs, calls, deterministic), detect.timeout_seconds)]


def build_classifier(detect: DetectConfig) -> Detector | None:
    """The prompt-injection classifier `detect.classifier` selects, or None when it is off. "auto"
    without the bundled model or the ml extra only warns; any other choice that cannot load is a
    ConfigError, as is a deny threshold below the redact one."""
    choice = detect.classifier
    if choice == "off":
        return None
    path = BUILTIN_MODEL if choice in ("auto", "builtin") else Path(choice)
    if choice == "auto" and not (path / "detector.json").exists():
        log.warning("the prompt-injection classifier is OFF: no bundled model at %s", path)
        return None
    try:
        from firewall.detect.classifier import ClassifierDetector
        from firewall.detect.model import shared_model

        model = shared_model(
            path,
            device=detect.device,
            injection_label=detect.injection_label,
            max_length=detect.max_length,
            stride=detect.stride,
            threads=detect.threads,
            quantize=detect.quantize,
        )
    except ImportError as exc:
        if choice != "auto":
            raise ConfigError(
                f"detect.classifier: the ml extra is needed (pip install 'mcp-firewall[ml]'): {exc}"
            ) from None
        log.warning(
            "the prompt-injection classifier is OFF: install 'mcp-firewall[ml]' to enable it (%s)", exc
        )
        return None
    except (OSError, ValueError, KeyError) as exc:
        raise ConfigError(f"detect.classifier: cannot load the model at {path}: {exc}") from None
    redact = (
        detect.redact_threshold
        if detect.redact_threshold is not None
        else model.thresholds.get("redact", 0.5)
    )
    deny = detect.deny_threshold if detect.deny_threshold is not None else model.thresholds.get("deny", 0.95)
    if deny < redact:
        raise ConfigError(
            f"detect.deny_threshold ({deny}) must not be below detect.redact_threshold ({redact})"
        )
    return ClassifierDetector(
        model, redact=redact, deny=deny, max_batch=detect.batch_size, max_wait=detect.max_wait_ms / 1000
    )


def policy_paths(policy: PolicyConfig) -> list[Path]:
    """Where the Rego packs come from: the bundled folder (or `rego_dir`), then `extra`."""
    return [policy.rego_dir or REGO_DIR, *policy.extra]


def build_policy_stage(policy: PolicyConfig, labeler: Labeler) -> PolicyStage | None:
    """The policy stage over the configured engine, asked only in the phases the packs judge; None
    when no pack is selected."""
    engine = build_policy_engine(policy)
    if engine is None:
        return None
    # The selected packs' `phases` rules are static: read them once, with the embedded evaluator.
    local = engine if isinstance(engine, EmbeddedEngine) else build_policy_engine(policy, local=True)
    assert isinstance(local, EmbeddedEngine)
    return PolicyStage(engine, labeler, local.phases(policy.packs))


def build_policy_engine(policy: PolicyConfig, *, local: bool = False) -> PolicyEngine | None:
    """The configured engine with the configured packs loaded (the embedded one when `local`), or
    None when no pack is selected."""
    if not policy.packs:
        return None
    try:
        sources = load_sources(policy_paths(policy), packs=policy.packs)
        available = sorted(pack_levels(sources))
        unknown = [name for name in policy.packs if name not in available]
        if unknown:
            raise ConfigError(f"policy.packs: unknown pack(s) {unknown}; available: {available}")
        data = policy_data(policy.packs, [g.model_dump() for g in policy.grants])
        embedded = EmbeddedEngine(sources, data)  # compiles: also validates a policy meant for OPA
        if policy.engine == "embedded" or local:
            return embedded
        assert policy.opa is not None
        remote = OpaServerEngine(policy.opa.url, token=policy.opa.token, timeout=policy.opa.timeout_seconds)
        if policy.opa.push:
            remote.push(sources, data)
        return remote
    except PolicyError as exc:
        raise ConfigError(str(exc)) from None


@asynccontextmanager
async def stopping_on_signals() -> AsyncIterator[list[int]]:
    """Run the body until it ends or SIGTERM/SIGINT arrives, which cancels it (the list it yields
    then holds the signal). Children are stopped by the body's own exit paths (close stdin, grace
    period, terminate, kill), never left running: the default handlers would exit at once."""
    received: list[int] = []
    with anyio.CancelScope() as body:

        async def watch() -> None:
            with anyio.open_signal_receiver(signal.SIGTERM, signal.SIGINT) as signals:
                async for signum in signals:
                    log.warning("received %s: stopping", signal.Signals(signum).name)
                    received.append(signum)
                    body.cancel()

        failure: Exception | None = None
        async with anyio.create_task_group() as tg:
            tg.start_soon(watch)
            try:
                yield received
            except Exception as exc:  # raised as itself, not inside the task group's ExceptionGroup
                failure = exc
            finally:
                tg.cancel_scope.cancel()
        if failure is not None:
            raise failure


def _signal_exit(received: list[int]) -> int | None:
    return 128 + received[0] if received else None


async def run_wrap(config: FirewallConfig, command: list[str], name: str = "server") -> int:
    """The drop-in wrapper: the agent on our stdio, the server as our child, one transparent relay."""
    firewall = quietly(build_firewall, config)
    firewall.labeler.identify(name, shlex.join(command))  # catalog entries bound to server identities
    if firewall.pins is not None:  # the wrapped server's identity in the pin store: name and command
        firewall.pins.servers[name] = ServerId.stdio(name, command)
    limit = config.limits.max_message_bytes
    session = firewall.open_session()
    relay: Relay | None = None
    try:
        async with (
            stopping_on_signals() as received,
            # The child first: a command that cannot start fails before anything else runs.
            child_stdio(command, env=None, cwd=None, limit=limit) as server,
            approval_page(firewall, config.approval, name),
            agent_stdio(limit) as agent,
        ):
            relay = Relay(
                session,
                *agent,
                {name: Link(name, *server)},
                request_timeout=config.limits.request_timeout_seconds,
            )
            await relay.run()
    except OSError as exc:
        log.error("could not start the server %r: %s", " ".join(command), exc)
        return EXIT_SERVER_DOWN
    finally:
        firewall.audit.close()
    if received:
        return _signal_exit(received) or EXIT_OK
    if relay is not None and relay.server_down:
        log.error("the wrapped server exited; mcp-firewall stops too")
        return EXIT_SERVER_DOWN
    return EXIT_OK


def quietly(build: Callable[[FirewallConfig], Firewall], config: FirewallConfig) -> Firewall:
    """Build with anything printed sent to stderr: in stdio mode stdout is the wire (libraries that
    load models like to print reports)."""
    with contextlib.redirect_stdout(sys.stderr):
        return build(config)


def _down_link(name: str) -> Link:
    """A server that could not be started: its link is closed from the start and marked down."""
    closed_send, receive = anyio.create_memory_object_stream[SessionMessage | Exception](0)
    closed_send.close()
    send, closed_receive = anyio.create_memory_object_stream[SessionMessage](0)
    closed_receive.close()
    return Link(name, receive, send, up=False, never_started=True)


async def serve_session(
    firewall: Firewall, config: FirewallConfig, session: SessionInfo, agent: Streams
) -> None:
    """One agent session through the gateway: its own connection to every configured server."""
    naming = Naming(frozenset(config.servers), config.gateway.separator)
    limit = config.limits.max_message_bytes
    async with AsyncExitStack() as stack:
        links: dict[str, Link] = {}
        for name, server in config.servers.items():
            try:
                receive, send = await stack.enter_async_context(server_streams(name, server, limit))
                links[name] = Link(name, receive, send)
            except Exception as exc:  # one broken server must not take the others down
                log.error("server %s is unavailable: %s", name, exc)
                links[name] = _down_link(name)
        timeout = config.limits.request_timeout_seconds
        await Relay(firewall.open_session(session), *agent, links, naming, request_timeout=timeout).run()


async def run_gateway(config: FirewallConfig) -> int:
    """The gateway: every configured server behind one front (stdio: one session; HTTP: a session
    per bearer-token client, each with its own server connections); returns the exit code."""
    if not config.servers:
        raise ConfigError("servers: the gateway needs at least one [servers.NAME] entry")
    firewall = quietly(build_firewall, config)
    gateway = config.gateway
    try:
        if gateway.transport == "stdio":
            async with (
                stopping_on_signals() as received,
                approval_page(firewall, config.approval, "gateway"),
                agent_stdio(config.limits.max_message_bytes) as agent,
            ):
                await serve_session(firewall, config, SessionInfo(id=uuid.uuid4().hex), agent)
            return _signal_exit(received) or EXIT_OK
        tokens = {t.token: t.principal for t in gateway.tokens}
        if not tokens:
            raise ConfigError("gateway.tokens: the HTTP front requires at least one bearer token")
        async with (
            stopping_on_signals() as received,
            approval_page(firewall, config.approval, "gateway"),
            anyio.create_task_group() as tg,
        ):

            async def session(info: SessionInfo, agent: Streams) -> None:
                await serve_session(firewall, config, info, agent)

            front = HttpFront(
                tokens,
                session,
                tg,
                path=gateway.path,
                allowed_hosts=_allowed_hosts(gateway.host),
                idle_seconds=gateway.session_idle_seconds,
                max_sessions=gateway.max_sessions,
            )
            app = http_app(front, config.limits.max_message_bytes)
            server = _Uvicorn(
                uvicorn.Config(app, host=gateway.host, port=gateway.port, log_level="warning", lifespan="off")
            )
            log.warning("mcp-firewall gateway on http://%s:%d%s", gateway.host, gateway.port, gateway.path)
            try:
                await server.serve()
            finally:
                tg.cancel_scope.cancel()  # every session's servers are stopped on the way out
        return _signal_exit(received) or EXIT_OK
    finally:
        firewall.audit.close()


class _Uvicorn(uvicorn.Server):
    """uvicorn without its own signal handling: it re-raises the signal once serving ends, which
    would kill the process before the sessions' child servers are stopped."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


def _allowed_hosts(host: str) -> list[str] | None:
    """On loopback, the host names a Host header may carry (the front matches them exactly, any
    port; DNS-rebinding protection); elsewhere None: do not guess."""
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return ["127.0.0.1", "localhost", "[::1]"] if host == "localhost" else None
    if not address.is_loopback:
        return None
    own = f"[{address}]" if address.version == 6 else str(address)
    return sorted({"127.0.0.1", "localhost", "[::1]", own})
