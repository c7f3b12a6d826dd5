"""An agent's personal canned responses: theirs alone to write, change and remove.

Shared responses (no owner) are managed by managers in the back office; here
an agent who sends public replies keeps their own. Nobody changes a shared one
or a colleague's personal one through these, whatever their role.
"""

from __future__ import annotations

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from tickets import roles
from tickets.models import CannedResponse, Status

PERSONAL_STATUSES = ("", Status.OPEN, Status.WAITING, Status.RESOLVED)


class NotYourCannedResponse(PermissionDenied):
    """A shared response, or a colleague's personal one: nothing was changed."""

    def __init__(self) -> None:
        super().__init__(
            _(
                "You can only change your own personal canned responses; shared ones "
                "are managed by managers in the back office."
            )
        )


def _check(*, by: User, title: str, body: str, set_status: str, instance: CannedResponse) -> None:
    if set_status not in PERSONAL_STATUSES:
        raise ValidationError({"set_status": _("Choose what happens to the ticket next.")})
    instance.title, instance.body, instance.set_status = title.strip(), body.strip(), set_status
    instance.owner = by
    instance.full_clean()


@transaction.atomic
def canned_create(*, by: User, title: str, body: str, set_status: str = "") -> CannedResponse:
    """A new personal canned response for ``by`` (who must be able to send replies)."""
    roles.require(by, roles.REPLY)
    canned = CannedResponse()
    _check(by=by, title=title, body=body, set_status=set_status, instance=canned)
    canned.save()
    return canned


def _own(canned: CannedResponse, by: User) -> CannedResponse:
    roles.require(by, roles.REPLY)
    locked = CannedResponse.objects.select_for_update().get(pk=canned.pk)
    if locked.owner_id is None or locked.owner_id != by.pk:
        raise NotYourCannedResponse
    return locked


@transaction.atomic
def canned_update(
    *, canned: CannedResponse, by: User, title: str, body: str, set_status: str = ""
) -> CannedResponse:
    """Change one of ``by``'s own personal responses (never a shared or a colleague's one)."""
    canned = _own(canned, by)
    _check(by=by, title=title, body=body, set_status=set_status, instance=canned)
    canned.save()
    return canned


@transaction.atomic
def canned_delete(*, canned: CannedResponse, by: User) -> None:
    """Remove one of ``by``'s own personal responses."""
    _own(canned, by).delete()
