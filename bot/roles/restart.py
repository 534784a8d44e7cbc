"""A restarted webhook replica takes back its own journal rows at once.

A replica's claims are named ``host:pid:random`` (bot.sending.engine.process_id). After a
``kill -9`` and a restart on the same host (the same container keeps its hostname), the rows
the dead process had acknowledged to Telegram but not handled still carry its name and a lease
of JOURNAL_LEASE; without this they waited out that lease and the next sweep (about 25 s). The
host name is the stable part of the identity: a claim of this host whose process is gone (its pid
is ours now, or no process has it) is a dead incarnation, and its leases are ended before the
first sweep, which then takes the rows. Their leases go too (storage.repo.leases): a partner's
turn (bot/roles/turns.py) the dead process held while handling an update would otherwise keep
the partner's next journaled update waiting out its TTL (30 s; measured 26 s after a restart by
tests/e2e/test_web_kill9.py) even though the row itself was taken at once. A live process of
this host (another replica on the same machine) keeps its rows; a pid reused by an unrelated
process only means the lease is waited out, as before.
"""

from __future__ import annotations

import logging
import os

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage.models import utcnow
from storage.repo import inbox_claims, leases

log = logging.getLogger(__name__)


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return False  # a claim with our pid and another name is an earlier process's
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: alive
        return True
    return True


def dead_incarnations(owner: str, owners: list[str]) -> list[str]:
    """Of ``owners`` (claims of this host), those whose process is gone."""
    dead = []
    for other in owners:
        if other == owner:
            continue
        parts = other.split(":")
        if len(parts) < 3 or not parts[-2].isdigit():
            continue
        if not _alive(int(parts[-2])):
            dead.append(other)
    return dead


async def reclaim_own(sessionmaker: async_sessionmaker[AsyncSession], owner: str) -> int:
    """End the leases of this host's dead processes; returns how many rows were released."""
    host = owner.rsplit(":", 2)[0]
    async with sessionmaker() as session:
        owners = await inbox_claims.owners_with_prefix(session, f"{host}:")
        owners += await leases.holders_with_prefix(session, f"{host}:")
        dead = dead_incarnations(owner, sorted(set(owners)))
        released = await inbox_claims.expire(session, dead, utcnow())
        freed = await leases.release_all(session, dead)
    if released:
        log.info("Taking back %d journaled updates of this host's previous process", released)
    if freed:
        log.info("Freed %d lease(s) of this host's previous process", freed)
    return released
