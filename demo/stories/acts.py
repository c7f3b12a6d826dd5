"""Each step of a demo story done through the ticket services, as the people in it would."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import User

from catalog.models import Impact
from demo.people import Team
from demo.stories.catalogue import Catalogue
from demo.stories.plot import Step, message_text
from demo.writing import RequestTemplate
from tickets import services
from tickets.models import EscalationStatus, MessageKind, Requester, Status, Ticket


@dataclass
class Scene:
    """What every step of one ticket's story needs."""

    rng: random.Random
    catalogue: Catalogue
    team: Team
    ticket: Ticket
    template: RequestTemplate
    context: dict[str, str]
    requester: Requester
    l2: User | None
    impact: Impact | None
    by_email: bool

    def text(self, kind: str) -> str:
        return message_text(self.rng, kind, self.template, self.context)

    def say(self, kind: str, text: str, by: User | None) -> None:
        services.ticket_add_message(
            ticket=self.ticket, kind=kind, body=self.text(text), by=by, notify=False
        )

    def move_to(self, status: str, by: User | None) -> None:
        services.ticket_change_status(ticket=self.ticket, status=status, by=by, notify=False)


def act(scene: Scene, step: Step) -> None:
    """Do ``step``; a step nobody can do (an L2 note without L2 engineers) is skipped."""
    play = _ACTS.get(step.action)
    if play is not None:
        play(scene, step)


def _triage(scene: Scene, step: Step) -> None:
    cat, template, agent = scene.catalogue, scene.template, step.by
    changes: dict[str, Any] = {"impact": scene.impact}
    if scene.by_email:
        changes["product"] = cat.products.get(template.product)
        changes["category"] = cat.categories.get(template.category)
    services.ticket_change_fields(ticket=scene.ticket, by=agent, changes=changes, notify=False)
    tags = [cat.tags[slug] for slug in template.tags if slug in cat.tags]
    if tags:
        services.ticket_set_issue_tags(ticket=scene.ticket, tags=tags, by=agent)
    # A critical request is often handed out by the manager.
    assigner = agent
    if scene.impact is not None and scene.impact.level == 1 and scene.team.managers:
        assigner = scene.team.managers[0]
    services.ticket_assign(ticket=scene.ticket, assignee=agent, by=assigner)


def _customer(scene: Scene, step: Step) -> None:
    services.ticket_add_message(
        ticket=scene.ticket,
        kind=MessageKind.CUSTOMER,
        body=scene.text(step.text),
        requester=scene.requester,
        notify=False,
    )


def _escalate(scene: Scene, step: Step) -> None:
    scene.say(MessageKind.NOTE, "escalation", step.by)
    services.ticket_mark_escalated(ticket=scene.ticket, by=step.by)


def _l2_note(scene: Scene, step: Step) -> None:
    if scene.l2 is not None:
        scene.say(MessageKind.NOTE, "l2", scene.l2)


def _l2_resolved(scene: Scene, step: Step) -> None:
    if scene.l2 is not None:
        scene.say(MessageKind.NOTE, "l2_done", scene.l2)
    # The GitHub issue closing moves it back to L1: the system does both.
    services.ticket_change_escalation_status(
        ticket=scene.ticket, escalation_status=EscalationStatus.L2_RESOLVED, by=None
    )
    scene.move_to(Status.OPEN, by=None)


_ACTS: dict[str, Callable[[Scene, Step], None]] = {
    "triage": _triage,
    "reply": lambda scene, step: scene.say(MessageKind.REPLY, step.text, step.by),
    "waiting": lambda scene, step: scene.move_to(Status.WAITING, by=step.by),
    "customer": _customer,
    "note": lambda scene, step: scene.say(MessageKind.NOTE, step.text, step.by),
    "escalate": _escalate,
    "l2_note": _l2_note,
    "l2_resolved": _l2_resolved,
    "resolve": lambda scene, step: scene.move_to(Status.RESOLVED, by=step.by),
    "close": lambda scene, step: scene.move_to(Status.CLOSED, by=None),
}
