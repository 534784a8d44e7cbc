"""initData checks: genuine and fresh passes; tampered, foreign, stale or unsigned is refused."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qsl, urlencode

import pytest

from bot.web.tma import Unauthorized, check_init_data, init_data_of
from tests.helpers import MANAGER_ID, TOKEN
from tests.miniapp.signing import sign_init_data, user

NOW = datetime(2026, 12, 6, 12, 0, tzinfo=UTC)


def _signed(**kw: str) -> str:
    return sign_init_data(TOKEN, user(MANAGER_ID, "en"), int(NOW.timestamp()) - 60, **kw)


def test_genuine_init_data_names_the_user_and_language() -> None:
    viewer = check_init_data(TOKEN, _signed(start_param="alerts"), now=NOW)
    assert (viewer.user_id, viewer.language, viewer.start_param) == (MANAGER_ID, "en", "alerts")


def test_tampered_field_is_refused() -> None:
    fields = dict(parse_qsl(_signed()))
    fields["user"] = fields["user"].replace(str(MANAGER_ID), "1")  # pretend to be someone else
    with pytest.raises(Unauthorized):
        check_init_data(TOKEN, urlencode(fields), now=NOW)


def test_signed_with_another_bots_token_is_refused() -> None:
    foreign = sign_init_data("654321:OTHER-token-secret-abcdef", user(MANAGER_ID), int(NOW.timestamp()))
    with pytest.raises(Unauthorized):
        check_init_data(TOKEN, foreign, now=NOW)


def test_stale_init_data_is_refused() -> None:
    old = sign_init_data(TOKEN, user(MANAGER_ID), int((NOW - timedelta(hours=24, seconds=1)).timestamp()))
    with pytest.raises(Unauthorized):
        check_init_data(TOKEN, old, now=NOW)
    fresh_enough = sign_init_data(TOKEN, user(MANAGER_ID), int((NOW - timedelta(hours=23)).timestamp()))
    assert check_init_data(TOKEN, fresh_enough, now=NOW).user_id == MANAGER_ID


def test_missing_hash_is_refused() -> None:
    fields = dict(parse_qsl(_signed()))
    del fields["hash"]
    with pytest.raises(Unauthorized):
        check_init_data(TOKEN, urlencode(fields), now=NOW)


@pytest.mark.parametrize("header", [None, "", "Bearer abc", "tma", "tma    ", "tma " + "x" * 9000])
def test_authorization_header_must_be_tma(header: str | None) -> None:
    with pytest.raises(Unauthorized):
        init_data_of(header)
    assert init_data_of("tma a=1") == "a=1"
