"""The desk's ticket search at scale: a selective word, a common word, a reference.

``desk_search`` renders the "All" queue with a search (best match first, with
snippets and the bounded counts) through Django's test client as an L1 agent,
twenty times per kind after a warm-up (:func:`bench.pages.median_ms`), prints
the median of each kind and returns the selective word's. ``desk_search_common``,
``desk_search_reference`` and ``desk_search_typo`` (the selective word misspelled)
report the others on their own.

The bulk tickets' text comes from a few hundred request variants, so no word in
it is rare. On its first run the scenario adds :data:`MARKED` customer messages
carrying :data:`SELECTIVE_WORD` to tickets spread over the whole id range (rows
written directly; the search document follows through its trigger); later runs
find and keep them, as ``kb_search`` keeps its articles. The selective word
thus matches the same dozen tickets at 100,000 tickets as at 1,000,000, which is
what "cost must not grow with the number of tickets" is about.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.urls import reverse

from bench.pages import median_ms, staff_client
from bench.scenarios import Context, scenario
from tickets import roles
from tickets.models import Message, MessageKind, Ticket

SELECTIVE_WORD = "quokkasaurus"
MARKED = 12
MARKER_BODY = (
    "Sorry to write again: the import of the {word} survey still stops with "
    "error 0x7741 after the first 50 rows."
)
COMMON_WORD = "export"


def _mark_tickets() -> None:
    if Message.objects.filter(body__contains=SELECTIVE_WORD).exists():
        return
    last = Ticket.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    step = max(last // MARKED, 1)
    marked = []
    for n in range(MARKED):
        ticket = Ticket.objects.filter(pk__gte=1 + n * step).order_by("pk").first()
        if ticket is not None:
            marked.append(ticket)
    Message.objects.bulk_create(
        Message(
            ticket=ticket,
            kind=MessageKind.CUSTOMER,
            body=MARKER_BODY.format(word=SELECTIVE_WORD),
            author_requester_id=ticket.requester_id,
        )
        for ticket in marked
    )


def _search_ms(text: str) -> float:
    url = reverse("desk:queue", kwargs={"queue": "all"}) + "?" + urlencode({"q": text})
    return median_ms(staff_client(roles.L1_AGENT), url)


def _reference(ctx: Context) -> str:
    last = Ticket.objects.order_by("-pk").values_list("pk", flat=True).first() or 1
    ticket = Ticket.objects.filter(pk__gte=ctx.rng.randint(1, last)).order_by("pk").first()
    assert ticket is not None
    return ticket.reference


@scenario("desk_search", unit="ms")
def desk_search(ctx: Context) -> float:
    """Desk search in "All": a selective word (reported), a common word and a reference."""
    _mark_tickets()
    selective = _search_ms(SELECTIVE_WORD)
    common = _search_ms(COMMON_WORD)
    reference = _search_ms(_reference(ctx))
    print(
        f"    selective word {selective:.1f} ms · common word {common:.1f} ms · "
        f"reference {reference:.1f} ms",
        flush=True,
    )
    return selective


@scenario("desk_search_common", unit="ms")
def desk_search_common(ctx: Context) -> float:
    """Desk search in "All" for a word in about one ticket in five, best match first."""
    return _search_ms(COMMON_WORD)


@scenario("desk_search_reference", unit="ms")
def desk_search_reference(ctx: Context) -> float:
    """Desk search in "All" for a ticket reference (HD-…)."""
    return _search_ms(_reference(ctx))


@scenario("desk_search_typo", unit="ms")
def desk_search_typo(ctx: Context) -> float:
    """Desk search in "All" for the selective word misspelled (trigram, then full text)."""
    _mark_tickets()
    return _search_ms(SELECTIVE_WORD[:-2] + "s")  # "quokkasaurs"
