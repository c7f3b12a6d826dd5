"""Counting after the run: the database against what each fake received.

Every outbox row whose kind reaches the outside world is matched with the fake
that should have received it, by the key that makes it unique (the Message-ID's
digest of the row's key, the Slack message's metadata, the GitHub issue's
marker). A row is *lost* if it is not delivered at the end, or delivered with
no receipt; a receipt counted more than once is a *duplicate*, except a mail
sent again by the attempt after a lost worker's (counted apart: SMTP cannot be
asked what it received, and the same Message-ID is shown once). Rows with no
outside effect (a GitHub webhook applied, an issue read back) count as delivered
when their row says so, and each stored webhook delivery must be processed once.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import asdict, dataclass, field

from django.db.models import Count

from bench.scaleout.fakes import CountingGitHub, CountingSlack, CountingSmtp
from bench.scaleout.load import Load
from integrations.github.models import WebhookDelivery
from tickets.models import OutboxMessage, OutboxStatus, Ticket
from tickets.models.sla import SlaEvent, SlaEventKind
from tickets.outbox_kinds import OutboxKind

SLA_TEMPLATES = ("sla_warning", "sla_breach")


@dataclass
class Counts:
    """The rehearsal's figures; ``ok`` when nothing is lost or duplicated."""

    tickets_submitted: int = 0
    tickets_confirmed: int = 0
    tickets_saved: int = 0
    submit_errors: int = 0
    desk_reads: int = 0
    desk_read_errors: int = 0
    agent_actions: int = 0
    webhooks_sent: int = 0
    webhooks_replayed: int = 0
    webhooks_processed: int = 0
    clocks_moved: int = 0
    outbox_by_status: dict[str, int] = field(default_factory=dict)
    outbox_by_kind: dict[str, int] = field(default_factory=dict)
    retried: int = 0  # rows that needed more than one attempt (a killed worker's, a wait)
    received: dict[str, int] = field(default_factory=dict)  # fake -> receipts
    duplicates: int = 0
    mail_resent: int = 0  # a mail sent again, same Message-ID, after its worker was lost
    failed_after_lost_worker: int = 0  # failed on purpose, with the reason (see below)
    failed_but_received: int = 0  # ... of which the fake had received the message
    lost: int = 0
    lost_tickets: int = 0
    sla_notices: int = 0
    sla_duplicates: int = 0
    unexpected: int = 0  # receipts no row asked for
    problems: list[str] = field(default_factory=list)
    events: dict[str, int] = field(default_factory=dict)  # kills, restarts, beats...

    @property
    def ok(self) -> bool:
        return not (self.duplicates or self.lost or self.lost_tickets or self.sla_duplicates)

    def as_dict(self) -> dict[str, object]:
        return {**asdict(self), "ok": self.ok}


def pending_rows() -> int:
    return OutboxMessage.objects.exclude(
        status__in=(OutboxStatus.DELIVERED, OutboxStatus.FAILED)
    ).count()


def skipped(logs: dict[str, str]) -> int:
    """Deliveries a worker did not make because the row was taken or done: the second
    copies of a row (two sweeps, a redelivered message) that the claim turned away."""
    return sum(log.count(": 'skipped'") for log in logs.values())


def mail_digest(key: str) -> str:
    """The part of an email's Message-ID that names its outbox row (integrations.email)."""
    return hashlib.sha256(key.encode()).hexdigest()[:32]


def _receipts(slack: CountingSlack, smtp: CountingSmtp, github: CountingGitHub) -> dict:
    return {
        OutboxKind.EMAIL: (Counter(smtp.inbox.digests), mail_digest),
        OutboxKind.SLACK_ALERT: (Counter(slack.keys), lambda key: key),
        OutboxKind.GITHUB_ISSUE: (github.filed(), lambda key: key),
    }


def count_deliveries(counts: Counts, slack: CountingSlack, smtp: CountingSmtp,
                     github: CountingGitHub) -> None:  # fmt: skip
    rows = list(OutboxMessage.objects.values_list("key", "kind", "status", "attempts"))
    counts.outbox_by_status = dict(Counter(row[2] for row in rows))
    counts.outbox_by_kind = dict(Counter(row[1] for row in rows))
    counts.retried = sum(1 for row in rows if row[3] > 1)
    receipts = _receipts(slack, smtp, github)
    counts.received = {"smtp": smtp.inbox.messages, "slack": sum(slack.keys.values()),
                       "github_issues": sum(github.filed().values())}  # fmt: skip
    expected: dict[str, dict[str, int]] = {kind: {} for kind in receipts}  # name: attempts
    failed_on_purpose = failed_after_a_lost_worker()
    for key, kind, status, attempts in rows:
        if key in failed_on_purpose:
            counts.failed_after_lost_worker += 1
            if kind in receipts:
                counter, name = receipts[kind]
                expected[kind][name(key)] = attempts
                counts.failed_but_received += min(1, counter[name(key)])
            continue
        if status != OutboxStatus.DELIVERED:
            counts.lost += 1
            counts.problems.append(f"{kind} {key}: {status} at the end")
            continue
        if kind not in receipts:
            continue
        counter, name = receipts[kind]
        expected[kind][name(key)] = attempts
        if counter[name(key)] == 0:
            counts.lost += 1
            counts.problems.append(f"{kind} {key}: delivered, but the fake never received it")
    twice: dict[str, int] = {}
    for kind, (counter, _name) in receipts.items():
        for received, times in counter.items():
            twice[received] = _repeats(counts, kind, received, times, expected[kind].get(received))
    counts.unexpected += len(smtp.inbox.other)
    _count_sla(counts, rows, receipts, twice)


def failed_after_a_lost_worker() -> set[str]:
    """Rows the outbox failed on purpose because their worker was lost mid-delivery.

    Where the outbox records lost attempts (``lost_attempts``), a row lost while
    handing a mail to SMTP fails with the reason rather than risk a second mail:
    at most once, and shown to an operator with "Retry now". Not silent, so not
    counted as lost; the table shows how many, and how many arrived anyway.
    """
    if "lost_attempts" not in {field.name for field in OutboxMessage._meta.get_fields()}:
        return set()
    failed = OutboxMessage.objects.filter(status=OutboxStatus.FAILED, lost_attempts__gt=0)
    return set(failed.values_list("key", flat=True))


def _repeats(counts: Counts, kind: str, received: str, times: int, attempts: int | None) -> int:
    """Count the receipts of one key after its first; the true duplicates among them."""
    if attempts is None:
        counts.unexpected += times
        return 0
    extra = times - 1
    if kind == OutboxKind.EMAIL:
        # No SMTP server can be asked whether a mail arrived: a worker lost after the
        # server took a mail and before the row was marked delivered leaves the next
        # attempt to send it again, with the same Message-ID (clients show it once).
        # That is at most one resend per lost attempt; anything beyond is a duplicate.
        resent = min(extra, attempts - 1)
        counts.mail_resent += resent
        extra -= resent
    if extra:
        counts.duplicates += extra
        counts.problems.append(f"{kind} {received}: received {times} times")
    return extra


def _count_sla(counts: Counts, rows: list[tuple[str, str, str, int]], receipts: dict,
               twice: dict[str, int]) -> None:  # fmt: skip
    """SLA notices at the fakes, and any clock warned or breached twice for one due time."""
    for key, kind, _, _ in rows:
        if kind in receipts and any(f":{template}:" in f":{key}" for template in SLA_TEMPLATES):
            counter, name = receipts[kind]
            counts.sla_notices += min(1, counter[name(key)])
            counts.sla_duplicates += twice.get(name(key), 0)
    twice = (
        SlaEvent.objects.filter(kind__in=(SlaEventKind.WARNED, SlaEventKind.BREACHED))
        .values("ticket_id", "target", "kind", "due_at")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
    )
    for event in twice:
        counts.sla_duplicates += event["n"] - 1
        counts.problems.append(f"SLA {event['kind']} {event['n']} times: {event}")


def count_load(counts: Counts, load: Load) -> None:
    counts.tickets_submitted = load.submits.done + load.submits.errors
    counts.tickets_confirmed = len(load.references)
    ids = [int(reference.rsplit("-", 1)[-1]) for reference in load.references]
    counts.tickets_saved = Ticket.objects.filter(pk__in=ids).count()
    counts.lost_tickets = len(set(ids)) - counts.tickets_saved
    counts.submit_errors = load.submits.errors
    counts.desk_reads, counts.desk_read_errors = load.reads.done, load.reads.errors
    counts.agent_actions = load.actions.done
    counts.webhooks_sent, counts.webhooks_replayed = load.webhooks.done, load.replays
    counts.webhooks_processed = WebhookDelivery.objects.filter(processed_at__isnull=False).count()
    counts.clocks_moved = load.clocks_moved
    stored = WebhookDelivery.objects.count()
    if stored != load.webhooks.done:
        counts.problems.append(f"{load.webhooks.done} webhooks accepted, {stored} stored")
    for tally, what in ((load.submits, "submit"), (load.reads, "desk read"),
                        (load.actions, "agent action"), (load.webhooks, "webhook")):  # fmt: skip
        if tally.first_error:
            counts.problems.append(f"first {what} error: {tally.first_error}")


def table(counts: Counts) -> str:
    """The figures as the README shows them."""
    by_status = ", ".join(f"{k} {v}" for k, v in sorted(counts.outbox_by_status.items()))
    by_kind = ", ".join(f"{k} {v}" for k, v in sorted(counts.outbox_by_kind.items()))
    lines = [
        ("Tickets submitted / confirmed / saved",
         f"{counts.tickets_submitted} / {counts.tickets_confirmed} / {counts.tickets_saved}"
         f" (submit errors {counts.submit_errors})"),
        ("Desk reads (errors)", f"{counts.desk_reads} ({counts.desk_read_errors})"),
        ("Agent actions", str(counts.agent_actions)),
        ("Webhooks sent / replayed / processed",
         f"{counts.webhooks_sent} / {counts.webhooks_replayed} / {counts.webhooks_processed}"),
        ("SLA clocks moved / notices received", f"{counts.clocks_moved} / {counts.sla_notices}"),
        ("Outbox rows by status", by_status or "none"),
        ("Outbox rows by kind", by_kind or "none"),
        ("Outbox rows that took more than one attempt", str(counts.retried)),
        ("Received: SMTP / Slack / GitHub issues",
         f"{counts.received.get('smtp', 0)} / {counts.received.get('slack', 0)} / "
         f"{counts.received.get('github_issues', 0)}"),
        ("Events", ", ".join(f"{k} {v}" for k, v in counts.events.items()) or "none"),
        ("Duplicates", str(counts.duplicates)),
        ("Mail re-sent after a lost worker (same Message-ID)", str(counts.mail_resent)),
        ("Failed with the reason after a lost worker (arrived)",
         f"{counts.failed_after_lost_worker} ({counts.failed_but_received})"),
        ("Lost (outbox rows / tickets)", f"{counts.lost} / {counts.lost_tickets}"),
        ("SLA notices twice", str(counts.sla_duplicates)),
        ("Unexpected receipts", str(counts.unexpected)),
    ]  # fmt: skip
    width = max(len(name) for name, _ in lines)
    text = "\n".join(f"  {name:<{width}}  {value}" for name, value in lines)
    verdict = "OK: nothing lost, nothing twice." if counts.ok else "FAILED: see the problems."
    problems = "".join(f"\n  - {p}" for p in counts.problems[:30])
    return f"{text}\n\n{verdict}{problems}\n"
