"""The desk's forms: they parse and check what an agent sent, and never write.

Choices come from :class:`tickets.queues.DeskLists` (loaded once per page), so
rendering a form costs no queries; a posted id is turned into its row only when
the form is cleaned, and an id that names no such row is a form error.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, cast
from urllib.parse import urlencode

from django import forms
from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from catalog.models import Category, Hub, Impact, IssueTag, Partner, Product
from tickets.filetypes import ACCEPT_ATTRIBUTE, file_kind
from tickets.models import Attachment, CannedResponse, Channel, MessageKind, Status, Ticket
from tickets.queues import DeskLists, reference_pk
from tickets.services import BULK_ACTIONS

BODY_MAX = 20_000
TEXT_MAX = 10_000
NOT_SET = ""


def _options(choices: Sequence[Any], current_id: int | None = None) -> list[tuple[str, str]]:
    """Active choices, plus the current one if it has since been switched off."""
    return [(str(c.id), c.label) for c in choices if c.active or c.id == current_id]


def _set_choices(form: forms.Form, name: str, choices: list[tuple[str, Any]]) -> None:
    cast(forms.ChoiceField, form.fields[name]).choices = choices


def _max_files() -> int:
    return int(getattr(settings, "ATTACHMENT_MAX_FILES", 5))


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class AttachmentsField(forms.FileField):
    """Several files in one input, each checked by size and by what its content is."""

    widget = MultipleFileInput

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        kwargs.setdefault("label", gettext_lazy("Attachments"))
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ACCEPT_ATTRIBUTE}))
        super().__init__(**kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[UploadedFile]:
        if not data:
            return []
        files = [f for f in (data if isinstance(data, list | tuple) else [data]) if f]
        limit = settings.ATTACHMENT_MAX_BYTES
        errors: list[str] = []
        if len(files) > _max_files():
            errors.append(
                ngettext(
                    "Attach at most %(max)d file.", "Attach at most %(max)d files.", _max_files()
                )
                % {"max": _max_files()}
            )
        for upload in files:
            name = Attachment.safe_name(upload.name or "")
            if (upload.size or 0) > limit:
                errors.append(
                    _("“%(name)s” is %(size).1f MB; a file can be at most %(limit).1f MB.")
                    % {
                        "name": name,
                        "size": (upload.size or 0) / 1048576,
                        "limit": limit / 1048576,
                    }
                )
                continue
            try:
                kind = file_kind(upload, name)
            except ValidationError as error:
                errors.extend(error.messages)
                continue
            # The content decides the type it is stored and served with.
            upload.content_type = kind.content_type
        if errors:
            raise ValidationError(errors)
        return files


def text_field(label: Any, *, max_length: int = TEXT_MAX, required: bool = False,
               rows: int = 3) -> forms.CharField:  # fmt: skip
    return forms.CharField(
        label=label,
        max_length=max_length,
        required=required,
        strip=True,
        widget=forms.Textarea(attrs={"rows": rows}),
    )


class VersionedForm(forms.Form):
    """Carries the version of the ticket the agent loaded (optimistic locking)."""

    version = forms.IntegerField(min_value=1, widget=forms.HiddenInput)


def _resolve(model: Any, pk: str, field: str) -> Any:
    if pk in (None, ""):
        return None
    try:
        return model.objects.get(pk=int(pk))
    except (model.DoesNotExist, ValueError):
        raise ValidationError({field: _("That choice does not exist any more.")}) from None


class TriageForm(VersionedForm):
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

    FIELDS = ("category", "impact", "product", "tags", "assignee", "status")

    def __init__(self, *args: Any, ticket: Ticket, lists: DeskLists, **kwargs: Any) -> None:
        tag_ids = [t.pk for t in ticket.issue_tags.all()]
        initial: dict[str, Any] = {
            "version": ticket.version,
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
        _set_choices(self, "category", unset + _options(lists.categories, ticket.category_id))
        _set_choices(self, "impact", unset + _options(lists.impacts, ticket.impact_id))
        _set_choices(self, "product", unset + _options(lists.products, ticket.product_id))
        _set_choices(
            self, "tags", [(str(c.id), c.label) for c in lists.tags if c.active or c.id in tag_ids]
        )
        _set_choices(
            self, "assignee", [(NOT_SET, _("Nobody"))] + [(str(c.id), c.label) for c in lists.staff]
        )
        _set_choices(
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

    def impact_definitions(self) -> dict[str, str]:
        return {str(c.id): c.extra for c in self.lists.impacts}

    def changes(self) -> dict[str, Any]:
        """Keyword arguments for ticket_triage: only the fields the agent changed."""
        data = self.cleaned_data
        ticket = self.ticket
        result: dict[str, Any] = {}
        for name, model in (("category", Category), ("impact", Impact), ("product", Product)):
            posted = data.get(name) or ""
            if posted != str(getattr(ticket, f"{name}_id") or ""):
                result[name] = _resolve(model, posted, name)
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
                raise ValidationError({"assignee": _("Tickets can only be assigned to staff.")})
        if data.get("status") and data["status"] != ticket.status:
            result["status"] = data["status"]
        return result

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

    def __init__(self, *args: Any, can_reply: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not can_reply:
            _set_choices(
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
            canned = CannedResponse.objects.active().filter(pk=canned_id).first()
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


class BulkForm(forms.Form):
    """An action on the tickets ticked in a queue; each carries the version it was listed at."""

    action = forms.ChoiceField(choices=[(a, a) for a in BULK_ACTIONS])
    selected = forms.CharField(required=False)  # many "id:version" values, read in clean
    assignee = forms.CharField(required=False)
    category = forms.CharField(required=False)
    impact = forms.CharField(required=False)
    tags = forms.MultipleChoiceField(required=False)

    def __init__(self, *args: Any, lists: DeskLists, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.lists = lists
        _set_choices(self, "tags", [(str(c.id), c.label) for c in lists.tags])

    def clean_selected(self) -> dict[int, int]:
        selection: dict[int, int] = {}
        for raw in self.data.getlist("selected") if hasattr(self.data, "getlist") else []:
            pk, _sep, version = str(raw).partition(":")
            if not (pk.isdigit() and version.isdigit()):
                raise ValidationError(_("The selection was not understood; reload the list."))
            selection[int(pk)] = int(version)
        if not selection:
            raise ValidationError(_("Tick the tickets to change first."))
        return selection

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        action = data.get("action")
        if action == "assign":
            raw = data.get("assignee") or ""
            if raw in ("", "none"):
                data["assignee_user"] = None
            else:
                user = (
                    User.objects.filter(pk=int(raw), is_staff=True, is_active=True).first()
                    if raw.isdigit()
                    else None
                )
                if user is None:
                    self.add_error("assignee", _("Choose an agent to assign the tickets to."))
                data["assignee_user"] = user
        elif action in ("category", "impact"):
            model = Category if action == "category" else Impact
            raw = data.get(action) or ""
            data[f"{action}_obj"] = None
            if raw:
                obj = model.objects.filter(pk=int(raw)).first() if raw.isdigit() else None
                if obj is None:
                    self.add_error(action, _("That choice does not exist."))
                data[f"{action}_obj"] = obj
        elif action in ("add_tags", "set_tags"):
            data["tag_objs"] = list(IssueTag.objects.filter(pk__in=data.get("tags") or []))
            if action == "add_tags" and not data["tag_objs"]:
                self.add_error("tags", _("Choose the tags to add."))
        return data


# The same environment details the Contact Us form asks for, stored under the same keys.
ENVIRONMENT_FIELDS = {
    "env_computer": ("computer_browser", gettext_lazy("Computer and browser")),
    "env_device": ("phone_tablet", gettext_lazy("Phone or tablet")),
    "env_app_version": ("app_version", gettext_lazy("App version")),
    "env_dashboard": ("connected_dashboard", gettext_lazy("Connected dashboard")),
}
DETAIL_MAX = 500


class OnBehalfForm(forms.Form):
    """A ticket logged for a client who reached out directly (phone, Slack, an email to you).

    It asks what the Contact Us form asks, so a ticket logged by an agent arrives
    as complete as one the client wrote: the product's own report fields are
    offered for every product (the page shows the chosen product's), and only
    the chosen product's are kept.
    """

    requester_email = forms.EmailField(label=gettext_lazy("Client's email address"))
    requester_name = forms.CharField(label=gettext_lazy("Client's name"), max_length=200,
                                     required=False)  # fmt: skip
    partner = forms.ChoiceField(label=gettext_lazy("Partner"), required=False)
    organisation = forms.CharField(
        label=gettext_lazy("Organisation, if not a known partner"),
        max_length=200,
        required=False,
    )
    hub = forms.ChoiceField(label=gettext_lazy("Hub"), required=False)
    channel = forms.ChoiceField(
        label=gettext_lazy("How did they reach out?"),
        choices=[
            (c.value, c.label) for c in (Channel.PHONE, Channel.SLACK, Channel.EMAIL, Channel.OTHER)
        ],
    )
    received_at = forms.DateTimeField(
        label=gettext_lazy("When did they first reach out?"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"],
        help_text=gettext_lazy("Leave empty for now. The SLA clock starts at this time."),
    )
    product = forms.ChoiceField(label=gettext_lazy("Product"), required=False)
    category = forms.ChoiceField(label=gettext_lazy("Category"), required=False)
    impact = forms.ChoiceField(label=gettext_lazy("Impact"), required=False)
    tags = forms.MultipleChoiceField(
        label=gettext_lazy("Issue tags"), required=False, widget=forms.CheckboxSelectMultiple
    )
    subject = forms.CharField(label=gettext_lazy("Subject"), max_length=200)
    description = text_field(gettext_lazy("What the client told you"), rows=5)
    what_doing = text_field(gettext_lazy("What were they doing?"))
    expected = text_field(gettext_lazy("What did they expect to happen?"))
    actual = text_field(gettext_lazy("What actually happened?"))
    steps = text_field(gettext_lazy("Steps to reproduce"))
    env_computer = forms.CharField(label=ENVIRONMENT_FIELDS["env_computer"][1], max_length=300,
                                   required=False)  # fmt: skip
    env_device = forms.CharField(label=ENVIRONMENT_FIELDS["env_device"][1], max_length=DETAIL_MAX,
                                 required=False)  # fmt: skip
    env_app_version = forms.CharField(label=ENVIRONMENT_FIELDS["env_app_version"][1],
                                      max_length=100, required=False)  # fmt: skip
    env_dashboard = forms.CharField(label=ENVIRONMENT_FIELDS["env_dashboard"][1],
                                    max_length=DETAIL_MAX, required=False)  # fmt: skip
    attachments = AttachmentsField()

    def __init__(self, *args: Any, lists: DeskLists, products: Sequence[Product] = (),
                 **kwargs: Any) -> None:  # fmt: skip
        super().__init__(*args, **kwargs)
        unset = [(NOT_SET, _("— not set —"))]
        _set_choices(self, "partner", unset + _options(lists.partners))
        _set_choices(self, "hub", unset + _options(lists.hubs))
        _set_choices(self, "product", unset + _options(lists.products))
        _set_choices(self, "category", unset + _options(lists.categories))
        _set_choices(self, "impact", unset + _options(lists.impacts))
        _set_choices(self, "tags", [(str(c.id), c.label) for c in lists.active("tags")])
        # Each product's report fields, named per product so two products may share a name.
        self.product_groups: list[tuple[Product, list[str]]] = []
        for product in products:
            names = []
            for spec in product.report_fields or []:
                name = f"pd_{product.pk}_{spec['name']}"
                self.fields[name] = forms.CharField(
                    label=str(spec["label"]),
                    max_length=DETAIL_MAX,
                    required=False,
                    help_text=str(spec.get("help") or ""),
                )
                names.append(name)
            if names:
                self.product_groups.append((product, names))

    def product_field_groups(self) -> list[tuple[Product, list[forms.BoundField]]]:
        return [(product, [self[name] for name in names]) for product, names in self.product_groups]

    def environment_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in ENVIRONMENT_FIELDS]

    def clean_received_at(self) -> datetime | None:
        value = self.cleaned_data.get("received_at")
        if value is not None and value > timezone.now():
            raise ValidationError(_("The first contact cannot be in the future."))
        return value

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if not any(data.get(f) for f in ("description", "what_doing", "actual")):
            self.add_error("description", _("Write down what the client told you."))
        return data

    def _product_details(self, product: Product | None) -> dict[str, str]:
        if product is None:
            return {}
        details = {}
        for spec in product.report_fields or []:
            value = self.cleaned_data.get(f"pd_{product.pk}_{spec['name']}")
            if value:
                details[str(spec["name"])] = value
        return details

    def service_arguments(self) -> dict[str, Any]:
        data = self.cleaned_data
        product = _resolve(Product, data.get("product") or "", "product")
        partner = _resolve(Partner, data.get("partner") or "", "partner")
        return {
            "requester_email": data["requester_email"],
            "requester_name": data["requester_name"],
            "subject": data["subject"],
            "channel": data["channel"],
            "description": data["description"],
            "what_doing": data["what_doing"],
            "expected": data["expected"],
            "actual": data["actual"],
            "steps": data["steps"],
            "partner": partner,
            "organisation_name": "" if partner else data.get("organisation") or "",
            "hub": _resolve(Hub, data.get("hub") or "", "hub"),
            "product": product,
            "category": _resolve(Category, data.get("category") or "", "category"),
            "impact": _resolve(Impact, data.get("impact") or "", "impact"),
            "issue_tags": list(IssueTag.objects.filter(pk__in=data.get("tags") or [])),
            "product_details": self._product_details(product),
            "environment": {
                key: data[name] for name, (key, _label) in ENVIRONMENT_FIELDS.items() if data[name]
            },
            "received_at": data.get("received_at"),
            "attachments": data.get("attachments") or [],
        }


class SavedViewForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name this view"), max_length=80)
    queue = forms.CharField(max_length=20, widget=forms.HiddenInput)
    query = forms.CharField(max_length=1000, required=False, widget=forms.HiddenInput)


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


class LinkIssueForm(VersionedForm):
    """Follow an issue already filed (many partners hit the same bug)."""

    issue = forms.CharField(
        label=gettext_lazy("Existing GitHub issue"),
        max_length=300,
        help_text=gettext_lazy("Its address, owner/name#12, or #12 in the product's repository."),
        error_messages={"required": gettext_lazy("Paste the issue's address or number.")},
    )
