"""Admins manage webhook endpoints in the chat; alerts, erasure and closing send their events;
a 410 disables an endpoint and the managers hear of it."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import select

from bot import operations
from storage.models import HookEndpoint, utcnow
from storage.repo import alerts, campaigns, hook_endpoints, responses
from tests.e2e.test_hooks_delivery import Clock, _fast, _outstanding
from tests.helpers import ADMIN_ID, MANAGER_CHAT_ID, add_campaign, add_partner
from tests.hooks.receiver import Receiver

pytestmark = pytest.mark.asyncio
SECRET = re.compile(r"whsec_[A-Za-z0-9+/=]+")


@pytest.fixture
async def rx() -> AsyncIterator[Receiver]:
    receiver = Receiver(secret="")
    await receiver.start()
    try:
        yield receiver
    finally:
        await receiver.stop()


async def test_admin_adds_tests_lists_and_removes_an_endpoint(
    make_app, admin, make_user, rx: Receiver, tg
) -> None:
    app = await make_app(hooks_allow_http=True)
    _fast(app)
    stranger = make_user(4242)
    await stranger.send_text(f"/hook_add {rx.url}")
    await stranger.wait_text("только администраторам")
    await admin.send_text("/hook_add https://169.254.169.254/latest")
    await admin.wait_text("link-local")
    await admin.send_text("/hook_add http://example.com/hook")
    await admin.wait_text("https://")
    await admin.send_text(f"/hook_add {rx.url} response.deleted")
    await admin.wait_text("response.deleted")
    async with app.services.sessionmaker() as s:
        assert (await hook_endpoints.listed(s)) == []

    await admin.send_text(f"/hook_add {rx.url} response.* partner.erased")
    added = await admin.wait_text("whsec_")
    found = SECRET.search(added["text"])
    assert found is not None
    rx.secret = found.group(0)
    async with app.services.sessionmaker() as s:
        endpoint = await s.scalar(select(HookEndpoint))
    assert (
        endpoint is not None
        and endpoint.secret == rx.secret
        and endpoint.events == "response.* partner.erased"
    )

    await admin.send_text(f"/hook_test {endpoint.id}")
    await admin.wait_text("msg_")
    await tg.wait_until(lambda: len(rx.received) == 1, timeout=30)
    assert rx.received[0].type == "hook.test" and rx.unverified == 0

    await admin.send_text("/hooks")
    listing = await admin.wait_text(f"#{endpoint.id}")
    assert rx.secret not in listing["text"] and rx.secret[-4:] in listing["text"]

    rx.mode = "gone"
    await admin.send_text(f"/hook_test {endpoint.id}")
    await tg.wait_until(
        lambda: any("410" in m.get("text", "") for m in tg.chat_messages(MANAGER_CHAT_ID)), timeout=30
    )
    async with app.services.sessionmaker() as s:
        gone = await hook_endpoints.get(s, endpoint.id)
        assert gone is not None and not gone.enabled and gone.disabled_reason == "410 Gone"

    await admin.send_text(f"/hook_remove {endpoint.id}")
    await admin.wait_text("удалён")
    async with app.services.sessionmaker() as s:
        assert (await hook_endpoints.listed(s)) == []
    assert ADMIN_ID


async def test_alert_erasure_and_close_events_and_erased_text_never_sent(make_app, rx: Receiver, tg) -> None:
    clock = Clock()
    app = await make_app(clock=clock, hooks_allow_http=True)
    _fast(app)
    async with app.services.sessionmaker() as s:
        endpoint = await hook_endpoints.add(s, rx.url, "*")
        campaign = await add_campaign(s, title="Q1")
        partner = await add_partner(s, external_id="CRM-9", telegram_id=777, started_at=utcnow())
        other = await add_partner(s, external_id="CRM-10")
        await s.commit()
    rx.secret = endpoint.secret
    rx.mode = "fail"  # the receiver is down while the partner answers and is erased
    async with app.services.sessionmaker() as s:
        answer = await responses.record_score(s, None, campaign.id, partner.id, 2, None)
        await responses.set_comment(s, answer, "my private complaint about Ivan")
        await s.commit()
        alert_id = await alerts.claim(s, answer.id)
        await s.commit()
        assert alert_id is not None
        assert await alerts.resolve(s, alert_id, ADMIN_ID)
        await s.commit()
        kept = await responses.record_score(s, None, campaign.id, other.id, 10, None)
        await responses.set_comment(s, kept, "great payouts")
        await s.commit()
        assert await operations.erase(s, partner.id)
        await s.commit()
        row = await campaigns.get(s, campaign.id)
        assert row is not None
        await campaigns.close(s, row, now=utcnow())
        await s.commit()
    rx.mode = "ok"
    assert app.worker is not None
    hooks = app.worker.hooks
    for _ in range(72):  # three days of hours at most
        if not await _outstanding(app):
            break
        clock.advance(hours=1)
        before = hooks.delivered + hooks.failed_attempts
        # Generous: on a loaded machine a scheduled job may hold the database for seconds.
        await tg.wait_until(lambda b=before: hooks.delivered + hooks.failed_attempts > b, timeout=30)
    assert rx.unverified == 0
    mine = [r for r in rx.first_seen() if r.data.get("partner_id") == partner.id]
    assert [r.type for r in mine] == [
        "response.created",
        "response.updated",
        "alert.opened",
        "alert.resolved",
        "partner.erased",
    ]
    assert mine[-1].data == {"partner_id": partner.id, "external_id": "CRM-9"}
    for r in rx.received:
        assert "private complaint" not in str(r.data)
    assert all(r.data.get("comment") is None for r in mine)
    theirs = [r for r in rx.first_seen() if r.data.get("partner_id") == other.id]
    assert theirs[-1].data["comment"] == "great payouts"
    closed = [r for r in rx.first_seen() if r.type == "campaign.closed"]
    assert len(closed) == 1
    assert closed[0].data["figures"] == {
        "responses": 2,
        "promoters": 1,
        "passives": 0,
        "detractors": 1,
        "nps": 0.0,
        "margin": closed[0].data["figures"]["margin"],
    }
