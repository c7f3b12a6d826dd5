"""The real settings, plus the test-only tasks of :mod:`tests.crash_tasks` for the worker."""

from helpdesk.settings import *  # noqa: F403 - the real settings, unchanged

CELERY_IMPORTS = ["tests.crash_tasks"]
