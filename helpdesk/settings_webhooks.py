"""Settings of the outgoing webhooks (integrations.webhooks; README, "Outgoing webhooks").

Read from the environment like the rest; ``helpdesk.settings`` takes them all.
The SSRF rules default to production's (https only, public addresses only) and
are relaxed by default only when DEBUG is on, read here from the same variable.
"""

from __future__ import annotations

import environ

env = environ.Env()

_DEBUG = env.bool("DEBUG", default=False)

# Seconds one delivery may take in all (resolve the name, connect, send, answer): then it is
# cut off and retried.
WEBHOOK_TIMEOUT_SECONDS = env.float("WEBHOOK_TIMEOUT_SECONDS", default=10.0)
# Attempts before a delivery is given up (never more than OUTBOX_MAX_ATTEMPTS).
WEBHOOK_MAX_ATTEMPTS = env.int("WEBHOOK_MAX_ATTEMPTS", default=8)
# Hours a replaced signing secret still signs deliveries beside the new one (0: not at all).
WEBHOOK_SECRET_GRACE_HOURS = env.float("WEBHOOK_SECRET_GRACE_HOURS", default=24.0)
# Plain http targets are refused unless this is off (default: off only with DEBUG).
WEBHOOK_REQUIRE_HTTPS = env.bool("WEBHOOK_REQUIRE_HTTPS", default=not _DEBUG)
# Private, loopback, link-local and reserved addresses are refused unless this is on
# (default: on only with DEBUG). The SSRF guard: README, "Outgoing webhooks".
WEBHOOK_ALLOW_PRIVATE_TARGETS = env.bool("WEBHOOK_ALLOW_PRIVATE_TARGETS", default=_DEBUG)
