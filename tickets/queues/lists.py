"""The small lists every desk page shows, kept per process: taxonomy, staff, saved views.

Filters, forms, the sidebar and the queue rows read their names from here
(:func:`desk_lists`), not from joins.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.models import AnonymousUser, Group, Permission, User
from django.db.models import (
    BooleanField,
    Case,
    CharField,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    TextField,
    Value,
    When,
)
from django.db.models.functions import Cast, Concat
from django.db.models.signals import m2m_changed
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from catalog.memo import SharedVersionMemo
from catalog.models import Category, Hub, Impact, IssueTag, Partner, Product
from helpdesk.translated import translated_text
from tickets import roles
from tickets.models import SavedView

# A staff member's rank in "Assign to": those who work tickets first, other staff after.
WORKS_TICKETS, OTHER_STAFF = 0, 1


@dataclass(frozen=True)
class Choice:
    id: int
    slug: str
    label: str
    extra: str = ""  # an impact's definition, a saved view's query string, a partner's hub id
    active: bool = True
    rank: int = 0  # an impact's level, a product's position


@dataclass
class DeskLists:
    """Taxonomy, staff and the agent's saved views, for filters, forms and the sidebar."""

    hubs: list[Choice] = field(default_factory=list)
    partners: list[Choice] = field(default_factory=list)
    products: list[Choice] = field(default_factory=list)
    categories: list[Choice] = field(default_factory=list)
    impacts: list[Choice] = field(default_factory=list)
    tags: list[Choice] = field(default_factory=list)
    # Active staff only; people who work tickets (rank WORKS_TICKETS) before the others.
    staff: list[Choice] = field(default_factory=list)
    saved_views: list[Choice] = field(default_factory=list)

    def by_slug(self, kind: str) -> dict[str, Choice]:
        return {c.slug: c for c in getattr(self, kind)}

    def by_id(self, kind: str) -> dict[int, Choice]:
        return {c.id: c for c in getattr(self, kind)}

    def active(self, kind: str) -> list[Choice]:
        return [c for c in getattr(self, kind) if c.active]

    def assignee_groups(self) -> list[tuple[str, list[Choice]]]:
        """The "Assign to" groups: who works tickets (L1, managers), then other staff."""
        groups = [
            (_("Agents and managers"), [c for c in self.staff if c.rank == WORKS_TICKETS]),
            (_("Other staff"), [c for c in self.staff if c.rank != WORKS_TICKETS]),
        ]
        return [(label, choices) for label, choices in groups if choices]


_LIST_KINDS = {
    "hub": "hubs",
    "partner": "partners",
    "product": "products",
    "category": "categories",
    "impact": "impacts",
    "tag": "tags",
    "staff": "staff",
    "view": "saved_views",
}


_TEXT, _NUMBER, _FLAG = CharField(), IntegerField(), BooleanField()


def _part(qs: QuerySet[Any], kind: str, *, slug: Any, label: Any, rank: Any, extra: Any,
          active: Any, translations: Any = None) -> QuerySet[Any]:  # fmt: skip
    """One list as (kind, id, slug, label, rank, extra, active, translations) rows, for the
    UNION; ``translations`` is the row's JSON as text (helpdesk.translated), "" if none."""
    return (
        qs.order_by()
        .annotate(
            d_kind=Value(kind, output_field=_TEXT),
            d_slug=slug,
            d_label=label,
            d_rank=rank,
            d_extra=extra,
            d_active=active,
            d_translations=translations or Value("", output_field=TextField()),
        )
        .values_list(
            "d_kind", "pk", "d_slug", "d_label", "d_rank", "d_extra", "d_active", "d_translations"
        )
    )


# Which column of a translated list's row its ``extra`` holds.
_EXTRA_FIELD = {"category": "description", "impact": "definition", "tag": "description"}


def _translations() -> Cast:
    return Cast("translations", output_field=TextField())


def _staff_rank() -> Case:
    """WORKS_TICKETS for a staff member whose role (or own permission) lets them triage.

    That is who the desk means by "people who work tickets": L1 agents and managers.
    A superuser without a role is an administrator, listed with the other staff.
    """
    app_label, codename = roles.TRIAGE.split(".")
    triage = Permission.objects.filter(content_type__app_label=app_label, codename=codename)
    by_role = Exists(
        User.groups.through.objects.filter(
            user_id=OuterRef("pk"), group__permissions__in=triage.values("pk")
        )
    )
    by_own = Exists(
        User.user_permissions.through.objects.filter(
            user_id=OuterRef("pk"), permission__in=triage.values("pk")
        )
    )
    return Case(
        When(Q(by_role) | Q(by_own), then=Value(WORKS_TICKETS)),
        default=Value(OTHER_STAFF),
        output_field=IntegerField(),
    )


def _shared_parts() -> list[QuerySet[Any]]:
    empty = Value("", output_field=TextField())
    zero = Value(0, output_field=_NUMBER)
    yes = Value(True, output_field=_FLAG)
    return [
        _part(Hub.objects.all(), "hub", slug=F("slug"), label=F("name"), rank=zero, extra=empty,
              active=F("is_active")),
        # A partner's extra is its hub's id: the triage panel offers a hub's partners.
        _part(Partner.objects.all(), "partner", slug=Value("", output_field=_TEXT),
              label=F("name"), rank=zero, extra=Cast("hub_id", output_field=TextField()),
              active=F("is_active")),
        _part(Product.objects.all(), "product", slug=F("slug"), label=F("name"),
              rank=F("position"), extra=empty, active=F("is_active"),
              translations=_translations()),
        _part(Category.objects.all(), "category", slug=F("slug"), label=F("name"),
              rank=F("position"), extra=F("description"), active=F("is_active"),
              translations=_translations()),
        _part(Impact.objects.all(), "impact", slug=F("slug"), label=F("name"), rank=F("level"),
              extra=F("definition"), active=F("is_active"), translations=_translations()),
        _part(IssueTag.objects.all(), "tag", slug=F("slug"), label=F("name"), rank=zero,
              extra=F("description"), active=F("is_active"), translations=_translations()),
        _part(User.objects.filter(is_staff=True, is_active=True), "staff", slug=F("username"),
              label=Concat(F("first_name"), Value(" "), F("last_name"), output_field=_TEXT),
              rank=_staff_rank(), extra=empty, active=yes),
    ]  # fmt: skip


def _saved_views_part(user_id: int) -> QuerySet[Any]:
    return _part(SavedView.objects.filter(owner_id=user_id), "view", slug=F("queue"),
                 label=F("name"), rank=Value(0, output_field=_NUMBER), extra=F("query"),
                 active=Value(True, output_field=_FLAG))  # fmt: skip


def _read(parts: list[QuerySet[Any]]) -> DeskLists:
    """The rows of ``parts`` in one UNION ALL query, each list in its admin-defined order,
    its names in the active language (the reader's; English where untranslated)."""
    combined = parts[0].union(*parts[1:], all=True).order_by() if len(parts) > 1 else parts[0]
    lists = DeskLists()
    rows = sorted(
        (_in_language(row) for row in combined), key=lambda r: (r[0], r[4], r[3].lower(), r[1])
    )
    for kind, pk, slug, label, rank, extra, active in rows:
        label = " ".join(label.split()) or slug
        getattr(lists, _LIST_KINDS[kind]).append(
            Choice(
                id=pk,
                slug=slug or "",
                label=label,
                extra=extra or "",
                active=bool(active),
                rank=int(rank or 0),
            )
        )
    return lists


def _in_language(row: tuple[Any, ...]) -> tuple[Any, ...]:
    kind, pk, slug, label, rank, extra, active, translations = row
    label, extra = str(label), extra or ""
    if translations:
        written = json.loads(translations) if isinstance(translations, str) else translations
        label = translated_text(written, "name", label)
        if kind in _EXTRA_FIELD:
            extra = translated_text(written, _EXTRA_FIELD[kind], extra)
    return kind, pk, slug, label, rank, extra, active


# Every desk page reads these lists, which change on admin edits only: each process
# keeps them under a version in the shared cache (see catalog.memo), moved on by any
# save or delete of a listed row and any change of a role's or a person's permissions.
# The staff's permissions are kept under it too (desk.backends).
lists_memo = SharedVersionMemo("desk-lists")


def desk_lists(user: User | AnonymousUser | None) -> DeskLists:
    """Every small list a desk page needs: taxonomy, staff and the reader's saved views.

    Read in one UNION ALL query when the process has not kept them (see
    :data:`lists_memo`); the lists returned are the caller's own copies.
    """
    # Kept per language: an agent reads the taxonomy in their own (StaffProfile.language).
    shared = lists_memo.get(("shared", get_language()), lambda: _read(_shared_parts()))
    views: list[Choice] = []
    if user is not None and user.is_authenticated:
        views = lists_memo.get(
            ("views", user.pk), lambda: _read([_saved_views_part(user.pk)]).saved_views
        )
    return DeskLists(
        hubs=list(shared.hubs),
        partners=list(shared.partners),
        products=list(shared.products),
        categories=list(shared.categories),
        impacts=list(shared.impacts),
        tags=list(shared.tags),
        staff=list(shared.staff),
        saved_views=list(views),
    )


def connect_signals() -> None:
    """Move the lists' version on every change of what they list."""
    lists_memo.watch(Hub, Partner, Product, Category, Impact, IssueTag, User, SavedView)
    lists_memo.watch(Group, Permission)  # a role's name or rights: "Assign to"'s ranks
    for through in (User.groups.through, User.user_permissions.through, Group.permissions.through):
        uid = f"memo-desk-lists-{through._meta.label}"
        m2m_changed.connect(lists_memo.changed, sender=through, dispatch_uid=uid)
