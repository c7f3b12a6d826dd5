"""The languages the help desk speaks (README "Languages"), imported by helpdesk.settings.

The public pages, the knowledge base's chrome and every mail to requesters are
offered in these; English pages keep unprefixed addresses, the others carry their
code (/fr/, /es/, /pt-br/). The catalogues are locale/<lang>/LC_MESSAGES/django.po
(`make messages`), compiled by `make install`.
"""

from pathlib import Path

from django.utils.translation import gettext_lazy as _

LANGUAGE_CODE = "en"
LANGUAGES = [
    ("en", _("English")),
    ("fr", _("French")),
    ("es", _("Spanish")),
    ("pt-br", _("Brazilian Portuguese")),
]
LOCALE_PATHS = [Path(__file__).resolve().parent.parent / "locale"]
USE_I18N = True

# The switcher's choice, remembered for a year; sent on same-site navigation only.
# (LANGUAGE_COOKIE_SECURE follows DEBUG, in helpdesk.settings.)
LANGUAGE_COOKIE_NAME = "helpdesk_language"
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600
LANGUAGE_COOKIE_SAMESITE = "Lax"
LANGUAGE_COOKIE_HTTPONLY = True
