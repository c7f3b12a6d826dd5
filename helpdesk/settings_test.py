"""Test settings: the real settings, with test-only shortcuts that do not change behaviour."""

import os
import tempfile

os.environ.setdefault("SECRET_KEY", "test-only-secret-key-not-for-production-use-0123456789abcdef")
# Tests keep nothing of value under var/; each test gets its own MEDIA_ROOT (conftest).
os.environ.setdefault("HELPDESK_VAR_DIR", os.path.join(tempfile.gettempdir(), "helpdesk-tests"))
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
CELERY_BROKER_URL = os.environ["CELERY_BROKER_URL"]
# Tests serve static files from the finders, as `make run` does; production
# serves the collected, hashed files (collectstatic in the image build).
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    # A file, not SQLite's shared in-memory database: tests that run a worker thread
    # need real locking with a busy timeout, as the embedded setup has.
    DATABASES["default"]["TEST"] = {"NAME": os.path.join(VAR_DIR, "test.sqlite3")}  # noqa: F405
