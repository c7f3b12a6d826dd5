"""The small lists every desk page shows, in one query: taxonomy, staff, saved views.

Filters, forms, the sidebar and the queue rows read their names from here
(:func:`desk_lists`), not from joins. They change a few times a month and every desk
page reads them, so each process keeps them (per reader: the saved views are the
agent's own) as :mod:`catalog.memo` describes; any save or delete of a listed row, a
staff account, a role or a saved view makes every process read them again.
"""

from __future__ import annotations

import dataclasses
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
from django.utils.translation import gettext as _

from catalog.memo import SharedVersionMemo
from catalog.models import Category, Hub, Impact, IssueTag, Partner, Product
from tickets import roles
from tickets.models import SavedView

lists_memo = SharedVersionMemo("desk-lists")

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
          active: Any) -> QuerySet[Any]:  # fmt: skip
    """One list as (kind, id, slug, label, rank, extra, active) rows, for the UNION."""
    return (
        qs.order_by()
        .annotate(
            d_kind=Value(kind, output_field=_TEXT),
            d_slug=slug,
            d_label=label,
            d_rank=rank,
            d_extra=extra,
            d_active=active,
        )
        .values_list("d_kind", "pk", "d_slug", "d_label", "d_rank", "d_extra", "d_active")
    )


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


def _parts(user: User | AnonymousUser | None) -> list[QuerySet[Any]]:
    empty = Value("", output_field=TextField())
    zero = Value(0, output_field=_NUMBER)
    yes = Value(True, output_field=_FLAG)
    parts = [
        _part(Hub.objects.all(), "hub", slug=F("slug"), label=F("name"), rank=zero, extra=empty,
              active=F("is_active")),
        # A partner's extra is its hub's id: the triage panel offers a hub's partners.
        _part(Partner.objects.all(), "partner", slug=Value("", output_field=_TEXT),
              label=F("name"), rank=zero, extra=Cast("hub_id", output_field=TextField()),
              active=F("is_active")),
        _part(Product.objects.all(), "product", slug=F("slug"), label=F("name"),
              rank=F("position"), extra=empty, active=F("is_active")),
        _part(Category.objects.all(), "category", slug=F("slug"), label=F("name"),
              rank=F("position"), extra=F("description"), active=F("is_active")),
        _part(Impact.objects.all(), "impact", slug=F("slug"), label=F("name"), rank=F("level"),
              extra=F("definition"), active=F("is_active")),
        _part(IssueTag.objects.all(), "tag", slug=F("slug"), label=F("name"), rank=zero,
              extra=F("description"), active=F("is_active")),
        _part(User.objects.filter(is_staff=True, is_active=True), "staff", slug=F("username"),
              label=Concat(F("first_name"), Value(" "), F("last_name"), output_field=_TEXT),
              rank=_staff_rank(), extra=empty, active=yes),
    ]  # fmt: skip
    if user is not None and user.is_authenticated:
        parts.append(
            _part(SavedView.objects.filter(owner_id=user.pk), "view", slug=F("queue"),
                  label=F("name"), rank=zero, extra=F("query"), active=yes)
        )  # fmt: skip
    return parts


def desk_lists(user: User | AnonymousUser | None) -> DeskLists:
    """Every small list a desk page needs: kept per process, else read in one query.

    A copy each time: the kept lists are shared by every request of the process.
    """
    reader = user.pk if user is not None and user.is_authenticated else None
    kept = lists_memo.get(("lists", reader), lambda: _read_lists(user))
    return DeskLists(**{f.name: list(getattr(kept, f.name)) for f in dataclasses.fields(kept)})


def _read_lists(user: User | AnonymousUser | None) -> DeskLists:
    """Every list in one UNION ALL query.

    Each part yields (kind, id, slug, label, rank, extra, active); the ranks keep
    each list in its admin-defined order.
    """
    parts = _parts(user)
    combined = parts[0].union(*parts[1:], all=True).order_by()
    lists = DeskLists()
    rows = sorted(combined, key=lambda r: (r[0], r[4], str(r[3]).lower(), r[1]))
    for kind, pk, slug, label, rank, extra, active in rows:
        label = " ".join(str(label).split()) or slug
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


def connect_signals() -> None:
    """Read the lists again after any change to what they show (the admin, roles, views)."""
    lists_memo.watch(
        Hub, Partner, Product, Category, Impact, IssueTag, User, Group, Permission, SavedView
    )
    # Who works tickets (the staff's rank) follows roles and permissions.
    for through in (User.groups.through, User.user_permissions.through, Group.permissions.through):
        m2m_changed.connect(
            lists_memo.changed, sender=through, dispatch_uid=f"memo-desk-lists-{through.__name__}"
        )
