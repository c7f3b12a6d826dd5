"""The workspace's thread (messages and history events), rendered in Python: the template's markup.

Through the template engine each item cost about a quarter of a millisecond of CPU
(a ``{% with %}``, branches, translations, three or four filters and a ``{% url %}``
per attachment): a third of the page's rendering for a 40-message thread. Here each
item is a few f-strings with every value escaped (``_e``, as autoescape does), the
labels translated once per page and the attachment URL reversed once.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils import timezone
from django.utils.dateformat import format as date_format
from django.utils.html import linebreaks
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from desk.templatetags.desk import field_label
from tickets.models import Attachment, Message, MessageKind, TicketEvent
from tickets.time_zones import format_zoned

DASH = "—"


def _e(value: Any) -> str:
    """Escape as the template's autoescape does: safe strings as they are."""
    if hasattr(value, "__html__"):
        return str(value.__html__())
    return html.escape(str(value))


def _time(value: datetime, css: str = "") -> str:
    iso = date_format(timezone.localtime(value), "c")
    return f'<time{css} datetime="{iso}">{_e(format_zoned(value))}</time>'


def _labels() -> dict[str, str]:
    return {
        "system": _("System"),
        MessageKind.CUSTOMER: _("Customer"),
        MessageKind.REPLY: _("Public reply"),
        "note": _("Internal note"),
    }


def _badge(kind: str, labels: Mapping[str, str]) -> str:
    """The author's badge and the whitespace the template's branches left after it."""
    gap = "\n                  "
    if kind == MessageKind.CUSTOMER:
        return f'<span class="badge text-bg-secondary">{labels[kind]}</span>{gap}{gap}'
    if kind == MessageKind.REPLY:
        return f'<span class="badge text-bg-primary">{labels[kind]}</span>{gap}{gap}'
    return f'<span class="badge text-bg-warning">{labels["note"]}</span>{gap}'


def _attachments(attachments: list[Attachment], url: str) -> str:
    if not attachments:
        return ""
    items = "".join(
        f'\n                      <li class="list-inline-item"><a href="{url}{a.pk}/">'
        f"{_e(a.original_name)}</a> ({_e(filesizeformat(a.size))})</li>\n                    "
        for a in attachments
    )
    return (
        f'\n                  <ul class="list-inline mb-0 small">\n                    {items}'
        "\n                  </ul>\n                "
    )


def message_html(message: Message, labels: Mapping[str, str], attachment_url: str) -> str:
    head = (
        f'\n          <li class="card mb-2 desk-message desk-message-{_e(message.kind)}"'
        f' id="message-{message.pk}">\n            '
    )
    if message.kind == MessageKind.EVENT:
        return (
            f'{head}\n              <div class="card-body py-2 small text-body-secondary">'
            f'<span class="badge text-bg-light border">{labels["system"]}</span> '
            f"{_e(message.body)} {_time(message.created_at, ' class="float-end"')}</div>\n"
            "            \n          </li>\n        "
        )
    files = _attachments(list(message.attachments.all()), attachment_url)
    return (
        f'{head}\n              <div class="card-header py-1 small d-flex justify-content-between">'
        f"\n                <span>\n                  {_badge(message.kind, labels)}"
        f"{_e(message.author_label)}\n                </span>\n                "
        f"{_time(message.created_at)}\n              </div>\n"
        '              <div class="card-body py-2">\n'
        f'                <div class="text-break desk-body">{linebreaks(message.body, True)}</div>'
        f"\n                {files}\n              </div>\n            \n          </li>\n        "
    )


def event_html(event: TicketEvent, labels: Mapping[str, str]) -> str:
    if event.kind == "created":
        created = _("created the ticket (%(channel)s)") % {"channel": _e(event.new_value)}
        what = f"{created}\n            "
    elif event.kind == "message":  # recorded for a message made through an integration
        added = _("%(kind)s added") % {"kind": _e(event.new_value)}
        what = f"{added}\n            "
    elif event.field:
        old, new = _e(event.old_value or DASH), _e(event.new_value or DASH)
        what = f"{_e(field_label(event.field))}: {old} → {new}\n            "
    else:
        what = f"{_e(event.get_kind_display().lower())} {_e(event.new_value)}"
    return (
        '\n          <li class="small text-body-secondary mb-2 ps-2 desk-event"'
        f' id="event-{event.pk}">'
        f"\n            {_time(event.created_at)}\n"
        f"            · {_e(event.actor_label or labels['system'])}:\n            {what}\n"
        "          </li>\n        "
    )


def thread_html(thread: Iterable[Mapping[str, Any]], ticket_id: int) -> SafeString:
    """The ``<ol id="thread">``'s items, as ``templates/desk/ticket.html`` wrote them."""
    labels = _labels()
    # desk:attachment for this ticket, its attachment's number appended per file.
    url = reverse("desk:attachment", kwargs={"ticket_id": ticket_id, "attachment_id": 0})
    url = url[: -len("0/")]
    parts = [
        message_html(item["message"], labels, url)
        if item["type"] == "message"
        else event_html(item["event"], labels)
        for item in thread
    ]
    # Each item between the whitespace the template's loop left around it.
    return mark_safe("".join(f"\n        {part}\n      " for part in parts))  # noqa: S308 - every value above is escaped
