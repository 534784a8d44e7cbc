"""``nps-bot copy-data``: an SQLite install moved into a fresh PostgreSQL database, every table,
counts checked, sequences fixed, and a rerun after an interruption completes the copy."""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import delete, func, select

from storage.copy_data import copy_database
from storage.db import create_engine, create_sessionmaker
from storage.migrate import upgrade_async
from storage.models import Alert, Base, Partner, Response, ResponseDriver
from tests.dbs import on_postgres
from tests.e2e.botprocess import ROOT
from tests.helpers import add_campaign, add_partner, add_response

pytestmark = [
    pytest.mark.asyncio,
    pytest.mark.skipif(
        not on_postgres(), reason="copy-data targets PostgreSQL: set TEST_DATABASE_URL to run it"
    ),
]


async def _seed(url: str) -> None:
    await upgrade_async(url)
    engine = create_engine(url)
    try:
        async with create_sessionmaker(engine)() as s:
            campaign = await add_campaign(s, "Q1 «кампания»")
            for i in range(30):
                partner = await add_partner(
                    s,
                    external_id=f"p{i}",
                    name=f"Партнёр {i}",
                    telegram_id=9_000_000_000 + i,
                    monthly_revenue="1234.50",
                )
                response = await add_response(
                    s, campaign, partner, i % 11, comment=f"комментарий {i}", drivers=["payouts"]
                )
                if response.score <= 6:
                    s.add(Alert(response_id=response.id, chat_id=-100123, message_id=i + 1))
            await s.commit()
    finally:
        await engine.dispose()


async def _counts(url: str) -> dict[str, int]:
    engine = create_engine(url)
    try:
        async with engine.connect() as conn:
            return {
                t.name: int(await conn.scalar(select(func.count()).select_from(t)) or 0)
                for t in Base.metadata.sorted_tables
            }
    finally:
        await engine.dispose()


async def test_copy_every_table_then_rerun_after_interruption(
    tmp_path: Path, new_db: Callable[[str], str]
) -> None:
    source = f"sqlite+aiosqlite:///{tmp_path}/nps.db"
    target = new_db("target")
    await _seed(source)

    results = await copy_database(source, target, batch=7)  # several batches per table
    assert all(r.ok for r in results), [r for r in results if not r.ok]
    assert await _counts(target) == await _counts(source)

    # Interrupted: the last rows of some tables never arrived. A rerun adds them, skips the rest.
    engine = create_engine(target)
    try:
        async with create_sessionmaker(engine)() as s:
            await s.execute(delete(ResponseDriver).where(ResponseDriver.response_id > 20))
            await s.execute(delete(Alert))
            await s.commit()
    finally:
        await engine.dispose()
    again = await copy_database(source, target, batch=7)
    assert all(r.ok for r in again)
    assert {r.name: r.inserted for r in again}["response_drivers"] == 10
    assert await _counts(target) == await _counts(source)

    # Sequences moved past the copied ids: the bot's next insert does not collide.
    engine = create_engine(target)
    try:
        async with create_sessionmaker(engine)() as s:
            partner = await add_partner(s, external_id="new", name="Новый")
            await s.commit()
            assert partner.id == 31
            copied = await s.scalar(select(Partner).where(Partner.external_id == "p3"))
            assert (
                copied is not None and copied.name == "Партнёр 3" and str(copied.monthly_revenue) == "1234.50"
            )
            assert copied.telegram_id == 9_000_000_003
            response = await s.scalar(select(Response).where(Response.partner_id == copied.id))
            assert (
                response is not None and response.comment == "комментарий 3" and response.answered_at.tzinfo
            )
    finally:
        await engine.dispose()


async def test_the_command_line(tmp_path: Path, new_db: Callable[[str], str]) -> None:
    source = f"sqlite+aiosqlite:///{tmp_path}/nps.db"
    target = new_db("target")
    await _seed(source)
    env = {**os.environ, "PYTHONPATH": str(ROOT), "DATABASE_URL": source}
    env.pop("BOT_TOKEN", None)
    done = await _cli(tmp_path, env, "copy-data", "--to", target)
    assert done[0] == 0, done
    assert "counts match" in done[1] and "DATABASE_URL=" in done[1]
    same = await _cli(tmp_path, env, "copy-data", "--to", source)
    assert same[0] == 2 and ("current database" in same[2] or "PostgreSQL" in same[2])


async def _cli(cwd: Path, env: dict[str, str], *args: str) -> tuple[int, str, str]:
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", *args, cwd=cwd, env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    out, err = await asyncio.wait_for(proc.communicate(), 120)
    return int(proc.returncode or 0), out.decode(), err.decode()
