"""Configuration: TOML plus MCP_FIREWALL_* overrides, and errors that name the key."""

import pytest

from firewall.config import load_config
from firewall.core.errors import ConfigError


def write(tmp_path, text):
    path = tmp_path / "fw.toml"
    path.write_text(text)
    return path


def test_file_values_load_and_environment_overrides_them(tmp_path, monkeypatch):
    path = write(tmp_path, "[limits]\nmax_message_bytes = 2048\n[servers.mail]\ncommand = ['mail-server']\n")
    assert load_config(path).limits.max_message_bytes == 2048
    monkeypatch.setenv("MCP_FIREWALL_LIMITS__MAX_MESSAGE_BYTES", "4096")
    config = load_config(path)
    assert config.limits.max_message_bytes == 4096
    assert config.servers["mail"].command == ["mail-server"]


def test_command_line_audit_path_beats_file_and_environment(tmp_path, monkeypatch):
    path = write(tmp_path, "[audit]\npath = 'from-file.jsonl'\n")
    monkeypatch.setenv("MCP_FIREWALL_AUDIT__PATH", "from-env.jsonl")
    assert str(load_config(path, **{"audit.path": "argv.jsonl"}).audit.path) == "argv.jsonl"


@pytest.mark.parametrize(
    ("text", "key", "problem"),
    [
        ("[limits]\nmax_message_bytes = 'big'\n", "limits.max_message_bytes", "integer"),
        ("[servers.mail]\nurl = 'ftp://x'\n", "servers.mail", "http"),
        ("[servers.mail]\ncommand = ['a']\nurl = 'http://x'\n", "servers.mail", "exactly one"),
        ("[servers.Bad_Name]\ncommand = ['a']\n", "servers", "must match"),
        ("[gateway]\nprot = 1\n", "gateway.prot", "Extra inputs"),
        ("[[rules]]\nid = 'r'\naction = 'maybe'\n", "rules.0.action", "allow"),
    ],
)
def test_bad_config_fails_with_the_key_and_the_problem(tmp_path, text, key, problem):
    with pytest.raises(ConfigError) as info:
        load_config(write(tmp_path, text))
    assert key in str(info.value) and problem in str(info.value)


def test_unreadable_toml_and_missing_file_are_config_errors(tmp_path):
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_config(write(tmp_path, "[limits\n"))
    with pytest.raises(ConfigError, match="not found"):
        load_config(tmp_path / "absent.toml")
