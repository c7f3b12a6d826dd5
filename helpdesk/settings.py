"""Settings for the help desk, read from the environment only (12-factor).

Every variable is documented in README.md with its default. The defaults are the
embedded development setup: SQLite and a filesystem Celery broker under ``var/``,
so ``make run`` needs no services.
"""

from __future__ import annotations

import secrets
from datetime import timedelta
from pathlib import Path

import environ
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

from helpdesk.settings_api import *  # noqa: F403 - the REST API's: tokens, rate limit (api/)
from helpdesk.settings_database import behind_pooler

# Mail in and out, Slack and GitHub: their settings are kept beside this module.
from helpdesk.settings_integrations import *  # noqa: F403 - they are settings like these
from helpdesk.settings_languages import *  # noqa: F403 - likewise
from helpdesk.settings_support import *  # noqa: F403 - likewise
from helpdesk.settings_theme import *  # noqa: F403 - likewise: the portal's name, logo, colour
from helpdesk.settings_webhooks import *  # noqa: F403 - likewise: outgoing webhooks
from helpdesk.settings_widget import *  # noqa: F403 - likewise: the help widget's origins
from helpdesk.settings_workers import *  # noqa: F403 - likewise: queues, the worker's broker

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()

VAR_DIR = Path(env("HELPDESK_VAR_DIR", default=str(BASE_DIR / "var"))).resolve()
VAR_DIR.mkdir(parents=True, exist_ok=True)

DEBUG = env.bool("DEBUG", default=False)


def _development_secret_key(path: Path) -> str:
    """Generate a secret key once and keep it, so sessions survive restarts."""
    if not path.exists():
        path.write_text(secrets.token_urlsafe(64))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = env("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is required when DEBUG is off. Set it to a long random string, "
            "e.g. the output of: python -c 'import secrets; print(secrets.token_urlsafe(64))'"
        )
    SECRET_KEY = _development_secret_key(VAR_DIR / "secret_key")

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
CSRF_FAILURE_VIEW = "helpdesk.views.csrf_failure"  # the site's page, saying why

# The public address of the help desk, used for links in emails and GitHub issues.
SITE_URL = env("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    # Search vectors, GIN and trigram indexes of the knowledge base (PostgreSQL;
    # harmless on SQLite, where kb.search matches words instead).
    "django.contrib.postgres",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_htmx",
    "axes",
    "catalog",
    "kb",
    "tickets",
    "integrations",
    "integrations.email",
    "integrations.github",
    "integrations.slack",
    "integrations.webhooks",
    "portal",
    "desk",
    "reports",
    "api",
    "ninja",  # its templates and static files: the API docs without a CDN
    # Above everything, imported by nothing: the seed_demo command and its generators.
    "demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # WhiteNoise, then Django's CSP with its header built once (helpdesk/middleware.py).
    # Small middlewares are merged into one layer each: under gunicorn a layer cost
    # about as much as its work (bench/README.md, issue 17).
    "helpdesk.middleware.StaticFilesAndPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # (LocaleMiddleware goes here when there is more than one language: see LANGUAGES.)
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    # Auth, messages (lazily), django-htmx and the staff time zone, in one layer (desk).
    "desk.middleware.RequestAttributesMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: it turns a lockout into a clear response.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "helpdesk.urls"
WSGI_APPLICATION = "helpdesk.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.csp",
                "django.template.context_processors.i18n",  # LANGUAGE_CODE for <html lang>
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "helpdesk.theme.theme",
            ],
        },
    },
]

# --- Database -----------------------------------------------------------------
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'helpdesk.sqlite3'}"),
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The web server, the worker and beat share one file: WAL lets readers and a
    # writer work at once, and IMMEDIATE transactions wait instead of failing.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "init_command": (
                "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"
            ),
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
        }
    )
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault(
        "connect_timeout", env.int("DATABASE_CONNECT_TIMEOUT", default=5)
    )
    # PgBouncer in transaction mode: no server-side cursors (helpdesk/settings_database.py).
    behind_pooler(DATABASES["default"], env("DATABASE_POOLER", default=""))

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache --------------------------------------------------------------------
CACHES = {"default": env.cache_url("CACHE_URL", default="locmemcache://")}
if CACHES["default"]["BACKEND"] == "django.core.cache.backends.redis.RedisCache":
    # A Redis outage must slow nothing down for long: fail fast, the caller falls
    # back. Django's backend, with each call skipped while this Redis is paused after
    # a failure or once the request's wait budget is spent (helpdesk/cache.py).
    CACHES["default"]["BACKEND"] = "helpdesk.cache.GuardedRedisCache"
    CACHES["default"].setdefault("OPTIONS", {}).update(
        {
            "socket_connect_timeout": env.float("CACHE_TIMEOUT", default=0.5),
            "socket_timeout": env.float("CACHE_TIMEOUT", default=0.5),
        }
    )
# After a cache call failed, this process leaves the cache alone for this long.
CACHE_FAILURE_PAUSE_SECONDS = env.float("CACHE_FAILURE_PAUSE_SECONDS", default=15)
# The most one web request waits on the cache and the broker together: once spent,
# their calls are skipped (helpdesk/network_budget.py). A call already started may
# still take its own timeout (CACHE_TIMEOUT, CELERY_BROKER_TIMEOUT).
NETWORK_WAIT_BUDGET_SECONDS = env.float("NETWORK_WAIT_BUDGET_SECONDS", default=0.5)

# How long the desk's queue counts are kept in the cache (0: counted on every page).
DESK_COUNTS_CACHE_SECONDS = env.int("DESK_COUNTS_CACHE_SECONDS", default=5)
# Sessions and login lockouts live in the database, so a cache outage never
# logs people out or turns a request into an error.
SESSION_ENGINE = "helpdesk.sessions"  # Django's database sessions (see that module)

# --- Authentication -----------------------------------------------------------
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "desk.backends.StaffProfileBackend",  # ModelBackend, loading the staff profile with the user
    "django.contrib.auth.backends.ModelBackend",  # sessions from before it stay signed in
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "admin:login"
LOGIN_REDIRECT_URL = "signed_in"  # when ``next`` is missing or off-site

AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
# The client's address comes from X-Forwarded-For only behind a known number of
# proxies; otherwise anyone could rotate that header to dodge the lockout.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
AXES_CLIENT_IP_CALLABLE = "helpdesk.client_ip.client_ip"

# --- Internationalisation -----------------------------------------------------
# The languages, the switcher's cookie and the catalogues: helpdesk/settings_languages.py.
if len(LANGUAGES) > 1:  # noqa: F405 - from settings_languages
    # With one language there is nothing to negotiate, and the middleware cost
    # about a fifth of a trivial request (bench/middleware.py). Ours is Django's, plus
    # a redirect of an unprefixed public page to the reader's language (helpdesk.language).
    MIDDLEWARE.insert(
        MIDDLEWARE.index("django.contrib.sessions.middleware.SessionMiddleware") + 1,
        "helpdesk.language.PortalLocaleMiddleware",
    )
LANGUAGE_COOKIE_SECURE = not DEBUG  # as the session cookie (Security, below)
TIME_ZONE = env("TIME_ZONE", default="UTC")
USE_I18N = True
USE_TZ = True

# --- Static files and uploads -------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)  # WhiteNoise expects it, even before collectstatic
# static/vendor/ (Bootstrap, htmx) is copied from npm's lock by `make install`.
STATICFILES_DIRS: list[Path | tuple[str, Path]] = [BASE_DIR / "static"]

# Uploaded files (attachments, article images) are kept outside the code tree and
# are never served by URL directly: views check access first.
MEDIA_ROOT = Path(env("MEDIA_ROOT", default=str(VAR_DIR / "media")))
MEDIA_URL = "/media/"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = DEBUG
ATTACHMENT_MAX_BYTES = env.int("ATTACHMENT_MAX_BYTES", default=10 * 1024 * 1024)
FILE_UPLOAD_PERMISSIONS = 0o640

# --- Security -----------------------------------------------------------------
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF, CSP.NONCE],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF, "data:"],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
if env("SECURE_PROXY_SSL_HEADER", default=""):
    SECURE_PROXY_SSL_HEADER = tuple(env.list("SECURE_PROXY_SSL_HEADER"))
if not DEBUG:
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31_536_000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
    SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]

# --- Email --------------------------------------------------------------------
# EMAIL_URL picks the backend (django-environ's schemes): smtp://, smtp+tls://,
# smtps://, consolemail://, filemail:// (files under var/mail), memorymail://.
_email = env.email_url("EMAIL_URL", default="consolemail://")
_mail_options: dict[str, object] = {}
if _email["EMAIL_BACKEND"] == "django.core.mail.backends.smtp.EmailBackend":
    _mail_options = {
        "host": _email.get("EMAIL_HOST") or "localhost",
        "port": _email.get("EMAIL_PORT") or 25,
        "username": _email.get("EMAIL_HOST_USER", ""),
        "password": _email.get("EMAIL_HOST_PASSWORD", ""),
        "use_tls": bool(_email.get("EMAIL_USE_TLS", False)),
        "use_ssl": bool(_email.get("EMAIL_USE_SSL", False)),
        "timeout": env.int("EMAIL_TIMEOUT", default=15),
    }
elif _email["EMAIL_BACKEND"] == "django.core.mail.backends.filebased.EmailBackend":
    _mail_options = {"file_path": _email.get("EMAIL_FILE_PATH") or str(VAR_DIR / "mail")}
MAILERS = {"default": {"BACKEND": _email["EMAIL_BACKEND"], "OPTIONS": _mail_options}}
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="Support <support@helpdesk.localhost>")
SERVER_EMAIL = env("SERVER_EMAIL", default=DEFAULT_FROM_EMAIL)

# --- Celery -------------------------------------------------------------------
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default="filesystem://localhost/")
# A broker that is down or hung must never hold a web request: publishing tries
# once with short timeouts and gives up; the outbox sweeper delivers later.
REDIS_BROKER_TRANSPORT_OPTIONS = {
    "socket_connect_timeout": env.float("CELERY_BROKER_TIMEOUT", default=1.0),
    "socket_timeout": env.float("CELERY_BROKER_TIMEOUT", default=1.0),
    "max_retries": 1,
    "interval_start": 0,
    "visibility_timeout": 3600,
}
# The worker process is patient instead (helpdesk.settings_workers).
CELERY_BROKER_TRANSPORT_OPTIONS: dict[str, object] = {}
if CELERY_BROKER_URL.startswith("filesystem://"):
    _broker_dir = VAR_DIR / "broker"
    (_broker_dir / "queue").mkdir(parents=True, exist_ok=True)
    (_broker_dir / "processed").mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir / "queue"),
        "data_folder_out": str(_broker_dir / "queue"),
        "processed_folder": str(_broker_dir / "processed"),
        "control_folder": str(_broker_dir / "control"),
        "store_processed": False,
    }
elif CELERY_BROKER_URL.startswith(("redis://", "rediss://")):
    CELERY_BROKER_TRANSPORT_OPTIONS = REDIS_BROKER_TRANSPORT_OPTIONS
CELERY_BROKER_CONNECTION_TIMEOUT = env.float("CELERY_BROKER_TIMEOUT", default=1.0)
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Web processes keep their broker connections (Celery's pool); the short timeouts above
# still bound a hung broker, a failed hand-over pauses publishing (tickets/outbox.py).
CELERY_BROKER_POOL_LIMIT = env.int("CELERY_BROKER_POOL_LIMIT", default=10)
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
# A task whose worker is lost this many times is given up, not requeued for ever
# (tickets/task_guard.py).
TASK_MAX_DELIVERIES = env.int("TASK_MAX_DELIVERIES", default=3)
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_ALWAYS_EAGER = False
CELERY_TIMEZONE = "UTC"
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
CELERY_BEAT_SCHEDULE = {
    "outbox-sweep": {
        "task": "tickets.tasks.outbox_sweep",
        "schedule": timedelta(seconds=env.int("OUTBOX_SWEEP_SECONDS", default=60)),
    },
    "outbox-purge-delivered": {
        "task": "tickets.tasks.outbox_purge_delivered",
        "schedule": crontab(minute=17, hour=3),
    },
    "sla-check": {
        "task": "tickets.tasks.sla_check",
        "schedule": timedelta(seconds=env.int("SLA_CHECK_SECONDS", default=60)),
    },
    "mail-poll": {
        "task": "integrations.email.tasks.mail_poll",
        "schedule": timedelta(seconds=env.int("IMAP_POLL_SECONDS", default=60)),
    },
    # Open escalation issues read back from GitHub, for what a missed webhook would bring.
    "github-reconcile": {
        "task": "integrations.github.tasks.github_reconcile",
        "schedule": timedelta(minutes=env.int("GITHUB_RECONCILE_MINUTES", default=15)),
    },
    **API_BEAT_SCHEDULE,  # noqa: F405 - from settings_api: the API's nightly purge
}
# The outbox and worker health settings are in helpdesk.settings_workers.

# --- Help desk ----------------------------------------------------------------
TICKET_REFERENCE_PREFIX = env("TICKET_REFERENCE_PREFIX", default="HD")
# Resolved tickets without a reply from the requester close after this many days.
AUTO_CLOSE_DAYS = env.int("AUTO_CLOSE_DAYS", default=7)
CELERY_BEAT_SCHEDULE["tickets-auto-close"] = {
    "task": "tickets.tasks.tickets_auto_close",
    "schedule": crontab(minute=42),  # hourly; each run closes what is due
}

# The SLA and portal settings are in helpdesk.settings_support.
CELERY_BEAT_SCHEDULE["portal-purge-drafts"] = {
    "task": "portal.tasks.portal_purge_drafts",
    "schedule": timedelta(hours=1),
}

# --- Forms --------------------------------------------------------------------
CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# --- Logging ------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "axes": {"level": "WARNING"},
    },
}
