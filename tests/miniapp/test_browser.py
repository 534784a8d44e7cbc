"""The dashboard in a real headless Chromium, opened the way Telegram's client opens a Mini App.

Telegram's client loads the page with ``#tgWebAppData=<initData>&tgWebAppThemeParams=...`` in
the URL, talks to it through ``window.TelegramWebviewProxy.postEvent`` (Android) and sends it
events through ``Telegram.WebView.receiveEvent``; the test does exactly that, with initData
signed with the test bot's token. One browser for the module; screenshots (360x740) go to the
test's temporary folder.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from sqlalchemy import select

from bot.app import App
from bot.digest.alerts import deliver
from storage.models import Alert, Response, utcnow
from storage.repo import alerts
from tests.e2e.test_manager import _seed
from tests.fakebot import FakeTelegram
from tests.helpers import MANAGER_ID, TOKEN
from tests.miniapp.signing import in_group, sign_init_data, user
from tests.miniapp.webapp import serving

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
playwright_api = pytest.importorskip("playwright.async_api", reason="pip install -e '.[test]' (playwright)")
if CHROMIUM is None:
    pytest.skip("Chromium not found: apt-get install -y chromium", allow_module_level=True)

pytestmark = pytest.mark.asyncio

PHONE = {"width": 360, "height": 740}
# Chromium talks to nobody but our loopback server.
ARGS = [
    "--no-sandbox",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-default-apps",
    "--disable-sync",
    "--no-first-run",
    "--metrics-recording-only",
    "--disable-domain-reliability",
    "--disable-breakpad",
]
LIGHT = {
    "bg_color": "#ffffff", "text_color": "#000000", "hint_color": "#707579", "link_color": "#2481cc",
    "button_color": "#2481cc", "button_text_color": "#ffffff", "secondary_bg_color": "#f4f4f5",
}  # fmt: skip
DARK = {
    "bg_color": "#17212b", "text_color": "#f5f5f5", "hint_color": "#708499", "link_color": "#6ab3f3",
    "button_color": "#5288c1", "button_text_color": "#ffffff", "secondary_bg_color": "#232e3c",
}  # fmt: skip
STRANGER = 555_002


def _launch_hash(init_data: str, theme: dict[str, str]) -> str:
    """What Telegram's client puts after # in the Mini App's URL."""
    params = {
        "tgWebAppData": init_data,
        "tgWebAppVersion": "8.0",
        "tgWebAppPlatform": "android",
        "tgWebAppThemeParams": json.dumps(theme),
    }
    return "&".join(f"{k}={quote(v, safe='')}" for k, v in params.items())


TELEGRAM_CLIENT = """
(() => {
  window.__tgEvents = [];
  // Telegram's Android client: the page posts events here
  window.TelegramWebviewProxy = { postEvent: (type, data) => window.__tgEvents.push([type, data]) };
  if (!location.hash) history.replaceState(null, '', location.pathname + '#' + %s);
})();
"""


async def _open(browser: Any, base: str, init_data: str, theme: dict[str, str]) -> Any:
    context = await browser.new_context(viewport=PHONE, device_scale_factor=1)
    context.set_default_timeout(10_000)
    page = await context.new_page()
    await page.add_init_script(TELEGRAM_CLIENT % json.dumps(_launch_hash(init_data, theme)))
    await page.goto(base + "/app/")
    return page


async def _receive(page: Any, event: str, data: dict[str, Any] | None = None) -> None:
    """Telegram's client sending the page an event."""
    await page.evaluate("([e, d]) => window.Telegram.WebView.receiveEvent(e, d)", [event, data])


async def _back_button_visible(page: Any) -> bool:
    events = await page.evaluate("window.__tgEvents")
    shown = [json.loads(d)["is_visible"] for e, d in events if e == "web_app_setup_back_button"]
    return bool(shown and shown[-1])


async def test_dashboard_in_chromium(quiet_app: App, tg: FakeTelegram, tmp_path: Path) -> None:
    app = quiet_app
    await _seed(app)
    manager = in_group(tg, MANAGER_ID)
    await manager.send_text("/nps")
    said = (await manager.wait_reply())["text"]
    async with app.services.sessionmaker() as s:
        response_id = await s.scalar(select(Response.id).where(Response.score <= 6).limit(1))
        assert response_id is not None
        alert_id = await alerts.claim(s, response_id)
        await s.commit()
    assert alert_id is not None and await deliver(app.services, alert_id)
    now = int(utcnow().timestamp())

    async with serving(app) as server, playwright_api.async_playwright() as pw:
        base = str(server.make_url("")).rstrip("/")
        browser = await pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            page = await _open(browser, base, sign_init_data(TOKEN, user(MANAGER_ID, "ru"), now), LIGHT)
            shown = await page.locator("[data-testid=nps-value]").inner_text()
            assert shown == "+25" and f"{shown} ±" in said  # the number /nps says
            assert await page.locator("[data-testid=trend] circle").count() == 2
            await page.screenshot(path=tmp_path / "overview-light-ru.png")

            await page.locator("[data-tab=breakdown]").click()
            await page.locator("li[data-group=blog]").click()
            assert "blog" in await page.locator("[data-testid=group]").inner_text()
            assert await _back_button_visible(page)
            await page.screenshot(path=tmp_path / "segment.png")
            await _receive(page, "back_button_pressed")
            await page.locator("li[data-group=blog]").wait_for()
            assert not await _back_button_visible(page)

            await page.locator("[data-tab=drivers]").click()
            await page.locator("[data-testid=drivers] li[data-area=payouts]").click()
            comments = page.locator("[data-testid=comment]")
            await comments.first.wait_for()
            assert await comments.count() == 4
            assert "Выплаты задерживают" in await comments.first.inner_text()
            await page.screenshot(path=tmp_path / "comments.png")

            await page.locator("[data-tab=alerts]").click()
            await page.locator(f"li[data-alert='{alert_id}'] button").click()
            await page.locator("[data-testid=resolved]").wait_for()
            async with app.services.sessionmaker() as s:
                alert = await s.get(Alert, alert_id)
                assert alert is not None and alert.status == "resolved" and alert.resolved_by == MANAGER_ID

            await _receive(page, "theme_changed", {"theme_params": DARK})
            assert await page.evaluate("document.documentElement.dataset.scheme") == "dark"
            assert await page.evaluate("getComputedStyle(document.body).backgroundColor") == "rgb(23, 33, 43)"
            await page.locator("[data-tab=overview]").click()
            await page.locator("[data-testid=nps-value]").wait_for()
            await page.screenshot(path=tmp_path / "overview-dark-ru.png")

            english = await _open(browser, base, sign_init_data(TOKEN, user(MANAGER_ID, "en"), now), DARK)
            await english.locator("[data-testid=nps-value]").wait_for()
            assert await english.locator("[data-tab=alerts]").inner_text() == "Alerts"
            assert "answers" in await english.locator("[data-testid=nps-detail]").inner_text()
            await english.screenshot(path=tmp_path / "overview-dark-en.png")

            in_group(tg, STRANGER, "Чужой").chat = {"id": STRANGER, "type": "private"}
            tg.store.members.pop((-1_000_777, STRANGER), None)
            outsider = await _open(browser, base, sign_init_data(TOKEN, user(STRANGER), now), LIGHT)
            refusal = outsider.locator("[data-testid=refusal]")
            await refusal.wait_for()
            assert "Нет доступа" in await refusal.inner_text()
            assert await outsider.locator("[data-testid=nps-value]").count() == 0
            await outsider.screenshot(path=tmp_path / "refusal.png")
        finally:
            await browser.close()
    for name in (
        "overview-light-ru",
        "segment",
        "comments",
        "overview-dark-ru",
        "overview-dark-en",
        "refusal",
    ):
        assert (tmp_path / f"{name}.png").stat().st_size > 1000
