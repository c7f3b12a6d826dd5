"""What an API caller may do: the scopes, named once, and what a staff role allows.

A token carries a subset of :data:`SCOPES`. It never does more than its owner
could: a scope counts only while the owner's role still allows it
(:func:`user_allows`), so a demoted or deactivated owner's tokens lose that reach
at once. A staff session counts as every scope its role allows.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.utils.translation import gettext_lazy as _

from tickets import roles

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser, User

TICKETS_CREATE = "tickets:create"
TICKETS_READ = "tickets:read"
TICKETS_WRITE = "tickets:write"
KB_READ = "kb:read"

SCOPES = {
    TICKETS_CREATE: _("Create tickets"),
    TICKETS_READ: _("Read tickets and their threads"),
    TICKETS_WRITE: _("Reply, note, triage, assign, change status and escalate tickets"),
    KB_READ: _("Read the knowledge base and the taxonomy"),
}

# The role permission each ticket scope stands for (tickets.roles); kb:read needs none.
# tickets:write needs the least of the writes (an internal note, which L2 engineers may
# add); each write's service then checks its own permission (reply, triage, escalate).
_PERMISSION = {
    TICKETS_CREATE: roles.LOG_TICKET,
    TICKETS_READ: roles.VIEW,
    TICKETS_WRITE: roles.NOTE,
}


def user_allows(user: User | AnonymousUser, scope: str) -> bool:
    """Whether ``user`` (an active staff member) may act within ``scope``."""
    if scope not in SCOPES or not (user.is_active and getattr(user, "is_staff", False)):
        return False
    permission = _PERMISSION.get(scope)
    return permission is None or roles.may(user, permission)


def scopes_of(user: User | AnonymousUser) -> list[str]:
    """Every scope ``user``'s role allows, in :data:`SCOPES` order."""
    return [scope for scope in SCOPES if user_allows(user, scope)]
