"""A fake "Akvo Flow" page that embeds the help widget, for ``make run`` and the browser test.

The widget is meant for another site's pages, so the demo page is served from
another origin than the help desk: opened at ``http://localhost:8000`` it embeds
the help desk at ``http://127.0.0.1:8000`` (and the other way round). It sends the
policy a real host page needs: scripts and frames from the help desk allowed.
``?lang=fr`` plays a French page: widget.js gets ``data-lang="fr"``.
Served only when ``WIDGET_DEMO_PAGE`` is on (by default with DEBUG).
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from catalog.models import Product

# The demo's two names for this machine: the page on one, the help desk on the other.
OTHER_HOST = {"localhost": "127.0.0.1", "127.0.0.1": "localhost"}
# A language tag as a page would write it in data-lang (fr, pt-BR); anything else is dropped.
LANGUAGE_TAG = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})?$")


def helpdesk_origin(request: HttpRequest) -> str:
    """The help desk as seen from the demo page: the same server under its other name."""
    parts = urlsplit(f"//{request.get_host()}")
    host = parts.hostname or ""
    port = f":{parts.port}" if parts.port else ""
    return f"{request.scheme}://{OTHER_HOST.get(host, host)}{port}"


@require_GET
def host_page(request: HttpRequest, product: str) -> HttpResponse:
    if not settings.WIDGET_DEMO_PAGE:
        raise Http404("The widget's demo page is off (WIDGET_DEMO_PAGE).")
    found = Product.objects.active().filter(slug=product).first()
    if found is None:
        raise Http404("No such product.")
    origin = helpdesk_origin(request)
    lang = request.GET.get("lang", "")
    response = render(
        request,
        "demo/widget_host.html",
        {
            "product": found,
            "helpdesk_origin": origin,
            "lang": lang if LANGUAGE_TAG.match(lang) else "",
        },
    )
    # What a real product page adds to its own policy to embed the widget.
    policy: dict[str, Any] = dict(settings.SECURE_CSP)
    policy["script-src"] = [*policy["script-src"], origin]
    policy["frame-src"] = [origin]
    response._csp_config = policy  # type: ignore[attr-defined]
    return response
