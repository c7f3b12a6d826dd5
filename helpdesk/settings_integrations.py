"""Settings of the outside services the help desk talks to: mail in and out, Slack, GitHub.

Read from the environment like the rest (every variable is in README.md with its
default); ``helpdesk.settings`` takes them all, so they are read as
``django.conf.settings.IMAP_URL`` and so on. Django's own mail backend
(``MAILERS``, ``DEFAULT_FROM_EMAIL``) stays in ``helpdesk.settings``.
"""

from __future__ import annotations

import os

import environ

env = environ.Env()

# --- Email ----------------------------------------------------------------------
# The domain in the Message-ID of every mail we send, so replies can be recognised.
EMAIL_MESSAGE_ID_DOMAIN = env("EMAIL_MESSAGE_ID_DOMAIN", default="helpdesk.localhost")
# The per-ticket reply address ({key} is the ticket's number and a digest of its
# token); empty: DEFAULT_FROM_EMAIL plus-addressed, e.g. support+{key}@helpdesk.localhost.
EMAIL_REPLY_ADDRESS = env("EMAIL_REPLY_ADDRESS", default="")
# Inbound mail: larger mails are kept (their beginning) but not turned into messages.
INBOUND_EMAIL_MAX_BYTES = env.int("INBOUND_EMAIL_MAX_BYTES", default=25 * 1024 * 1024)
# Past this many tickets opened by mail from one address in an hour, new ones are
# not acknowledged (an unrecognised auto-responder would otherwise loop with us).
INBOUND_ACKS_PER_SENDER_PER_HOUR = env.int("INBOUND_ACKS_PER_SENDER_PER_HOUR", default=5)
# A stored mail whose processing was cut short this many times is set aside as failed.
INBOUND_MAX_ATTEMPTS = env.int("INBOUND_MAX_ATTEMPTS", default=3)
INBOUND_EMAIL_MAX_ATTACHMENTS = env.int("INBOUND_EMAIL_MAX_ATTACHMENTS", default=10)
# The authserv-id(s) our own receiving server writes in Authentication-Results
# (e.g. mx.example.org; comma-separated if several): a reply it marks spf/dkim/dmarc=fail
# is held for an agent. Headers with any other id are ignored. Empty: the check is off.
INBOUND_EMAIL_AUTHSERV_ID = env("INBOUND_EMAIL_AUTHSERV_ID", default="")
# The support mailbox, polled by beat: imaps://user:password@host:993/INBOX (TLS) or
# imap+starttls://user:password@host:143/INBOX. Plain imap:// is refused. Empty: off.
IMAP_URL = env("IMAP_URL", default="")
# Processed mail is moved here (created if missing); empty: it is flagged \Seen instead.
IMAP_PROCESSED_FOLDER = env("IMAP_PROCESSED_FOLDER", default="")
# Without a folder, processed mail gets this IMAP keyword (and \Seen); empty: \Seen alone.
# Read directly: django-environ takes a leading "$" for a reference to another variable.
IMAP_PROCESSED_KEYWORD = os.environ.get("IMAP_PROCESSED_KEYWORD", "$HelpdeskProcessed").strip()
# A CA bundle to trust for the IMAP server (a private CA); empty: the system's.
IMAP_CA_FILE = env("IMAP_CA_FILE", default="")
IMAP_TIMEOUT = env.int("IMAP_TIMEOUT", default=30)
IMAP_BATCH_SIZE = env.int("IMAP_BATCH_SIZE", default=50)
# Providers that post inbound mail (django-anymail: /integrations/email/inbound/<esp>/)
# must authenticate with this secret ("user:password", HTTP basic auth); empty: off.
ANYMAIL = {
    "WEBHOOK_SECRET": env("ANYMAIL_WEBHOOK_SECRET", default=""),
    "MAILGUN_WEBHOOK_SIGNING_KEY": env("ANYMAIL_MAILGUN_WEBHOOK_SIGNING_KEY", default=""),
}

# --- Slack and GitHub (off while their tokens are empty) -------------------------
SLACK_BOT_TOKEN = env("SLACK_BOT_TOKEN", default="")
SLACK_SIGNING_SECRET = env("SLACK_SIGNING_SECRET", default="")
SLACK_URGENT_CHANNEL = env("SLACK_URGENT_CHANNEL", default="")
SLACK_API_URL = env("SLACK_API_URL", default="https://slack.com/api/")
# Impacts (slugs) whose new tickets alert the Slack channel; add "significant" to watch both.
SLACK_ALERT_IMPACTS = env.list("SLACK_ALERT_IMPACTS", default=["critical"])
# Seconds a worker waits for one Slack API call (never a web request: the outbox sends).
SLACK_TIMEOUT = env.int("SLACK_TIMEOUT", default=10)
GITHUB_TOKEN = env("GITHUB_TOKEN", default="")
GITHUB_WEBHOOK_SECRET = env("GITHUB_WEBHOOK_SECRET", default="")
GITHUB_API_URL = env("GITHUB_API_URL", default="https://api.github.com")
# Seconds a worker waits for one GitHub API call (never a web request: the outbox files).
GITHUB_TIMEOUT = env.int("GITHUB_TIMEOUT", default=15)
# Whose comments on an escalation issue count as L2's (GitHub's author_association).
GITHUB_L2_ASSOCIATIONS = [
    value.upper()
    for value in env.list("GITHUB_L2_ASSOCIATIONS", default=["OWNER", "MEMBER", "COLLABORATOR"])
]
# Labels on an escalation issue whose adding or removing is news for the partner (any case).
GITHUB_PROGRESS_LABELS = env.list(
    "GITHUB_PROGRESS_LABELS",
    default=["in progress", "fix ready", "workaround", "needs info", "released"],
)
