"""The portal's forms: Contact Us (with the product's own fields), replies, lost links.

Forms parse and check input and say what is wrong next to the field; they
never write. The views hand what they cleaned to :mod:`portal.services` and
:mod:`tickets.services`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, cast

from django import forms
from django.utils.html import escape
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from catalog.memo import active_rows
from catalog.models import Category, Hub, Product
from portal.completeness import report_gaps
from portal.fields import CatalogChoiceField, CategoryRadioSelect, LineField, TextField, textarea
from portal.services import ContactRequest, HeldFile, form_started_token
from tickets.uploads import AttachmentsField, CheckedUpload

SUBJECT_MAX = 200
TEXT_MAX = 10_000
DETAIL_MAX = 500
PRODUCT_FIELD_PREFIX = "pd_"
ENVIRONMENT_FIELDS = {
    "env_computer": "computer_browser",
    "env_device": "phone_tablet",
    "env_app_version": "app_version",
    "env_dashboard": "connected_dashboard",
}


class ContactForm(forms.Form):
    """Contact Us: who you are, what it is about, and the details support needs to act."""

    name = LineField(
        label=gettext_lazy("Your name"),
        max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    email = forms.EmailField(
        label=gettext_lazy("Email address"),
        max_length=254,
        help_text=gettext_lazy("We answer here, and send you the private link to your request."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    organisation = LineField(
        label=gettext_lazy("Organisation"),
        max_length=200,
        required=False,
        help_text=gettext_lazy("The partner or organisation you work for."),
        widget=forms.TextInput(attrs={"autocomplete": "organization"}),
    )
    hub = CatalogChoiceField(
        label=gettext_lazy("Hub"),
        queryset=Hub.objects.active(),
        required=False,
        empty_label=gettext_lazy("I don't know"),
        help_text=gettext_lazy("The Akvo hub your organisation works with."),
    )
    product = CatalogChoiceField(
        label=gettext_lazy("Product"),
        queryset=Product.objects.active(),
        empty_label=gettext_lazy("Choose the product"),
    )
    category = CatalogChoiceField(
        label=gettext_lazy("What kind of request is it?"),
        queryset=Category.objects.active(),
        widget=CategoryRadioSelect,
        empty_label=None,
    )
    subject = LineField(
        label=gettext_lazy("Subject"),
        max_length=SUBJECT_MAX,
        help_text=gettext_lazy("One line, e.g. “Data export of survey X stops at 50%”."),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    description = TextField(
        label=gettext_lazy("Describe your question or idea"),
        required=False,
        max_length=TEXT_MAX,
        widget=textarea(5),
        help_text=gettext_lazy("For a bug, anything the questions below do not cover."),
    )
    what_doing = TextField(
        label=gettext_lazy("What were you doing?"),
        required=False,
        max_length=TEXT_MAX,
        widget=textarea(),
    )
    expected = TextField(
        label=gettext_lazy("What did you expect to happen?"),
        required=False,
        max_length=TEXT_MAX,
        widget=textarea(),
    )
    actual = TextField(
        label=gettext_lazy("What actually happened?"),
        required=False,
        max_length=TEXT_MAX,
        widget=textarea(),
        help_text=gettext_lazy("Copy any error message exactly as it appears."),
    )
    steps = TextField(
        label=gettext_lazy("Steps to reproduce"),
        required=False,
        max_length=TEXT_MAX,
        widget=textarea(4, placeholder=gettext_lazy("1. Open …\n2. Click …\n3. See …")),
    )
    env_computer = LineField(
        label=gettext_lazy("Computer and browser"),
        required=False,
        max_length=300,
        help_text=gettext_lazy("Filled in from your browser; change it if it is not right."),
    )
    env_device = LineField(
        label=gettext_lazy("Phone or tablet"),
        required=False,
        max_length=DETAIL_MAX,
        help_text=gettext_lazy("Make and model, if the problem is on a phone or tablet."),
    )
    env_app_version = LineField(label=gettext_lazy("App version"), required=False, max_length=100)
    env_dashboard = LineField(
        label=gettext_lazy("Connected dashboard"),
        required=False,
        max_length=DETAIL_MAX,
        help_text=gettext_lazy("The dashboard or instance the app is connected to."),
    )
    attachments = AttachmentsField()
    # Spam checks: a field people never see, and when the form was handed out.
    website = forms.CharField(
        label=gettext_lazy("Leave this field empty"),
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )
    started = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, held_files: Sequence[HeldFile] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        attachments = cast(AttachmentsField, self.fields["attachments"])
        attachments.held = len(held_files)
        attachments.held_bytes = sum(held.size for held in held_files)
        if not self.is_bound and not self.initial.get("started"):
            self.initial["started"] = form_started_token()
        self.chosen_product = self._chosen_product()
        self.product_field_names: list[str] = []
        for spec in self.chosen_product.report_fields if self.chosen_product else []:
            name = PRODUCT_FIELD_PREFIX + str(spec["name"])
            self.fields[name] = LineField(
                label=str(spec["label"]),
                required=False,
                max_length=DETAIL_MAX,
                # Help comes from the admin's product configuration: escaped, never markup.
                help_text=escape(spec.get("help") or ""),
            )
            self.product_field_names.append(name)

    def _chosen_product(self) -> Product | None:
        value = self.data.get("product") if self.is_bound else self.initial.get("product")
        if isinstance(value, Product):
            return value
        try:
            pk = int(str(value))
        except (TypeError, ValueError):
            return None
        return active_rows(Product).get(pk)

    # Groups of fields, for the template.
    def about_you(self) -> list[forms.BoundField]:
        return [self[name] for name in ("name", "email", "organisation", "hub")]

    def bug_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in ("what_doing", "expected", "actual", "steps")]

    def product_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.product_field_names]

    def environment_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in ENVIRONMENT_FIELDS]

    @property
    def accepted_uploads(self) -> list[CheckedUpload]:
        """The good files of what was sent, even when others were refused (to hold them)."""
        return cast(AttachmentsField, self.fields["attachments"]).checked.accepted

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        category = cleaned.get("category")
        if category is not None and category.is_bug:
            if not (cleaned.get("actual") or cleaned.get("description")) and not (
                self.has_error("actual") or self.has_error("description")
            ):
                self.add_error(
                    "actual",
                    _("Tell us what actually happened: it is what we start from with a bug."),
                )
        elif (
            category is not None
            and not cleaned.get("description")
            and not self.has_error("description")
        ):
            self.add_error("description", _("Describe your question or idea."))
        return cleaned

    # --- After validation --------------------------------------------------------

    def is_bug(self) -> bool:
        category = self.cleaned_data.get("category")
        return bool(category and category.is_bug)

    def completeness_hints(self) -> list[tuple[str, str]]:
        """What a report lacks that support will ask for, and why; (field, message) pairs."""
        return report_gaps(self.cleaned_data, is_bug=self.is_bug())

    def stored_data(self) -> dict[str, str]:
        """The typed values, as strings, to keep in the session and fill the form again."""
        keep = [name for name in self.fields if name not in ("attachments", "website", "started")]
        return {name: self.data.get(name, "") for name in keep} | {
            "started": self.data.get("started", "")
        }

    def to_request(self) -> ContactRequest:
        data = self.cleaned_data
        product_details = {}
        for spec in self.chosen_product.report_fields if self.chosen_product else []:
            value = data.get(PRODUCT_FIELD_PREFIX + str(spec["name"]))
            if value:
                product_details[str(spec["name"])] = value
        environment = {
            key: data[name] for name, key in ENVIRONMENT_FIELDS.items() if data.get(name)
        }
        is_bug = self.is_bug()
        return ContactRequest(
            name=data["name"],
            email=data["email"],
            organisation=data.get("organisation") or "",
            hub=data.get("hub"),
            product=data.get("product"),
            category=data.get("category"),
            subject=data["subject"],
            description=data.get("description") or "",
            what_doing=(data.get("what_doing") or "") if is_bug else "",
            expected=(data.get("expected") or "") if is_bug else "",
            actual=(data.get("actual") or "") if is_bug else "",
            steps=(data.get("steps") or "") if is_bug else "",
            product_details=product_details,
            environment=environment,
        )

    def summary(self) -> list[tuple[str, Any]]:
        """Label and value of every filled-in field, in form order, for the review page."""
        rows: list[tuple[str, Any]] = []
        is_bug = self.is_bug()
        for name, bound_field in self.fields.items():
            if name in ("attachments", "website", "started"):
                continue
            if not is_bug and name in ("what_doing", "expected", "actual", "steps"):
                continue
            value = self.cleaned_data.get(name)
            if value in (None, ""):
                continue
            label = bound_field.label
            if name == "description" and is_bug:
                label = _("Anything else")
            rows.append((str(label), value))
        return rows


class ReplyForm(forms.Form):
    """The requester's reply on their ticket page."""

    body = TextField(
        label=gettext_lazy("Your message"),
        required=False,
        max_length=TEXT_MAX,
        widget=textarea(5),
    )
    attachments = AttachmentsField()

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if not cleaned.get("body") and not cleaned.get("attachments") and not self.errors:
            self.add_error("body", _("Write a message or attach a file."))
        return cleaned


class LostLinkForm(forms.Form):
    email = forms.EmailField(
        label=gettext_lazy("Email address"),
        max_length=254,
        help_text=gettext_lazy("The address you wrote to us from."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
