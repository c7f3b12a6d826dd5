# syntax=docker/dockerfile:1
# The help desk's production image: gunicorn by default; the same image runs the
# one-shot migrations, the Celery worker and Celery beat (see docker-compose.yml).
# Every setting comes from the environment (deploy/production.env.example).
# The front-end files (Bootstrap, htmx) come from npm's lock, copied as `make install` does.
FROM node:20-slim AS assets
WORKDIR /assets
COPY package.json package-lock.json ./
COPY scripts/vendor-assets scripts/vendor-assets
RUN npm ci --ignore-scripts --no-audit --no-fund && scripts/vendor-assets

FROM python:3.12-slim

ENV PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    VIRTUAL_ENV=/opt/venv \
    PATH=/opt/venv/bin:$PATH

# GNU gettext's msgfmt compiles the translation catalogues at build time (below).
RUN apt-get update && apt-get install -y --no-install-recommends gettext \
    && rm -rf /var/lib/apt/lists/*

# An unprivileged user owns only the runtime data directory; the code stays root's.
RUN groupadd --system --gid 10001 helpdesk \
    && useradd --system --uid 10001 --gid helpdesk --home-dir /app/var --no-create-home \
        --shell /usr/sbin/nologin helpdesk

# The pinned, hashed lock file first, so code changes do not reinstall dependencies.
COPY requirements/prod.lock /tmp/prod.lock
RUN python -m venv "$VIRTUAL_ENV" \
    && pip install --require-hashes -r /tmp/prod.lock \
    && rm /tmp/prod.lock

# Answers the container health checks: GET /healthz (200 when the database answers).
# It sends the first ALLOWED_HOSTS name as Host, since Django rejects unknown hosts;
# /healthz is exempt from the HTTPS redirect.
COPY --chmod=755 <<'EOF' /usr/local/bin/helpdesk-healthcheck
#!/usr/local/bin/python
import os
import sys
import urllib.request

host = os.environ.get("ALLOWED_HOSTS", "").split(",")[0].strip().lstrip(".")
if host in ("", "*"):
    host = "localhost"
port = os.environ.get("HEALTHCHECK_PORT", "8000")
request = urllib.request.Request(f"http://127.0.0.1:{port}/healthz", headers={"Host": host})
try:
    with urllib.request.urlopen(request, timeout=4) as response:
        sys.exit(0 if response.status == 200 else 1)
except Exception as exc:
    print(f"unhealthy: {exc}", file=sys.stderr)
    sys.exit(1)
EOF

WORKDIR /app
COPY . /app
COPY --from=assets /assets/static/vendor /app/static/vendor
# The translation catalogues, compiled beside their sources (root's, like the code;
# the .mo files are not committed). The key exists only for this step.
RUN SECRET_KEY=compilemessages-only-build-key-never-used-at-runtime-0123456789 \
    DEBUG=false CELERY_BROKER_URL=memory:// HELPDESK_VAR_DIR=/tmp/build-var \
    python manage.py compilemessages --ignore=.venv && rm -rf /tmp/build-var

# Runtime data (settings' VAR_DIR): collected static files (baked in below), the
# Celery beat schedule (/app/var/beat) and uploaded attachments (/app/var/media).
# Mount volumes on the last two, not on /app/var itself: a volume there would keep
# an old release's static files after an upgrade.
ENV HELPDESK_VAR_DIR=/app/var \
    MEDIA_ROOT=/app/var/media \
    WEB_CONCURRENCY=3
RUN mkdir -p /app/var/media /app/var/beat && chown -R helpdesk:helpdesk /app/var
USER helpdesk

# The key and broker here exist only for this step; they are not kept in the image.
RUN SECRET_KEY=collectstatic-only-build-key-never-used-at-runtime-0123456789 \
    DEBUG=false CELERY_BROKER_URL=memory:// \
    python manage.py collectstatic --noinput

EXPOSE 8000

HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["helpdesk-healthcheck"]

# Workers: WEB_CONCURRENCY (default 3 per container; scale containers for more).
CMD ["gunicorn", "helpdesk.wsgi:application", \
     "--bind", "0.0.0.0:8000", \
     "--access-logfile", "-", \
     "--worker-tmp-dir", "/dev/shm", \
     "--no-control-socket", \
     "--max-requests", "1000", "--max-requests-jitter", "100", \
     "--graceful-timeout", "30"]
