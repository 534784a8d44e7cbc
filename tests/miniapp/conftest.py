"""Fixtures of the Mini App's tests."""

from __future__ import annotations

import pytest

from bot.app import App
from tests.conftest import MakeApp

# The seeded answers are a day old: with this delay the alert job leaves them to the test.
NO_ALERT_JOB = {"detractor_alert_delay_minutes": 10_000}


@pytest.fixture
async def quiet_app(make_app: MakeApp) -> App:
    """The app with default test settings, its alert job leaving the seeded answers alone."""
    return await make_app(**NO_ALERT_JOB)
