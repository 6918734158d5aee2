"""Secrets in outgoing call arguments, with detect-secrets' specific plugins (keys, tokens, private
keys, basic-auth URLs, keyword assignments); the entropy plugins are off: too noisy on prose."""

from __future__ import annotations

import threading
from collections.abc import Sequence

from firewall.detect.base import Detection, Segment

PLUGINS = [
    {"name": name}
    for name in (
        "AWSKeyDetector",
        "AzureStorageKeyDetector",
        "BasicAuthDetector",
        "CloudantDetector",
        "DiscordBotTokenDetector",
        "GitHubTokenDetector",
        "GitLabTokenDetector",
        "JwtTokenDetector",
        "KeywordDetector",
        "MailchimpDetector",
        "NpmDetector",
        "OpenAIDetector",
        "PrivateKeyDetector",
        "PypiTokenDetector",
        "SendGridDetector",
        "SlackDetector",
        "SoftlayerDetector",
        "SquareOAuthDetector",
        "StripeDetector",
        "TelegramBotTokenDetector",
        "TwilioKeyDetector",
    )
]


class SecretsDetector:
    """Flags secrets (keys, tokens, credentials) in the strings of outgoing calls."""

    name = "secrets"

    async def detect(self, segments: Sequence[Segment]) -> list[Detection]:
        """Findings (action deny) for each secret found, spanning its value (the line when
        detect-secrets does not give the value)."""
        from detect_secrets.core.scan import scan_line

        _configure()
        found: list[Detection] = []
        for path, text in segments:
            for line_start, line in _lines(text):
                for secret in scan_line(line):
                    value = secret.secret_value or ""
                    offset = line.find(value) if value else -1
                    start = line_start + max(offset, 0)
                    end = start + (len(value) if offset >= 0 else len(line))
                    found.append(
                        Detection(
                            self.name,
                            f"detect.secrets.{_slug(secret.type)}",
                            f"{secret.type} in an outgoing argument",
                            path,
                            start,
                            end,
                            action="deny",
                        )
                    )
        return found


_configured = False
_configuring = threading.Lock()


def _configure() -> None:
    """Point detect-secrets' process-wide settings at PLUGINS, once. Its transient_settings (per
    call) clears and rebuilds every plugin and filter cache on the way in and out: about 1 ms of
    each tool call's overhead, for settings nothing else in the process changes."""
    global _configured
    with _configuring:
        if not _configured:
            from detect_secrets.settings import cache_bust, configure_settings_from_baseline

            cache_bust()
            configure_settings_from_baseline({"plugins_used": PLUGINS})
            _configured = True


def _lines(text: str) -> list[tuple[int, str]]:
    out, position = [], 0
    for line in text.splitlines(keepends=True):
        out.append((position, line.rstrip("\r\n")))
        position += len(line)
    return out


def _slug(name: str) -> str:
    return "_".join(name.lower().replace("-", " ").split())
