"""Which language a public page is read in, and the switcher that changes it.

English pages keep their unprefixed addresses (``/kb/``); the others carry their
language (``/fr/kb/``, ``/pt-br/contact/``). A reader who arrives on an unprefixed
public page with another language chosen (the switcher's cookie) or asked for by
their browser (``Accept-Language``) is sent to that page in their language, so the
address always says what the page is in, and links, forms and mails built from it
stay in it. The desk, the reports and the back office are not prefixed: staff read
them in their own preference (desk.middleware).
"""

from __future__ import annotations

from typing import Any, cast

from django.conf import settings
from django.conf.urls.i18n import is_language_prefix_patterns_used
from django.http import HttpRequest, HttpResponse, HttpResponseBase, HttpResponseRedirect
from django.middleware.locale import LocaleMiddleware
from django.urls import get_script_prefix, is_valid_path, translate_url
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST


class PortalLocaleMiddleware(LocaleMiddleware):
    """Django's locale middleware, plus: an unprefixed public page is redirected to
    the reader's language when that is not the default (see the module)."""

    # Django's stubs say None; MiddlewareMixin answers with a response returned here.
    def process_request(self, request: HttpRequest) -> HttpResponseBase | None:  # type: ignore[override]
        super().process_request(request)
        return language_redirect(request)

    def process_response(
        self, request: HttpRequest, response: HttpResponseBase
    ) -> HttpResponseBase:
        response = super().process_response(request, response)
        # The page is rendered by now: the thread goes back to the default, so that
        # work after the request (a test, a task run in process) is not in its language.
        translation.deactivate()
        return response


def language_redirect(request: HttpRequest) -> HttpResponseBase | None:
    """The same page in the reader's language, or None when this one is right.

    Only for reads (a form posted to an English address stays there), never for
    htmx partials (their addresses come from the page, already in its language).
    """
    if request.method not in ("GET", "HEAD") or "HX-Request" in request.headers:
        return None
    urlconf = getattr(request, "urlconf", settings.ROOT_URLCONF)
    if not is_language_prefix_patterns_used(urlconf)[0]:
        return None
    if translation.get_language_from_path(request.path_info):
        return None
    wanted = translation.get_language_from_request(request, check_path=False)
    if wanted == settings.LANGUAGE_CODE:
        return None
    prefixed = f"/{wanted}{request.path_info}"
    with translation.override(wanted):
        if not is_valid_path(prefixed, urlconf):
            return None  # the desk, the back office, webhooks: one address for all
    script_prefix = get_script_prefix()
    url = request.get_full_path().replace(script_prefix, f"{script_prefix}{wanted}/", 1)
    response = HttpResponseRedirect(url)
    patch_vary_headers(response, ("Accept-Language", "Cookie"))
    return response


def page_in_language(url: str, language: str) -> str:
    """A local address of this site, as the same page in ``language`` (any prefix replaced)."""
    found = translation.get_language_from_path(url)
    if found:
        url = url[len(found) + 1 :] or "/"
    # An unprefixed address resolves in the default language; it is then reversed in
    # the chosen one (pages outside the prefixed patterns come back unchanged).
    with translation.override(settings.LANGUAGE_CODE):
        return translate_url(url, language)


# No CSRF token: a token in the switcher would set a cookie on every public page
# (they set none today), and a forged choice of language harms no one. POST only, so
# that link prefetchers and crawlers never change it (the reason Django's is POST).
@csrf_exempt
@require_POST
def language_choose(request: HttpRequest) -> HttpResponse:
    """The switcher: remember the choice in the language cookie and show the same page in it."""
    language = request.POST.get("language", "")
    # A page may give its address in each language (an article's translated slug).
    back = request.POST.get(f"next_{language}") or request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        url=back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        back = "/"
    if language not in dict(settings.LANGUAGES):
        return HttpResponseRedirect(back)
    response = HttpResponseRedirect(page_in_language(back, language))
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=cast(
            Any, settings.LANGUAGE_COOKIE_SAMESITE
        ),  # a str setting; stubs want a Literal
    )
    return response
