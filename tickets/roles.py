"""The support roles and what each may do: every permission named once, and checked here.

The ticket services call :func:`require` with the acting user, so a rule holds
whichever door a change comes through (desk, Slack, back office, an API); the
doors translate :class:`ActionNotAllowed` into their own answer (a 403 page, a
private Slack message, the admin's refusal). ``by=None`` is the help desk itself
(webhooks, beat, the requester's own page), which no role limits.

The groups are synced after every migrate (tickets.apps) and by the ``sync_roles``
management command after permissions change.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser, User

L1_AGENT = "L1 Agent"
L2_ENGINEER = "L2 Engineer"
SUPPORT_MANAGER = "Support Manager"

# What a person may do on a ticket, each spelled once.
VIEW = "tickets.view_ticket"  # use the desk and read every ticket
TRIAGE = "tickets.triage_ticket"  # triage fields, tags, assignee, status, merge, bulk
REPLY = "tickets.reply_ticket"  # public replies to the requester
NOTE = "tickets.add_message"  # internal notes (L2 too)
ESCALATE = "tickets.escalate_ticket"  # hand to L2: file or link a GitHub issue
LOG_TICKET = "tickets.add_ticket"  # log a ticket on a client's behalf
VIEW_REPORTS = "tickets.view_reports"  # the managers' reports
VIEW_OUTBOX = "tickets.view_outboxmessage"  # deliveries waiting or failed (integration health)
ADD_PARTNER = "catalog.add_partner"  # a new partner organisation, while triaging
MERGE_PARTNERS = "catalog.change_partner"  # merge duplicate partners (back office)

REFUSALS = {
    VIEW: _("Your account has no role on the desk yet."),
    TRIAGE: _("Your role cannot change a ticket's triage fields, assignee or status."),
    REPLY: _("Your role cannot send public replies; add an internal note instead."),
    NOTE: _("Your role cannot add to a ticket's thread."),
    ESCALATE: _("Your role cannot escalate tickets."),
    LOG_TICKET: _("Your role cannot log tickets for clients."),
    VIEW_REPORTS: _("Reports are for support managers."),
    VIEW_OUTBOX: _("Your role cannot see the integrations' deliveries."),
    ADD_PARTNER: _("Your role cannot add partner organisations."),
    MERGE_PARTNERS: _("Your role cannot merge partner organisations."),
}


class ActionNotAllowed(PermissionDenied):
    """The acting person's role does not allow this; nothing was changed."""

    def __init__(self, permission: str) -> None:
        self.permission = permission
        super().__init__(str(REFUSALS.get(permission, _("Your role does not allow this."))))


def may(user: User | AnonymousUser | None, permission: str) -> bool:
    """Whether an active staff member holds ``permission`` (None, the system, may do all)."""
    if user is None:
        return True
    return bool(user.is_active and getattr(user, "is_staff", False) and user.has_perm(permission))


def require(user: User | AnonymousUser | None, permission: str) -> None:
    """Refuse with :class:`ActionNotAllowed` unless ``user`` may act with ``permission``."""
    if not may(user, permission):
        raise ActionNotAllowed(permission)


# The taxonomy lives in the catalog app; the SLA policies that go with it in tickets.
_CATALOG = ("hub", "partner", "product", "category", "impact", "issuetag", "hubclosure")
_TAXONOMY = [f"catalog.{{action}}_{m}" for m in _CATALOG] + ["tickets.{action}_slapolicy"]
_THREAD = ("ticket", "message", "attachment", "requester")
_KB_READ = [
    f"kb.view_{m}" for m in ("section", "article", "articlerevision", "articleimage", "articlevote")
]
# L1 writes and updates articles as features ship; managers also organise the sections.
_KB_WRITE = ["kb.add_article", "kb.change_article", "kb.add_articleimage", "kb.change_articleimage"]
_KB_MANAGE = [
    "kb.add_section",
    "kb.change_section",
    "kb.delete_section",
    "kb.delete_article",
    "kb.delete_articleimage",
    "kb.view_suggestionevent",
]

L1_PERMISSIONS = (
    [f"tickets.view_{m}" for m in (*_THREAD, "ticketevent", "slaevent")]
    + [code.format(action="view") for code in _TAXONOMY]
    + [f"tickets.add_{m}" for m in _THREAD]
    + [f"tickets.change_{m}" for m in ("ticket", "requester")]
    + [TRIAGE, REPLY, ESCALATE]
    # L1 meets new organisations first (email, Slack, Contact Us): they add them while
    # triaging; managers merge duplicates later in the back office.
    + [ADD_PARTNER]
    + ["tickets.view_cannedresponse"]
    + _KB_READ
    + _KB_WRITE
)
# L2 reads everything and adds internal notes (add_message); public replies to the
# requester (reply_ticket) and triage stay with L1, who keeps the partner informed.
L2_PERMISSIONS = [
    *[f"tickets.view_{m}" for m in (*_THREAD, "ticketevent", "slaevent")],
    *[code.format(action="view") for code in _TAXONOMY],
    NOTE,
    "tickets.add_attachment",
    *_KB_READ,
]
MANAGER_PERMISSIONS = (
    L1_PERMISSIONS
    + [
        code.format(action=action)
        for code in (*_TAXONOMY, "tickets.{action}_cannedresponse")
        for action in ("add", "change", "delete")
    ]
    + [VIEW_OUTBOX, "tickets.change_outboxmessage", VIEW_REPORTS]
    # Staff time zones and hubs (never the accounts themselves: that would grant roles).
    + [f"tickets.{action}_staffprofile" for action in ("view", "add", "change")]
    # Escalation issues (why one needs attention) and GitHub's webhook deliveries, read-only.
    + ["tickets.view_escalationissue", "github.view_webhookdelivery"]
    # Tasks given up after killing their worker (tickets.task_guard), read-only.
    + ["tickets.view_redeliveredtask"]
    # API tokens for integrations (api.admin): create, list, revoke.
    + ["api.manage_tokens"]
    # Outgoing webhooks: subscriptions (with their secret), deliveries and their attempts.
    + [f"webhooks.{a}_webhooksubscription" for a in ("view", "add", "change", "delete")]
    + ["webhooks.view_webhookdelivery", "webhooks.change_webhookdelivery"]
    + ["webhooks.view_webhookattempt"]
    + _KB_MANAGE
)

ROLES: dict[str, list[str]] = {
    L1_AGENT: sorted(set(L1_PERMISSIONS)),
    L2_ENGINEER: sorted(set(L2_PERMISSIONS)),
    SUPPORT_MANAGER: sorted(set(MANAGER_PERMISSIONS)),
}


def sync_roles(apps: Any) -> None:
    """Create the role groups and give each exactly its permissions."""
    from django.contrib.auth.management import create_permissions

    for app_config in apps.get_app_configs():
        # Migration state apps have no models module, and create_permissions skips
        # those; permissions must exist before the groups can be given them.
        models_module = getattr(app_config, "models_module", None)
        app_config.models_module = models_module or True
        try:
            create_permissions(app_config, apps=apps, verbosity=0)
        finally:
            app_config.models_module = models_module

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for role, codes in ROLES.items():
        group, _ = Group.objects.get_or_create(name=role)
        permissions = []
        for code in codes:
            app_label, codename = code.split(".")
            permissions.append(
                Permission.objects.get(content_type__app_label=app_label, codename=codename)
            )
        group.permissions.set(permissions)
