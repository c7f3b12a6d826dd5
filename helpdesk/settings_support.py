"""Settings of the support work itself: SLA calendars, notices to staff, the portal's limits.

Read from the environment like the rest (every variable is in README.md with its
default); ``helpdesk.settings`` takes them all.
"""

from __future__ import annotations

import environ

env = environ.Env()

# --- SLA ----------------------------------------------------------------------
# Tickets without a hub are timed on this calendar (Monday to Friday).
SLA_DEFAULT_TIME_ZONE = env("SLA_DEFAULT_TIME_ZONE", default="UTC")
SLA_DEFAULT_WORK_STARTS = env("SLA_DEFAULT_WORK_STARTS", default="09:00")
SLA_DEFAULT_WORK_ENDS = env("SLA_DEFAULT_WORK_ENDS", default="17:00")
SLA_DEFAULT_HOLIDAY_COUNTRY = env("SLA_DEFAULT_HOLIDAY_COUNTRY", default="")
# Staff without a time zone of their own or a hub read desk times in this zone.
DESK_DEFAULT_TIME_ZONE = env("DESK_DEFAULT_TIME_ZONE", default=env("TIME_ZONE", default="UTC"))
# SLA warnings and breaches of unassigned tickets go here; if empty, to every L1 agent.
SUPPORT_TEAM_EMAIL = env("SUPPORT_TEAM_EMAIL", default="")
# Customer replies within this many minutes of the last notice about them add no new
# notice: a requester who sends five short messages in a row is one email to the agent.
CUSTOMER_REPLY_NOTICE_MINUTES = env.int("CUSTOMER_REPLY_NOTICE_MINUTES", default=10)

# --- Portal (Contact Us form and the requester's ticket page) -------------------
# Files one request or reply may carry; each is also held to ATTACHMENT_MAX_BYTES.
ATTACHMENT_MAX_FILES = env.int("ATTACHMENT_MAX_FILES", default=5)
# All the files on one message together (a mail with many big files is refused whole).
ATTACHMENT_MAX_TOTAL_BYTES = env.int("ATTACHMENT_MAX_TOTAL_BYTES", default=25 * 1024 * 1024)
# Files held between the form and its review step are removed after this long.
PORTAL_DRAFT_MAX_AGE_HOURS = env.int("PORTAL_DRAFT_MAX_AGE_HOURS", default=24)
# A half-filled Contact Us form left this long is discarded (shared laptops).
PORTAL_DRAFT_IDLE_MINUTES = env.int("PORTAL_DRAFT_IDLE_MINUTES", default=120)
# A form sent back faster than this is asked to confirm on its review step.
PORTAL_MIN_FILL_SECONDS = env.int("PORTAL_MIN_FILL_SECONDS", default=3)
# Rate limits per hour (0 turns one off). They count in the cache and let
# requests through if the cache is down.
PORTAL_SUBMISSIONS_PER_IP_PER_HOUR = env.int("PORTAL_SUBMISSIONS_PER_IP_PER_HOUR", default=10)
PORTAL_SUBMISSIONS_PER_EMAIL_PER_HOUR = env.int("PORTAL_SUBMISSIONS_PER_EMAIL_PER_HOUR", default=5)
PORTAL_FORM_POSTS_PER_IP_PER_HOUR = env.int("PORTAL_FORM_POSTS_PER_IP_PER_HOUR", default=60)
PORTAL_LINK_REQUESTS_PER_HOUR = env.int("PORTAL_LINK_REQUESTS_PER_HOUR", default=5)
PORTAL_REPLIES_PER_TICKET_PER_HOUR = env.int("PORTAL_REPLIES_PER_TICKET_PER_HOUR", default=30)
