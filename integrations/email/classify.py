"""Is a mail written by a machine (auto-reply, bounce, list or bulk mail)? Pure functions.

Such mail must never open a ticket or be answered: answering an auto-reply
with an acknowledgement that the other side auto-replies to again is how mail
loops start. RFC 3834 (Auto-Submitted), RFC 3464 (multipart/report) and the
headers the big providers add instead are all read; the subject is only the
last resort, for the Exchange and iCloud replies that carry none of them.
"""

from __future__ import annotations

import re

from integrations.email.parsing import ParsedMail

BULK_PRECEDENCE = {"bulk", "junk", "list", "auto_reply"}
MACHINE_SENDERS = re.compile(
    r"^(mailer-daemon|mail-daemon|no-?reply|do-?not-?reply|bounces?)([+.\-].*)?@", re.IGNORECASE
)
AUTOMATIC_SUBJECT = re.compile(
    r"^\s*(auto(matic)?[ -]?(reply|response)|autorespons|out of (the )?office|"
    r"undeliverable|undelivered mail|delivery status notification|mail delivery (failed|failure)|"
    r"returned mail|non remis|unzustellbar)",
    re.IGNORECASE,
)
SUPPRESS_VALUES = ("all", "oof", "autoreply", "dr", "ndr")


def automatic_reason(mail: ParsedMail) -> str:
    """Why ``mail`` was written by a machine, or "" if a person seems to have written it."""
    headers = mail.headers
    for check in (_rfc3834, _report, _bulk, _vendor_auto_reply):
        reason = check(headers, mail)
        if reason:
            return reason
    if MACHINE_SENDERS.match(mail.from_address):
        return f"Sent by a machine address ({mail.from_address})."
    if AUTOMATIC_SUBJECT.match(mail.subject):
        return f"The subject says it is automatic (“{mail.subject[:80]}”)."
    return ""


def _rfc3834(headers: dict[str, str], mail: ParsedMail) -> str:
    value = headers.get("auto-submitted", "").strip().lower()
    if value and not value.startswith("no"):
        return f"Auto-Submitted: {value} (an automatic reply or notice)."
    return ""


def _report(headers: dict[str, str], mail: ParsedMail) -> str:
    if mail.content_type == "multipart/report":
        return "A delivery or read report (multipart/report), not a message from a person."
    if headers.get("x-failed-recipients") or "x-ms-exchange-message-is-ndr" in headers:
        return "A bounce (non-delivery report)."
    if headers.get("return-path", "").strip() == "<>":
        return "Sent with an empty return path (<>), as bounces and auto-replies are."
    return ""


def _bulk(headers: dict[str, str], mail: ParsedMail) -> str:
    precedence = headers.get("precedence", "").strip().lower()
    if precedence in BULK_PRECEDENCE:
        return f"Precedence: {precedence} (bulk or list mail)."
    if "list-id" in headers or "list-unsubscribe" in headers:
        return "Mailing-list or newsletter mail (List-Id / List-Unsubscribe)."
    return ""


def _vendor_auto_reply(headers: dict[str, str], mail: ParsedMail) -> str:
    if "x-autoreply" in headers or "x-autorespond" in headers:
        return "An auto-reply (X-Autoreply / X-Autorespond)."
    if headers.get("x-apple-action"):
        return f"An iCloud auto-reply (X-Apple-Action: {headers['x-apple-action']})."
    if "x-ms-exchange-inbox-rules-loop" in headers:
        return "An Exchange inbox-rule reply (X-MS-Exchange-Inbox-Rules-Loop)."
    suppress = headers.get("x-auto-response-suppress", "").lower()
    if any(value in re.split(r"[,\s]+", suppress) for value in SUPPRESS_VALUES):
        return f"Sent by an auto-responder (X-Auto-Response-Suppress: {suppress})."
    return ""
