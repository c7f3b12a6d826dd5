"""WCAG 2.1 contrast of colours as the browser renders them (``getComputedStyle`` values).

A translucent colour (Bootstrap's navbar links are white at 55 %) is what it looks
like over its background, so it is blended first, as the eye sees it.
"""

from __future__ import annotations

import re

_RGB = re.compile(r"rgba?\(\s*([\d.]+)[,\s]+([\d.]+)[,\s]+([\d.]+)(?:\s*[,/]\s*([\d.]+%?))?\s*\)")

Colour = tuple[float, float, float]


def parse(css: str) -> tuple[Colour, float]:
    """``rgb(…)`` or ``rgba(…)`` as (red, green, blue) from 0 to 255 and alpha from 0 to 1."""
    found = _RGB.fullmatch(css.strip())
    if found is None:
        raise ValueError(f"not an rgb() colour: {css!r}")
    red, green, blue, alpha = found.groups()
    if alpha is None:
        opacity = 1.0
    elif alpha.endswith("%"):
        opacity = float(alpha[:-1]) / 100
    else:
        opacity = float(alpha)
    return (float(red), float(green), float(blue)), opacity


def over(colour: str, background: str) -> Colour:
    """``colour`` as seen over the opaque ``background``."""
    (front, alpha), (back, _opaque) = parse(colour), parse(background)
    red, green, blue = (alpha * f + (1 - alpha) * b for f, b in zip(front, back, strict=True))
    return red, green, blue


def luminance(colour: Colour) -> float:
    """Relative luminance (WCAG 2.1, from sRGB)."""

    def linear(channel: float) -> float:
        value = channel / 255
        return value / 12.92 if value <= 0.04045 else ((value + 0.055) / 1.055) ** 2.4

    red, green, blue = (linear(c) for c in colour)
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


def contrast(colour: str, background: str) -> float:
    """The contrast ratio of ``colour`` (maybe translucent) over an opaque ``background``."""
    lighter, darker = sorted(
        (luminance(over(colour, background)), luminance(parse(background)[0])), reverse=True
    )
    return (lighter + 0.05) / (darker + 0.05)
