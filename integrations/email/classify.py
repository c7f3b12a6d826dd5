"""Is a mail written by a machine (auto-reply, bounce, report, list or bulk mail)? Pure functions.

Such mail must never open a ticket or be answered: answering an auto-reply
with an acknowledgement that the other side auto-replies to again is how mail
loops start. RFC 3834 (Auto-Submitted), RFC 3464 (multipart/report and its
delivery-status part), RFC 5965 (ARF feedback reports), RFC 2369/2919 (list
headers) and the headers the big providers add instead are all read; then the
sender (postmaster, MAILER-DAEMON, also as return path); the subject is the last
resort, for older and regional servers and the replies that carry none of them.
It is matched anywhere in the subject ("Fwd: Returned mail", "DELIVERY FAILURE: …"),
and on its own it holds the mail for an agent instead of ignoring it.

Measured on 311 real bounces, feedback reports and auto-replies from 74
mail servers (sisimai/set-of-emails, tests/fixtures/email/bounces/): see README.
"""

from __future__ import annotations

import re

from integrations.email.parsing import ParsedMail

BULK_PRECEDENCE = {"bulk", "junk", "list", "auto_reply"}
MACHINE_SENDERS = re.compile(
    r"^(mailer[-_]?daemon|mail[-_]?daemon|no-?reply|do-?not-?reply|bounces?)"
    r"([+.\-].*)?@",
    re.IGNORECASE,
)
# A postmaster is often a person at a small company: one writing from a mail client (it
# names itself in User-Agent, which servers do not send) is read as a person.
POSTMASTER = re.compile(r"^post[-_]?master@", re.IGNORECASE)
MACHINE_RETURN_PATH = re.compile(r"^\s*<?\s*(mailer[-_]?daemon|postmaster)\b", re.IGNORECASE)
REPORT_PARTS = {
    "message/delivery-status": "a delivery status report",
    "message/global-delivery-status": "a delivery status report",
    "message/feedback-report": "an abuse/feedback report (ARF)",
    "message/disposition-notification": "a read receipt",
}
LIST_HEADERS = (
    "list-id",
    "list-unsubscribe",
    "list-subscribe",
    "list-post",
    "list-help",
    "x-mlserver",
    "x-ml-name",
)
# Bounces, reports and auto-replies, in the languages our senders' servers speak.
# Kept to phrases servers write and customers rarely do ("non-delivery of my order" is a
# customer's; "abuse report" may be one too). A subject alone only holds a mail for an agent.
AUTOMATIC_SUBJECT = re.compile(
    r"auto(matic|matische?)?[ -]?(reply|response|antwort)|autorespons|"
    r"out of (the )?office|abwesenheitsnotiz|r[ée]ponse automatique|"
    r"respuesta autom[áa]tica|risposta automatica|resposta autom[áa]tica|automatisch antwoord|"
    r"undeliver(able|ed) mail|undeliverable|unzustellbar|non remis|n[ãa]o entregue|"
    r"non recapitabile|onbestelbaar|не доставлено|недоставленное|"
    r"delivery status notification|delivery (failure|failed|notification)|"
    r"mail delivery (failed|failure|system)|failure notice|returned mail|"
    r"mail system error|could not be delivered|"
    r"complaint about message from|メッセージを配信できません|配信できませんでした",
    re.IGNORECASE,
)
SUPPRESS_VALUES = ("all", "oof", "autoreply", "dr", "ndr")


def automatic_reason(mail: ParsedMail) -> str:
    """Why ``mail`` was written by a machine, or "" if a person seems to have written it."""
    headers = mail.headers
    for check in (_rfc3834, _report, _bulk, _vendor_auto_reply, _machine_sender):
        reason = check(headers, mail)
        if reason:
            return reason
    return ""


def automatic_subject(mail: ParsedMail) -> str:
    """Why the subject alone reads like a bounce or an auto-reply, or "".

    A subject is the weakest signal: a partner may well write "Survey could not be
    delivered to the phones". Such a mail is held for an agent, never ignored.
    """
    if AUTOMATIC_SUBJECT.search(mail.subject):
        return f"The subject reads like an automatic notice (“{mail.subject[:80]}”)."
    return ""


def _rfc3834(headers: dict[str, str], mail: ParsedMail) -> str:
    value = headers.get("auto-submitted", "").strip().lower()
    if value and not value.startswith("no"):
        return f"Auto-Submitted: {value} (an automatic reply or notice)."
    return ""


def _report(headers: dict[str, str], mail: ParsedMail) -> str:
    if mail.content_type == "multipart/report":
        return "A delivery or read report (multipart/report), not a message from a person."
    for part_type in mail.part_types:
        if part_type in REPORT_PARTS:
            return f"Carries {REPORT_PARTS[part_type]} ({part_type})."
    if headers.get("x-failed-recipients") or "x-ms-exchange-message-is-ndr" in headers:
        return "A bounce (non-delivery report)."
    if headers.get("return-path", "").strip() == "<>":
        return "Sent with an empty return path (<>), as bounces and auto-replies are."
    return ""


def _bulk(headers: dict[str, str], mail: ParsedMail) -> str:
    precedence = headers.get("precedence", "").strip().lower()
    if precedence in BULK_PRECEDENCE:
        return f"Precedence: {precedence} (bulk or list mail)."
    if any(name in headers for name in LIST_HEADERS):
        return "Mailing-list or newsletter mail (List-Id / List-Unsubscribe / list headers)."
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


def _machine_sender(headers: dict[str, str], mail: ParsedMail) -> str:
    if MACHINE_SENDERS.match(mail.from_address):
        return f"Sent by a machine address ({mail.from_address})."
    if POSTMASTER.match(mail.from_address) and "user-agent" not in headers:
        return f"Sent by a mail server's postmaster ({mail.from_address}), not from a mail client."
    return_path = headers.get("return-path", "")
    if MACHINE_RETURN_PATH.match(return_path):
        return f"Returned by a mail server (Return-Path: {return_path[:80]})."
    return ""
