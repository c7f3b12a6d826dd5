"""The browser a person writes from, as they would name it: "Chrome 156 on Linux".

The Contact Us form fills in "Computer and browser" with this; the raw
User-Agent string is kept on a bug report's ticket for engineers, never shown
in the form. Parsing uses ua-parser (the ua-parser project's reference Python
implementation, whose rules are updated as browsers change); its parser keeps
the strings it has read in a cache, so a returning browser costs nothing.
"""

from __future__ import annotations

import ua_parser
from django.utils.translation import gettext as _

# What the parser calls a browser or system it does not know.
UNKNOWN = "Other"
# macOS has sent "10_15_7" since version 11: a version that would mislead.
FROZEN_VERSIONS = {"Mac OS X"}
USER_AGENT_MAX = 500


def _named(family: str, major: str | None) -> str:
    if not family or family == UNKNOWN:
        return ""
    return f"{family} {major}" if major and family not in FROZEN_VERSIONS else family


def browser_name(user_agent: str) -> str:
    """ "Chrome 156 on Linux", "Mobile Safari 17 on iOS 17"; "" when the browser is unknown."""
    if not user_agent.strip():
        return ""
    domains = ua_parser.Domain.USER_AGENT | ua_parser.Domain.OS
    found = ua_parser.parser(user_agent[:USER_AGENT_MAX], domains)
    browser = _named(found.user_agent.family, found.user_agent.major) if found.user_agent else ""
    system = _named(found.os.family, found.os.major) if found.os else ""
    if browser and system:
        return _("%(browser)s on %(system)s") % {"browser": browser, "system": system}
    return browser or system
