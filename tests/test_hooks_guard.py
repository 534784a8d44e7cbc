"""SSRF guard of the webhooks out: refused before any connection, no redirects followed.

Every connection these tests could make goes to 127.0.0.1; private and link-local targets are
names resolved by an injected lookup (or literals) and must be refused before connecting.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import aiohttp
import pytest
from standardwebhooks import Webhook

from bot.hooks.guard import GuardedResolver, Refused, address_problem, url_problem
from bot.hooks.sender import post
from storage.models import utcnow
from storage.repo.hook_endpoints import new_secret, parse_events, subscribed
from storage.repo.hook_outbox import Claimed, backoff
from tests.hooks.receiver import Receiver


class Listener:
    """A raw TCP server on 127.0.0.1 that only counts the connections made to it."""

    def __init__(self) -> None:
        self.connections = 0
        self.port = 0
        self._server: asyncio.Server | None = None

    async def start(self) -> None:
        async def on_connect(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            self.connections += 1
            writer.close()

        self._server = await asyncio.start_server(on_connect, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()


@pytest.fixture
async def listener() -> AsyncIterator[Listener]:
    srv = Listener()
    await srv.start()
    try:
        yield srv
    finally:
        await srv.stop()


def _row(url: str, secret: str, *, allow_private: bool = False) -> Claimed:
    return Claimed(
        1,
        1,
        "msg_test",
        "hook.test",
        '{"type":"hook.test","timestamp":"2026-12-06T00:00:00Z","data":{}}',
        1,
        utcnow(),
        url,
        secret,
        allow_private,
        False,
    )


def _lookup(table: dict[str, str]) -> Any:
    """getaddrinfo over a fixed table (names that must never reach a real resolver)."""

    async def lookup(host: str, port: int, family: int) -> list[Any]:
        address = table[host]
        fam = socket.AF_INET6 if ":" in address else socket.AF_INET
        return [(fam, socket.SOCK_STREAM, 6, "", (address, port))]

    return lookup


def _session(
    *, allow_loopback: bool, allow_private: bool = False, lookup: Any = None
) -> aiohttp.ClientSession:
    resolver = GuardedResolver(allow_loopback=allow_loopback, allow_private=allow_private, lookup=lookup)
    return aiohttp.ClientSession(
        connector=aiohttp.TCPConnector(resolver=resolver), timeout=aiohttp.ClientTimeout(total=5)
    )


def test_only_https_and_http_to_loopback_when_allowed() -> None:
    assert url_problem("https://crm.example.com/hook", allow_http=False) is None
    assert url_problem("http://crm.example.com/hook", allow_http=False) is not None
    assert url_problem("http://crm.example.com/hook", allow_http=True) is not None
    assert url_problem("http://127.0.0.1:8000/hook", allow_http=False) is not None
    assert url_problem("http://127.0.0.1:8000/hook", allow_http=True) is None
    assert url_problem("http://localhost:8000/hook", allow_http=True) is None
    assert url_problem("https://user:pw@crm.example.com/", allow_http=False) is not None
    assert url_problem("ftp://crm.example.com/", allow_http=True) is not None
    assert url_problem("https:///nohost", allow_http=False) is not None
    assert url_problem("https://crm.example.com:99999/", allow_http=False) is not None


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",
        "127.5.5.5",
        "10.0.0.7",
        "172.16.3.4",
        "192.168.1.1",
        "169.254.169.254",
        "0.0.0.0",
        "224.0.0.1",
        "240.0.0.1",
        "100.64.0.1",
        "::1",
        "fe80::1",
        "fc00::1",
        "::ffff:10.0.0.1",
        "::",
    ],
)
def test_non_public_addresses_are_refused(address: str) -> None:
    ip = ipaddress.ip_address(address)
    assert address_problem(ip, allow_loopback=False, allow_private=False) is not None


def test_public_addresses_pass_and_allowances_are_narrow() -> None:
    assert (
        address_problem(ipaddress.ip_address("93.184.216.34"), allow_loopback=False, allow_private=False)
        is None
    )
    assert (
        address_problem(ipaddress.ip_address("2606:4700::1111"), allow_loopback=False, allow_private=False)
        is None
    )
    assert (
        address_problem(ipaddress.ip_address("127.0.0.1"), allow_loopback=True, allow_private=False) is None
    )
    assert (
        address_problem(ipaddress.ip_address("10.0.0.7"), allow_loopback=True, allow_private=False)
        is not None
    )
    assert address_problem(ipaddress.ip_address("10.0.0.7"), allow_loopback=False, allow_private=True) is None
    # Link-local (cloud metadata) stays refused whatever is allowed.
    assert address_problem(ipaddress.ip_address("169.254.169.254"), allow_loopback=True, allow_private=True)


async def test_loopback_is_refused_before_any_connection(listener: Listener) -> None:
    secret = new_secret()
    async with _session(allow_loopback=False) as http:
        for url in (f"https://127.0.0.1:{listener.port}/hook", f"https://localhost:{listener.port}/hook"):
            outcome = await post(http, _row(url, secret), Webhook(secret), allow_http=False)
            assert not outcome.delivered and outcome.error is not None and outcome.error.startswith("refused")
    assert listener.connections == 0


async def test_names_resolving_to_private_or_link_local_are_refused(listener: Listener) -> None:
    secret = new_secret()
    lookup = _lookup(
        {"crm.example": "10.0.0.7", "meta.example": "169.254.169.254", "v6.example": "::ffff:192.168.0.1"}
    )
    async with _session(allow_loopback=False, lookup=lookup) as http:
        for url in (
            "https://crm.example/hook",
            "https://meta.example/latest",
            "https://v6.example/",
            "https://10.1.2.3/hook",
            "https://169.254.169.254/latest/meta-data/",
            "https://[::1]/",
        ):
            outcome = await post(http, _row(url, secret), Webhook(secret), allow_http=False)
            assert not outcome.delivered and (outcome.error or "").startswith("refused"), url
    # The check and the connection share one resolution: a refused name raises in the resolver.
    resolver = GuardedResolver(allow_loopback=False, allow_private=False, lookup=lookup)
    with pytest.raises(Refused):
        await resolver.resolve("crm.example", 443)
    assert listener.connections == 0


async def test_a_redirect_is_not_followed_and_a_good_answer_is_verified() -> None:
    rx = Receiver(secret=new_secret())
    await rx.start()
    try:
        async with _session(allow_loopback=True) as http:
            rx.mode = "redirect"
            outcome = await post(http, _row(rx.url, rx.secret), Webhook(rx.secret), allow_http=True)
            assert not outcome.delivered and outcome.status == 302
            assert rx.redirected_hits == 0
            rx.mode = "ok"
            outcome = await post(http, _row(rx.url, rx.secret), Webhook(rx.secret), allow_http=True)
            assert outcome.delivered and rx.received[0].msg_id == "msg_test"
            rx.mode = "gone"
            outcome = await post(http, _row(rx.url, rx.secret), Webhook(rx.secret), allow_http=True)
            assert outcome.gone
    finally:
        await rx.stop()


def test_events_backoff_and_secret() -> None:
    assert parse_events([]) == "*"
    assert parse_events(["response.*,partner.erased"]) == "response.* partner.erased"
    with pytest.raises(ValueError):
        parse_events(["response.deleted"])
    assert subscribed("response.*", "response.completed") and not subscribed("response.*", "alert.opened")
    assert backoff(1) == timedelta(seconds=5) and backoff(2) == timedelta(seconds=10)
    assert backoff(50) == timedelta(hours=1)
    assert new_secret().startswith("whsec_") and new_secret() != new_secret()
