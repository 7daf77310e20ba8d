"""Whom the limits count (todo_common.clients.client_address): the last X-Forwarded-For entry
when a trusted peer sends it, the peer itself otherwise."""

from __future__ import annotations

import re

import pytest
from todo_common.clients import PRIVATE_NETWORKS, client_address, parse_networks

TRUSTED = parse_networks(PRIVATE_NETWORKS)


def scope(peer: str | None, *forwarded: str) -> dict:
    return {
        "type": "http",
        "client": (peer, 50000) if peer is not None else None,
        "headers": [(b"x-forwarded-for", value.encode("latin-1")) for value in forwarded],
    }


@pytest.mark.parametrize(
    ("request_scope", "client"),
    [
        pytest.param(scope("10.244.0.7", "203.0.113.5"), "203.0.113.5", id="from-the-frontend"),
        pytest.param(scope("10.244.0.7"), "10.244.0.7", id="trusted-peer-without-header"),
        # A browser's own X-Forwarded-For sits left of what the frontend appended.
        pytest.param(scope("10.244.0.7", "1.2.3.4, 203.0.113.5"), "203.0.113.5", id="forged"),
        pytest.param(scope("10.244.0.7", "1.2.3.4", "203.0.113.5"), "203.0.113.5", id="2-headers"),
        pytest.param(scope("203.0.113.9", "1.2.3.4"), "203.0.113.9", id="untrusted-peer"),
        pytest.param(scope("10.244.0.7", "not-an-address"), "10.244.0.7", id="garbage"),
        pytest.param(scope("10.244.0.7", "203.0.113.5, "), "203.0.113.5", id="trailing-comma"),
        pytest.param(scope("::ffff:203.0.113.9"), "203.0.113.9", id="ipv4-mapped"),
        pytest.param(scope("10.0.0.1", "2001:db8:1:2:3:4:5:6"), "2001:db8:1:2::/64", id="ipv6-64"),
        pytest.param(scope(None, "203.0.113.5"), "unknown", id="no-peer"),
        pytest.param(scope("testclient", "203.0.113.5"), "unknown", id="peer-not-an-ip"),
    ],
)
def test_client_address(request_scope: dict, client: str) -> None:
    assert client_address(request_scope, TRUSTED) == client


def test_no_trusted_proxy_means_the_peer_always() -> None:
    assert client_address(scope("127.0.0.1", "203.0.113.5"), parse_networks("")) == "127.0.0.1"


def test_a_bad_network_is_named() -> None:
    with pytest.raises(ValueError, match=re.escape("'10.0.0.0/33'")):
        parse_networks("127.0.0.1, 10.0.0.0/33")
