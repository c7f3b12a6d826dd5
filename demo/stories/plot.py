"""A demo ticket's story as dated steps, from the request to the status it should end in,
and the words each step says."""

from __future__ import annotations

import random
from dataclasses import dataclass

from django.contrib.auth.models import User

from demo.people import AUTO_CLOSE_AFTER
from demo.stories.catalogue import response_delay_hours
from demo.writing import (
    ACKNOWLEDGEMENTS,
    ANSWER_REPLY,
    ASK_FOR_DETAILS,
    BUG,
    DETAILS_FROM_REQUESTER,
    ESCALATION_NOTES,
    FEATURE_REPLY,
    FIX_REPLY,
    GENERIC_FIXES,
    INTERNAL_NOTES,
    L2_DONE_NOTES,
    L2_NOTES,
    SIGN_OFF,
    THANKS,
    RequestTemplate,
)
from tickets.models import Status


@dataclass
class Step:
    hours: float  # after the request was received
    action: str
    text: str = ""
    by: User | None = None


class _Plot:
    """The steps written so far and the hour the story has reached."""

    def __init__(self, rng: random.Random, agent: User, steps: list[Step], hours: float) -> None:
        self.rng = rng
        self.agent = agent
        self.steps = steps
        self.hours = hours

    def add(self, gap: float, action: str, text: str = "", by: User | None = None) -> None:
        self.hours += gap
        self.steps.append(Step(self.hours, action, text, by))

    def ask_and_wait(self) -> None:
        self.add(0.1, "reply", "ask", self.agent)
        self.add(0.01, "waiting", by=self.agent)


def plan_steps(
    rng: random.Random,
    template: RequestTemplate,
    status: str,
    agent: User | None,
    age_hours: float,
    *,
    can_escalate: bool,
) -> list[Step]:
    """The story from request to ``status``, in hours after the request, fitted to its age."""
    steps = [Step(0.0, "create")]
    if status == Status.NEW or agent is None:
        return steps
    plot = _Plot(rng, agent, steps, response_delay_hours(rng))
    steps.append(Step(plot.hours, "triage", by=agent))
    is_bug = template.category == BUG
    if status == Status.WAITING:
        plot.ask_and_wait()
    elif status == Status.OPEN:
        _still_open(plot, is_bug=is_bug)
    elif status == Status.ESCALATED:
        plot.add(0.1, "reply", "ack", agent)
        plot.add(rng.uniform(1, 24), "escalate", by=agent)
        if rng.random() < 0.5:
            plot.add(rng.uniform(4, 72), "l2_note")
    else:  # resolved or closed
        _done(plot, age_hours, is_bug=is_bug, can_escalate=can_escalate)
    _fit_to_age(steps, age_hours)
    return steps


def _still_open(plot: _Plot, *, is_bug: bool) -> None:
    rng, agent = plot.rng, plot.agent
    if rng.random() < 0.5:
        plot.ask_and_wait()
        plot.add(rng.uniform(2, 48), "customer", "details")
    else:
        plot.add(0.1, "reply", "ack" if is_bug else "answer", agent)
    if rng.random() < 0.4:
        plot.add(rng.uniform(0.2, 6), "note", "internal", agent)


def _done(plot: _Plot, age_hours: float, *, is_bug: bool, can_escalate: bool) -> None:
    rng, agent = plot.rng, plot.agent
    path = rng.random()
    if is_bug and can_escalate and path < 0.3:
        plot.add(0.1, "reply", "ack", agent)
        plot.add(rng.uniform(1, 24), "escalate", by=agent)
        plot.add(rng.uniform(4, 72), "l2_note")
        plot.add(rng.uniform(24, 240), "l2_resolved")
        plot.add(rng.uniform(0.5, 20), "reply", "fix", agent)
    elif path < 0.55:
        plot.ask_and_wait()
        plot.add(rng.uniform(2, 72), "customer", "details")
        plot.add(rng.uniform(0.5, 24), "reply", "fix" if is_bug else "answer", agent)
    else:
        plot.add(0.1, "reply", "fix" if is_bug else "answer", agent)
    if rng.random() < 0.4:
        plot.add(rng.uniform(0.5, 30), "customer", "thanks")
    plot.add(rng.uniform(0.02, 2), "resolve", by=agent)
    wait = AUTO_CLOSE_AFTER.total_seconds() / 3600 + rng.uniform(0, 12)
    # Closing is the sweep after a quiet week: too young for that, it stays resolved.
    if plot.hours + wait < age_hours:
        plot.add(wait, "close")


def _fit_to_age(steps: list[Step], age_hours: float) -> None:
    """A story longer than the ticket's age is squeezed to fit, keeping its order."""
    room = max(age_hours - 0.1, 0.1)
    if steps[-1].hours > room:
        factor = room / steps[-1].hours
        for step in steps:
            step.hours *= factor


# The words of each kind of message: a fixed text, or one picked from a list.
_PICKED = {
    "ack": ACKNOWLEDGEMENTS,
    "thanks": THANKS,
    "internal": INTERNAL_NOTES,
    "escalation": ESCALATION_NOTES,
    "l2": L2_NOTES,
    "l2_done": L2_DONE_NOTES,
}
_SIGNED = {"ack"}


def message_text(
    rng: random.Random, kind: str, template: RequestTemplate, context: dict[str, str]
) -> str:
    """The body of a message of ``kind`` about ``template``, filled in from ``context``."""
    if kind == "ask":
        body = ASK_FOR_DETAILS[template.product] + SIGN_OFF
    elif kind == "answer":
        reply = (
            ANSWER_REPLY.replace("{answer}", template.reply) if template.reply else FEATURE_REPLY
        )
        body = reply + SIGN_OFF
    elif kind == "fix":
        fix = template.fix or rng.choice(GENERIC_FIXES)
        body = FIX_REPLY.replace("{fix}", fix) + SIGN_OFF
    elif kind == "details":
        body = DETAILS_FROM_REQUESTER[template.product]
    elif kind in _PICKED:
        body = rng.choice(_PICKED[kind]) + (SIGN_OFF if kind in _SIGNED else "")
    else:
        body = kind
    return body.format_map(context)
