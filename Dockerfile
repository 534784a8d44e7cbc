# syntax=docker/dockerfile:1
FROM python:3.11-slim AS build
WORKDIR /src
COPY pyproject.toml README.md ./
COPY bot ./bot
COPY storage ./storage
COPY scheduler ./scheduler
RUN python -m venv /venv && /venv/bin/pip install --no-cache-dir .

FROM python:3.11-slim
ENV PYTHONUNBUFFERED=1 \
    DATABASE_URL=sqlite+aiosqlite:////app/data/nps.db \
    PATH=/venv/bin:$PATH
RUN useradd --create-home --uid 10001 bot && mkdir -p /app/data && chown bot:bot /app/data
COPY --from=build /venv /venv
WORKDIR /app
USER bot
VOLUME ["/app/data"]
CMD ["nps-bot", "run"]
