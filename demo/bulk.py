"""Bulk tickets for benchmarks: generated rows written with COPY (bulk_create elsewhere)."""

from __future__ import annotations

import bisect
import itertools
import json
import math
import random
import secrets
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from catalog.models import Partner
from demo.people import (
    AUTO_CLOSE_AFTER,
    BULK_INDEPENDENT_REQUESTERS,
    BULK_REQUESTERS_PER_PARTNER,
    BULK_SPAN_DAYS,
    DEFAULT_BATCH_SIZE,
    DEFAULT_SEED,
    FLOW,
    INDEPENDENT_DOMAIN,
    LUMEN,
    NAMES_BY_HUB,
    OTHER,
    RSR,
    DemoPartner,
    Team,
    demo_requester_emails,
    person_email,
    seed_requesters,
)
from demo.stories import (
    Catalogue,
    first_response_due,
    response_delay_hours,
    status_for_age,
    working_time,
)
from demo.writing import BUG, environment, product_details, render_request, request_values
from tickets import services
from tickets.models import (
    Channel,
    EscalationStatus,
    EventKind,
    Message,
    MessageKind,
    Requester,
    SlaClock,
    SlaTarget,
    Status,
    Ticket,
    TicketEvent,
)

# --------------------------------------------------------------------------- #
# Bulk: many tickets, fast, for benchmarks                                     #
# --------------------------------------------------------------------------- #


@dataclass
class BulkReport:
    count: int
    seconds: float

    @property
    def rate(self) -> float:
        return self.count / self.seconds if self.seconds else 0.0


@dataclass
class _Variant:
    """One rendered request, ready to be copied into many rows."""

    subject: str
    description: str
    what_doing: str
    expected: str
    actual: str
    steps: str
    body: str
    product_id: int | None
    category_id: int | None
    is_bug: bool
    can_escalate: bool  # only products with a GitHub repository go to L2
    impact_cum: list[float]
    tag_ids: list[int]
    details_json: str
    env_json: str


@dataclass
class _BulkPartner:
    partner_id: int | None
    hub_id: int | None
    hub_slug: str | None
    requesters: list[tuple[int, str]]  # id, "Name <email>"
    variants: list[_Variant] = field(default_factory=list)


TICKET_COLUMNS = (
    "id", "token", "subject", "description", "what_doing", "expected", "actual", "steps",
    "product_details", "environment", "channel", "requester_id", "partner_id", "hub_id",
    "product_id", "category_id", "impact_id", "status", "escalation_status", "assignee_id",
    "created_by_id", "received_at", "first_response_due_at", "first_responded_at",
    "first_response_breached_at", "resolved_at", "closed_at", "created_at", "updated_at",
)  # fmt: skip
MESSAGE_COLUMNS = ("ticket_id", "kind", "body", "author_requester_id", "email_message_id",
                   "created_at")  # fmt: skip
EVENT_COLUMNS = ("ticket_id", "actor_id", "actor_label", "kind", "field", "old_value",
                 "new_value", "created_at")  # fmt: skip
TAG_COLUMNS = ("ticket_id", "issuetag_id")
CLOCK_COLUMNS = ("ticket_id", "target", "window", "started_at", "due_at", "warn_at", "remaining",
                 "warned_at", "breached_at", "met_at", "updated_at")  # fmt: skip
FIRST_RESPONSE = str(SlaTarget.FIRST_RESPONSE)
# One working day of the default 09:00-17:00 hours; bulk clocks count calendar time
# against it (close enough for benchmarks; seed_demo's stories use the real calendar).
BULK_WINDOW = timedelta(hours=8)
VARIANTS_PER_TEMPLATE = 8
# Plain strings in the generated rows: COPY writes them without the model layer.
CHANNELS = tuple(str(c) for c in (Channel.WEB, Channel.EMAIL, Channel.SLACK, Channel.PHONE,
                                  Channel.OTHER))  # fmt: skip
CUSTOMER = str(MessageKind.CUSTOMER)
CREATED = str(EventKind.CREATED)
CHANNEL_CUM = list(itertools.accumulate((55, 25, 8, 5, 7)))
ON_BEHALF = frozenset({Channel.SLACK, Channel.PHONE, Channel.OTHER})


def ensure_bulk_requesters(
    partners: list[tuple[DemoPartner, Partner]],
) -> dict[int | None, list[int]]:
    """A larger, stable pool of requesters per partner (None: no partner); created once.

    They never share an address with the demo's requesters, so bulk tickets are
    not counted as demo tickets.
    """
    wanted: list[Requester] = []
    taken = set(demo_requester_emails())

    def add(name: str, domain: str, partner: Partner | None) -> None:
        email = person_email(name, domain)
        local, _ = email.split("@")
        suffix = 2
        while email in taken:
            email = f"{local}{suffix}@{domain}"
            suffix += 1
        taken.add(email)
        wanted.append(Requester(email=email, name=name, partner=partner))

    for demo, partner in partners:
        firsts, lasts = NAMES_BY_HUB[demo.hub]
        for i in range(BULK_REQUESTERS_PER_PARTNER):
            add(f"{firsts[(i * 7 + len(demo.short)) % len(firsts)]} {lasts[i % len(lasts)]}",
                demo.domain, partner)  # fmt: skip
    hubs = list(NAMES_BY_HUB.values())
    for i in range(BULK_INDEPENDENT_REQUESTERS):
        firsts, lasts = hubs[i % len(hubs)]
        add(f"{firsts[i * 5 % len(firsts)]} {lasts[i * 3 % len(lasts)]}", INDEPENDENT_DOMAIN, None)
    Requester.objects.bulk_create(wanted, ignore_conflicts=True, batch_size=1000)
    pool: dict[int | None, list[int]] = {}
    found = Requester.objects.filter(email__in=[r.email for r in wanted])
    for pk, partner_id in found.order_by("pk").values_list("pk", "partner_id"):
        pool.setdefault(partner_id, []).append(pk)
    return pool


class _BulkGenerator:
    """Makes ticket rows from rendered request variants; a few random draws per ticket."""

    def __init__(self, *, rng: random.Random, catalogue: Catalogue, team: Team) -> None:
        self.rng = rng
        self.catalogue = catalogue
        self.now = timezone.now()
        self.agents = [(u.pk, u.get_full_name() or u.username) for u in team.triagers]
        self.impact_ids = [i.pk for i in catalogue.impacts]
        self.channel_labels = {value: str(label) for value, label in Channel.choices}
        pool = ensure_bulk_requesters(catalogue.partners)
        labels = {
            pk: f"{name} <{email}>" if name else email
            for pk, name, email in Requester.objects.filter(
                pk__in=[pk for ids in pool.values() for pk in ids]
            ).values_list("pk", "name", "email")
        }
        self.partners: list[_BulkPartner] = []
        sources = [(demo, partner.pk, partner.hub_id) for demo, partner in catalogue.partners]
        for demo, partner_id, hub_id in [*sources, (None, None, None)]:
            if not pool.get(partner_id):
                continue
            bulk_partner = _BulkPartner(
                partner_id=partner_id,
                hub_id=hub_id,
                hub_slug=demo.hub if demo else None,
                requesters=[(pk, labels[pk]) for pk in pool[partner_id]],
            )
            bulk_partner.variants = self._variants(demo)
            self.partners.append(bulk_partner)
        # Larger partners write in more: weights fall off with the partner's place.
        self.partner_cum = list(
            itertools.accumulate(
                (1.0 / (1 + i * 0.25) if p.partner_id else 0.3) for i, p in enumerate(self.partners)
            )
        )

    def _variants(self, demo: DemoPartner | None) -> list[_Variant]:
        rng = self.rng
        cat = self.catalogue
        products = list(demo.products) if demo else [FLOW, RSR, LUMEN]
        templates = [t for p in products for t in cat.templates_by_product.get(p, [])]
        others = cat.templates_by_product.get(OTHER, [])
        # About one request in twelve is about something else ("Other"): fewer variants each.
        other_variants = max(
            1, round(len(templates) * VARIANTS_PER_TEMPLATE / 11 / max(1, len(others)))
        )
        plan = [(t, VARIANTS_PER_TEMPLATE) for t in templates] + [
            (t, other_variants) for t in others
        ]
        variants = []
        for template, how_many in plan:
            product = cat.products.get(template.product)
            category = cat.categories.get(template.category)
            weights = list(template.impact_weights())[: len(self.impact_ids)]
            weights += [1] * (len(self.impact_ids) - len(weights))
            tag_ids = [cat.tags[s].pk for s in template.tags if s in cat.tags]
            for _ in range(how_many):
                values = request_values(rng, demo)
                text = render_request(rng, template, values)
                details = product_details(rng, cat.report_fields(template.product), values)
                env = environment(rng, template.uses, values)
                variants.append(
                    _Variant(
                        **text,
                        body=services.compose_report(**text_without_subject(text)),
                        product_id=product.pk if product else None,
                        category_id=category.pk if category else None,
                        is_bug=template.category == BUG,
                        can_escalate=bool(product and product.github_repository),
                        impact_cum=list(itertools.accumulate(weights)),
                        tag_ids=tag_ids,
                        details_json=json.dumps(details, ensure_ascii=False),
                        env_json=json.dumps(env, ensure_ascii=False),
                    )
                )
        return variants

    def rows(self, ids: Sequence[int]) -> tuple[list[tuple[Any, ...]], ...]:
        """Ticket, message, event, issue-tag and first-response SLA clock rows for the ids."""
        rng = self.rng
        rand = rng.random
        now = self.now
        agents = self.agents
        impact_ids = self.impact_ids
        tickets, messages, events, tags, clocks = [], [], [], [], []
        for ticket_id in ids:
            bp = self.partners[bisect.bisect(self.partner_cum, rand() * self.partner_cum[-1])]
            requester_id, requester_label = bp.requesters[int(rand() * len(bp.requesters))]
            variant = bp.variants[int(rand() * len(bp.variants))]
            # Volume grows over time: more tickets in recent months than two years ago.
            days_ago = BULK_SPAN_DAYS * (1 - rand() ** 0.75)
            received = working_time(rng, now, days_ago, bp.hub_slug)
            channel = CHANNELS[bisect.bisect(CHANNEL_CUM, rand() * CHANNEL_CUM[-1])]
            status = status_for_age(rng, days_ago)
            age_hours = (now - received).total_seconds() / 3600
            if age_hours < 1:
                status = Status.NEW
            elif status == Status.ESCALATED and not variant.can_escalate:
                status = Status.OPEN
            on_behalf = channel in ON_BEHALF
            agent = agents[int(rand() * len(agents))] if agents else None
            created = received + timedelta(minutes=3 + rand() * 90) if on_behalf else received
            if created > now:
                created = now
            due = first_response_due(received)
            product_id, category_id = variant.product_id, variant.category_id
            details, env = variant.details_json, variant.env_json
            if channel == Channel.EMAIL:
                details = env = "{}"  # an email carries no form fields
            impact_id = responded = resolved = closed = assignee_id = breached = None
            escalation = EscalationStatus.NONE
            updated = created
            if status == Status.NEW or agent is None:
                status = Status.NEW
                if channel == Channel.EMAIL:
                    # Untriaged email: nobody has said yet what it is about.
                    product_id = category_id = None
                breached = due if now > due else None
            else:
                assignee_id = agent[0]
                cum = variant.impact_cum
                impact_id = impact_ids[bisect.bisect(cum, rand() * cum[-1])] if cum else None
                room = max(age_hours - 0.05, 0.05)
                delay = min(response_delay_hours(rng), room * (0.2 + 0.7 * rand()))
                responded = received + timedelta(hours=delay)
                if responded < created:
                    responded = created
                breached = due if responded > due else None
                updated = responded
                left = (now - responded).total_seconds() / 3600
                if status == Status.ESCALATED:
                    escalation = EscalationStatus.ESCALATED
                    updated = responded + timedelta(hours=left * rand())
                elif status in (Status.OPEN, Status.WAITING):
                    if (
                        status == Status.OPEN
                        and variant.can_escalate
                        and variant.is_bug
                        and rand() < 0.1
                    ):
                        escalation = EscalationStatus.L2_RESOLVED
                    updated = responded + timedelta(hours=min(left, 72) * rand())
                else:
                    if variant.can_escalate and variant.is_bug and rand() < 0.15:
                        escalation = EscalationStatus.L2_RESOLVED
                    gap = math.exp(rng.uniform(math.log(0.2), math.log(400)))
                    resolved = responded + timedelta(hours=min(gap, left * rand()))
                    updated = resolved
                    closed = resolved + AUTO_CLOSE_AFTER + timedelta(hours=rand() * 12)
                    if closed <= now:
                        status, updated = Status.CLOSED, closed
                    else:
                        status, closed = Status.RESOLVED, None
                    if variant.tag_ids and rand() < 0.8:
                        tags.append((ticket_id, variant.tag_ids[0]))
                        if len(variant.tag_ids) > 1 and rand() < 0.4:
                            tags.append((ticket_id, variant.tag_ids[1]))
                if status in (Status.OPEN, Status.WAITING, Status.ESCALATED) and variant.tag_ids:
                    tags.append((ticket_id, variant.tag_ids[0]))
            created_by = agent[0] if on_behalf and agent else None
            tickets.append(
                (
                    ticket_id, secrets.token_urlsafe(24), variant.subject, variant.description,
                    variant.what_doing, variant.expected, variant.actual, variant.steps,
                    details, env, channel, requester_id, bp.partner_id, bp.hub_id,
                    product_id, category_id, impact_id, str(status), str(escalation), assignee_id,
                    created_by, received, due, responded, breached, resolved, closed,
                    created, updated,
                )
            )  # fmt: skip
            message_id = (
                f"<{rng.getrandbits(64):016x}@mail.example.net>" if channel == Channel.EMAIL else ""
            )
            messages.append((ticket_id, CUSTOMER, variant.body, requester_id, message_id, created))
            actor_id, label = (
                (agent[0], agent[1]) if created_by and agent else (None, requester_label)
            )
            events.append(
                (ticket_id, actor_id, label, CREATED, "", "", self.channel_labels[channel],
                 created)
            )  # fmt: skip
            clocks.append(_first_response_clock(ticket_id, received, due, responded, breached, now))
        return tickets, messages, events, tags, clocks


def _first_response_clock(
    ticket_id: int, received: Any, due: Any, responded: Any, breached: Any, now: Any
) -> tuple[Any, ...]:
    warn = received + (due - received) * 0.75
    warned = warn if (responded or now) > warn else None
    remaining = BULK_WINDOW - (responded - received) if responded else None
    return (ticket_id, FIRST_RESPONSE, BULK_WINDOW, received, due, warn, remaining, warned,
            breached, responded, responded or received)  # fmt: skip


def text_without_subject(text: dict[str, str]) -> dict[str, str]:
    return {k: v for k, v in text.items() if k != "subject"}


def bulk_create_tickets(
    *,
    count: int,
    seed: int = DEFAULT_SEED,
    batch_size: int = DEFAULT_BATCH_SIZE,
    progress: Callable[[int, int, float], None] | None = None,
    analyze: bool = True,
) -> BulkReport:
    """Add ``count`` tickets with their first message and "created" event, in batches.

    Rows are generated, not played through the services, and each batch is one
    transaction: an interrupted run keeps whole batches. The same ``seed`` gives
    the same tickets (access tokens apart, which stay random). ``analyze``
    refreshes the planner's statistics at the end (PostgreSQL).
    """
    started = time.perf_counter()
    rng = random.Random(seed)  # noqa: S311 - benchmark content, not secrets
    catalogue = Catalogue.load()
    seed_requesters({demo.name: partner for demo, partner in catalogue.partners})
    generator = _BulkGenerator(rng=rng, catalogue=catalogue, team=Team.load())
    writer = _CopyWriter() if connection.vendor == "postgresql" else _OrmWriter()
    sizes = [min(batch_size, count - start) for start in range(0, count, batch_size)]
    done = 0
    # The next batch is generated in a worker thread while this one is written and
    # committed (the database does most of that work). One worker draws all the
    # random numbers, in batch order, so a seed still gives the same tickets.
    with ThreadPoolExecutor(max_workers=1) as pool:
        pending = pool.submit(generator.rows, writer.reserve_ids(sizes[0] if sizes else 0))
        for index, size in enumerate(sizes):
            rows = pending.result()
            if index + 1 < len(sizes):
                pending = pool.submit(generator.rows, writer.reserve_ids(sizes[index + 1]))
            with transaction.atomic():
                writer.write(*rows)
            done += size
            if progress:
                progress(done, count, time.perf_counter() - started)
    if analyze:
        writer.analyze()
    return BulkReport(count=count, seconds=time.perf_counter() - started)


def _columns(model: type, names: Sequence[str]) -> str:
    meta = model._meta  # type: ignore[attr-defined]
    return ", ".join(connection.ops.quote_name(meta.get_field(n).column) for n in names)


class _CopyWriter:
    """PostgreSQL: ids from the table's sequence, rows streamed with COPY."""

    def __init__(self) -> None:
        self.through = Ticket.issue_tags.through
        self.sql = {
            "tickets": self._copy_sql(Ticket, TICKET_COLUMNS),
            "messages": self._copy_sql(Message, MESSAGE_COLUMNS),
            "events": self._copy_sql(TicketEvent, EVENT_COLUMNS),
            "tags": self._copy_sql(self.through, TAG_COLUMNS),
            "clocks": self._copy_sql(SlaClock, CLOCK_COLUMNS),
        }

    @staticmethod
    def _copy_sql(model: type, names: Sequence[str]) -> str:
        table = connection.ops.quote_name(model._meta.db_table)  # type: ignore[attr-defined]
        return f"COPY {table} ({_columns(model, names)}) FROM STDIN"

    def reserve_ids(self, size: int) -> list[int]:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                [Ticket._meta.db_table, size],
            )
            return [row[0] for row in cursor.fetchall()]

    def write(self, tickets: list, messages: list, events: list, tags: list, clocks: list) -> None:
        with connection.cursor() as cursor:
            for key, rows in (
                ("tickets", tickets),
                ("messages", messages),
                ("events", events),
                ("tags", tags),
                ("clocks", clocks),
            ):
                if not rows:
                    continue
                with cursor.cursor.copy(self.sql[key]) as copy:
                    for row in rows:
                        copy.write_row(row)

    def analyze(self) -> None:
        # Fresh statistics, so the planner knows the tables grew by a million rows;
        # VACUUM also marks the new pages all-visible, as autovacuum would in time,
        # so index-only scans work at once (not possible inside a transaction).
        command = "ANALYZE" if connection.in_atomic_block else "VACUUM (ANALYZE)"
        with connection.cursor() as cursor:
            for model in (Ticket, Message, TicketEvent, self.through, SlaClock):
                table = connection.ops.quote_name(model._meta.db_table)
                cursor.execute(f"{command} {table}")


class _OrmWriter:
    """Other databases (SQLite in development and tests): bulk_create, ids assigned by it."""

    def reserve_ids(self, size: int) -> list[int]:
        # Stand-in ids (negative, never stored): bulk_create assigns the real ones below.
        return list(range(-size, 0))

    def write(self, tickets: list, messages: list, events: list, tags: list, clocks: list) -> None:
        objects = []
        for row in tickets:
            values = dict(zip(TICKET_COLUMNS, row, strict=True))
            values.pop("id")
            values["product_details"] = json.loads(values["product_details"])
            values["environment"] = json.loads(values["environment"])
            objects.append(Ticket(**values))
        Ticket.objects.bulk_create(objects, batch_size=500)
        real = {row[0]: obj.pk for row, obj in zip(tickets, objects, strict=True)}
        # bulk_create sets updated_at (auto_now) to now; put back the generated one.
        for row, obj in zip(tickets, objects, strict=True):
            obj.updated_at = row[-1]
        Ticket.objects.bulk_update(objects, ["updated_at"], batch_size=500)
        Message.objects.bulk_create(
            [
                Message(**dict(zip(MESSAGE_COLUMNS, (real[r[0]], *r[1:]), strict=True)))
                for r in messages
            ],
            batch_size=500,
        )
        TicketEvent.objects.bulk_create(
            [
                TicketEvent(**dict(zip(EVENT_COLUMNS, (real[r[0]], *r[1:]), strict=True)))
                for r in events
            ],
            batch_size=500,
        )
        through = Ticket.issue_tags.through
        through.objects.bulk_create(
            [through(ticket_id=real[t], issuetag_id=tag) for t, tag in tags], batch_size=500
        )
        SlaClock.objects.bulk_create(
            [
                SlaClock(**dict(zip(CLOCK_COLUMNS, (real[r[0]], *r[1:]), strict=True)))
                for r in clocks
            ],
            batch_size=500,
        )

    def analyze(self) -> None:
        pass  # SQLite plans well enough without; ANALYZE there would only cost time
