"""Settings of the portal's look (helpdesk/theme.py): its name, a logo and a colour.

Read from the environment like the rest (every variable is in README.md with its
default); ``helpdesk.settings`` takes them all. Empty keeps the default look:
the name "Support", no logo, Bootstrap's blue.
"""

from __future__ import annotations

import environ

from helpdesk.theme import theme_color

env = environ.Env()

HELPDESK_SITE_NAME = env("HELPDESK_SITE_NAME", default="")
# Same origin only: the Content-Security-Policy lets images come from the site itself.
HELPDESK_LOGO_URL = env("HELPDESK_LOGO_URL", default="")
# A hex colour dark enough for white text on it (4.5:1), checked here, at start.
HELPDESK_PRIMARY_COLOR = theme_color(env("HELPDESK_PRIMARY_COLOR", default=""))
