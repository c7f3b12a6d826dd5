"""Settings for the app under load: production's, plus the trivial view and no form limits.

DEBUG, SECRET_KEY, ALLOWED_HOSTS and the database come from the environment the
harness gives gunicorn. The Contact Us rate limits and minimum fill time are off,
since one address sends thousands of forms a minute here.
"""

from helpdesk.settings import *  # noqa: F403 - the production settings, amended below

ROOT_URLCONF = "bench.urls"
PORTAL_MIN_FILL_SECONDS = 0
PORTAL_SUBMISSIONS_PER_IP_PER_HOUR = 0
PORTAL_SUBMISSIONS_PER_EMAIL_PER_HOUR = 0
PORTAL_FORM_POSTS_PER_IP_PER_HOUR = 0
