"""Access rules without a server: loopback names, Host headers, tokens and origins."""

from __future__ import annotations

import pytest

from studioflow.web.access import COMMENT, LISTEN, Access, host_name, is_loopback, same_origin


@pytest.mark.parametrize("host, loop", [("127.0.0.1", True), ("127.8.9.1", True), ("localhost", True),
                                        ("::1", True), ("[::1]", True), ("0.0.0.0", False), ("192.0.2.7", False),
                                        ("studio.example", False), ("", False)])
def test_loopback(host, loop):
    assert is_loopback(host) is loop


def test_host_headers():
    assert [host_name(h) for h in ("127.0.0.1:8765", "localhost", "[::1]:80", "band.example:1")] == \
        ["127.0.0.1", "localhost", "::1", "band.example"]


def test_levels_by_token_and_host():
    local, shared = Access("127.0.0.1"), Access("0.0.0.0")
    assert local.level(None, "127.0.0.1:8765") == COMMENT and local.level(None, "evil.example:8765") is None
    assert shared.level(None, "127.0.0.1:8765") is None
    assert shared.level(shared.listen_token, "x") == LISTEN and shared.level(shared.comment_token, "x") == COMMENT
    assert shared.level(local.comment_token, "x") is None          # each room has its own tokens
    assert shared.may_write(shared.comment_token) and not shared.may_write(shared.listen_token)
    assert not shared.may_write(None)


def test_same_origin():
    assert same_origin({"host": "h:1", "origin": "http://h:1"}, "http")
    assert not same_origin({"host": "h:1", "origin": "http://other:1"}, "http")
    assert not same_origin({"host": "h:1", "origin": "null"}, "http")
    assert not same_origin({"host": "h:1", "sec-fetch-site": "cross-site"}, "http")
    assert same_origin({"host": "h:1"}, "http")                      # no browser: nothing to forge
