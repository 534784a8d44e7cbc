"""Container health check (Docker HEALTHCHECK, compose healthcheck): exit 0 when healthy.

``nps-bot web`` serves ``GET /healthz`` on WEB_PORT: healthy when it answers 200. The other roles
(``run``, ``worker``) serve no HTTP, so they are healthy when their database answers a query:
a process that lost its database cannot do its job, and one that died stops the container.
The role comes from NPS_ROLE (set per service in docker-compose.yml; the image says ``run``).
"""

from __future__ import annotations

import asyncio
import os
import sys
import urllib.request


def web_alive() -> bool:
    port = int(os.environ.get("WEB_PORT", "8080"))
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=4) as reply:
        return bool(reply.status == 200)


async def database_answers() -> bool:
    from sqlalchemy import text
    from sqlalchemy.ext.asyncio import create_async_engine
    from sqlalchemy.pool import NullPool

    engine = create_async_engine(os.environ["DATABASE_URL"], poolclass=NullPool)
    try:
        async with engine.connect() as conn:
            return bool((await conn.execute(text("SELECT 1"))).scalar() == 1)
    finally:
        await engine.dispose()


def main() -> int:
    role = os.environ.get("NPS_ROLE", "run")
    try:
        healthy = web_alive() if role == "web" else asyncio.run(asyncio.wait_for(database_answers(), 4))
    except Exception as exc:  # any failure is "unhealthy", with the reason in `docker inspect`
        print(f"unhealthy ({role}): {type(exc).__name__}: {exc}", file=sys.stderr)
        return 1
    return 0 if healthy else 1


if __name__ == "__main__":
    sys.exit(main())
