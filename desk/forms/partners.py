"""The triage panel's partner choices: a hub's partners (with search), a new partner, and
the organisation a requester typed on Contact Us offered as a suggestion."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy

from desk.forms.common import VersionedForm, choice_options, set_choices
from tickets.models import Ticket
from tickets.queues import DeskLists
from tickets.queues.lists import Choice

PARTNER_SEARCH_MAX = 80
# Words that say what kind of organisation it is, not which one.
_NOISE = re.compile(
    r"\b(the|ltd|limited|inc|llc|plc|co|company|org|organisation|organization|ngo|"
    r"foundation|trust|group|international|intl)\b"
)
SIMILARITY = 0.8


def partners_of(
    lists: DeskLists, hub_id: int | None, search: str = "", current_id: int | None = None
) -> list[Choice]:
    """Active partners of a hub (of every hub when none is chosen) whose name has ``search``;
    the current partner stays listed, so a form never loses what the ticket has."""
    needle = " ".join(search.split()).lower()
    return [
        c
        for c in lists.partners
        if c.id == current_id
        or (
            c.active
            and (hub_id is None or c.extra == str(hub_id))
            and (not needle or needle in c.label.lower())
        )
    ]


def _key(name: str) -> str:
    return " ".join(_NOISE.sub(" ", re.sub(r"[^\w\s]", " ", name.lower())).split())


def similar_partner(lists: DeskLists, name: str) -> Choice | None:
    """The known partner whose name is closest to ``name``, if it is close enough."""
    wanted = _key(name)
    if not wanted:
        return None
    best, best_ratio = None, 0.0
    for choice in lists.partners:
        if not choice.active:
            continue
        ratio = difflib.SequenceMatcher(None, wanted, _key(choice.label)).ratio()
        if ratio > best_ratio:
            best, best_ratio = choice, ratio
    return best if best_ratio >= SIMILARITY else None


@dataclass(frozen=True)
class OrganisationSuggestion:
    """What the requester wrote, the partner it is probably, and the hub a new one goes to."""

    written: str
    similar: Choice | None
    hub: Choice | None


def organisation_suggestion(ticket: Ticket, lists: DeskLists) -> OrganisationSuggestion | None:
    """Offered while the ticket has no partner and the requester named an organisation."""
    if ticket.partner_id or not ticket.organisation_name.strip():
        return None
    hub = lists.by_id("hubs").get(ticket.hub_id or 0)
    return OrganisationSuggestion(
        written=ticket.organisation_name.strip(),
        similar=similar_partner(lists, ticket.organisation_name),
        hub=hub,
    )


class NewPartnerForm(VersionedForm):
    """A partner organisation added while triaging: its name and its hub."""

    name = forms.CharField(label=gettext_lazy("New partner's name"), max_length=200)
    hub = forms.TypedChoiceField(label=gettext_lazy("Its hub"), coerce=int)

    def __init__(self, *args: Any, lists: DeskLists, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_choices(self, "hub", [("", "—"), *choice_options(lists.hubs)])


class UsePartnerForm(VersionedForm):
    """The suggested existing partner, chosen in one click."""

    partner = forms.IntegerField(widget=forms.HiddenInput)
