"""The address of the client a request comes from, for per-client limits.

A service behind a proxy (the backend behind the frontend's server) sees the proxy as the TCP
peer. The peer is believed about the client only when its address lies in one of the trusted
networks: then the client is the **last** entry of `X-Forwarded-For`, the one the nearest proxy
wrote (entries to its left came from further away, the browser included, and may be forged).
From any other peer, or when that entry is not an IP address, the client is the peer itself.

Addresses are grouped as limits should count them: an IPv4-mapped IPv6 address is its IPv4
address, and an IPv6 client is its /64 (what one host or one customer is usually given, so
stepping through one's own /64 does not make new clients).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable

from starlette.types import Scope

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Address = ipaddress.IPv4Address | ipaddress.IPv6Address

# Loopback and the private ranges: where a pod network, a Docker bridge or a proxy on the same
# host lives. A client on the public internet never has such an address as the TCP peer.
PRIVATE_NETWORKS = "127.0.0.0/8,::1/128,10.0.0.0/8,172.16.0.0/12,192.168.0.0/16,fc00::/7"
UNKNOWN = "unknown"


def parse_networks(text: str) -> tuple[Network, ...]:
    """Comma-separated networks ("10.0.0.0/8,::1"); empty trusts none. ValueError names the
    entry that is not a network."""
    networks = []
    for entry in (part.strip() for part in text.split(",")):
        if not entry:
            continue
        try:
            networks.append(ipaddress.ip_network(entry, strict=False))
        except ValueError:
            raise ValueError(f"not an IP network: {entry!r}") from None
    return tuple(networks)


def _address(text: str) -> Address | None:
    try:
        address = ipaddress.ip_address(text.strip())
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def _last_forwarded(headers: Iterable[tuple[bytes, bytes]]) -> Address | None:
    values = [value.decode("latin-1") for name, value in headers if name == b"x-forwarded-for"]
    entries = [entry for entry in ",".join(values).split(",") if entry.strip()]
    return _address(entries[-1]) if entries else None


def _group(address: Address) -> str:
    if isinstance(address, ipaddress.IPv6Address):
        return str(ipaddress.IPv6Network((address, 64), strict=False))
    return str(address)


def client_address(scope: Scope, trusted: tuple[Network, ...]) -> str:
    """The client's address (IPv4, or an IPv6 /64) as defined above; "unknown" without one."""
    client = scope.get("client")
    peer = _address(client[0]) if client else None
    if peer is not None and any(peer in network for network in trusted):
        forwarded = _last_forwarded(scope.get("headers", ()))
        if forwarded is not None:
            return _group(forwarded)
    return _group(peer) if peer is not None else UNKNOWN
