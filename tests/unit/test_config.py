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


@pytest.mark.parametrize(
    ("text", "key", "problem"),
    [
        ("[servers.mail]\ncommand = []\n", "servers.mail", "must not be empty"),
        ("[[provenance.tools]]\nuri = 'file://*'\n", "provenance", "tools.0: a tool rule needs 'tool'"),
        (
            "[[provenance.resources]]\ntool = 'read'\n",
            "provenance",
            "resources.0: a resource rule needs 'uri'",
        ),
        ("[policy]\nengine = 'opa'\n", "policy", "needs a [policy.opa] table"),
        ("[[gateway.tokens]]\ntoken = 'short'\nprincipal = 'p'\n", "gateway.tokens.0.token", "at least 16"),
    ],
    ids=["empty-command", "tool-rule", "resource-rule", "opa-url", "short-token"],
)
def test_more_bad_configs_name_the_key_and_the_problem(tmp_path, text, key, problem):
    with pytest.raises(ConfigError) as info:
        load_config(write(tmp_path, text))
    assert key in str(info.value) and problem in str(info.value)


def test_a_servers_environment_extends_ours_and_none_means_inherit(monkeypatch):
    monkeypatch.setenv("MCP_FIREWALL_TEST_INHERITED", "yes")
    config = load_config(
        None, servers={"a": {"command": ["x"], "env": {"TOKEN": "t"}}, "b": {"command": ["y"]}}
    )
    env = config.servers["a"].child_env()
    assert env is not None and env["TOKEN"] == "t" and env["MCP_FIREWALL_TEST_INHERITED"] == "yes"
    assert config.servers["b"].child_env() is None


def test_the_tool_catalog_builtin_none_or_a_file_that_cannot_be_used(tmp_path):
    assert load_config(None).provenance.catalog_rules()  # the bundled catalog has rules
    assert load_config(None, **{"provenance.catalog": None}).provenance.catalog_rules() == []
    own = tmp_path / "catalog.json"
    own.write_text('{"tools": [{"tool": "send_*", "classes": ["egress"]}]}')
    (rule,) = load_config(None, **{"provenance.catalog": own}).provenance.catalog_rules()
    assert (rule.tool, rule.classes) == ("send_*", ["egress"])
    for text in ("[1, 2]", "{not json", '{"tools": [{"bogus": 1}]}'):
        own.write_text(text)
        with pytest.raises(ConfigError, match=r"provenance\.catalog: cannot use"):
            load_config(None, **{"provenance.catalog": own}).provenance.catalog_rules()
    with pytest.raises(ConfigError, match=r"provenance\.catalog: cannot use"):
        load_config(None, **{"provenance.catalog": tmp_path / "absent.json"}).provenance.catalog_rules()


def test_a_nested_override_is_validated_and_keeps_the_rest_of_its_table(tmp_path):
    path = write(tmp_path, "[gateway]\nport = 9000\n")
    config = load_config(path, **{"gateway.host": "0.0.0.0"})
    assert (config.gateway.host, config.gateway.port) == ("0.0.0.0", 9000)
    with pytest.raises(ConfigError) as nested:
        load_config(path, **{"gateway.port": 70000})
    assert "in the value given for gateway.port:\n  gateway.port: " in str(nested.value)


def test_a_top_level_override_is_validated_too():
    with pytest.raises(ConfigError) as raised:
        load_config(None, servers={"mail": {"command": []}})
    assert "servers.mail: Value error, 'command' must not be empty" in str(raised.value)
    with pytest.raises(ConfigError, match=r"fail_open: Input should be a valid boolean"):
        load_config(None, fail_open="perhaps")


def test_tool_and_resource_label_rules_load_in_order(tmp_path):
    text = (
        "[[provenance.tools]]\ntool = 'read_*'\ntrust = 'internal'\n"
        "[[provenance.tools]]\ntool = 'send_*'\nclasses = ['egress']\n"
        "[[provenance.resources]]\nuri = 'file:///etc/*'\nconfidentiality = 'private'\n"
        "[[provenance.resources]]\nuri = 'https://*'\n"
    )
    provenance = load_config(write(tmp_path, text)).provenance
    assert [rule.tool for rule in provenance.tools] == ["read_*", "send_*"]
    assert [rule.uri for rule in provenance.resources] == ["file:///etc/*", "https://*"]
