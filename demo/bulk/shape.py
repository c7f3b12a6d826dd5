"""The realistic shape of bulk data: who writes in how often, how long threads get, attachments.

Real help desks see most people once or twice (one to three tickets each), a few
heavy senders (a partner's coordinator, a monitoring address) with hundreds or
thousands, most threads short, a few long ones, and a file on some messages. The
benchmarks need that shape: a query that is fast for the heavy senders can be slow
for someone with two tickets, and the other way round.

Every draw comes from the generator's ``random.Random``, in a fixed order.
"""

from __future__ import annotations

import random
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from demo.people import person_email

# Of all tickets, this share comes from the partner's small pool of heavy senders, drawn
# with a strong skew (the first few get most), the rest from people who write rarely.
HEAVY_SHARE = 0.03
HEAVY_SKEW = 3.0
# Of the rare writers' tickets, this share is someone's first: about two tickets each.
NEW_REQUESTER_SHARE = 0.5
# A returning writer is one of the partner's most recent newcomers.
RECENT_REQUESTERS = 2_000
# Threads: after the first response, some tickets get a short exchange, a few a long one.
SHORT_THREAD_SHARE = 0.3
LONG_THREAD_SHARE = 0.006
LONG_THREAD_MESSAGES = (20, 40)
ATTACHMENT_SHARE = 0.05
# Message ids reserved per ticket in a batch for the messages after the first; about
# 0.8 are used on average, and a batch that runs out stops adding replies.
FOLLOW_UP_IDS_PER_TICKET = 2

REPLIES = (
    "Thanks for the details. I could reproduce it and I am looking into it now.",
    "Could you send a screenshot of the screen where this happens, and the time it happened?",
    "We have changed the setting on our side. Could you try again and tell us if it works?",
    "Here are the steps that fix it on the instances we checked; please follow them and "
    "reply if anything is still missing.",
)
ANSWERS = (
    "Thank you, I tried again and it still shows the same error.",
    "Here is the screenshot you asked for. It happened this morning around nine.",
    "It works now, thanks a lot for the quick help!",
    "Some records are still missing after the export; the rest look fine.",
)
FILES = (
    ("screenshot.png", "image/png", 180_000),
    ("export.csv", "text/csv", 42_000),
    ("form-definition.xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
     95_000),
    ("error-log.txt", "text/plain", 6_000),
)  # fmt: skip

CUSTOMER, REPLY = "customer", "reply"


@dataclass
class RequesterPool:
    """One partner's senders: the heavy few (stored once) and the newcomers of this run."""

    heavy: list[tuple[int, str]]  # id, "Name <email>"
    domain: str
    names: tuple[tuple[str, ...], tuple[str, ...]]
    partner_id: int | None
    recent: list[tuple[int, str]] = field(default_factory=list)


@dataclass
class Ids:
    """Ids reserved from the tables' sequences for one batch, handed out in order."""

    requesters: list[int]
    first_messages: list[int]
    messages: list[int]
    next_requester: int = 0
    next_first: int = 0
    next_message: int = 0

    def first_message(self) -> int:
        self.next_first += 1
        return self.first_messages[self.next_first - 1]

    def requester(self) -> int:
        self.next_requester += 1
        return self.requesters[self.next_requester - 1]

    def message(self) -> int | None:
        if self.next_message >= len(self.messages):
            return None
        self.next_message += 1
        return self.messages[self.next_message - 1]


def pick_requester(
    rng: random.Random, pool: RequesterPool, ids: Ids, when: datetime, out: list[tuple[Any, ...]]
) -> tuple[int, str]:
    """Who sends this ticket: a heavy sender, a newcomer (a row added to ``out``), or a
    recent newcomer writing again."""
    rand = rng.random
    draw = rand()
    if pool.heavy and draw < HEAVY_SHARE:
        return pool.heavy[int(len(pool.heavy) * rand() ** HEAVY_SKEW)]
    if pool.recent and rand() >= NEW_REQUESTER_SHARE:
        return pool.recent[int(rand() * len(pool.recent))]
    firsts, lasts = pool.names
    name = f"{firsts[int(rand() * len(firsts))]} {lasts[int(rand() * len(lasts))]}"
    requester_id = ids.requester()
    local = person_email(name, pool.domain).split("@")[0]
    email = f"{local}.{requester_id}@{pool.domain}"
    out.append((requester_id, email, name, pool.partner_id, "", when))
    sender = (requester_id, f"{name} <{email}>")
    pool.recent.append(sender)
    if len(pool.recent) > RECENT_REQUESTERS:
        del pool.recent[0]
    return sender


def thread_length(rng: random.Random) -> int:
    """How many messages follow the first response (replies and answers)."""
    draw = rng.random()
    if draw < LONG_THREAD_SHARE:
        low, high = LONG_THREAD_MESSAGES
        return low + int(rng.random() * (high - low + 1))
    if draw < SHORT_THREAD_SHARE:
        return 1 + int(rng.random() * 3)
    return 0


def follow_ups(
    rng: random.Random,
    *,
    ticket_id: int,
    count: int,
    start: datetime,
    end: datetime,
    agent_id: int,
    requester_id: int,
    ids: Ids,
) -> list[tuple[Any, ...]]:
    """Message rows alternating the agent's reply and the requester's answer, in time order."""
    rows: list[tuple[Any, ...]] = []
    span = max((end - start).total_seconds(), 60.0)
    for index in range(count):
        message_id = ids.message()
        if message_id is None:
            break
        when = start + timedelta(seconds=span * (index + rng.random()) / count)
        if index % 2 == 0:
            body = REPLIES[int(rng.random() * len(REPLIES))]
            rows.append((message_id, ticket_id, REPLY, body, agent_id, None, "", when))
        else:
            body = ANSWERS[int(rng.random() * len(ANSWERS))]
            rows.append((message_id, ticket_id, CUSTOMER, body, None, requester_id, "", when))
    return rows


def attachment(rng: random.Random, message_id: int, when: datetime) -> tuple[Any, ...] | None:
    """An attachment row for some first messages (the file itself is not written)."""
    if rng.random() >= ATTACHMENT_SHARE:
        return None
    name, content_type, size = FILES[int(rng.random() * len(FILES))]
    path = f"attachments/bulk/{secrets.token_hex(16)}"
    return (message_id, path, name, content_type, size + int(rng.random() * size), "0" * 64, when)
