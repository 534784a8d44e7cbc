# syntax=docker/dockerfile:1
# One image for every role: `nps-bot run` (default: polling, SQLite, one process), `nps-bot web`
# (webhook replicas) and `nps-bot worker`; see docker-compose.yml and the README.
FROM python:3.11-slim AS build
WORKDIR /src
# Exact versions from the lock (the same file the README and CI install from).
COPY requirements.lock pyproject.toml README.md ./
COPY bot ./bot
COPY storage ./storage
COPY scheduler ./scheduler
RUN python -m venv /venv && /venv/bin/pip install --no-cache-dir -c requirements.lock .

FROM python:3.11-slim
ENV PYTHONUNBUFFERED=1 \
    DATABASE_URL=sqlite+aiosqlite:////app/data/nps.db \
    NPS_ROLE=run \
    WEB_HOST=0.0.0.0 \
    WEB_PORT=8080 \
    PATH=/venv/bin:$PATH
RUN useradd --create-home --uid 10001 bot && mkdir -p /app/data && chown bot:bot /app/data
COPY --from=build /venv /venv
COPY deploy/healthcheck.py /app/healthcheck.py
WORKDIR /app
USER bot
VOLUME ["/app/data"]
EXPOSE 8080
# web: GET /healthz on WEB_PORT; run/worker: the database answers (deploy/healthcheck.py).
HEALTHCHECK --interval=30s --timeout=10s --start-period=60s --retries=3 \
    CMD ["python", "/app/healthcheck.py"]
CMD ["nps-bot", "run"]
