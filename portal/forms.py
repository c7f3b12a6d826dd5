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
from catalog.report_fields import report_field_text
from portal import kinds
from portal.browsers import USER_AGENT_MAX
from portal.completeness import report_gaps
from portal.fields import CatalogChoiceField, CategoryRadioSelect, LineField, TextField, textarea
from portal.kinds import Kind, kind_of
from portal.services import ContactRequest, HeldFile, form_started_token
from tickets.uploads import AttachmentsField, CheckedUpload

SUBJECT_MAX = 200
TEXT_MAX = 10_000
DETAIL_MAX = 500
PRODUCT_FIELD_PREFIX = "pd_"
ENVIRONMENT_FIELDS = kinds.ENVIRONMENT_FIELDS
# Not typed by the person, or not part of the request itself.
NOT_TYPED = ("attachments", "website", "started")
# The description is asked the way the kind of request needs it: (label, help).
DESCRIPTION_WORDING = {
    None: (
        gettext_lazy("Describe your request"),
        gettext_lazy("What you need, in a few sentences."),
    ),
    Kind.BUG: (
        gettext_lazy("Anything else we should know"),
        gettext_lazy("Anything the questions above do not cover."),
    ),
    Kind.QUESTION: (
        gettext_lazy("Your question"),
        gettext_lazy("What you want to do, and where you are stuck."),
    ),
    Kind.FEATURE: (
        gettext_lazy("Describe your idea"),
        gettext_lazy("What you would like the product to do."),
    ),
}

# What each kind of request cannot be sent without: one of these fields, or this message.
REQUIRED = {
    Kind.BUG: (
        ("actual", "description"),
        gettext_lazy("Tell us what actually happened: it is what we start from with a bug."),
    ),
    Kind.QUESTION: (("description",), gettext_lazy("Write your question.")),
    Kind.FEATURE: (
        ("description", "problem"),
        gettext_lazy("Describe your idea, or the problem it would solve."),
    ),
}


class ContactForm(forms.Form):
    """Contact Us: the kind of request first, then only what that kind needs, then who you are.

    The fields are declared in the order the page shows them.
    """

    category = CatalogChoiceField(
        label=gettext_lazy("What kind of request is it?"),
        queryset=Category.objects.active(),
        widget=CategoryRadioSelect,
        empty_label=None,
    )
    product = CatalogChoiceField(
        label=gettext_lazy("Product"),
        queryset=Product.objects.active(),
        empty_label=gettext_lazy("Choose the product"),
    )
    subject = LineField(
        label=gettext_lazy("Subject"),
        max_length=SUBJECT_MAX,
        help_text=gettext_lazy("One line, e.g. “Data export of survey X stops at 50%”."),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    what_doing = TextField(
        label=gettext_lazy("What were you doing?"),
        required=False,
        max_length=TEXT_MAX,
        widget=textarea(2),
    )
    expected = TextField(
        label=gettext_lazy("What did you expect to happen?"),
        required=False,
        max_length=TEXT_MAX,
        widget=textarea(2),
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
        widget=textarea(3, placeholder=gettext_lazy("1. Open …\n2. Click …\n3. See …")),
    )
    description = TextField(required=False, max_length=TEXT_MAX, widget=textarea())
    problem = TextField(
        label=gettext_lazy("What problem would it solve?"),
        required=False,
        max_length=TEXT_MAX,
        widget=textarea(),
        help_text=gettext_lazy("What is hard, slow or impossible today without it."),
    )
    who_needs = TextField(
        label=gettext_lazy("Who needs it?"),
        required=False,
        max_length=TEXT_MAX,
        widget=textarea(2),
        help_text=gettext_lazy("Which people or teams, and how many of them."),
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
        self.chosen_product = cast(Product | None, self._chosen("product", Product))
        self.chosen_category = cast(Category | None, self._chosen("category", Category))
        self.kind = kind_of(self.chosen_category)
        label, help_text = DESCRIPTION_WORDING[self.kind]
        self.fields["description"].label = label
        self.fields["description"].help_text = help_text
        self.product_field_names: list[str] = []
        for spec in self.chosen_product.report_fields if self.chosen_product else []:
            name = PRODUCT_FIELD_PREFIX + str(spec["name"])
            # In the reader's language (the form is made per request, and kept blank per
            # language by portal.templatetags.contact_fields).
            self.fields[name] = LineField(
                label=report_field_text(spec, "label"),
                required=False,
                max_length=DETAIL_MAX,
                # Help comes from the admin's product configuration: escaped, never markup.
                help_text=escape(report_field_text(spec, "help")),
            )
            self.product_field_names.append(name)
        # The product's fields come before the device, as in the page.
        names = list(self.fields)
        self.order_fields([*names[: names.index("env_computer")], *self.product_field_names])

    def _chosen(self, name: str, model: type[Product | Category]) -> Product | Category | None:
        value = self.data.get(name) if self.is_bound else self.initial.get(name)
        if isinstance(value, model):
            return value
        try:
            pk = int(str(value))
        except (TypeError, ValueError):
            return None
        return active_rows(model).get(pk)

    # Groups of fields, for the template.
    def about_you(self) -> list[forms.BoundField]:
        return [self[name] for name in ("name", "email", "organisation", "hub")]

    def bug_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in kinds.BUG_FIELDS]

    def feature_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in kinds.FEATURE_FIELDS]

    def product_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.product_field_names]

    def mobile_fields(self) -> list[forms.BoundField]:
        """The device questions only a problem in the mobile app needs (folded away)."""
        return [self[name] for name in ENVIRONMENT_FIELDS if name != "env_computer"]

    def mobile_open(self) -> bool:
        """Whether the mobile app's questions show unfolded: something is typed or wrong."""
        return any(field.value() or field.errors for field in self.mobile_fields())

    def sections(self) -> dict[str, dict[str, Any]]:
        """Each kind-dependent part of the page: the kinds it shows for, and whether it is
        hidden now (no kind chosen yet, or another one)."""
        return {
            name: {"kinds": section.data_kinds, "hidden": not section.applies(self.kind)}
            for name, section in kinds.SECTIONS.items()
        }

    def description_wording(self) -> dict[str, list[str]]:
        """The description's label and help for each kind, for contact.js to switch to."""
        return {
            str(kind or ""): [str(label), str(help_text)]
            for kind, (label, help_text) in DESCRIPTION_WORDING.items()
        }

    def ignored_fields(self, kind: Kind | None) -> set[str]:
        """The fields the kind of request does not ask for: neither checked nor sent."""
        return {
            name
            for section_name, section in kinds.SECTIONS.items()
            if not section.applies(kind)
            for name in kinds.section_fields(section_name, self.product_field_names)
        }

    @property
    def accepted_uploads(self) -> list[CheckedUpload]:
        """The good files of what was sent, even when others were refused (to hold them)."""
        return cast(AttachmentsField, self.fields["attachments"]).checked.accepted

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        kind = kind_of(cleaned.get("category"))
        for name in self.ignored_fields(kind):
            cleaned.pop(name, None)
            self.errors.pop(name, None)  # full_clean() is under way: its errors so far
        if kind is not None:
            names, message = REQUIRED[kind]
            if not any(cleaned.get(name) or self.has_error(name) for name in names):
                self.add_error(names[0], message)
        return cleaned

    # --- After validation --------------------------------------------------------

    def chosen_kind(self) -> Kind | None:
        return kind_of(self.cleaned_data.get("category"))

    def is_bug(self) -> bool:
        return self.chosen_kind() is Kind.BUG

    def completeness_hints(self) -> list[tuple[str, str]]:
        """What a report lacks that support will ask for, and why; (field, message) pairs."""
        return report_gaps(self.cleaned_data, kind=self.chosen_kind())

    def stored_data(self) -> dict[str, str]:
        """The typed values, as strings, to keep in the session and fill the form again.

        Fields the chosen kind ignores are kept too: choosing another kind on the way
        back from the review finds them as typed.
        """
        keep = [name for name in self.fields if name not in NOT_TYPED]
        return {name: self.data.get(name, "") for name in keep} | {
            "started": self.data.get("started", "")
        }

    def to_request(self, *, user_agent: str = "") -> ContactRequest:
        """What is sent: the fields the kind of request asks for, nothing typed for another.

        ``user_agent`` is the browser's raw User-Agent, kept with a bug's environment
        for engineers (the form shows its readable name instead).
        """
        data = self.cleaned_data
        kind = self.chosen_kind()
        product_details = {}
        for spec in self.chosen_product.report_fields if self.chosen_product else []:
            value = data.get(PRODUCT_FIELD_PREFIX + str(spec["name"]))
            if value:
                product_details[str(spec["name"])] = value
        environment = {
            key: data[name] for name, key in ENVIRONMENT_FIELDS.items() if data.get(name)
        }
        if kind is Kind.BUG and user_agent.strip():
            environment["user_agent"] = user_agent.strip()[:USER_AGENT_MAX]
        description = data.get("description") or ""
        if kind is Kind.FEATURE:
            description = kinds.feature_description(
                description=description,
                problem=data.get("problem") or "",
                who_needs=data.get("who_needs") or "",
            )
        return ContactRequest(
            name=data["name"],
            email=data["email"],
            organisation=data.get("organisation") or "",
            hub=data.get("hub"),
            product=data.get("product"),
            category=data.get("category"),
            subject=data["subject"],
            description=description,
            **{name: data.get(name) or "" for name in kinds.BUG_FIELDS},
            product_details=product_details,
            environment=environment,
        )

    def summary(self) -> list[tuple[str, Any]]:
        """Label and value of every filled-in field the kind asks for, in page order, for
        the review page."""
        rows: list[tuple[str, Any]] = []
        for name, field in self.fields.items():
            if name in NOT_TYPED:
                continue
            value = self.cleaned_data.get(name)  # ignored fields were taken out by clean()
            if value not in (None, ""):
                # A product or category is named in the reader's language, as in the form.
                rows.append((str(field.label), getattr(value, "display_name", value)))
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
