"""The whole configuration as one pydantic-settings model: a TOML file plus MCP_FIREWALL_* overrides.

Environment variables override the file; nested keys use a double underscore, for example
MCP_FIREWALL_LIMITS__MAX_MESSAGE_BYTES=1048576. This is the only module that reads the environment.
"""

from __future__ import annotations

import json
import os
import re
import tomllib
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

from firewall.bundle import CATALOG
from firewall.core.errors import ConfigError

SERVER_NAME = re.compile(r"^[a-z][a-z0-9-]{0,31}$")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class AuditConfig(_Strict):
    """[audit]: where decisions are logged and how much of what was decided the log keeps."""

    path: Path | None = None
    """Append-only JSONL decision log; None disables it."""
    include_content: bool = False
    """Also record raw arguments and result text (off by default: the log may leave the machine)."""


class LimitsConfig(_Strict):
    """[limits]: the largest message and the longest wait the firewall accepts."""

    max_message_bytes: int = Field(default=4 * 1024 * 1024, ge=1024)
    """A JSON-RPC message larger than this is refused with an error, from either side."""
    request_timeout_seconds: float = Field(default=300, gt=0)
    """A request the server has not answered this long after it was sent (or after its last
    progress notification) gets an error, and the server a cancellation."""


class Rule(_Strict):
    """A static rule on tool calls, matched with shell-style globs (until Rego policy lands)."""

    id: str = Field(min_length=1)
    tool: str = "*"
    server: str = "*"
    action: Literal["allow", "deny", "ask"] = "deny"
    message: str | None = None


class ServerConfig(_Strict):
    """One downstream MCP server: a stdio command or a streamable-HTTP URL."""

    command: list[str] | None = None
    env: dict[str, str] = Field(default_factory=dict)
    cwd: Path | None = None
    url: str | None = None
    headers: dict[str, str] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _one_transport(self) -> ServerConfig:
        if (self.command is None) == (self.url is None):
            raise ValueError("set exactly one of 'command' (stdio) or 'url' (streamable HTTP)")
        if self.command is not None and not self.command:
            raise ValueError("'command' must not be empty")
        if self.url is not None and not re.match(r"^https?://", self.url):
            raise ValueError("'url' must start with http:// or https://")
        return self

    def child_env(self) -> dict[str, str] | None:
        """The child's environment: ours plus `env`; None (inherit ours unchanged) when env is empty."""
        return {**os.environ, **self.env} if self.env else None


class Token(_Strict):
    """One bearer token of the HTTP front and the principal its sessions act as."""

    token: str = Field(min_length=16)
    principal: str = Field(min_length=1)


class GatewayConfig(_Strict):
    """[gateway]: how agents reach the multi-server gateway (stdio, or streamable HTTP)."""

    transport: Literal["stdio", "http"] = "stdio"
    host: str = "127.0.0.1"
    port: int = Field(default=8765, ge=0, le=65535)
    path: str = "/mcp"
    separator: str = "__"
    """Tool and prompt names become SERVER + separator + name."""
    tokens: list[Token] = Field(default_factory=list)
    """Bearer tokens accepted by the HTTP front, each mapped to a principal."""
    session_idle_seconds: float = Field(default=1800, gt=0)
    """An HTTP session with no request in flight for this long is closed (and its servers stopped)."""
    max_sessions: int = Field(default=64, ge=1)
    """Each HTTP session runs its own server connections; beyond this many, new sessions get 503."""


TrustName = Literal["trusted", "internal", "untrusted"]
ConfidentialityName = Literal["public", "private"]
ClassName = Literal["source", "sink", "egress", "destructive"]


class LabelRule(_Strict):
    """Labels (and, for tools, classes) for what matches the globs; unset fields fall through."""

    server: str = "*"
    tool: str | None = None
    uri: str | None = None
    trust: TrustName | None = None
    confidentiality: ConfidentialityName | None = None
    classes: list[ClassName] | None = None
    identity: list[str] | None = None
    """Strings one of which the server's command line or URL must contain for the rule to apply
    (catalog entries of known servers); a server reached by no known command is matched by name."""


class ServerLabel(_Strict):
    """[provenance.servers.NAME]: the labels of everything one server returns."""

    trust: TrustName = "untrusted"
    confidentiality: ConfidentialityName = "public"


class ProvenanceConfig(_Strict):
    """[provenance]: the labels of servers, tools and resources, and the per-session graph's bounds."""

    default_trust: TrustName = "untrusted"
    """Trust of content from servers with no [provenance.servers.NAME] entry."""
    default_confidentiality: ConfidentialityName = "public"
    servers: dict[str, ServerLabel] = Field(default_factory=dict)
    tools: list[LabelRule] = Field(default_factory=list)
    """First match wins; evaluated before the catalog's entries."""
    resources: list[LabelRule] = Field(default_factory=list)
    catalog: Path | Literal["builtin"] | None = "builtin"
    """A JSON tool catalog: {"tools": [LabelRule, ...]}, consulted after `tools`; "builtin" is the
    bundled rego/catalog.json (common MCP servers), None turns catalogs off."""
    max_nodes: int = Field(default=10_000, ge=10)
    """Graph nodes kept per session; the oldest are forgotten first (their labels are kept)."""
    max_bytes: int = Field(default=16 * 1024 * 1024, ge=1024)
    """Indexed output text kept per session."""

    @model_validator(mode="after")
    def _rule_targets(self) -> ProvenanceConfig:
        for index, rule in enumerate(self.tools):
            if rule.tool is None or rule.uri is not None:
                raise ValueError(f"tools.{index}: a tool rule needs 'tool' and no 'uri'")
        for index, rule in enumerate(self.resources):
            if rule.uri is None or rule.tool is not None or rule.classes is not None:
                raise ValueError(f"resources.{index}: a resource rule needs 'uri' and no 'tool' or 'classes'")
        return self

    def catalog_rules(self) -> list[LabelRule]:
        """The catalog's tool rules; a catalog that cannot be read is a configuration error."""
        if self.catalog is None:
            return []
        path = CATALOG if self.catalog == "builtin" else Path(self.catalog)
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            return [LabelRule.model_validate(rule) for rule in data.get("tools", [])]
        except (OSError, ValueError, AttributeError) as exc:
            raise ConfigError(f"provenance.catalog: cannot use {self.catalog}: {exc}") from None


class Grant(_Strict):
    """An explicit grant for the allowlist and strict packs, with optional argument constraints."""

    server: str = "*"
    tool: str
    path_prefixes: dict[str, list[str]] = Field(default_factory=dict)
    """argument name -> allowed path prefixes (a value containing '..' never matches)."""
    recipient_domains: dict[str, list[str]] = Field(default_factory=dict)
    """argument name -> allowed email domains (the argument may be one address or a list)."""


class OpaConfig(_Strict):
    """[policy.opa]: an OPA server that evaluates the policy instead of the embedded evaluator."""

    url: str
    token: str | None = None
    timeout_seconds: float = Field(default=0.5, gt=0)
    push: bool = True
    """Load the configured policies and data onto the server at start (else they must be there)."""


class PolicyConfig(_Strict):
    """[policy]: the Rego packs to compose, where they come from, their grants, and the engine."""

    packs: list[str] = Field(default_factory=lambda: ["baseline"])
    """Packs to compose (deny > ask > redact > allow across all of them); [] turns policy off."""
    engine: Literal["embedded", "opa"] = "embedded"
    rego_dir: Path | None = None
    """The bundled packs' folder; set it when the package is installed without its rego/ folder."""
    extra: list[Path] = Field(default_factory=list)
    """More .rego files or folders; a `package mcp_firewall.packs.NAME` there is selectable by NAME."""
    grants: list[Grant] = Field(default_factory=list)
    opa: OpaConfig | None = None

    @model_validator(mode="after")
    def _opa_needs_url(self) -> PolicyConfig:
        if self.engine == "opa" and self.opa is None:
            raise ValueError("engine 'opa' needs a [policy.opa] table with a url")
        return self


class DetectConfig(_Strict):
    """[detect]: the deterministic detectors and the prompt-injection classifier."""

    classifier: str = "auto"
    """"auto": the bundled model when the ml extra is installed (a warning otherwise); "builtin":
    the bundled model, required; "off"; or a path to any local sequence-classification model."""
    injection_label: int | str | None = None
    """For other models: the injection label's index or name (e.g. "MALICIOUS", "INJECTION")."""
    device: Literal["auto", "cpu", "cuda"] = "auto"
    quantize: bool = False
    """On CPU, int8-quantise the linear layers (dynamic quantisation): about 2-3 times faster, at a cost
    in recall (docs/detector.md: on the fresh hand-written set, plain requests 73% instead of 86%); the
    bundled model ships separate thresholds calibrated for int8. Ignored on CUDA (fp16)."""
    threads: int | None = Field(default=None, ge=1)
    max_length: int | None = Field(default=None, ge=16)
    stride: int | None = Field(default=None, ge=0)
    batch_size: int = Field(default=32, ge=1)
    max_wait_ms: float = Field(default=1.0, ge=0)
    """How long a window waits for others to fill a batch."""
    timeout_seconds: float = Field(default=30.0, gt=0)
    """A detection that takes longer ends in DENY."""
    redact_threshold: float | None = Field(default=None, ge=0, le=1)
    """Windows scoring at least this are redacted (default: the model's own calibrated threshold)."""
    deny_threshold: float | None = Field(default=None, ge=0, le=1)
    """A result with a window scoring at least this is denied whole."""
    unicode: bool = True
    exfil: bool = True
    tool_mentions: bool = True
    """Flag output text that tells the agent to call one of its tools by name (detect.agent_instruction)."""
    secrets: bool = True
    allowed_domains: list[str] = Field(default_factory=list)
    """Hosts that markdown images and data-carrying links may point at."""


class ApprovalConfig(_Strict):
    """[approval]: how a call the policy decides ASK is put to a person (docs/approval.md)."""

    timeout_seconds: float = Field(default=120, gt=0)
    """A question nobody answers within this is a denial."""
    elicitation: bool = True
    """Ask in the agent's own UI when its client declared the MCP elicitation capability."""
    page: bool = False
    """Serve the out-of-band approval page on 127.0.0.1, for clients that cannot be asked (and
    answer it with `mcp-firewall approvals`)."""
    page_port: int = Field(default=0, ge=0, le=65535)
    """The page's port on 127.0.0.1; 0 picks a free one (the discovery file says which)."""
    page_token: str | None = Field(default=None, min_length=16)
    """The page's access token; unset: a new random one at every start."""
    directory: Path | None = None
    """Where each running firewall with a page writes its discovery file (URL and token, mode
    0600) for `mcp-firewall approvals`; unset: $XDG_STATE_HOME/mcp-firewall/approvals (or
    ~/.local/state/mcp-firewall/approvals)."""
    state_key: str | None = Field(default=None, min_length=32)
    """The HMAC key (hex, at least 16 bytes) sealing 2026-07-28 round-trip state; unset: a new
    random key at every start (a retry must then reach the same process)."""
    state_ttl_seconds: float = Field(default=300, gt=0)
    """How long a 2026-07-28 approval question's state stays valid."""

    @field_validator("state_key")
    @classmethod
    def _hex_key(cls, key: str | None) -> str | None:
        if key is not None:
            try:
                bytes.fromhex(key)
            except ValueError:
                raise ValueError("state_key must be hex digits (at least 32)") from None
        return key


class PinsConfig(_Strict):
    """[pins]: tool definitions pinned across sessions, trust on first use (docs/pins.md)."""

    enabled: bool = True
    """Compare each server's tool definitions with those stored from earlier sessions (off: a
    definition is pinned for one session only)."""
    file: Path | None = None
    """The pins file; unset: $XDG_STATE_HOME/mcp-firewall/pins.json (or
    ~/.local/state/mcp-firewall/pins.json)."""


class FirewallConfig(BaseSettings):
    """The whole configuration: the TOML file's tables, with MCP_FIREWALL_* variables over them."""

    model_config = SettingsConfigDict(env_prefix="MCP_FIREWALL_", env_nested_delimiter="__", extra="forbid")

    audit: AuditConfig = Field(default_factory=AuditConfig)
    limits: LimitsConfig = Field(default_factory=LimitsConfig)
    rules: list[Rule] = Field(default_factory=list)
    servers: dict[str, ServerConfig] = Field(default_factory=dict)
    gateway: GatewayConfig = Field(default_factory=GatewayConfig)
    provenance: ProvenanceConfig = Field(default_factory=ProvenanceConfig)
    policy: PolicyConfig = Field(default_factory=PolicyConfig)
    detect: DetectConfig = Field(default_factory=DetectConfig)
    approval: ApprovalConfig = Field(default_factory=ApprovalConfig)
    pins: PinsConfig = Field(default_factory=PinsConfig)
    fail_open: bool = False
    """Let a message through when a stage raises. Loudly logged; never the default."""

    @field_validator("servers")
    @classmethod
    def _server_names(cls, servers: dict[str, ServerConfig]) -> dict[str, ServerConfig]:
        for name in servers:
            if not SERVER_NAME.match(name):
                raise ValueError(f"server name {name!r} must match {SERVER_NAME.pattern}")
        return servers

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        """The environment, then the file's values (passed as init kwargs): no dotenv or secrets
        files. The first source has the highest priority, so the environment beats the file."""
        return (env_settings, init_settings)


def _describe(error: ValidationError, source: str, within: tuple[str, ...] = ()) -> str:
    """One line per problem, each naming its dotted key (`within` is the table the errors are
    relative to: an override validates only the table it changes)."""
    lines = [f"invalid configuration in {source}:"]
    for item in error.errors():
        key = ".".join(str(part) for part in (*within, *item["loc"])) or "(top level)"
        lines.append(f"  {key}: {item['msg']}")
    return "\n".join(lines)


def _override(model: BaseModel, keys: list[str], value: Any) -> Any:
    """Return a copy of model with keys set to value, validated (argv beats file and environment)."""
    head, *rest = keys
    if rest:
        value = _override(getattr(model, head), rest, value)
    if isinstance(model, BaseSettings):
        # Revalidating a settings model would re-read the environment over the argv value: the
        # one field is validated as an assignment to a copy instead.
        copy = model.model_copy()
        copy.__pydantic_validator__.validate_assignment(copy, head, value)
        return copy
    return type(model).model_validate({**model.model_dump(), head: value})


def load_config(path: Path | None = None, **overrides: Any) -> FirewallConfig:
    """Read the TOML file (if any), apply MCP_FIREWALL_* overrides, then explicit overrides (from argv)."""
    data: dict[str, Any] = {}
    source = "environment"
    if path is not None:
        source = str(path)
        try:
            data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise ConfigError(f"config file not found: {path}") from None
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"config file {path} is not valid TOML: {exc}") from None
    try:
        config = FirewallConfig(**data)
    except ValidationError as exc:
        raise ConfigError(_describe(exc, source)) from None
    for dotted, value in overrides.items():
        keys = tuple(dotted.split("."))
        try:
            config = _override(config, list(keys), value)
        except ValidationError as exc:
            # A nested override validates its own table, so the errors are relative to it.
            raise ConfigError(_describe(exc, f"the value given for {dotted}", keys[:-1])) from None
    return config
