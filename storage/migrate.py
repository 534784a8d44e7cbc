"""Apply Alembic migrations programmatically (``nps-bot run`` does this at start-up).

Alembic is imported only when a migration runs: a start on a database already at
:data:`HEAD_REVISION` reads ``alembic_version`` with one SELECT (:func:`at_head`) and goes on
without it (importing Alembic and reading the scripts cost ~0.1 s of every start).
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import inspect, text
from sqlalchemy.engine import make_url

from storage.db import create_engine, ensure_sqlite_folder

if TYPE_CHECKING:
    from alembic.config import Config

# Alembic logs about ten INFO lines per command (its plugins at import, "Context impl", "Will
# assume..."): at every start that is noise. Muted before it is imported; env.py logs one line
# of ours when the schema changed, and verbose=True brings Alembic's own lines back.
logging.getLogger("alembic").setLevel(logging.WARNING)

MIGRATIONS = Path(__file__).parent / "migrations"
# The newest migration's revision: a new migration changes it too (tests/test_migrations.py
# compares it with the scripts' head). Start-up skips Alembic when the database is at it.
HEAD_REVISION = "0020"


def alembic_config(url: str) -> Config:
    """Alembic config pointing at our migrations folder and ``url``."""
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def script_heads() -> tuple[str, ...]:
    """Head revisions of our migration scripts (exactly one, or a merge is missing)."""
    from alembic.script import ScriptDirectory

    return tuple(ScriptDirectory.from_config(alembic_config("sqlite://")).get_heads())


async def at_head(url: str) -> bool:
    """True when the database at ``url`` is at :data:`HEAD_REVISION` (one SELECT, no Alembic).

    False for a new database, one behind (or ahead of) the scripts: :func:`upgrade` then runs,
    under its lock, and says what is wrong. An unreachable database raises as Alembic's
    connection would."""
    engine = create_engine(url)
    try:
        async with engine.connect() as conn:
            if not await conn.run_sync(lambda sync: inspect(sync).has_table("alembic_version")):
                return False
            rows = await conn.execute(text("SELECT version_num FROM alembic_version"))
            return {str(row[0]) for row in rows} == {HEAD_REVISION}
    finally:
        await engine.dispose()


# Alembic's `context` and `op` are process-wide proxies: one command at a time per process.
_ONE_AT_A_TIME = threading.Lock()


@contextmanager
def _exclusive(url: str) -> Iterator[None]:
    """One migration at a time: per process, and across processes on the same SQLite file.

    On PostgreSQL env.py takes an advisory lock instead. SQLite has no such thing, and two
    processes starting on a new file would both create alembic_version; a lock file beside the
    database serialises them (the later one then finds the schema at head).
    """
    with _ONE_AT_A_TIME:
        parsed = make_url(url)
        if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
            yield
            return
        try:
            import fcntl
        except ImportError:  # not POSIX: one process per SQLite file is the supported case anyway
            yield
            return
        with open(f"{Path(parsed.database).expanduser()}.migrate-lock", "a") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)  # blocks: callers run this in a worker thread
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)


@contextmanager
def _alembic_logging(verbose: bool) -> Iterator[None]:
    logger = logging.getLogger("alembic")
    previous = logger.level
    logger.setLevel(logging.INFO if verbose else logging.WARNING)
    try:
        yield
    finally:
        logger.setLevel(previous)


def upgrade(url: str, revision: str = "head", *, verbose: bool = False) -> None:
    """Upgrade the database at ``url`` to ``revision`` (blocking; call from a thread in async code)."""
    from alembic import command

    ensure_sqlite_folder(url)
    with _exclusive(url), _alembic_logging(verbose):
        command.upgrade(alembic_config(url), revision)


def downgrade(url: str, revision: str, *, verbose: bool = False) -> None:
    """Downgrade the database at ``url`` to ``revision`` (blocking)."""
    from alembic import command

    with _exclusive(url), _alembic_logging(verbose):
        command.downgrade(alembic_config(url), revision)


async def upgrade_async(url: str, *, verbose: bool = False) -> None:
    """Run :func:`upgrade` in a worker thread (Alembic's async env runs its own event loop)."""
    await asyncio.to_thread(upgrade, url, verbose=verbose)
