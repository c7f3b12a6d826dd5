"""Self-help: knowledge-base suggestions, contacts they answered, article helpfulness."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import (
    Q,
)

from kb.models import ArticleVote, SuggestionEvent, SuggestionKind, SuggestionSource
from reports.figures.common import (
    TOP,
    in_period,
    percent_of,
    rows_counted,
)
from reports.filters import ReportFilters
from tickets.models import (
    Channel,
    Ticket,
)


@dataclass(frozen=True)
class Deflection:
    """What the knowledge base did for people about to write to us."""

    rows: list[tuple[str, int, int, int]]  # source label, shown, opened, answered without a ticket
    web_tickets: int  # Contact Us submissions in the same period

    @property
    def answered(self) -> int:
        return sum(row[3] for row in self.rows)

    @property
    def deflection_percent(self) -> float | None:
        """Of the people who came to write, the share who left with an answer instead."""
        return percent_of(self.answered, self.answered + self.web_tickets)


def deflection(filters: ReportFilters) -> Deflection:
    """Suggestions and contacts answered by them, against Contact Us submissions.

    Self-help happens before anyone is a ticket with a hub or an agent: only the
    period and the product filter apply, to both sides of the comparison.
    """
    events = SuggestionEvent.objects.filter(in_period("created_at", filters.period))
    submissions = Ticket.objects.filter(
        in_period("created_at", filters.period), channel=Channel.WEB
    )
    if "product" in filters.values:
        events = events.filter(article__product_id=filters.values["product"])
        submissions = submissions.filter(product_id=filters.values["product"])
    counts = {
        (row["source"], row["kind"]): row["n"]
        for row in events.values("source", "kind").annotate(n=rows_counted()).order_by()
    }
    rows = [
        (
            str(source.label),
            counts.get((source.value, SuggestionKind.IMPRESSION), 0),
            counts.get((source.value, SuggestionKind.CLICK), 0),
            counts.get((source.value, SuggestionKind.ANSWERED), 0),
        )
        for source in SuggestionSource
    ]
    return Deflection(rows, submissions.count())


@dataclass(frozen=True)
class Helpfulness:
    title: str
    helpful: int
    not_helpful: int

    @property
    def percent(self) -> float | None:
        return percent_of(self.helpful, self.helpful + self.not_helpful)


def article_helpfulness(filters: ReportFilters) -> list[Helpfulness]:
    """The most voted articles in the period, with their share of "yes, this helped"."""
    votes = ArticleVote.objects.filter(in_period("updated_at", filters.period))
    if "product" in filters.values:
        votes = votes.filter(article__product_id=filters.values["product"])
    rows = (
        votes.values("article_id", "article__title")
        .annotate(
            # Named apart from the vote's own "helpful" field, which the filters read.
            said_yes=rows_counted(Q(helpful=True)),
            said_no=rows_counted(Q(helpful=False)),
            total=rows_counted(),
        )
        .order_by("-total", "article__title")[:TOP]
    )
    return [Helpfulness(row["article__title"], row["said_yes"], row["said_no"]) for row in rows]
