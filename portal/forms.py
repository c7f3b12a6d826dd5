"""The portal's forms: Contact Us (with the product's own fields), replies, lost links.

Forms parse and check input and say what is wrong next to the field; they
never write. The views hand what they cleaned to :mod:`portal.services` and
:mod:`tickets.services`.
"""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.validators import ProhibitNullCharactersValidator
from django.utils.html import escape
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from catalog.models import Category, Hub, Product
from portal.services import ContactRequest, form_started_token
from tickets.filetypes import ACCEPT_ATTRIBUTE, FileKind, file_kind
from tickets.models import Attachment

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
# Words a description needs before we stop suggesting more detail.
VAGUE_WORDS = 12
VAGUE_RE = re.compile(
    r"^\W*(it\s+)?(does\s*n[o']?t|did\s*n[o']?t|is\s*n[o']?t|not)\s+work(ing)?\W*$|"
    r"^\W*(help|broken|error|bug|problem|issue)\W*$",
    re.IGNORECASE,
)

no_nul = ProhibitNullCharactersValidator(
    message=gettext_lazy(
        "This text contains an invisible null character (\\0); please remove it and try again."
    )
)


class TextField(forms.CharField):
    """A text field with a clearer message for the NUL character."""

    default_validators = [no_nul]

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        # CharField adds Django's own NUL validator; ours replaces it.
        self.validators = [
            v for v in self.validators if not isinstance(v, ProhibitNullCharactersValidator)
        ] + [no_nul]


class LineField(TextField):
    """One line of text: line breaks are refused rather than silently joined."""

    def validate(self, value: Any) -> None:
        super().validate(value)
        if value and ("\r" in value or "\n" in value):
            raise ValidationError(
                _("Keep this to one line: it contains a line break."), code="line_break"
            )


def textarea(rows: int = 3, **attrs: Any) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows, **attrs})


class CategoryRadioSelect(forms.RadioSelect):
    """Radio buttons that say which choice is a bug, so the page can show the bug questions."""

    def create_option(self, *args: Any, **kwargs: Any) -> dict[str, Any]:
        option = super().create_option(*args, **kwargs)
        instance = getattr(option["value"], "instance", None)
        if isinstance(instance, Category):
            option["attrs"]["data-bug"] = "1" if instance.is_bug else "0"
        return option


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input; each is checked by the form, not here."""

    widget = MultipleFileInput

    def clean(self, data: Any, initial: Any = None) -> list[UploadedFile]:
        if not data:
            return []
        files = data if isinstance(data, list | tuple) else [data]
        return [file for file in files if file]


class AttachmentChecks:
    """Checks a batch of uploads one by one: keeps the good ones, says why others are refused.

    ``held`` is how many files the request already has (kept from earlier steps).
    """

    def __init__(self, uploads: list[UploadedFile], *, held: int = 0) -> None:
        self.accepted: list[tuple[UploadedFile, str, FileKind]] = []
        self.errors: list[str] = []
        limit_bytes = settings.ATTACHMENT_MAX_BYTES
        max_files = settings.ATTACHMENT_MAX_FILES
        too_many: list[str] = []
        for upload in uploads:
            name = Attachment.safe_name(upload.name or "")
            if (upload.size or 0) > limit_bytes:
                self.errors.append(
                    _("“%(name)s” is %(size)s; a file can be at most %(limit)s.")
                    % {
                        "name": name,
                        "size": _megabytes(upload.size or 0),
                        "limit": _megabytes(limit_bytes),
                    }
                )
                continue
            try:
                kind = file_kind(upload, name)
            except ValidationError as error:
                self.errors.extend(error.messages)
                continue
            if held + len(self.accepted) >= max_files:
                too_many.append(name)
                continue
            self.accepted.append((upload, name, kind))
        if too_many:
            self.errors.append(
                ngettext(
                    "Too many files: a request can carry at most %(max)d file. Not attached: "
                    "%(names)s.",
                    "Too many files: a request can carry at most %(max)d files. Not attached: "
                    "%(names)s.",
                    max_files,
                )
                % {"max": max_files, "names": ", ".join(too_many)}
            )


def _megabytes(size: int) -> str:
    return _("%(size).1f MB") % {"size": size / (1024 * 1024)}


def attachments_field(help_text: str) -> MultipleFileField:
    return MultipleFileField(
        label=gettext_lazy("Attachments"),
        required=False,
        help_text=help_text,
        widget=MultipleFileInput(attrs={"accept": ACCEPT_ATTRIBUTE}),
    )


def attachments_help() -> str:
    return _(
        "Screenshots, logs or exports: up to %(count)d files of at most %(size)s each "
        "(PNG, JPEG, GIF, WebP, PDF, TXT, LOG, CSV, ZIP, XLSX, DOCX)."
    ) % {"count": settings.ATTACHMENT_MAX_FILES, "size": _megabytes(settings.ATTACHMENT_MAX_BYTES)}


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
    hub = forms.ModelChoiceField(
        label=gettext_lazy("Hub"),
        queryset=Hub.objects.active(),
        required=False,
        empty_label=gettext_lazy("I don't know"),
        help_text=gettext_lazy("The Akvo hub your organisation works with."),
    )
    product = forms.ModelChoiceField(
        label=gettext_lazy("Product"),
        queryset=Product.objects.active(),
        empty_label=gettext_lazy("Choose the product"),
    )
    category = forms.ModelChoiceField(
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
    attachments = attachments_field("")
    # Spam checks: a field people never see, and when the form was handed out.
    website = forms.CharField(
        label=gettext_lazy("Leave this field empty"),
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )
    started = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, held_files: int = 0, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.held_files = held_files
        self.accepted_uploads: list[tuple[UploadedFile, str, FileKind]] = []
        self.fields["attachments"].help_text = attachments_help()
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
        return next((p for p in self.fields["product"].queryset if p.pk == pk), None)  # type: ignore[attr-defined]

    # Groups of fields, for the template.
    def about_you(self) -> list[forms.BoundField]:
        return [self[name] for name in ("name", "email", "organisation", "hub")]

    def bug_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in ("what_doing", "expected", "actual", "steps")]

    def product_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.product_field_names]

    def environment_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in ENVIRONMENT_FIELDS]

    def clean_attachments(self) -> list[UploadedFile]:
        uploads = self.cleaned_data.get("attachments") or []
        checks = AttachmentChecks(uploads, held=self.held_files)
        self.accepted_uploads = checks.accepted
        if checks.errors:
            raise ValidationError(checks.errors)
        return uploads

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
        data = self.cleaned_data
        hints: list[tuple[str, str]] = []
        if self.is_bug():
            if not data.get("expected"):
                hints.append(
                    (
                        "expected",
                        _(
                            "What you expected to happen: it tells us what “working” means "
                            "for you, so we check the right thing."
                        ),
                    )
                )
            if not data.get("actual"):
                hints.append(
                    (
                        "actual",
                        _(
                            "What actually happened: the exact error or behaviour lets us "
                            "recognise the problem."
                        ),
                    )
                )
            if not data.get("steps"):
                hints.append(
                    (
                        "steps",
                        _(
                            "Steps to reproduce: if we can make it happen ourselves, we can "
                            "fix it much sooner."
                        ),
                    )
                )
        words = " ".join(
            data.get(name) or "" for name in ("description", "what_doing", "actual")
        ).strip()
        if words and (VAGUE_RE.match(words) or len(words.split()) < VAGUE_WORDS):
            hints.append(
                (
                    "description" if not self.is_bug() else "actual",
                    _(
                        "Your description is short. A few sentences on what you did and what "
                        "you saw let us act without writing back to ask first."
                    ),
                )
            )
        return hints

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
    attachments = attachments_field("")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["attachments"].help_text = attachments_help()
        self.accepted_uploads: list[tuple[UploadedFile, str, FileKind]] = []

    def clean_attachments(self) -> list[UploadedFile]:
        uploads = self.cleaned_data.get("attachments") or []
        checks = AttachmentChecks(uploads)
        self.accepted_uploads = checks.accepted
        if checks.errors:
            raise ValidationError(checks.errors)
        return uploads

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if not cleaned.get("body") and not cleaned.get("attachments") and not self.errors:
            self.add_error("body", _("Write a message or attach a file."))
        return cleaned

    def uploads(self) -> list[UploadedFile]:
        """The accepted uploads, typed by their content rather than by the browser's claim."""
        files = []
        for upload, _name, kind in self.accepted_uploads:
            upload.content_type = kind.content_type
            files.append(upload)
        return files


class LostLinkForm(forms.Form):
    email = forms.EmailField(
        label=gettext_lazy("Email address"),
        max_length=254,
        help_text=gettext_lazy("The address you wrote to us from."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
