"""The site's small theme: its name, a logo and a primary colour, set from settings.

Left unset, every page looks as it always did: the name "Support", no logo and
Bootstrap's blue. The values come from settings only (no database), so the
error pages can use them too, even the 500 page, rendered without a request.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest
from django.utils.translation import gettext as _

# Bootstrap's primary colour: what the pages have always used.
DEFAULT_PRIMARY_COLOR = "#0d6efd"
_HEX_COLOR = re.compile(r"#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})")
# White text sits on the primary colour (the navigation bar, buttons): WCAG AA asks
# 4.5:1 for normal text. Bootstrap's blue just makes it (4.50:1).
MIN_CONTRAST_WITH_WHITE = 4.5


@dataclass(frozen=True)
class Theme:
    site_name: str
    logo_url: str
    # Only a configured colour is written into the page; empty keeps the stylesheet's.
    primary_color: str

    @property
    def primary_rgb(self) -> str:
        """The colour as "r, g, b", the form Bootstrap's ``--bs-primary-rgb`` takes."""
        return ", ".join(str(part) for part in _rgb(self.browser_color))

    def primary_shade(self, weight: int) -> str:
        """The colour mixed with ``weight`` % black, as Bootstrap's ``shade-color()``
        darkens a button when hovered (15, 20) and pressed (20, 25)."""
        return "#" + "".join(
            f"{round(part * (100 - weight) / 100):02x}" for part in _rgb(self.browser_color)
        )

    def primary_tint(self, weight: int) -> str:
        """The colour mixed with ``weight`` % white (Bootstrap's subtle borders, 60)."""
        return "#" + "".join(
            f"{round(part + (255 - part) * weight / 100):02x}" for part in _rgb(self.browser_color)
        )

    @property
    def primary_border_subtle(self) -> str:
        return self.primary_tint(60)

    @property
    def primary_hover(self) -> str:
        return self.primary_shade(15)

    @property
    def primary_active(self) -> str:
        return self.primary_shade(20)

    @property
    def primary_active_border(self) -> str:
        return self.primary_shade(25)

    @property
    def browser_color(self) -> str:
        """For ``<meta name="theme-color">``: a phone's address bar in the site's colour."""
        return self.primary_color or DEFAULT_PRIMARY_COLOR


def theme_color(value: str) -> str:
    """A colour from the environment, checked as a hex colour ("#1a5c3e") or empty.

    Checked when the settings load, because the value is written into a style
    element: anything but a hex colour could end it.
    """
    value = value.strip()
    if not value:
        return ""
    if not _HEX_COLOR.fullmatch(value):
        raise ImproperlyConfigured(
            f"HELPDESK_PRIMARY_COLOR must be a hex colour such as #1a5c3e, not {value!r}."
        )
    ratio = contrast_with_white(value)
    if ratio < MIN_CONTRAST_WITH_WHITE:
        raise ImproperlyConfigured(
            f"HELPDESK_PRIMARY_COLOR {value} is too light for the white text on it "
            f"({ratio:.2f}:1; at least {MIN_CONTRAST_WITH_WHITE}:1 is needed). "
            "Choose a darker colour."
        )
    return value.lower()


def contrast_with_white(color: str) -> float:
    """WCAG 2 contrast ratio between white and ``color``."""

    def linear(part: int) -> float:
        channel = part / 255
        return channel / 12.92 if channel <= 0.03928 else ((channel + 0.055) / 1.055) ** 2.4

    red, green, blue = (linear(part) for part in _rgb(color))
    luminance = 0.2126 * red + 0.7152 * green + 0.0722 * blue
    return 1.05 / (luminance + 0.05)


def _rgb(color: str) -> tuple[int, int, int]:
    digits = color.removeprefix("#")
    if len(digits) == 3:
        digits = "".join(digit * 2 for digit in digits)
    red, green, blue = (int(digits[at : at + 2], 16) for at in (0, 2, 4))
    return red, green, blue


def current_theme() -> Theme:
    """The theme the settings describe, with the name in the active language if unset."""
    return Theme(
        site_name=settings.HELPDESK_SITE_NAME or _("Support"),
        logo_url=settings.HELPDESK_LOGO_URL,
        primary_color=settings.HELPDESK_PRIMARY_COLOR,
    )


def theme(request: HttpRequest | None = None) -> dict[str, Any]:
    """Context processor: ``theme`` on every page rendered with a request."""
    return {"theme": current_theme()}
