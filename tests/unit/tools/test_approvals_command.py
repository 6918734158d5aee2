"""`mcp-firewall approvals` against a real approval page (served on a loop in a thread)."""

from __future__ import annotations

import getpass
import json
import os
from collections.abc import Iterator
from concurrent.futures import Future
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import anyio
import pytest
from anyio.from_thread import BlockingPortal, start_blocking_portal

from firewall.approve import discovery
from firewall.approve.broker import ApprovalBroker
from firewall.approve.page import listen, serving
from firewall.approve.question import Answer, Question
from firewall.cli import main
from firewall.tools.approvals_command import (
    EXIT_NONE_RUNNING,
    EXIT_OK,
    EXIT_UNKNOWN_ID,
    EXIT_UNREACHABLE,
    EXIT_USAGE,
)

TOKEN = "k" * 24


def question(qid: str) -> Question:
    return Question(
        qid, "s1", "alice", "files", "delete_file", {"path": f"/tmp/{qid}"}, ("it deletes",), (), "k"
    )


@dataclass
class Running:
    """A page with questions waiting, its discovery directory, and the answers' futures."""

    url: str
    directory: Path
    portal: BlockingPortal
    broker: ApprovalBroker
    answers: dict[str, Future[Answer]] = field(default_factory=dict)

    def ask(self, qid: str) -> None:
        self.answers[qid] = self.portal.start_task_soon(self.broker.ask, question(qid))
        deadline = 5.0
        while qid not in [q.id for q in self.broker.pending()]:
            self.portal.call(anyio.sleep, 0.01)
            deadline -= 0.01
            assert deadline > 0, "the question never got pending"

    def answer(self, qid: str) -> Answer:
        return self.answers[qid].result(timeout=5)


@contextmanager
def running_page(tmp_path: Path, *questions: str) -> Iterator[Running]:
    directory = tmp_path / "approvals"
    broker = ApprovalBroker(timeout=30)
    with (
        start_blocking_portal() as portal,
        portal.wrap_async_context_manager(serving(broker, TOKEN, listen(0))) as url,
    ):
        path = discovery.write(directory, discovery.Discovery(url, TOKEN, os.getpid(), "files", "now"))
        running = Running(url, directory, portal, broker)
        for qid in questions:
            running.ask(qid)
        try:
            yield running
        finally:
            discovery.remove(path)
            for future in running.answers.values():
                future.cancel()


def approvals(*args: str) -> int:
    return main(["approvals", *args])


def test_nothing_running_is_exit_1_with_a_clear_message(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert approvals("list", "--dir", str(tmp_path)) == EXIT_NONE_RUNNING
    assert "no running firewall with an approval page" in capsys.readouterr().err
    assert approvals("list", "--json", "--dir", str(tmp_path)) == EXIT_NONE_RUNNING
    assert json.loads(capsys.readouterr().out) == []
    assert approvals("approve", "abc", "--dir", str(tmp_path)) == EXIT_NONE_RUNNING


def test_the_config_names_the_directory(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = tmp_path / "fw.toml"
    config.write_text(f"[approval]\ndirectory = '{tmp_path / 'elsewhere'}'\n")
    assert approvals("list", "--config", str(config)) == EXIT_NONE_RUNNING
    config.write_text("[approval]\nno_such_key = 1\n")
    assert approvals("list", "--config", str(config)) == EXIT_USAGE
    assert "no_such_key" in capsys.readouterr().err


def test_list_shows_every_pending_question(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with running_page(tmp_path, "q1", "q2") as page:
        assert approvals("list", "--dir", str(page.directory)) == EXIT_OK
        out = capsys.readouterr().out
        assert f"files (pid {os.getpid()}) at {page.url}: 2 pending" in out
        assert "[q1] Allow delete_file on files?" in out and "path: /tmp/q2" in out and "it deletes" in out
        assert approvals("list", "--json", "--dir", str(page.directory)) == EXIT_OK
        (report,) = json.loads(capsys.readouterr().out)
        assert report["url"] == page.url and report["name"] == "files"
        assert [q["id"] for q in report["pending"]] == ["q1", "q2"]


def test_approve_and_deny_answer_as_the_user_via_cli(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with running_page(tmp_path, "q1", "q2", "q3") as page:
        where = ("--dir", str(page.directory))
        assert approvals("approve", "q1", *where) == EXIT_OK
        assert approvals("approve", "q2", "--session", *where) == EXIT_OK
        assert approvals("deny", "q3", *where) == EXIT_OK
        out = capsys.readouterr().out
        assert "question q1 approved once" in out and "question q3 denied" in out
        answers = {qid: page.answer(qid) for qid in ("q1", "q2", "q3")}
    assert [a.choice for a in answers.values()] == ["once", "session", "deny"]
    assert {(a.by, a.via) for a in answers.values()} == {(getpass.getuser(), "cli")}


def test_an_unknown_id_is_exit_3_naming_what_is_pending(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with running_page(tmp_path, "q1") as page:
        assert approvals("approve", "nope", "--dir", str(page.directory)) == EXIT_UNKNOWN_ID
        err = capsys.readouterr().err
        assert "no pending question 'nope'" in err and "pending now: q1" in err
        assert page.broker.pending()


def test_url_and_token_instead_of_discovery(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with running_page(tmp_path, "q1") as page:
        assert approvals("deny", "q1", "--url", page.url + "/", "--token", TOKEN) == EXIT_OK
        assert page.answer("q1").choice == "deny"
        assert approvals("list", "--url", page.url, "--token", "wrong") == EXIT_UNREACHABLE
        assert "HTTP 403: wrong token" in capsys.readouterr().err
        assert approvals("approve", "q1", "--url", page.url, "--token", "wrong") == EXIT_UNREACHABLE
    assert approvals("list", "--url", "http://127.0.0.1:9") == EXIT_USAGE
    assert "--url and --token go together" in capsys.readouterr().err
    assert approvals("list", "--url", "http://127.0.0.1:9", "--token", "t") == EXIT_UNREACHABLE
    assert "cannot reach the page" in capsys.readouterr().err


def test_help_documents_the_exit_codes(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        approvals("--help")
    assert exit_.value.code == 0
    out = capsys.readouterr().out
    assert "exit codes:" in out and "3  no pending question has that id" in out
