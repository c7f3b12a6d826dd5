"""The workspace's forms: triage, reply, assign, merge, escalate to L2, link an issue."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django import forms
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.http import QueryDict
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from catalog.models import Category, Hub, Impact, IssueTag, Partner, Product
from desk.forms.common import (
    BODY_MAX,
    NOT_SET,
    VersionedForm,
    choice_options,
    resolve_choice,
    set_choices,
    text_field,
)
from desk.forms.partners import partners_of
from tickets.escalation import EDITED_BODY_MAX, TITLE_MAX
from tickets.models import CannedResponse, MessageKind, Status, Ticket
from tickets.queues import DeskLists, reference_pk
from tickets.uploads import AttachmentsField


class TriageForm(VersionedForm):
    hub = forms.ChoiceField(label=gettext_lazy("Hub"), required=False)
    partner = forms.ChoiceField(label=gettext_lazy("Partner"), required=False)
    category = forms.ChoiceField(label=gettext_lazy("Category"), required=False)
    impact = forms.ChoiceField(
        label=gettext_lazy("Impact"), required=False, widget=forms.RadioSelect
    )
    product = forms.ChoiceField(label=gettext_lazy("Product"), required=False)
    tags = forms.MultipleChoiceField(
        label=gettext_lazy("Issue tags"), required=False, widget=forms.CheckboxSelectMultiple
    )
    assignee = forms.ChoiceField(label=gettext_lazy("Assignee"), required=False)
    status = forms.ChoiceField(label=gettext_lazy("Status"))
    # The values the form was loaded with, so a refused stale save can say exactly
    # what this agent changed (not what others changed since).
    loaded = forms.CharField(required=False, widget=forms.HiddenInput)

    FIELDS = ("hub", "partner", "category", "impact", "product", "tags", "assignee", "status")

    def __init__(self, *args: Any, ticket: Ticket, lists: DeskLists, **kwargs: Any) -> None:
        tag_ids = [t.pk for t in ticket.issue_tags.all()]
        initial: dict[str, Any] = {
            "version": ticket.version,
            "hub": str(ticket.hub_id or ""),
            "partner": str(ticket.partner_id or ""),
            "category": str(ticket.category_id or ""),
            "impact": str(ticket.impact_id or ""),
            "product": str(ticket.product_id or ""),
            "tags": [str(pk) for pk in tag_ids],
            "assignee": str(ticket.assignee_id or ""),
            "status": ticket.status,
        }
        initial["loaded"] = urlencode(
            [(k, v) for k in self.FIELDS for v in (initial[k] if k == "tags" else [initial[k]])]
        )
        kwargs.setdefault("initial", initial)
        super().__init__(*args, **kwargs)
        self.ticket = ticket
        self.lists = lists
        unset = [(NOT_SET, _("— not set —"))]
        set_choices(self, "hub", unset + choice_options(lists.hubs, ticket.hub_id))
        set_choices(
            self,
            "partner",
            unset
            + [
                (str(c.id), c.label) for c in partners_of(lists, None, current_id=ticket.partner_id)
            ],
        )
        set_choices(self, "category", unset + choice_options(lists.categories, ticket.category_id))
        set_choices(self, "impact", unset + choice_options(lists.impacts, ticket.impact_id))
        set_choices(self, "product", unset + choice_options(lists.products, ticket.product_id))
        set_choices(
            self, "tags", [(str(c.id), c.label) for c in lists.tags if c.active or c.id in tag_ids]
        )
        set_choices(self, "assignee", self._assignee_choices(ticket, lists))
        set_choices(
            self,
            "status",
            [
                (value, label)
                for value, label in Status.choices
                # Escalation has its own button (it is more than a status).
                if value == ticket.status
                or (ticket.can_move_to(value) and value != Status.ESCALATED)
            ],
        )

    def partner_choices(self) -> list[tuple[str, str]]:
        """The partners shown: those of the hub chosen (or the ticket's), with the current one."""
        hub = str(self["hub"].value() or "")
        current = self["partner"].value()
        current_id = int(current) if str(current or "").isdigit() else self.ticket.partner_id
        listed = partners_of(self.lists, int(hub) if hub.isdigit() else None, current_id=current_id)
        return [(NOT_SET, str(_("— not set —")))] + [(str(c.id), c.label) for c in listed]

    @staticmethod
    def _assignee_choices(ticket: Ticket, lists: DeskLists) -> list[tuple[str, Any]]:
        """Nobody, then who works tickets, then other staff (optgroups); never inactive accounts.

        A ticket still held by an account switched off since keeps it listed as the
        current choice, so saving other fields does not silently unassign it.
        """
        choices: list[tuple[str, Any]] = [(NOT_SET, _("Nobody"))]
        if ticket.assignee_id and ticket.assignee_id not in lists.by_id("staff"):
            assignee = ticket.assignee
            name = (assignee.get_full_name() or assignee.get_username()) if assignee else ""
            choices.append((str(ticket.assignee_id), _("%(name)s (inactive)") % {"name": name}))
        for label, group in lists.assignee_groups():
            choices.append((label, [(str(c.id), c.label) for c in group]))
        return choices

    def assignee_options(self) -> list[tuple[str, list[tuple[str, str]]]]:
        """The assignee choices for the template: ("", ungrouped) first, then each optgroup."""
        loose: list[tuple[str, str]] = []
        groups: list[tuple[str, list[tuple[str, str]]]] = []
        for value, label in self.fields["assignee"].choices:  # type: ignore[attr-defined]
            if isinstance(label, (list, tuple)):
                groups.append((str(value), [(str(v), str(lab)) for v, lab in label]))
            else:
                loose.append((str(value), str(label)))
        return [("", loose), *groups]

    def impact_definitions(self) -> dict[str, str]:
        return {str(c.id): c.extra for c in self.lists.impacts}

    def changes(self) -> dict[str, Any]:
        """Keyword arguments for ticket_triage: only the fields the agent changed."""
        data = self.cleaned_data
        ticket = self.ticket
        result: dict[str, Any] = {}
        self._taxonomy_changes(result)
        for name, model in (("category", Category), ("impact", Impact), ("product", Product)):
            posted = data.get(name) or ""
            if posted != str(getattr(ticket, f"{name}_id") or ""):
                result[name] = resolve_choice(model, posted, name)
        posted_tags = sorted(int(pk) for pk in data.get("tags") or [])
        if posted_tags != sorted(t.pk for t in ticket.issue_tags.all()):
            tags = list(IssueTag.objects.filter(pk__in=posted_tags))
            if len(tags) != len(posted_tags):
                raise ValidationError({"tags": _("One of these tags does not exist any more.")})
            result["tags"] = tags
        assignee = data.get("assignee") or ""
        if assignee != str(ticket.assignee_id or ""):
            result["assignee"] = (
                User.objects.filter(pk=int(assignee), is_staff=True, is_active=True).first()
                if assignee
                else None
            )
            if assignee and result["assignee"] is None:
                raise ValidationError(
                    {"assignee": _("Tickets can only be assigned to active staff accounts.")}
                )
        if data.get("status") and data["status"] != ticket.status:
            result["status"] = data["status"]
        return result

    def _taxonomy_changes(self, result: dict[str, Any]) -> None:
        """Hub and partner. A partner belongs to one hub: a partner chosen without a hub
        (or with the hub left as it was) brings its own; a partner and a different hub
        both chosen contradict each other and are refused."""
        data = self.cleaned_data
        ticket = self.ticket
        # A post without the fields (an older page, another client) leaves them alone.
        hub_id = data.get("hub") or "" if "hub" in self.data else str(ticket.hub_id or "")
        partner_id = (
            data.get("partner") or "" if "partner" in self.data else str(ticket.partner_id or "")
        )
        hub_changed = hub_id != str(ticket.hub_id or "")
        if partner_id != str(ticket.partner_id or ""):
            partner = resolve_choice(Partner, partner_id, "partner")
            result["partner"] = partner
            if partner is not None and (not hub_id or not hub_changed):
                hub_id, hub_changed = str(partner.hub_id), partner.hub_id != ticket.hub_id
            elif partner is not None and hub_id != str(partner.hub_id):
                raise ValidationError(
                    {
                        "partner": _("%(partner)s is a partner of %(hub)s, not of %(chosen)s.")
                        % {
                            "partner": partner,
                            "hub": partner.hub,
                            "chosen": resolve_choice(Hub, hub_id, "hub"),
                        }
                    }
                )
        if hub_changed:
            result["hub"] = resolve_choice(Hub, hub_id, "hub")

    def changed_since_loaded(self) -> list[tuple[str, list[str]]]:
        """(field, posted values) the agent changed from what their page showed."""
        loaded = QueryDict(str(self.data.get("loaded", "")))
        changed = []
        for name in self.FIELDS:
            posted = sorted(self.data.getlist(name)) if hasattr(self.data, "getlist") else []
            if posted != sorted(loaded.getlist(name)):
                changed.append((name, posted))
        return changed


class ReplyForm(VersionedForm):
    kind = forms.ChoiceField(
        label=gettext_lazy("Send as"),
        choices=[
            (MessageKind.REPLY, gettext_lazy("Public reply (emailed to the requester)")),
            (MessageKind.NOTE, gettext_lazy("Internal note (staff only)")),
        ],
        initial=MessageKind.REPLY,
        widget=forms.RadioSelect,
    )
    body = text_field(gettext_lazy("Message"), max_length=BODY_MAX, required=False, rows=7)
    attachments = AttachmentsField()
    then_status = forms.ChoiceField(
        label=gettext_lazy("Then"),
        choices=[
            (Status.WAITING, gettext_lazy("Waiting on customer")),
            (Status.OPEN, gettext_lazy("Keep open")),
            (Status.RESOLVED, gettext_lazy("Resolved")),
        ],
        initial=Status.WAITING,
        required=False,
    )
    canned = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(
        self, *args: Any, can_reply: bool = True, user: User | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        if not can_reply:
            set_choices(
                self, "kind", [(MessageKind.NOTE, gettext_lazy("Internal note (staff only)"))]
            )
            self.fields["kind"].initial = MessageKind.NOTE

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if (
            not data.get("body")
            and not data.get("attachments")
            and "attachments" not in self.errors
        ):
            self.add_error("body", _("Write a message or attach a file."))
        canned_id = data.get("canned")
        data["canned_response"] = None
        if canned_id:
            canned = (
                CannedResponse.objects.active().visible_to(self.user).filter(pk=canned_id).first()
            )
            if canned is None:
                self.add_error(None, _("That canned response does not exist any more."))
            data["canned_response"] = canned
        return data


class AssignForm(VersionedForm):
    pass


class MergeForm(VersionedForm):
    into = forms.CharField(
        label=gettext_lazy("Merge into ticket"),
        max_length=40,
        help_text=gettext_lazy("The reference of the ticket that stays, e.g. HD-1042."),
    )

    def clean_into(self) -> Ticket:
        pk = reference_pk(self.cleaned_data["into"])
        ticket = Ticket.objects.filter(pk=pk).first() if pk else None
        if ticket is None:
            raise ValidationError(
                _("There is no ticket %(ref)s.") % {"ref": self.cleaned_data["into"]}
            )
        return ticket


class EscalateForm(VersionedForm):
    """Escalate to L2: the GitHub issue is built from the report plus this summary."""

    technical_summary = forms.CharField(
        label=gettext_lazy("Technical summary for L2"),
        max_length=10_000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=gettext_lazy(
            "What you found, what you tried, why it needs L2 (server change or code fix)."
        ),
        error_messages={"required": gettext_lazy("Write a technical summary for L2.")},
    )
    include_contact = forms.BooleanField(
        label=gettext_lazy("Include the requester's contact details in the issue"),
        required=False,
    )
    # The previewed issue, as the agent edited it; empty until the preview was shown.
    title = forms.CharField(
        label=gettext_lazy("Issue title"), max_length=TITLE_MAX, required=False, strip=False
    )
    body = forms.CharField(
        label=gettext_lazy("Issue body (Markdown)"),
        max_length=EDITED_BODY_MAX,
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 16}),
    )
    publish_anyway = forms.BooleanField(
        label=gettext_lazy(
            "I checked the highlighted text: it may be published on the public repository"
        ),
        required=False,
    )


class LinkIssueForm(VersionedForm):
    """Follow an issue already filed (many partners hit the same bug)."""

    issue = forms.CharField(
        label=gettext_lazy("Existing GitHub issue"),
        max_length=300,
        help_text=gettext_lazy("Its address, owner/name#12, or #12 in the product's repository."),
        error_messages={"required": gettext_lazy("Paste the issue's address or number.")},
    )


class UrgentForm(VersionedForm):
    """Mark the ticket urgent, or not any more; the reason goes to an internal note."""

    urgent = forms.TypedChoiceField(
        choices=[("1", gettext_lazy("Urgent")), ("0", gettext_lazy("Not urgent"))],
        coerce=lambda value: value == "1",
        widget=forms.HiddenInput,
    )
    reason = forms.CharField(
        label=gettext_lazy("Why (optional, added as an internal note)"),
        max_length=500,
        required=False,
    )


class DismissL2NewsForm(VersionedForm):
    """Nothing to pass on (or the partner was told another way): why, for the history."""

    reason = forms.CharField(
        label=gettext_lazy("Why the partner need not be told"),
        max_length=500,
        error_messages={"required": gettext_lazy("Say why the partner need not be told.")},
    )
