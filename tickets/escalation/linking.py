"""An issue as people paste it, for linking a ticket to it
(:func:`tickets.services.ticket_link_issue`)."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from catalog.models import GITHUB_REPOSITORY_RE

_ISSUE_URL_RE = re.compile(
    r"^https?://[^/\s]+/(?P<repo>[A-Za-z0-9][A-Za-z0-9-]*/[A-Za-z0-9._-]+)/issues/(?P<number>\d+)"
    r"/?(?:[#?].*)?$"
)
_ISSUE_REF_RE = re.compile(
    r"^(?P<repo>[A-Za-z0-9][A-Za-z0-9-]*/[A-Za-z0-9._-]+)?#?(?P<number>\d+)$"
)


def parse_issue_reference(reference: str, default_repository: str = "") -> tuple[str, int]:
    """An issue as people paste it: its address, owner/name#12, or #12 in the product's repo."""
    text = (reference or "").strip()
    match = _ISSUE_URL_RE.match(text) or _ISSUE_REF_RE.match(text)
    if match is None:
        raise ValidationError(
            {
                "issue": _(
                    "Paste the issue's address (https://github.com/owner/name/issues/12), "
                    "or write owner/name#12, or #12 for the product's repository."
                )
            }
        )
    repository = match.group("repo") or default_repository
    if not repository:
        raise ValidationError(
            {"issue": _("This ticket's product has no repository: write owner/name#12.")}
        )
    if not GITHUB_REPOSITORY_RE.match(repository):
        raise ValidationError({"issue": _("“%(repo)s” is not owner/name.") % {"repo": repository}})
    number = int(match.group("number"))
    if not 0 < number < 2**31:
        raise ValidationError({"issue": _("There is no issue number %(n)s.") % {"n": number}})
    return repository.lower(), number
