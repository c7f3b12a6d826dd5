"""The language a requester is written to in: the one they last wrote to us in.

A person who sends the Contact Us form or answers on their ticket page in French
is mailed in French from then on; a mail that says its language
(``Content-Language``) counts too. A page or header naming no language we offer
changes nothing.
"""

from __future__ import annotations

from django.utils import translation

from tickets.models import Requester


def supported_language(code: str | None) -> str:
    """Our code for a language a page or mail names ("fr-FR, en" → "fr"), or "" if none."""
    first = (code or "").split(",")[0].split(";")[0].strip().lower()
    if not first:
        return ""
    try:
        return translation.get_supported_language_variant(first)
    except LookupError:
        return ""


def requester_language_set(*, requester: Requester, language: str | None) -> Requester:
    """Remember the language the requester wrote in, when it is one we offer.

    One conditional UPDATE, no transaction of its own: the ticket service around it
    is the one transaction, without savepoints (tickets.services.create).
    """
    code = supported_language(language)
    if code and code != requester.language:
        requester.language = code
        Requester.objects.filter(pk=requester.pk).update(language=code)
    return requester
