"""The test database, from one setting: ``TEST_DATABASE_URL``.

Unset: every test gets a fresh SQLite file in its tmp_path (the embedded default).
A PostgreSQL URL (``postgresql+asyncpg://postgres@127.0.0.1:5432/postgres``): it is the admin
connection, and every test gets a fresh database created through it and dropped afterwards, so
tests never see each other's rows, whichever order they run in.

:func:`migrate` brings a new database to the head as a copy of one database migrated once
per run: running the migrations cost ~0.2 s for each of ~450 tests on SQLite, and on PostgreSQL
0.14 s against 0.03 s for ``CREATE DATABASE ... TEMPLATE ... STRATEGY FILE_COPY`` (measured on
CI's settings, fsync off). Any other database, or one a test already used, is migrated by
Alembic. The migrations themselves are tested on their own, on empty databases
(tests/test_migrations.py).
"""

from __future__ import annotations

import asyncio
import atexit
import concurrent.futures
import contextlib
import functools
import os
import shutil
import sqlite3
import tempfile
import uuid
from collections.abc import Coroutine
from pathlib import Path
from typing import Any, TypeVar

import pytest
from sqlalchemy import text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool

from storage.db import ensure_sqlite_folder
from storage.migrate import upgrade, upgrade_async

ENV = "TEST_DATABASE_URL"
T = TypeVar("T")


def admin_url() -> str | None:
    """The configured PostgreSQL admin URL, or None for SQLite files."""
    return os.environ.get(ENV, "").strip() or None


def backend() -> str:
    """'sqlite' or 'postgresql': what the suite runs on."""
    url = admin_url()
    return make_url(url).get_backend_name() if url else "sqlite"


def on_postgres() -> bool:
    """True when the suite runs on PostgreSQL."""
    return backend() == "postgresql"


# For tests that exercise SQLite itself (pragmas, its write lock): meaningless on PostgreSQL.
sqlite_only = pytest.mark.skipif(
    on_postgres(), reason="exercises SQLite's own behaviour (file locks, pragmas)"
)


def _run(coro: Coroutine[Any, Any, T]) -> T:
    # Fixtures that make databases are sync (sync tests use them too), and the test's event loop
    # may be running already: run the admin statements on a loop of their own, in a thread.
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coro).result()


async def _admin(statement: str) -> None:
    url = admin_url()
    assert url is not None
    # CREATE/DROP DATABASE cannot run inside a transaction block.
    engine = create_async_engine(url, isolation_level="AUTOCOMMIT", poolclass=NullPool)
    try:
        async with engine.connect() as conn:
            await conn.execute(text(statement))
    finally:
        await engine.dispose()


def new_database(tmp_path: Path, name: str = "nps") -> str:
    """A URL of a fresh, empty database; pair with :func:`drop_database`."""
    url = admin_url()
    if url is None:
        return f"sqlite+aiosqlite:///{tmp_path / f'{name}.db'}"
    db_name = f"pptest_{uuid.uuid4().hex[:16]}"
    _run(_admin(f'CREATE DATABASE "{db_name}"'))
    return make_url(url).set(database=db_name).render_as_string(hide_password=False)


def drop_database(url: str) -> None:
    """Drop a database made by :func:`new_database` (SQLite files go with tmp_path)."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        return
    # FORCE: a bot process killed with -9, or a pool a failed test left open, may still be connected.
    _run(_admin(f'DROP DATABASE IF EXISTS "{parsed.database}" WITH (FORCE)'))


@functools.cache
def _sqlite_template() -> str:
    """The SQLite file migrated once for this run, made on first use."""
    folder = tempfile.mkdtemp(prefix="pp-template-")
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    path = os.path.join(folder, "head.db")
    upgrade(f"sqlite+aiosqlite:///{path}")
    with contextlib.closing(sqlite3.connect(path)) as conn:  # all of it in the one file
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return path


def _copy_of_template(url: str, path: str) -> bool:
    """A new SQLite file at ``path`` as a copy of the run's migrated one; False if it exists."""
    if os.path.exists(path):
        return False
    ensure_sqlite_folder(url)
    shutil.copyfile(_sqlite_template(), path)  # checkpointed: the file is the whole database
    return True


@functools.cache
def _postgres_template() -> str:
    """The name of the PostgreSQL database migrated once for this run, made on first use and
    dropped when the run ends."""
    admin = admin_url()
    assert admin is not None
    name = f"pptest_head_{uuid.uuid4().hex[:12]}"
    _run(_admin(f'CREATE DATABASE "{name}"'))
    atexit.register(_drop_at_exit, name)
    upgrade(make_url(admin).set(database=name).render_as_string(hide_password=False))
    return name


def _on_test_server(parsed: URL) -> bool:
    """True for a database of the suite's PostgreSQL server (where the template is)."""
    admin = admin_url()
    if admin is None:
        return False
    server = make_url(admin)
    return (parsed.host, parsed.port) == (server.host, server.port)


def _drop_at_exit(name: str) -> None:
    with contextlib.suppress(Exception):  # a throwaway cluster's leftover is harmless
        asyncio.run(_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


async def _copy_of_postgres_template(url: str, name: str) -> bool:
    """Replace the empty database ``name`` with a copy of the migrated template; False (nothing
    done) if it holds any table: a test set it up on purpose."""
    engine = create_async_engine(url, poolclass=NullPool)
    any_table = text("SELECT EXISTS (SELECT 1 FROM pg_tables WHERE schemaname = 'public')")
    try:
        async with engine.connect() as conn:
            has_tables = await conn.scalar(any_table)
    finally:
        await engine.dispose()
    if has_tables:
        return False
    template = await asyncio.to_thread(_postgres_template)
    await _admin(f'DROP DATABASE "{name}"')
    await _admin(f'CREATE DATABASE "{name}" TEMPLATE "{template}" STRATEGY FILE_COPY')
    return True


async def migrate(url: str) -> None:
    """Bring the database at ``url`` to the head: a new database as a copy of the run's migrated
    one (see the module's docstring), anything else through Alembic."""
    parsed = make_url(url)
    path = parsed.database
    if parsed.get_backend_name() == "sqlite" and path and path != ":memory:":
        if await asyncio.to_thread(_copy_of_template, url, path):
            return
    elif parsed.get_backend_name() == "postgresql" and _on_test_server(parsed) and path:
        if await _copy_of_postgres_template(url, path):
            return
    await upgrade_async(url)
