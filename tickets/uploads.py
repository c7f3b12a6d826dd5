"""The one check every uploaded file goes through, whichever way it came in.

The Contact Us form, a requester's reply, the desk's reply and on-behalf forms,
the email intake and the ticket services all call :func:`check_uploads`, so a
file refused in one place is refused everywhere, with the same words:

- each file at most ``ATTACHMENT_MAX_BYTES``, and of a type
  :mod:`tickets.filetypes` accepts by its content;
- a message's files together at most ``ATTACHMENT_MAX_TOTAL_BYTES``;
- at most ``ATTACHMENT_MAX_FILES`` files on one message (a channel may set its
  own count: the email intake keeps more files than a form takes).

Files are taken in order: the good ones are kept (a form holds them while the
person fixes the rest), the others are refused by name. Past the count no file
is opened, so a batch of thousands of files costs little.

:class:`AttachmentsField` is the form field for it, with its widget.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import IO, Any, Literal, NamedTuple

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.functional import lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from tickets.filetypes import ACCEPT_ATTRIBUTE, FileKind, file_kind
from tickets.models import Attachment

# How many files a message may carry: None for ATTACHMENT_MAX_FILES, "any" for no count.
MaxCount = int | Literal["any"] | None


class CheckedUpload(NamedTuple):
    file: IO[bytes]
    name: str  # the uploader's name, reduced for display
    kind: FileKind


@dataclass(frozen=True)
class Refusal:
    names: list[str]  # the files this refusal is about
    message: str


@dataclass
class UploadCheck:
    """What :func:`check_uploads` kept and what it refused, with why."""

    accepted: list[CheckedUpload] = field(default_factory=list)
    refusals: list[Refusal] = field(default_factory=list)

    @property
    def errors(self) -> list[str]:
        return [refusal.message for refusal in self.refusals]

    @property
    def files(self) -> list[Any]:
        return [checked.file for checked in self.accepted]

    def raise_if_refused(self) -> None:
        if self.refusals:
            raise ValidationError({"attachments": self.errors})


def max_files() -> int:
    return int(settings.ATTACHMENT_MAX_FILES)


def max_total_bytes() -> int:
    return int(settings.ATTACHMENT_MAX_TOTAL_BYTES)


def file_size_text(size: int) -> str:
    if size >= 1024 * 1024:
        return _("%(size).1f MB") % {"size": size / (1024 * 1024)}
    if size >= 1024:
        return _("%(size)d KB") % {"size": size // 1024}
    return ngettext("%(size)d byte", "%(size)d bytes", size) % {"size": size}


def limits_text() -> str:
    """What a person may attach, for the help text under a file input."""
    return _(
        "Screenshots, logs or exports: up to %(count)d files of at most %(size)s each "
        "(PNG, JPEG, GIF, WebP, PDF, TXT, LOG, CSV, ZIP, XLSX, DOCX)."
    ) % {"count": max_files(), "size": file_size_text(settings.ATTACHMENT_MAX_BYTES)}


def _size(file: Any) -> int:
    size = getattr(file, "size", None)
    if size is None:
        file.seek(0, 2)
        size = file.tell()
        file.seek(0)
    return int(size)


def _checked_kind(file: Any, name: str, size: int) -> FileKind:
    limit = settings.ATTACHMENT_MAX_BYTES
    if size > limit:
        raise ValidationError(
            _("“%(name)s” is %(size)s; a file can be at most %(limit)s.")
            % {"name": name, "size": file_size_text(size), "limit": file_size_text(limit)},
            code="file_size",
        )
    return file_kind(file, name)


def check_uploads(
    files: Iterable[Any],
    *,
    max_count: MaxCount = None,
    held: int = 0,
    held_bytes: int = 0,
) -> UploadCheck:
    """Check ``files`` in order; keep the good ones, refuse the others by name.

    ``max_count`` is how many files one message may carry: by default
    ``ATTACHMENT_MAX_FILES``; ``"any"`` where the channel has its own count
    (the ticket services, which every channel calls); ``held`` and
    ``held_bytes`` are what the message already has (files held by a draft).
    """
    count_limit: int | None = None
    if max_count != "any":
        count_limit = max_files() if max_count is None else max_count
    total_limit = max_total_bytes()
    check = UploadCheck()
    too_many: list[str] = []
    over_total: list[str] = []
    total = held_bytes
    for file in files:
        name = Attachment.safe_name(getattr(file, "name", "") or "")
        if count_limit is not None and held + len(check.accepted) >= count_limit:
            too_many.append(name)
            continue
        size = _size(file)
        try:
            kind = _checked_kind(file, name, size)
        except ValidationError as error:
            check.refusals.append(Refusal([name], " ".join(error.messages)))
            continue
        if total + size > total_limit:
            over_total.append(name)
            continue
        total += size
        # The content decides the type a file is stored and served with.
        file.content_type = kind.content_type
        check.accepted.append(CheckedUpload(file, name, kind))
    if too_many and count_limit is not None:
        check.refusals.append(Refusal(too_many, _too_many_message(count_limit, too_many)))
    if over_total:
        message = _(
            "Together the files would be over %(limit)s, the most one message can carry. "
            "Not attached: %(names)s."
        ) % {"limit": file_size_text(total_limit), "names": ", ".join(over_total)}
        check.refusals.append(Refusal(over_total, message))
    return check


def _too_many_message(limit: int, names: Sequence[str]) -> str:
    return ngettext(
        "Too many files: a message can carry at most %(max)d file. Not attached: %(names)s.",
        "Too many files: a message can carry at most %(max)d files. Not attached: %(names)s.",
        limit,
    ) % {"max": limit, "names": ", ".join(names)}


def validate_uploads(files: Sequence[Any], *, max_count: MaxCount = None) -> list[Any]:
    """The files, typed by their content; ValidationError naming every refused one."""
    check = check_uploads(files, max_count=max_count)
    check.raise_if_refused()
    return check.files


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class AttachmentsField(forms.FileField):
    """Several files in one input, checked by :func:`check_uploads`.

    ``held`` and ``held_bytes`` (set by the form) are files the message already
    has. ``checked`` is the last check, so a form can keep the good files of a
    batch it refuses.
    """

    widget = MultipleFileInput

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        kwargs.setdefault("label", gettext_lazy("Attachments"))
        kwargs.setdefault("help_text", lazy(limits_text, str)())
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ACCEPT_ATTRIBUTE}))
        super().__init__(**kwargs)
        self.held = 0
        self.held_bytes = 0
        self.checked = UploadCheck()

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        files = [f for f in (data if isinstance(data, list | tuple) else [data]) if f]
        self.checked = check_uploads(files, held=self.held, held_bytes=self.held_bytes)
        if self.checked.refusals:
            raise ValidationError(self.checked.errors)
        return self.checked.files
