"""Settings of the rehearsal's web replicas: production's, minus the limits meant for people.

One loopback address sends every Contact Us form of the run, so the per-address
rate limits and the minimum fill time are off (as in the load test). Static files
are named, not served: no ``collectstatic`` is needed before the run.
"""

from helpdesk.settings import *  # noqa: F403 - the production settings, amended below

PORTAL_MIN_FILL_SECONDS = 0
PORTAL_SUBMISSIONS_PER_IP_PER_HOUR = 0
PORTAL_SUBMISSIONS_PER_EMAIL_PER_HOUR = 0
PORTAL_FORM_POSTS_PER_IP_PER_HOUR = 0
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
