"""firewall/proxy/naming.py: qualified names and URIs, and the way back to server and local name."""

from __future__ import annotations

import pytest

from firewall.proxy.naming import Naming

NAMING = Naming(frozenset({"mail", "files"}))


def test_a_qualified_name_splits_back_into_server_and_name() -> None:
    assert NAMING.name("mail", "send") == "mail__send"
    assert NAMING.split_name("mail__send") == ("mail", "send")
    assert NAMING.split_name("mail__send__now") == ("mail", "send__now")  # the first separator splits


@pytest.mark.parametrize("qualified", ["send", "other__send", "mail__", "__send", ""])
def test_a_name_of_no_known_server_or_with_nothing_after_it_is_none(qualified: str) -> None:
    assert NAMING.split_name(qualified) is None


def test_the_separator_is_configurable() -> None:
    naming = Naming(frozenset({"mail"}), separator=".")
    assert naming.name("mail", "send") == "mail.send"
    assert naming.split_name("mail.send") == ("mail", "send")
    assert naming.split_name("mail__send") is None


def test_a_qualified_uri_stays_a_uri_and_splits_back() -> None:
    assert NAMING.uri("files", "file:///a+b") == "files+file:///a+b"
    assert NAMING.split_uri("files+file:///a+b") == ("files", "file:///a+b")


@pytest.mark.parametrize("qualified", ["file:///a", "other+file:///a", "files+", "+file:///a"])
def test_a_uri_of_no_known_server_or_with_nothing_after_it_is_none(qualified: str) -> None:
    assert NAMING.split_uri(qualified) is None
