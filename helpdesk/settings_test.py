"""Test settings: the real settings, with test-only shortcuts that do not change behaviour."""

import hashlib
import os
import secrets
from pathlib import Path

os.environ.setdefault("SECRET_KEY", "test-only-secret-key-not-for-production-use-0123456789abcdef")
# Everything a test run writes stays inside this checkout (var/test), never at a
# machine-wide path: two checkouts test side by side without sharing a database file.
# Each test also gets its own MEDIA_ROOT (conftest).
_CHECKOUT = Path(__file__).resolve().parent.parent
os.environ.setdefault("HELPDESK_VAR_DIR", str(_CHECKOUT / "var" / "test"))
# The broker the environment names (Redis on CI) is kept for the delivery tests
# that need a real one; every other test publishes to an in-memory broker, so no
# test reaches a broker by accident.
REAL_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "")
os.environ["CELERY_BROKER_URL"] = os.environ.get("TEST_CELERY_BROKER_URL", "memory://localhost/")

from helpdesk.settings import *  # noqa: E402, F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
SECURE_SSL_REDIRECT = False
# Tests see every change in the counts at once; tests/test_queue_count_cache.py turns it on.
DESK_COUNTS_CACHE_SECONDS = 0
CELERY_BROKER_URL = os.environ["CELERY_BROKER_URL"]
# One cache namespace per test run (this process): rate-limit counters and locks
# never meet another run's or another checkout's on a shared Redis, and the
# conftest empties only this namespace around each test (never FLUSHDB, which
# would empty everyone's).
_RUN = f"test-{os.getpid()}-{secrets.token_hex(4)}"
# The same name prefixes the keys of the tests that use the real Redis broker.
TEST_RUN_ID = _RUN
for _cache in CACHES.values():  # noqa: F405
    _cache["KEY_PREFIX"] = ":".join(filter(None, [_cache.get("KEY_PREFIX", ""), _RUN]))
# Tests serve static files from the finders, as `make run` does; production
# serves the collected, hashed files (collectstatic in the image build).
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    # A file, not SQLite's shared in-memory database: tests that run a worker thread
    # need real locking with a busy timeout, as the embedded setup has.
    DATABASES["default"]["TEST"] = {"NAME": os.path.join(VAR_DIR, "test.sqlite3")}  # noqa: F405
else:
    # One test database per checkout: two checkouts pointed at the same server (or two
    # runs of CI on one machine) never create and drop each other's database.
    _checkout = hashlib.sha256(str(_CHECKOUT).encode()).hexdigest()[:8]
    DATABASES["default"]["TEST"] = {  # noqa: F405
        "NAME": f"test_{DATABASES['default']['NAME']}_{_checkout}"  # noqa: F405
    }
