"""An install's own areas (AREAS_FILE): read at start-up, followed by the keyboard, themes, names."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.cli import main
from bot.i18n import Translator
from bot.keyboards.survey import drivers_keyboard
from storage import areas
from storage.analytics import themes

GOOD = """
[[area]]
key = "support"
ru = "Саппорт"
en = "Supp"

[[area]]
key = "payouts"

[[area]]
key = "tracking"
ru = "Трекинг и постбэки"
en = "Tracking and postbacks"
keywords = ["постбэк*", "postback*", "трекер*"]

[[area]]
key = "offers"
ru = "Ассортимент офферов"
en = "Offer range"
keywords = ["оффер*", "offer*"]

[[retired]]
key = "hold"
ru = "Холд"
en = "Hold period"
"""


@pytest.fixture(autouse=True)
def _default_areas_after() -> Iterator[None]:
    yield
    areas.configure(None)


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "areas.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_defaults_without_a_file() -> None:
    assert areas.configure(None).keys == areas.DEFAULT_AREAS
    assert themes.classify("выплаты задерживают") == ["payouts"]


def test_renamed_added_and_removed_areas_are_followed(tmp_path: Path) -> None:
    configured = areas.configure(_write(tmp_path, GOOD))
    assert configured.keys == ("support", "payouts", "tracking", "offers", "other")
    t = Translator()
    _ = t.bind("ru")
    labels = [b.text for row in drivers_keyboard(_, 5, ["tracking"]).inline_keyboard for b in row]
    assert labels == [
        "Саппорт",
        "Скорость выплат",
        "✓ Трекинг и постбэки",
        "Ассортимент офферов",
        "Другое",
        "Готово",
    ]
    assert t.get("en", "area-tracking") == "Tracking and postbacks"
    # Removed areas stay readable in old answers: defaults by the locale files, retired ones by the file.
    assert t.get("ru", "area-training") == "Обучение" and t.get("en", "area-hold") == "Hold period"
    # The classifier follows: seed keywords name the new areas, removed areas are never chosen.
    assert themes.primary_theme("постбэк не шлёт конверсии") == "tracking"
    assert themes.primary_theme("хочу больше офферов под гемблу") == "offers"
    assert themes.primary_theme("саппорт молчит") == "support"
    assert "training" not in themes.classify("вебинары очень полезные")
    assert "marketing" not in themes.classify("креосы выгорают")


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("[[area]\nkey = 1", "not valid TOML"),
        ("", "no [[area]] entries"),
        ('[[area]]\nkey = "Bad Key"\nru = "x"\nen = "y"', "'key' must be"),
        ('[[area]]\nkey = "tracking"\nru = "Трекинг"', "needs a name in 'en'"),
        ('[[area]]\nkey = "support"\n[[area]]\nkey = "support"', "listed twice"),
        ('[[area]]\nkey = "support"\nkeywords = "саппорт"', "'keywords' must be a list"),
        ('[[area]]\nkey = "support"\ncolour = "red"', "unknown field 'colour'"),
        ('[[area]]\nkey = "other"', "no areas besides 'other'"),
        ('[areas]\nkey = "support"', "unknown section 'areas'"),
    ],
)
def test_bad_files_name_the_problem_in_one_line(tmp_path: Path, text: str, problem: str) -> None:
    path = _write(tmp_path, text)
    with pytest.raises(areas.AreasError) as caught:
        areas.configure(path)
    message = str(caught.value)
    assert problem in message and str(path) in message and "\n" not in message
    assert areas.active() == areas.DEFAULT_AREAS  # a bad file changes nothing


def test_bad_file_stops_start_up_with_exit_code_2(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("BOT_TOKEN", "123456:TEST-token")
    monkeypatch.setenv("DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'nps.db'}")
    monkeypatch.setenv("AREAS_FILE", str(tmp_path / "missing.toml"))
    assert main(["migrate"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("nps-bot: configuration error: AREAS_FILE") and "cannot read it" in err
    assert len(err.splitlines()) == 1 and "TEST-token" not in err
    assert not (tmp_path / "nps.db").exists()  # stopped before touching the database
