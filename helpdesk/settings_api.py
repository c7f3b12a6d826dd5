"""The REST API's settings (api/): token lifetimes, the rate limit, idempotency keys.

Star-imported by helpdesk.settings; each one is documented in README.md.
"""

from __future__ import annotations

import environ
from celery.schedules import crontab

env = environ.Env()

# A new token expires after this many days unless its creator picks another date,
# and never later than API_TOKEN_MAX_DAYS from its creation.
API_TOKEN_DEFAULT_DAYS = env.int("API_TOKEN_DEFAULT_DAYS", default=90)
API_TOKEN_MAX_DAYS = env.int("API_TOKEN_MAX_DAYS", default=365)
# Requests per token (or per staff member's session), "<count>/<second|minute|hour|day>".
API_RATE_LIMIT = env("API_RATE_LIMIT", default="120/minute")
# How long a create answered under an Idempotency-Key is replayed for that key.
API_IDEMPOTENCY_HOURS = env.int("API_IDEMPOTENCY_HOURS", default=24)
# Beat (helpdesk.settings takes these into CELERY_BEAT_SCHEDULE): expired keys, and the
# answers kept with them, are deleted every night.
API_BEAT_SCHEDULE = {
    "api-purge-idempotency-keys": {
        "task": "api.tasks.idempotency_keys_purge",
        "schedule": crontab(minute=27, hour=3),
    },
}
