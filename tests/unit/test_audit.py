"""The audit log: one JSONL record per decision, written whole before the decision takes effect or
not at all; hashes by default, raw content on request."""

import contextlib
import errno
import json
import os
from pathlib import Path

import pytest

from firewall import audit
from firewall.audit import SCHEMA, AuditLog, AuditRecord
from firewall.config import ProvenanceConfig
from firewall.core.errors import AuditWriteError, ConfigError
from firewall.core.events import SessionInfo, ToolCall, ToolResult, Verdict
from firewall.core.labels import UNTRUSTED_PUBLIC
from firewall.core.pipeline import Pipeline
from firewall.core.records import OutputProvenance
from firewall.guard.firewall import Firewall
from firewall.provenance.labeler import Labeler


def test_each_decision_is_one_flushed_record_without_raw_content(tmp_path):
    path = tmp_path / "audit.jsonl"
    log = AuditLog(path)
    call = ToolCall(SessionInfo("sess", principal="alice"), "mail", "send", {"to": "x@y.z"}, 7)
    log.decision(call, Verdict.deny("rules.no_send", "no"), method="tools/call")
    # Flushed per record: readable before close.
    (line,) = path.read_text().splitlines()
    record = json.loads(line)
    assert record["schema"] == SCHEMA
    assert (record["session"], record["principal"], record["server"], record["tool"]) == (
        "sess",
        "alice",
        "mail",
        "send",
    )
    assert record["decision"] == "deny" and record["rule_ids"] == ["rules.no_send"]
    assert record["content"]["bytes"] == len('{"to":"x@y.z"}') and len(record["content"]["sha256"]) == 64
    assert "raw" not in record
    log.decision(call, Verdict.allow(), method="tools/call")
    assert len(path.read_text().splitlines()) == 2
    log.close()


def test_raw_content_only_when_asked(tmp_path):
    path = tmp_path / "audit.jsonl"
    log = AuditLog(path, include_content=True)
    log.decision(ToolCall(SessionInfo("s"), "m", "t", {"a": 1}, 1), Verdict.allow(), method="tools/call")
    assert json.loads(path.read_text())["raw"] == {"a": 1}


NEEDS_DEV_FULL = pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full")


def _descriptors_on(target: str) -> list[int]:
    """This process's open descriptors on `target`, as the OS sees them."""
    fds = []
    for name in os.listdir("/proc/self/fd"):
        with contextlib.suppress(OSError):
            if os.path.realpath(f"/proc/self/fd/{name}") == target:
                fds.append(int(name))
    return fds


def _call(request_id: int) -> ToolCall:
    return ToolCall(SessionInfo("s"), "m", "t", {"n": request_id}, request_id)


@NEEDS_DEV_FULL
def test_a_record_that_failed_to_write_is_never_written_later(tmp_path):
    others = set(_descriptors_on("/dev/full"))  # another test's log may still hold one
    log = AuditLog(Path("/dev/full"))  # every write fails with ENOSPC, as on a full disk
    seen: list[AuditRecord] = []
    log.observe(seen.append)
    with pytest.raises(AuditWriteError, match="No space left"):
        log.decision(_call(1), Verdict.allow(), method="tools/call")
    # The disk has room again: the log's descriptor now appends to a regular file.
    (fd,) = set(_descriptors_on("/dev/full")) - others
    target = os.open(tmp_path / "audit.jsonl", os.O_WRONLY | os.O_CREAT | os.O_APPEND)
    os.dup2(target, fd)
    os.close(target)
    log.decision(_call(2), Verdict.deny("rules.x", "no"), method="tools/call")
    log.close()
    lines = (tmp_path / "audit.jsonl").read_text().splitlines()
    assert [json.loads(line)["request_id"] for line in lines] == [2]
    assert [record.request_id for record in seen] == [2]


def test_a_write_that_fails_part_way_leaves_no_partial_line(tmp_path, monkeypatch):
    path = tmp_path / "audit.jsonl"
    log = AuditLog(path)
    log.decision(_call(1), Verdict.allow(), method="tools/call")
    real_write = os.write
    failures = iter([False, True])  # half the line goes out, then the disk is full

    def flaky(fd: int, data: bytes) -> int:
        if next(failures, False):
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return real_write(fd, data[: max(1, len(data) // 2)])

    monkeypatch.setattr(os, "write", flaky)
    with pytest.raises(AuditWriteError):
        log.decision(_call(2), Verdict.allow(), method="tools/call")
    log.decision(_call(3), Verdict.allow(), method="tools/call")  # written in halves, then whole
    log.close()
    assert [json.loads(line)["request_id"] for line in path.read_text().splitlines()] == [1, 3]


@pytest.mark.anyio
@NEEDS_DEV_FULL
async def test_decide_raises_when_the_record_cannot_be_written_and_does_not_count_the_call():
    firewall = Firewall(Pipeline([]), AuditLog(Path("/dev/full")), Labeler(ProvenanceConfig()))
    session = firewall.open_session(SessionInfo("s"))
    with pytest.raises(AuditWriteError):
        await session.decide(_call(1), "tools/call")
    firewall.audit.close()
    assert session.state.memory.calls == 0


@pytest.mark.parametrize("where", ["parent_is_a_file", "is_a_directory"])
def test_an_unusable_path_is_a_config_error_naming_the_key(tmp_path, where):
    (tmp_path / "file").write_text("")
    path = tmp_path / "file" / "audit.jsonl" if where == "parent_is_a_file" else tmp_path
    with pytest.raises(ConfigError, match=r"audit\.path") as raised:
        AuditLog(path)
    assert str(path) in str(raised.value)


def test_a_result_is_recorded_under_its_calls_tool_and_id_with_its_output_nodes(tmp_path):
    path = tmp_path / "audit.jsonl"
    log = AuditLog(path)
    call = ToolCall(SessionInfo("s"), "files", "", {}, 0)  # a tool named "" and the id 0 are kept
    output = OutputProvenance(4, "tool_result", "files/", UNTRUSTED_PUBLIC)
    log.decision(ToolResult(call, {"content": []}, (output,)), Verdict.allow(), method="tools/call")
    log.decision(ToolResult(call, {"content": []}), Verdict.allow(), method="tools/call")
    log.close()
    traced, untraced = (json.loads(line) for line in path.read_text().splitlines())
    assert (traced["kind"], traced["tool"], traced["request_id"]) == ("tool_result", "", 0)
    assert traced["provenance"] == [output.to_json()]
    assert "provenance" not in untraced


def test_without_a_file_observers_see_every_record_and_one_that_raises_does_not_stop_the_others(caplog):
    log = AuditLog(None)
    seen: list[AuditRecord] = []

    def broken(record: AuditRecord) -> None:
        raise RuntimeError("observer bug")

    log.observe(broken)
    log.observe(seen.append)
    log.decision(_call(1), Verdict.allow(), method="tools/call")
    assert [record.request_id for record in seen] == [1]
    assert any("audit observer" in record.getMessage() for record in caplog.records)


def test_without_a_file_or_an_observer_no_record_is_built(monkeypatch):
    def unexpected(*args: object, **kwargs: object) -> None:
        raise AssertionError("a record was built for nobody")

    monkeypatch.setattr(audit, "record_for", unexpected)
    log = AuditLog(None)
    log.decision(_call(1), Verdict.allow(), method="tools/call")
    log.close()


@pytest.mark.parametrize("why", ["truncate_fails", "another_writer_appended"])
def test_a_fragment_that_cannot_be_cut_is_ended_by_the_next_record(tmp_path, monkeypatch, why):
    path = tmp_path / "audit.jsonl"
    log = AuditLog(path)
    real_write = os.write
    failures = iter([False, True])  # half a line goes out, then the disk is full

    def flaky(fd: int, data: bytes) -> int:
        if next(failures, False):
            if why == "another_writer_appended":  # the fragment is no longer the end of the file
                with path.open("ab") as other:
                    other.write(b"OTHER")
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return real_write(fd, data[: max(1, len(data) // 2)])

    def no_truncate(fd: int, length: int) -> None:
        raise OSError(errno.EPERM, os.strerror(errno.EPERM))

    monkeypatch.setattr(os, "write", flaky)
    if why == "truncate_fails":
        monkeypatch.setattr(os, "ftruncate", no_truncate)
    with pytest.raises(AuditWriteError):
        log.decision(_call(1), Verdict.allow(), method="tools/call")
    monkeypatch.setattr(os, "write", real_write)
    log.decision(_call(2), Verdict.allow(), method="tools/call")
    log.decision(_call(3), Verdict.allow(), method="tools/call")
    log.close()
    fragment, *records = path.read_text().splitlines()
    assert fragment.startswith('{"time"') and not fragment.endswith("}")  # half of record 1
    assert [json.loads(line)["request_id"] for line in records] == [2, 3]


def test_closing_twice_is_harmless(tmp_path):
    log = AuditLog(tmp_path / "audit.jsonl")
    log.close()
    log.close()
