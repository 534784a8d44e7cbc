"""Outbound URLs guarded against SSRF: who the bot may POST events to.

- Only ``https://``; plain ``http://`` only to a loopback host when HOOKS_ALLOW_HTTP is set
  (tests, a receiver on the same machine). No credentials in the URL.
- Every address a host resolves to is checked before any connection is made: loopback (unless
  HOOKS_ALLOW_HTTP), private (unless the operator allowed it for that endpoint in HOOKS_FILE),
  link-local (cloud metadata lives at 169.254.169.254), unspecified, multicast, reserved and any
  other non-public address are refused, the whole host with them.
- The check and the connection use the same resolution: the session's connector resolves
  through :class:`GuardedResolver`, which raises instead of returning a refused address, so a
  DNS answer that changes between a check and a connect (DNS rebinding) cannot slip through.
  aiohttp does not ask the resolver for an IP literal, so literals are checked in
  :func:`check_literal` before the request.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from aiohttp.abc import AbstractResolver

if TYPE_CHECKING:
    from aiohttp.abc import ResolveResult

IP = ipaddress.IPv4Address | ipaddress.IPv6Address
Lookup = Callable[[str, int, int], Awaitable[list[Any]]]

_PRIVATE = tuple(
    ipaddress.ip_network(n)
    for n in ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10", "fc00::/7")
)
LOOPBACK_NAMES = frozenset({"localhost", "localhost.", "ip6-localhost"})


class Refused(Exception):
    """The bot will not connect there; ``reason`` says why, in a few words."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def parse_ip(host: str) -> IP | None:
    """The host as an address when it is an IP literal, else None."""
    try:
        return ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return None


def address_problem(ip: IP, *, allow_loopback: bool, allow_private: bool) -> str | None:
    """Why the bot must not connect to ``ip`` (None: a public address, or one allowed)."""
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    if ip.is_loopback:
        return None if allow_loopback else f"{ip} is a loopback address"
    if ip.is_link_local:
        return f"{ip} is a link-local address"
    if ip.is_unspecified:
        return f"{ip} is an unspecified address"
    if ip.is_multicast:
        return f"{ip} is a multicast address"
    if any(ip in net for net in _PRIVATE):
        return None if allow_private else f"{ip} is a private address"
    if ip.is_reserved or not ip.is_global:
        return f"{ip} is a reserved address"
    return None


def url_problem(url: str, *, allow_http: bool) -> str | None:
    """Why ``url`` cannot be a hook endpoint (None: it may, subject to its addresses)."""
    if len(url) > 2048:
        return "the URL is longer than 2048 characters"
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return "not a URL"
    del port
    host = (parts.hostname or "").lower()
    if not host:
        return "the URL has no host"
    if parts.username is not None or parts.password is not None:
        return "credentials in the URL are not allowed (the signature authenticates the bot)"
    if parts.fragment:
        return "the URL has a #fragment"
    if any(ch.isspace() for ch in url):
        return "the URL contains spaces"
    if parts.scheme == "https":
        return None
    if parts.scheme == "http":
        ip = parse_ip(host)
        loopback = host in LOOPBACK_NAMES or (ip is not None and ip.is_loopback)
        if allow_http and loopback:
            return None
        return "only https:// URLs are accepted"
    return "only https:// URLs are accepted"


def check_literal(url: str, *, allow_loopback: bool, allow_private: bool) -> None:
    """Raise :class:`Refused` when the URL's host is an IP literal the bot must not reach."""
    ip = parse_ip((urlsplit(url).hostname or "").lower())
    if ip is not None:
        problem = address_problem(ip, allow_loopback=allow_loopback, allow_private=allow_private)
        if problem is not None:
            raise Refused(problem)


async def _system_lookup(host: str, port: int, family: int) -> list[Any]:
    import asyncio

    loop = asyncio.get_running_loop()
    return await loop.getaddrinfo(host, port, family=family, type=socket.SOCK_STREAM)


class GuardedResolver(AbstractResolver):
    """An aiohttp resolver that refuses hosts with any address the rules forbid."""

    def __init__(self, *, allow_loopback: bool, allow_private: bool, lookup: Lookup | None = None) -> None:
        self.allow_loopback = allow_loopback
        self.allow_private = allow_private
        self.lookup = lookup or _system_lookup

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        """The host's addresses, every one checked; :class:`Refused` when any is forbidden."""
        infos = await self.lookup(host, port, family)
        results: list[Any] = []
        for fam, _type, proto, _canon, sockaddr in infos:
            address = str(sockaddr[0])
            ip = parse_ip(address.split("%", 1)[0])
            if ip is None:
                raise Refused(f"{host} resolved to something that is not an address")
            problem = address_problem(
                ip, allow_loopback=self.allow_loopback, allow_private=self.allow_private
            )
            if problem is not None:
                raise Refused(f"{host}: {problem}")
            results.append(
                {
                    "hostname": host,
                    "host": address,
                    "port": int(sockaddr[1]) or port,
                    "family": fam,
                    "proto": proto,
                    "flags": socket.AI_NUMERICHOST | socket.AI_NUMERICSERV,
                }
            )
        if not results:
            raise Refused(f"{host} has no address")
        return results

    async def close(self) -> None:
        """Nothing to release."""
