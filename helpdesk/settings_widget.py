"""Settings of the in-product help widget (portal/widget.py, static/js/widget.js).

``WIDGET_ALLOWED_ORIGINS`` says which web origins may embed each product's widget:
they may frame its pages (``frame-ancestors``) and hand it their context through
``postMessage``; the frame ignores messages from any other origin. The format, in
the environment::

    WIDGET_ALLOWED_ORIGINS="akvo-flow=https://app.akvoflow.org,https://demo.akvoflow.org;akvo-rsr=https://rsr.akvo.org"

products separated by ``;``, each a product's slug, ``=``, and its origins separated
by ``,`` (scheme, host and port only: no path, no wildcard). A product that is not
named has no widget page. A malformed value stops the start with a clear message.

``WIDGET_DEMO_PAGE`` serves a fake "Akvo Flow" page embedding the widget (on by
default with DEBUG, for ``make run``).
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import environ
from django.core.exceptions import ImproperlyConfigured

env = environ.Env()

_SLUG = re.compile(r"^[-a-zA-Z0-9_]+$")


def origin_valid(origin: str) -> bool:
    """An origin as browsers send it: http(s), a host, maybe a port; nothing else."""
    try:
        parts = urlsplit(origin)
        parts.port  # noqa: B018 - raises on a port that is not a number
    except ValueError:
        return False
    return (
        parts.scheme in ("http", "https")
        and bool(parts.hostname)
        and "*" not in origin
        and not parts.username
        and not parts.password
        and origin == f"{parts.scheme}://{parts.netloc}"
    )


def parse_allowed_origins(text: str) -> dict[str, tuple[str, ...]]:
    """``slug=origin,origin;slug=origin`` as {slug: origins}; ImproperlyConfigured if wrong."""
    allowed: dict[str, tuple[str, ...]] = {}
    for entry in filter(None, (part.strip() for part in text.split(";"))):
        slug, equals, origins_text = entry.partition("=")
        slug = slug.strip()
        if not equals or not _SLUG.match(slug):
            raise ImproperlyConfigured(
                f"WIDGET_ALLOWED_ORIGINS: {entry!r} should be a product's slug, '=' and "
                "its origins, e.g. akvo-flow=https://app.akvoflow.org"
            )
        origins = [origin.strip().rstrip("/") for origin in origins_text.split(",")]
        origins = [origin for origin in origins if origin]
        bad = [origin for origin in origins if not origin_valid(origin)]
        if bad or not origins:
            raise ImproperlyConfigured(
                f"WIDGET_ALLOWED_ORIGINS: the origins of {slug!r} should be like "
                f"https://app.example.org (scheme, host, port; no path): {', '.join(bad) or 'none'}"
            )
        allowed[slug] = tuple(dict.fromkeys([*allowed.get(slug, ()), *origins]))
    return allowed


WIDGET_ALLOWED_ORIGINS = parse_allowed_origins(env("WIDGET_ALLOWED_ORIGINS", default=""))
WIDGET_DEMO_PAGE = env.bool("WIDGET_DEMO_PAGE", default=env.bool("DEBUG", default=False))
