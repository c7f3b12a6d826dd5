"""Contact Us: the form, its product fields fragment, the review step and the confirmation.

The form is a plain HTML form that works without JavaScript. On top of it, htmx
(attributes in the template) swaps in the chosen product's fields and asks for
article suggestions while the request is typed (partials from the views here);
``static/js/contact.js`` shows the parts of the form the chosen kind of request
asks for (:mod:`portal.kinds`; without it, "Show the questions for this request"
asks the server), reveals "this answered my question" once a suggestion was
opened, and disables the send button once pressed.
"""

from __future__ import annotations

import logging
import secrets
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.middleware import HtmxDetails

from catalog.models import Category, Product
from helpdesk.client_ip import client_ip
from kb.models import SuggestionSource
from kb.search import clean_query, search_articles
from kb.tracking import Visitor, click_url, record_suggestions_shown
from portal import services
from portal.abuse import submissions_limited
from portal.browsers import browser_name
from portal.forms import ContactForm
from portal.services import Draft

logger = logging.getLogger(__name__)


class HtmxHttpRequest(HttpRequest):
    """A request through django-htmx's middleware, as django-htmx suggests typing it."""

    htmx: HtmxDetails


# The fields whose words are searched for suggestions, in this order.
SUGGEST_FROM = ("subject", "description", "what_doing", "actual", "problem")
SUGGEST_MIN_CHARS = 3
# A compact list in a space the page keeps for it: the fields below never move.
SUGGEST_LIMIT = 3


def _render_form(
    request: HttpRequest,
    form: ContactForm,
    draft: Draft | None,
    *,
    status: int = 200,
    hints: list[tuple[str, str]] | None = None,
    rate_limited: bool = False,
    notice: str = "",
) -> HttpResponse:
    return render(
        request,
        "portal/contact.html",
        {
            "form": form,
            "held_files": draft.files if draft else [],
            "hints": hints or [],
            "rate_limited": rate_limited,
            "notice": notice,
            "max_files": settings.ATTACHMENT_MAX_FILES,
            # Carried by the form, so a request sent straight from it makes one ticket.
            "submission_key": draft.key if draft else services.submission_key_new(),
        },
        status=status,
    )


def _initial_from_query(request: HttpRequest) -> dict[str, Any]:
    """Links into the form may choose the product and category, and carry a search."""
    initial: dict[str, Any] = {}
    product_slug = request.GET.get("product", "")
    if product_slug:
        product = Product.objects.active().filter(slug=product_slug).first()
        if product is not None:
            initial["product"] = product.pk
    category_slug = request.GET.get("category", "")
    if category_slug:
        category = Category.objects.active().filter(slug=category_slug).first()
        if category is not None:
            initial["category"] = category.pk
    subject = " ".join(request.GET.get("q", "").split())[:200]
    if subject:
        initial["subject"] = subject
    return initial


@require_http_methods(["GET", "POST"])
def contact(request: HttpRequest) -> HttpResponse:
    draft = services.draft_get(request.session)
    held = draft.files if draft else []
    if request.method == "GET":
        if draft is not None and not request.GET.get("resume"):
            # Never restored silently: the browser may be someone else's now.
            return render(request, "portal/contact_resume.html", {"draft": draft})
        initial = dict(draft.data) if draft else _initial_from_query(request)
        # The browser as people name it; the raw string goes with a bug report, unseen.
        initial.setdefault("env_computer", browser_name(_user_agent(request)))
        return _render_form(request, ContactForm(initial=initial, held_files=held), draft)

    ip = client_ip(request) or ""
    if services.rate_limit_exceeded(
        scope="contact-form", ident=ip, limit=settings.PORTAL_FORM_POSTS_PER_IP_PER_HOUR
    ):
        # Show the form again as it was typed (no errors, nothing checked), with a 429.
        form = ContactForm(initial=request.POST.dict(), held_files=held)
        return _render_form(request, form, draft, status=429, rate_limited=True)
    # Removing a held file or showing a product's fields is not a submit yet.
    submitting = not (request.POST.get("remove_file") or request.POST.get("show_product_fields"))
    if submitting and services.honeypot_filled(request.POST.get("website", "")):
        # The bot gets the page a person gets, and is told nothing about why.
        logger.info("Contact Us form treated as spam from %s.", ip)
        return render(request, "portal/contact_received.html")

    draft = services.draft_get_or_start(request.session)
    if request.POST.get("remove_file"):
        services.draft_remove_file(request.session, draft, request.POST["remove_file"])
    form = ContactForm(request.POST, request.FILES, held_files=draft.files)
    valid = form.is_valid()
    if submitting and valid and request.POST.get("reviewed"):
        sent = _send_reviewed(request, form, draft)
        if sent is not None:
            return sent
    if form.accepted_uploads:
        # Good files are kept even when other fields need fixing: nothing is lost.
        services.draft_hold_files(request.session, draft, form.accepted_uploads)
    draft.data = form.stored_data()
    if submitting and services.filled_too_fast(request.POST.get("started", "")):
        # Autofill and paste are this fast too: never a false "thank you", only a
        # review that asks to confirm, and not before a person could have read it.
        draft.confirm_after = services.now() + settings.PORTAL_MIN_FILL_SECONDS
    services.draft_save(request.session, draft)

    if not submitting:
        # Show the form again as typed, without complaining yet.
        again = ContactForm(initial=draft.data, held_files=draft.files)
        return _render_form(request, again, draft)
    if not valid:
        return _render_form(request, form, draft)
    hints = form.completeness_hints()
    if form.is_bug() and hints and not request.POST.get("confirm_incomplete"):
        return _render_form(request, form, draft, hints=hints)
    return redirect("portal:contact_review")


def _send_reviewed(request: HttpRequest, form: ContactForm, draft: Draft) -> HttpResponse | None:
    """The form was checked in the page (JavaScript) and sent: the ticket, in this one request.

    None when the server's own review step is still needed (the form asks for
    details, was filled too fast, carries no key): the caller goes on as without
    JavaScript. Every check of the review step is made here as well.
    """
    key = request.POST.get("submission_key", "")
    if not services.submission_key_valid(key):
        return None
    existing = services.ticket_for_submission(key)
    if existing is not None:
        # The same form sent again (double click, reload): one ticket, the same page.
        if draft.saved_at:
            services.draft_discard(request.session)
        return _render_received(request, existing.reference, existing.requester.email)
    hints = form.completeness_hints()
    if hints and not (form.is_bug() and request.POST.get("confirm_incomplete")):
        return None
    if services.filled_too_fast(request.POST.get("started", "")):
        return None
    draft.key = key
    contact = form.to_request(user_agent=_user_agent(request))
    if _submissions_limited(request, contact.email):
        _keep_draft(request, form, draft)
        return _render_review(request, form, draft, status=429, rate_limited=True)
    try:
        ticket = services.contact_submit(
            request=contact, draft=draft, uploads=form.accepted_uploads
        )
    except ValidationError as error:
        _keep_draft(request, form, draft)
        return _render_review(request, form, draft, notice=" ".join(error.messages))
    if draft.saved_at:
        request.session.pop(services.SESSION_DRAFT, None)
    return _render_received(request, ticket.reference, contact.email)


def _user_agent(request: HttpRequest) -> str:
    return request.headers.get("User-Agent", "")


def _keep_draft(request: HttpRequest, form: ContactForm, draft: Draft) -> None:
    """What was typed and the good files, kept in the session for the review step."""
    if form.accepted_uploads:
        services.draft_hold_files(request.session, draft, form.accepted_uploads)
    draft.data = form.stored_data()
    services.draft_save(request.session, draft)


def _submissions_limited(request: HttpRequest, email: str) -> bool:
    return submissions_limited(ip=client_ip(request) or "", email=email)


@require_GET
def contact_product_fields(request: HttpRequest) -> HttpResponse:
    """The fields of the chosen product (htmx fragment, swapped in when the product changes)."""
    form = ContactForm(initial={"product": request.GET.get("product", "")})
    return render(request, "portal/_product_fields.html", {"form": form})


@require_GET
def contact_suggestions(request: HtmxHttpRequest) -> HttpResponse:
    """Articles that may answer what is being typed (an htmx partial for the form).

    htmx sends the subject, description and bug answers as they are typed, and
    the product. Asked without htmx (someone opened the address), the same
    words go to the knowledge base search instead.
    """
    query = clean_query(" ".join(request.GET.get(name, "") for name in SUGGEST_FROM))
    if not request.htmx:
        return redirect(f"{reverse('kb:search')}?{urlencode({'q': query})}")
    product_id = request.GET.get("product", "")
    product = (
        Product.objects.active().filter(pk=int(product_id)).first()
        if product_id.isdigit()
        else None
    )
    visitor = Visitor(request)
    source = SuggestionSource.CONTACT_FORM
    suggestions: list[dict[str, Any]] = []
    if len(query) >= SUGGEST_MIN_CHARS:
        result = search_articles(
            query, user=request.user, product=product, limit=SUGGEST_LIMIT, as_you_type=True
        )
        suggestions = [
            {
                "hit": hit,
                "url": click_url(
                    article_id=hit.article.pk, source=source, query=result.query, position=n
                ),
            }
            for n, hit in enumerate(result.hits, start=1)
        ]
        record_suggestions_shown(visitor=visitor.key(), source=source, result=result)
    response = render(
        request, "portal/_suggestions.html", {"suggestions": suggestions, "query": query}
    )
    patch_cache_control(response, no_store=True, private=True)
    patch_vary_headers(response, ["HX-Request", "Cookie"])
    return visitor.remember(response)


@require_http_methods(["GET", "POST"])
def contact_review(request: HttpRequest) -> HttpResponse:
    draft = services.draft_get(request.session)
    if request.method == "POST":
        key = request.POST.get("submission_key", "")
        existing = services.ticket_for_submission(key)
        if existing is not None:
            # The same review sent again (double click, back and resend): one ticket.
            if draft is not None and secrets.compare_digest(draft.key, key):
                services.draft_discard(request.session)
            _remember_submission(request, existing.reference, existing.requester.email)
            return redirect("portal:contact_received")
        if draft is None or not secrets.compare_digest(draft.key.encode(), key.encode()):
            return redirect("portal:contact")
    if draft is None:
        return redirect("portal:contact")

    form = ContactForm(data=draft.data, held_files=draft.files)
    if not form.is_valid():
        return _render_form(request, form, draft)
    notice = ""
    missing = services.draft_missing_files(draft)
    for held in missing:
        services.draft_remove_file(request.session, draft, held.id)
    if missing:
        notice = _("These files were no longer held and were removed: %(names)s.") % {
            "names": ", ".join(held.name for held in missing)
        }

    if request.method == "POST" and not missing and services.now() < draft.confirm_after:
        # Sent faster than the form could be read: ask again, never claim success.
        return _render_review(request, form, draft, confirm=True)
    if request.method == "POST" and not missing:
        contact = form.to_request(user_agent=_user_agent(request))
        if _submissions_limited(request, contact.email):
            return _render_review(request, form, draft, status=429, rate_limited=True)
        try:
            ticket = services.contact_submit(request=contact, draft=draft)
        except ValidationError as error:
            return _render_review(request, form, draft, notice=" ".join(error.messages))
        request.session.pop(services.SESSION_DRAFT, None)
        _remember_submission(request, ticket.reference, contact.email)
        return redirect("portal:contact_received")
    return _render_review(request, form, draft, notice=notice)


def _render_review(
    request: HttpRequest,
    form: ContactForm,
    draft: Draft,
    *,
    status: int = 200,
    rate_limited: bool = False,
    notice: str = "",
    confirm: bool = False,
) -> HttpResponse:
    return render(
        request,
        "portal/contact_review.html",
        {
            "form": form,
            "summary": form.summary(),
            "held_files": draft.files,
            "hints": [message for _field, message in form.completeness_hints()],
            "submission_key": draft.key,
            # A form sent very fast (autofill): a neutral "please confirm".
            "confirm": confirm or draft.confirm_after > 0,
            "rate_limited": rate_limited,
            "notice": notice,
        },
        status=status,
    )


def _remember_submission(request: HttpRequest, reference: str, email: str) -> None:
    request.session[services.SESSION_SUBMITTED] = {"reference": reference, "email": email}


def _render_received(request: HttpRequest, reference: str, email: str) -> HttpResponse:
    """The confirmation, answered straight to the form's own request (no redirect)."""
    submitted = {"reference": reference, "email": email}
    return render(request, "portal/contact_received.html", {"submitted": submitted})


@require_GET
def contact_received(request: HttpRequest) -> HttpResponse:
    submitted = request.session.get(services.SESSION_SUBMITTED)
    if not isinstance(submitted, dict):
        return redirect("portal:contact")
    return render(request, "portal/contact_received.html", {"submitted": submitted})


@require_POST
def contact_discard(request: HttpRequest) -> HttpResponse:
    """Start again: the typed values and the held files are removed."""
    services.draft_discard(request.session)
    return redirect("portal:contact")


@require_POST
def contact_answered(request: HttpRequest) -> HttpResponse:
    """ "My question was answered": the person leaves from an article instead of writing."""
    visitor = Visitor(request)
    services.contact_answered(
        session=request.session,
        article_id=request.POST.get("article", ""),
        query=request.POST.get("q", ""),
        visitor=visitor.key(),
    )
    return visitor.remember(render(request, "portal/contact_answered.html"))
