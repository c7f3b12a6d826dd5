"""The help widget's pages: what a product's page shows in its frame (static/js/widget.js).

A product page includes ``widget.js``; its "Help" button opens these pages in an
iframe: search the product's articles (suggestions as one types), then a short
Contact Us (:class:`portal.widget_forms.WidgetContactForm`) that the host page's
context fills in (``static/js/widget-frame.js`` takes it from ``postMessage``, from
the origins allowed for the product only), a review, and the reference.

Only these pages may be framed, and only by the product's allowed origins
(``WIDGET_ALLOWED_ORIGINS``, helpdesk/settings_widget.py): their
``frame-ancestors`` names them and they carry no ``X-Frame-Options``. Every other
page of the site stays unframeable.

The frame is a third-party context on the host's page, where browsers send the
help desk no cookies: these pages keep no session (what was typed travels in the
form, signed start time and one-time submission key included) and never act as
the signed-in user (articles are searched as anonymous). The form's posts are
taken from the help desk's own pages only (:func:`posted_from_here`), so another
site cannot have its visitors' browsers file requests. The same checks as
Contact Us apply: form validation, honeypot, fill time, rate limits per address
and per email, shared with the Contact Us form.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import translation
from django.utils.cache import patch_cache_control
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from catalog.models import Product
from helpdesk.client_ip import client_ip
from kb.search import clean_query, search_articles
from portal import services
from portal.abuse import submissions_limited
from portal.widget_forms import WidgetContactForm

logger = logging.getLogger(__name__)

SUGGEST_LIMIT = 5
SUGGEST_MIN_CHARS = 3

View = Callable[..., HttpResponse]


def allowed_origins(product_slug: str) -> tuple[str, ...]:
    return tuple(settings.WIDGET_ALLOWED_ORIGINS.get(product_slug, ()))


def frame_policy(origins: tuple[str, ...]) -> dict[str, Any]:
    """The site's Content-Security-Policy, with the product's origins as frame ancestors."""
    return {**settings.SECURE_CSP, "frame-ancestors": list(origins)}


def widget_page(view: View) -> View:
    """A widget page: the product's (404 without allowed origins), in the host's language,
    frameable by its origins only."""

    @wraps(view)
    def wrapped(request: HttpRequest, product: str) -> HttpResponse:
        origins = allowed_origins(product)
        found = Product.objects.active().filter(slug=product).first() if origins else None
        if found is None:
            raise Http404("This product has no help widget.")
        with translation.override(_language(request)):
            response = view(request, found)
        response._csp_config = frame_policy(origins)  # type: ignore[attr-defined]
        response.xframe_options_exempt = True
        # A person's answers and context: never kept by a cache on the way.
        patch_cache_control(response, no_store=True, private=True)
        return response

    return wrapped


def _language(request: HttpRequest) -> str:
    """The host's language (``lang``, from widget.js's data-lang) if the site has it, else
    the browser's (chosen by the locale middleware)."""
    wanted = request.GET.get("lang") or request.POST.get("lang") or ""
    if wanted:
        try:
            return translation.get_supported_language_variant(wanted.lower())
        except LookupError:
            pass
    return translation.get_language() or settings.LANGUAGE_CODE


def _context(product: Product, **extra: Any) -> dict[str, Any]:
    return {"product": product, "allowed_origins": list(allowed_origins(product.slug)), **extra}


def _suggestions(product: Product, query: str, limit: int) -> list[Any]:
    if len(query) < SUGGEST_MIN_CHARS:
        return []
    result = search_articles(
        query, user=AnonymousUser(), product=product, limit=limit, as_you_type=True
    )
    return list(result.hits)


@require_GET
@widget_page
def widget_home(request: HttpRequest, product: Product) -> HttpResponse:
    """Search the product's articles; "Contact us" below. Works without JavaScript."""
    query = clean_query(request.GET.get("q", ""))
    hits = _suggestions(product, query, limit=10) if query else []
    return render(
        request,
        "portal/widget/home.html",
        _context(product, query=query, hits=hits, searched=bool(query)),
    )


@require_GET
@widget_page
def widget_suggestions(request: HttpRequest, product: Product) -> HttpResponse:
    """Articles answering what is being typed in the search box (an htmx partial)."""
    query = clean_query(request.GET.get("q", ""))
    hits = _suggestions(product, query, limit=SUGGEST_LIMIT)
    return render(request, "portal/widget/_results.html", _context(product, query=query, hits=hits))


def _render_form(
    request: HttpRequest, product: Product, form: WidgetContactForm, key: str, **extra: Any
) -> HttpResponse:
    status = extra.pop("status", 200)
    context = _context(product, form=form, submission_key=key, **extra)
    return render(request, "portal/widget/contact.html", context, status=status)


def _render_review(
    request: HttpRequest, product: Product, form: WidgetContactForm, key: str, **extra: Any
) -> HttpResponse:
    status = extra.pop("status", 200)
    context = _context(
        product,
        form=form,
        summary=form.summary(),
        hints=[message for _field, message in form.completeness_hints()],
        hidden=form.hidden_values(),
        submission_key=key,
        **extra,
    )
    return render(request, "portal/widget/review.html", context, status=status)


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def own_origins(request: HttpRequest) -> set[str]:
    """The help desk's origins: this request's, as Django's CSRF check computes it (https
    behind the proxy when SECURE_PROXY_SSL_HEADER says so; the Host the proxy passes on,
    one of ALLOWED_HOSTS), and the public address, SITE_URL."""
    return {f"{request.scheme}://{request.get_host()}", _origin(settings.SITE_URL)}


def posted_from_here(request: HttpRequest) -> bool:
    """Whether the browser says this post comes from one of the help desk's own pages.

    Browsers name the page's origin in ``Origin`` on a POST (``null`` when they will not
    say, refused); where one sends no Origin, ``Sec-Fetch-Site`` must say same-origin.
    Neither can be set by a page on another site. A client that sends neither is refused.
    """
    origin = request.headers.get("Origin")
    if origin is not None:
        return origin in own_origins(request)
    return request.headers.get("Sec-Fetch-Site") == "same-origin"


# Not Django's CSRF check: its token must match the CSRF cookie, and in another site's
# frame the browser does not send that cookie (SameSite=Lax keeps it out of a cross-site
# frame; SameSite=None, which would also loosen every other form of the site, is still
# dropped where third-party cookies are blocked: Safari by default, others by choice).
# The form acts as nobody (no session, no signed-in user) and carries its own one-time
# key and signed start, so what is left to check is the other half of Django's check:
# that the post comes from our own page, the frame (posted_from_here). Then another
# site cannot make its visitors' browsers file requests.
@csrf_exempt
@require_http_methods(["GET", "POST"])
@widget_page
def widget_contact(request: HttpRequest, product: Product) -> HttpResponse:
    """The short Contact Us: the form, then its review, then the reference."""
    if request.method == "GET":
        subject = " ".join(request.GET.get("q", "").split())[:200]
        initial = {"product": product.pk, **({"subject": subject} if subject else {})}
        form = WidgetContactForm(initial=initial)
        return _render_form(
            request, product, form, services.submission_key_new(), accepts_context=True
        )

    if not posted_from_here(request):
        logger.info(
            "Help widget form refused: posted from %r, not from the help desk.",
            request.headers.get("Origin") or request.headers.get("Sec-Fetch-Site"),
        )
        return render(request, "portal/widget/refused.html", _context(product), status=403)
    ip = client_ip(request) or ""
    key = request.POST.get("submission_key", "")
    if not services.submission_key_valid(key):
        key = services.submission_key_new()
    if services.rate_limit_exceeded(
        scope="contact-form", ident=ip, limit=settings.PORTAL_FORM_POSTS_PER_IP_PER_HOUR
    ):
        form = WidgetContactForm(initial=_posted(request, product))
        return _render_form(request, product, form, key, status=429, rate_limited=True)
    if services.honeypot_filled(request.POST.get("website", "")):
        logger.info("Help widget form treated as spam from %s.", ip)
        return render(request, "portal/widget/received.html", _context(product))
    if request.POST.get("change"):
        form = WidgetContactForm(initial=_posted(request, product))
        return _render_form(request, product, form, key)
    form = WidgetContactForm(_posted(request, product))
    if not form.is_valid():
        return _render_form(request, product, form, key)
    if not request.POST.get("reviewed"):
        return _render_review(request, product, form, key)
    return _send(request, product, form, key)


def _posted(request: HttpRequest, product: Product) -> dict[str, str]:
    """What the form sent, for the widget's own product whatever the form said."""
    return {**request.POST.dict(), "product": str(product.pk)}


def _send(
    request: HttpRequest, product: Product, form: WidgetContactForm, key: str
) -> HttpResponse:
    """The reviewed request is sent: one ticket per key, after the same checks as Contact Us."""
    existing = services.ticket_for_submission(key)
    if existing is not None:
        # Sent twice (double click, reload): one ticket, the same answer.
        return _received(request, product, existing.reference, existing.requester.email)
    if services.filled_too_fast(request.POST.get("started", "")):
        # Faster than a person reads: ask again, never claim success.
        return _render_review(request, product, form, key, confirm=True)
    contact = form.to_request(user_agent=request.headers.get("User-Agent", ""))
    if submissions_limited(ip=client_ip(request) or "", email=contact.email):
        return _render_review(request, product, form, key, status=429, rate_limited=True)
    # A draft that lives for this request only: no held files, the form's key.
    draft = services.Draft(id=secrets.token_hex(16), key=key)
    try:
        ticket = services.contact_submit(request=contact, draft=draft)
    except ValidationError as error:
        return _render_review(request, product, form, key, notice=" ".join(error.messages))
    return _received(request, product, ticket.reference, contact.email)


def _received(request: HttpRequest, product: Product, reference: str, email: str) -> HttpResponse:
    submitted = {"reference": reference, "email": email}
    return render(request, "portal/widget/received.html", _context(product, submitted=submitted))
