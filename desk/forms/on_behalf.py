"""Logging a ticket for a client who reached out directly (phone, Slack, an email to you)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from catalog.models import Category, Hub, Impact, IssueTag, Partner, Product
from catalog.report_fields import report_field_text
from desk.forms.common import (
    NOT_SET,
    choice_options,
    resolve_choice,
    set_choices,
    text_field,
)
from desk.forms.zoned import LocalDateTimeField, name_zones
from tickets.models import Channel
from tickets.queues import DeskLists
from tickets.uploads import AttachmentsField

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
    received_at = LocalDateTimeField(
        label=gettext_lazy("When did they first reach out?"),
        required=False,
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
        name_zones(self)
        unset = [(NOT_SET, _("— not set —"))]
        set_choices(self, "partner", unset + choice_options(lists.partners))
        set_choices(self, "hub", unset + choice_options(lists.hubs))
        set_choices(self, "product", unset + choice_options(lists.products))
        set_choices(self, "category", unset + choice_options(lists.categories))
        set_choices(self, "impact", unset + choice_options(lists.impacts))
        set_choices(self, "tags", [(str(c.id), c.label) for c in lists.active("tags")])
        # Each product's report fields, named per product so two products may share a name.
        self.product_groups: list[tuple[Product, list[str]]] = []
        for product in products:
            names = []
            for spec in product.report_fields or []:
                name = f"pd_{product.pk}_{spec['name']}"
                self.fields[name] = forms.CharField(
                    label=report_field_text(spec, "label"),
                    max_length=DETAIL_MAX,
                    required=False,
                    help_text=report_field_text(spec, "help"),
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
        product = resolve_choice(Product, data.get("product") or "", "product")
        partner = resolve_choice(Partner, data.get("partner") or "", "partner")
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
            "hub": resolve_choice(Hub, data.get("hub") or "", "hub"),
            "product": product,
            "category": resolve_choice(Category, data.get("category") or "", "category"),
            "impact": resolve_choice(Impact, data.get("impact") or "", "impact"),
            "issue_tags": list(IssueTag.objects.filter(pk__in=data.get("tags") or [])),
            "product_details": self._product_details(product),
            "environment": {
                key: data[name] for name, (key, _label) in ENVIRONMENT_FIELDS.items() if data[name]
            },
            "received_at": data.get("received_at"),
            "attachments": data.get("attachments") or [],
        }
