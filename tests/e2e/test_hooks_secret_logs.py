"""A webhook secret never reaches a log record, even with the root logger at DEBUG: the database
drivers log statements with their parameters (the INSERT of an endpoint carries its secret)."""

from __future__ import annotations

import base64
import logging
import re
from collections.abc import Iterator

import pytest

from bot.logging_setup import PARAMETER_LOGGERS, quiet_libraries
from tests.e2e.test_hooks_delivery import _fast
from tests.hooks.receiver import Receiver

pytestmark = pytest.mark.asyncio
SECRET = re.compile(r"whsec_[A-Za-z0-9+/=]+")


@pytest.fixture
def debug_logging(caplog: pytest.LogCaptureFixture) -> Iterator[pytest.LogCaptureFixture]:
    """The root at DEBUG, library loggers as bot.logging_setup leaves them for that level."""
    names = (*PARAMETER_LOGGERS, "aiogram.event", "alembic", "apscheduler")
    before = {name: logging.getLogger(name).level for name in names}
    quiet_libraries(logging.DEBUG)
    caplog.set_level(logging.DEBUG)
    try:
        yield caplog
    finally:
        for name, level in before.items():
            logging.getLogger(name).setLevel(level)


async def test_no_log_record_holds_the_secret_at_debug(
    make_app, admin, tg, debug_logging: pytest.LogCaptureFixture
) -> None:
    rx = Receiver(secret="")
    await rx.start()
    try:
        app = await make_app(hooks_allow_http=True)
        _fast(app)
        await admin.send_text(f"/hook_add {rx.url}")
        found = SECRET.search((await admin.wait_text("whsec_"))["text"])
        assert found is not None
        rx.secret = found.group(0)
        await admin.send_text("/hooks")
        await admin.wait_text("whsec_…")
        await admin.send_text("/hook_test 1")
        await tg.wait_until(lambda: len(rx.received) == 1, timeout=10)  # signed with the secret
        assert rx.unverified == 0
    finally:
        await rx.stop()
    body = rx.secret.removeprefix("whsec_")
    forms = {rx.secret, body, base64.b64decode(body).hex()}
    logging.getLogger("tests.probe").debug("probe")
    records = debug_logging.records
    # DEBUG records reach the capture (the flow's own may be none: a process logs tzlocal's
    # and asyncio's once, and test databases are copied rather than migrated).
    assert any(r.name == "tests.probe" and r.levelno == logging.DEBUG for r in records)
    for record in records:
        text = f"{record.getMessage()} {record.args!r} {record.exc_text or ''}"
        leaked = [form for form in forms if form in text]
        assert not leaked, f"{record.name}: {text[:300]}"
