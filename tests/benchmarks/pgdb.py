"""Throwaway PostgreSQL databases for the benchmarks: one fresh database per run, dropped after.

The server URL names any database the role can connect to (``postgres``); CREATE and DROP
DATABASE cannot run inside a transaction, hence AUTOCOMMIT.
"""

from __future__ import annotations

import uuid

from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine

from storage.db import is_sqlite


def is_postgres(url: str | None) -> bool:
    """True for a PostgreSQL URL (any driver); None and SQLite URLs are not."""
    return url is not None and not is_sqlite(url) and make_url(url).get_backend_name() == "postgresql"


def fresh_name(prefix: str) -> str:
    """A database name no other run uses (the ``bench_`` prefix marks this agent's databases)."""
    return f"bench_{prefix}_{uuid.uuid4().hex[:10]}"


def with_database(url: str, name: str) -> str:
    """``url`` pointed at database ``name``, password kept (str(URL) would mask it)."""
    return make_url(url).set(database=name).render_as_string(hide_password=False)


async def _admin(url: str, statement: str) -> None:
    engine = create_async_engine(url, isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as conn:
            await conn.execute(text(statement))
    finally:
        await engine.dispose()


async def create_database(server_url: str, name: str) -> str:
    """CREATE DATABASE ``name``; return its URL."""
    await _admin(server_url, f'CREATE DATABASE "{name}"')
    return with_database(server_url, name)


async def drop_database(server_url: str, name: str) -> None:
    """DROP DATABASE ``name`` even if a killed process left a connection behind (PostgreSQL 13+)."""
    await _admin(server_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
