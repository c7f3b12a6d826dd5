"""The support roles as groups with permissions, in one table.

Run after every migrate (tickets.apps) and by the
``sync_roles`` management command after permissions change.
"""

from __future__ import annotations

from typing import Any

L1_AGENT = "L1 Agent"
L2_ENGINEER = "L2 Engineer"
SUPPORT_MANAGER = "Support Manager"

_TAXONOMY = (
    "hub",
    "partner",
    "product",
    "category",
    "impact",
    "issuetag",
    "hubclosure",
    "slapolicy",
)
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
    [f"tickets.view_{m}" for m in (*_THREAD, *_TAXONOMY, "ticketevent", "slaevent")]
    + [f"tickets.add_{m}" for m in _THREAD]
    + [f"tickets.change_{m}" for m in ("ticket", "requester")]
    + ["tickets.triage_ticket", "tickets.reply_ticket", "tickets.escalate_ticket"]
    + ["tickets.view_cannedresponse"]
    + _KB_READ
    + _KB_WRITE
)
# L2 reads everything and adds internal notes (add_message); public replies to the
# requester (reply_ticket) and triage stay with L1, who keeps the partner informed.
L2_PERMISSIONS = [
    f"tickets.view_{m}" for m in (*_THREAD, *_TAXONOMY, "ticketevent", "slaevent")
] + [
    "tickets.add_message",
    "tickets.add_attachment",
    *_KB_READ,
]
MANAGER_PERMISSIONS = (
    L1_PERMISSIONS
    + [
        f"tickets.{action}_{m}"
        for m in (*_TAXONOMY, "cannedresponse")
        for action in ("add", "change", "delete")
    ]
    + ["tickets.view_outboxmessage", "tickets.change_outboxmessage", "tickets.view_reports"]
    # Escalation issues (why one needs attention) and GitHub's webhook deliveries, read-only.
    + ["tickets.view_escalationissue", "github.view_webhookdelivery"]
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
