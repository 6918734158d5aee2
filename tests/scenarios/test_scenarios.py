"""The scenario library (scenarios/library/*.json) through the real firewall.

Each scenario is a scripted agent session with the decision a correct firewall must take at each step
(docs/trace-format.md). One test per scenario replays it with the default configuration plus the
scenario's own `config`, as `mcp-firewall replay SCENARIO.json --check` does; the manifest test keeps
this list, the files and the threat categories the library must cover in step.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from firewall.config import FirewallConfig
from firewall.tools.replay_command import replay_file

LIBRARY = Path(__file__).resolve().parents[2] / "scenarios" / "library"

SCENARIOS = [
    # indirect injection: web pages, email, files, search results -> exfiltration by mail or HTTP
    "web-hidden-instructions-mail-exfil",
    "web-community-comment-http-exfil",
    "email-inbox-forwarding-request",
    "email-phishing-link-with-otp",
    "file-repo-contributing-key-exfil",
    "file-bill-payment-redirect",
    "resource-shared-handbook-exfil-mail",
    "search-poisoned-snippet-http-exfil",
    "search-hotel-review-passport-exfil",
    "search-hotel-review-books-priciest-room",
    # markdown-image exfiltration
    "markdown-image-in-fetched-page",
    "markdown-image-in-issue-comment",
    # tool-description (and prompt) poisoning
    "tool-poisoning-calculator-sidenote",
    "tool-poisoning-ansi-hidden-line-jumping",
    "prompt-template-poisoning-git-push",
    # a definition that changes after approval
    "rug-pull-fact-of-the-day-whatsapp",
    "rug-pull-new-schema-parameter",
    # shadowing across servers
    "shadowing-bcc-on-send-email",
    "shadowing-readonly-logger-collects-diffs",
    # invisible Unicode
    "unicode-tags-in-issue-body",
    "unicode-tags-in-tool-description",
    # credentials in arguments
    "credentials-env-in-issue-comment",
    "credentials-http-post-to-debug-service",
    # a destructive action after an injection
    "destructive-shell-after-readme-injection",
    "destructive-delete-security-emails",
    # cross-server confused deputy
    "confused-deputy-public-issue-private-repo",
    "confused-deputy-calendar-invite-drive-share",
    # benign look-alikes: everything the user asked for must pass
    "benign-security-article-quotes-injections",
    "benign-email-ignore-my-previous-email",
    "benign-code-mentions-system-prompt",
    "benign-readme-badges-allowed-hosts",
    "benign-user-named-recipient-on-web-page",
    "benign-invite-address-from-named-page",
    "attack-named-page-offers-second-recipient",
    "attack-injection-on-named-page-keeps-owner-address",
    "attack-ticket-comment-asks-to-close-other-tickets",
    "benign-user-asks-to-close-the-duplicates-a-comment-names",
    "attack-review-moves-booking-to-its-own-dates",
    "benign-review-suggests-other-dates-user-books-their-own",
    "attack-article-sends-agent-to-another-site",
    "benign-recommended-restaurant-link-followed",
    "file-bill-override-then-payment-sentence",
    "benign-research-notes-to-file",
    "benign-multilingual-emoji-text",
    "benign-issue-triage-llm-bug-report",
    "benign-code-reads-secret-from-env",
    "benign-pay-bill-from-file",
    "benign-docs-link-following",
    # outside-measurement causes: missed attacks (third-party read_file, outsiders' text in internal systems,
    # transformed attacker values, a redacted last paragraph, a tool added mid-session)
    "file-share-server-read-file-planted-request",
    "file-contributing-calls-destructive-tool",
    "ticket-comment-delete-user-request",
    "memory-note-standing-forward-instruction",
    "email-spelled-out-recipient-address",
    "issue-defanged-collector-url",
    "web-base64-encoded-recipient",
    "email-last-paragraph-injection-redacted",
    "rug-pull-tool-added-mid-session",
    # outside-measurement causes: wrong denials (own edits, user-named values, same-server ids, quoted
    # addresses and links, mail to self, customer service)
    "benign-coding-edit-test-and-commit",
    "benign-coding-configured-servers-release-bump",
    "benign-slack-summary-to-user-named-channel",
    "benign-slack-thread-reply-from-history",
    "benign-hotel-details-from-search-results",
    "benign-shop-order-address-change",
    "benign-calendar-move-listed-event",
    "benign-drive-delete-largest-file",
    "benign-email-reply-in-thread-to-named-sender",
    "benign-forward-invoice-quoting-vendor-address",
    "benign-links-from-results-to-colleague",
    "benign-summary-mailed-to-self",
    "benign-airline-change-flight-from-booking",
    "benign-helpdesk-close-named-ticket",
]

# The threat categories the library must cover (the scenario's `category` field).
REQUIRED_CATEGORIES = {
    "indirect-injection/web": "injection in a fetched web page",
    "indirect-injection/email": "injection in an email",
    "indirect-injection/file": "injection in a file or document",
    "indirect-injection/search": "injection in search results",
    "markdown-image-exfiltration": "data leaving through a markdown image URL",
    "tool-poisoning": "instructions in a tool description",
    "rug-pull": "a tool definition that changes after approval",
    "tool-shadowing": "one server's description steering another server's tool",
    "unicode-smuggling": "instructions in invisible Unicode",
    "credential-leak": "credentials in call arguments",
    "destructive-after-injection": "a destructive action after an injection",
    "confused-deputy": "untrusted content using the agent's access to another server",
    "benign-lookalike/security-article": "a security article that quotes injections",
    "benign-lookalike/email-retraction": "an email that says 'ignore my previous email'",
    "benign-lookalike/code-system-prompt": "code that mentions a system prompt",
}

MINIMUM = 25


def _load(scenario_id: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((LIBRARY / f"{scenario_id}.json").read_text(encoding="utf-8"))
    return data


def _library() -> dict[str, dict[str, Any]]:
    return {
        path.stem: json.loads(path.read_text(encoding="utf-8")) for path in sorted(LIBRARY.glob("*.json"))
    }


def _describe(row: dict[str, Any], trace: list[dict[str, Any]]) -> str:
    note = trace[row["step"] - 1].get("note")
    where = row.get("tool") or row.get("name") or row.get("uri") or ""
    findings = "; ".join(f"{f['rule_id']}: {f.get('message', '')}"[:160] for f in row.get("findings", []))
    return (
        f"step {row['step']} {row['type']} {row.get('server', '')}{'.' + where if where else ''}: "
        f"got {row['decision']} {row.get('rule_ids', [])}, expected {row.get('expect')}"
        f"{' rules ' + str(row['expect_rules']) if row.get('expect_rules') else ''}"
        f"{' (' + findings + ')' if findings else ''}"
        f"{' -- ' + note if note else ''}"
    )


@pytest.mark.parametrize("scenario_id", SCENARIOS)
def test_scenario(scenario_id: str) -> None:
    rows, scenario = replay_file(LIBRARY / f"{scenario_id}.json", FirewallConfig())
    assert scenario is not None and scenario.id == scenario_id
    checked = [row for row in rows if "ok" in row]
    assert checked, f"{scenario_id} checks nothing"
    # A known gap (docs/trace-format.md) holds only while the firewall does exactly what it records.
    failed = [row for row in checked if not row["ok"] and not row.get("gap_holds")]
    fixed = [row for row in checked if row["ok"] and "known_gap" in row]
    assert not fixed, f"{scenario_id}: known gap(s) now met, remove them: {[r['step'] for r in fixed]}"
    assert not failed, (
        f"{scenario_id} ({scenario.category}, {'benign' if scenario.benign else 'attack'}): "
        f"{len(failed)} of {len(checked)} expectations unmet\n"
        + "\n".join(_describe(row, scenario.trace) for row in failed)
    )


def known_gaps() -> list[tuple[str, int, str, str]]:
    """(scenario, step, expected, what happens instead) for every recorded known gap."""
    return [
        (sid, number, str(line.get("expect")), line["known_gap"]["got"])
        for sid, data in _library().items()
        for number, line in enumerate(data["trace"], 1)
        if "known_gap" in line
    ]


def test_every_known_gap_is_listed_in_the_readme() -> None:
    readme = (LIBRARY.parent / "README.md").read_text(encoding="utf-8")
    unlisted = [(sid, step) for sid, step, *_ in known_gaps() if f"| {sid} | {step} |" not in readme]
    assert not unlisted, f"scenarios/README.md does not list these known gaps: {unlisted}"


def test_manifest() -> None:
    library = _library()
    assert len(SCENARIOS) == len(set(SCENARIOS)), "a scenario is listed twice"
    listed, present = set(SCENARIOS), set(library)
    assert not listed - present, f"listed without a file in scenarios/library: {sorted(listed - present)}"
    assert not present - listed, f"in scenarios/library without a test: {sorted(present - listed)}"
    misnamed = {stem: data.get("id") for stem, data in library.items() if data.get("id") != stem}
    assert not misnamed, f"file name must be <id>.json: {misnamed}"
    categories = {data["category"] for data in library.values()}
    missing = {c: what for c, what in REQUIRED_CATEGORIES.items() if c not in categories}
    assert not missing, f"categories with no scenario: {missing}"
    assert len(library) >= MINIMUM, f"{len(library)} scenarios, at least {MINIMUM} wanted"


@pytest.mark.parametrize("scenario_id", SCENARIOS)
def test_scenario_is_well_formed(scenario_id: str) -> None:
    """Purpose, source and expectations present; benign scenarios expect only allow, attacks some deny."""
    data = _load(scenario_id)
    for field in ("title", "category", "threat", "source"):
        assert str(data.get(field, "")).strip(), f"{scenario_id}: empty {field}"
    assert data["benign"] == data["category"].startswith("benign-lookalike"), (
        f"{scenario_id}: benign scenarios, and only they, are in a benign-lookalike/ category"
    )
    expected = [line["expect"] for line in data["trace"] if "expect" in line]
    wanted = [e if isinstance(e, list) else [e] for e in expected]
    assert any(line["type"] == "user" for line in data["trace"]), f"{scenario_id}: no user message"
    if data["benign"]:
        assert all(w == ["allow"] for w in wanted), (
            f"{scenario_id}: a benign scenario expects allow everywhere"
        )
    else:
        assert any("allow" not in w for w in wanted), (
            f"{scenario_id}: an attack must expect a block somewhere"
        )
        assert any(w == ["allow"] for w in wanted), f"{scenario_id}: an attack must keep a legitimate step"
