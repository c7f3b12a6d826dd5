"""The search document of each ticket (PostgreSQL full text) and the words seen in them.

Both tables are written by database triggers only (migration ``0016_ticket_search``),
never by Python code: whatever writes a ticket, a message, a requester or a partner
(services, the admin, a merge, a queryset update) keeps the document in step, in the
same transaction. On SQLite the tables exist but stay empty; the search there reads
the tickets and messages directly (``tickets.search``).
"""

from __future__ import annotations

from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.utils.translation import gettext_lazy as _

from tickets.models.ticket import Ticket

# The text search configuration of the document and of every query. 'simple' lowers
# case and splits words, nothing else: tickets mix languages, error messages, file
# names and numbers, which stemming and stop words would mangle, and the document is
# the same whatever the server's default configuration. Written out again in the
# migration's SQL, which must not change when this does.
SEARCH_CONFIG = "simple"
# Weights of the document's parts. Requesters never search with weight D (see
# tickets.search): internal notes can only be found by staff.
WEIGHT_SUBJECT = "A"  # subject and reference
WEIGHT_PEOPLE = "B"  # requester name and email, partner, organisation typed on the form
WEIGHT_PUBLIC = "C"  # customer messages and public replies
WEIGHT_INTERNAL = "D"  # internal notes


class TicketSearch(models.Model):
    """One ticket's weighted ``tsvector``, kept by triggers (PostgreSQL only)."""

    ticket = models.OneToOneField(
        Ticket,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="search",
        verbose_name=_("ticket"),
    )
    document = SearchVectorField(_("search document"), null=True)

    class Meta:
        verbose_name = _("ticket search document")
        verbose_name_plural = _("ticket search documents")
        indexes = [GinIndex(fields=["document"], name="ticket_search_document")]

    def __str__(self) -> str:
        return f"Search document of {self.ticket_id}"


class SearchWord(models.Model):
    """A word that appears in some ticket's document: where misspelled words find their match.

    Trigram similarity over this small table (one row per distinct word, not per
    ticket) turns "faild" into "failed" before the full-text query runs, so the
    typo search costs the same at any number of tickets.
    """

    word = models.TextField(_("word"), primary_key=True)

    class Meta:
        verbose_name = _("search word")
        verbose_name_plural = _("search words")
        indexes = [GinIndex(fields=["word"], name="search_word_trgm", opclasses=["gin_trgm_ops"])]

    def __str__(self) -> str:
        return self.word
