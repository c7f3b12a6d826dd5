"""The kind of request Contact Us asks first, and which parts of the form each kind needs.

Categories are data (an admin may add one), so the form knows three kinds and
reads a category as one of them: a bug (the four guided questions, the
product's fields and the device), a feature request (what problem it would
solve, who needs it) and anything else, asked like a question (the product's
fields, no device). A part that does not apply to the chosen kind is hidden in
the page and ignored by the server, so a form sent without JavaScript is
checked for what applies only.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from django.utils.translation import gettext as _

from catalog.models import Category


class Kind(StrEnum):
    BUG = "bug"
    QUESTION = "question"
    FEATURE = "feature"


def kind_of(category: Category | None) -> Kind | None:
    """The kind a category is asked as; None before one is chosen."""
    if category is None:
        return None
    if category.slug == Category.BUG:
        return Kind.BUG
    if category.slug == Category.FEATURE_REQUEST:
        return Kind.FEATURE
    return Kind.QUESTION


BUG_FIELDS = ("what_doing", "expected", "actual", "steps")
FEATURE_FIELDS = ("problem", "who_needs")
# The form field, and the key it is stored under in the ticket's environment.
ENVIRONMENT_FIELDS = {
    "env_computer": "computer_browser",
    "env_device": "phone_tablet",
    "env_app_version": "app_version",
    "env_dashboard": "connected_dashboard",
}


@dataclass(frozen=True)
class Section:
    """A part of the form that only some kinds of request ask for."""

    kinds: frozenset[Kind]

    @property
    def data_kinds(self) -> str:
        """The kinds, as the page's ``data-kinds`` attribute lists them for contact.js."""
        return " ".join(sorted(self.kinds))

    def applies(self, kind: Kind | None) -> bool:
        return kind in self.kinds


SECTIONS = {
    "bug": Section(frozenset({Kind.BUG})),
    "feature": Section(frozenset({Kind.FEATURE})),
    # A product's own fields find the partner's data: not needed to describe an idea.
    "product": Section(frozenset({Kind.BUG, Kind.QUESTION})),
    "device": Section(frozenset({Kind.BUG})),
}


def section_fields(section: str, product_fields: list[str]) -> tuple[str, ...]:
    """The form fields of a section (the product's own fields are the form's to name)."""
    if section == "bug":
        return BUG_FIELDS
    if section == "feature":
        return FEATURE_FIELDS
    if section == "device":
        return tuple(ENVIRONMENT_FIELDS)
    return tuple(product_fields)


def feature_description(*, description: str, problem: str, who_needs: str) -> str:
    """A feature request's text: the idea, then its answers labelled, as the ticket service
    labels a bug's guided answers in the first message (``compose_report``)."""
    parts = [description.strip()] if description.strip() else []
    for label, text in (
        (_("The problem it would solve"), problem),
        (_("Who needs it"), who_needs),
    ):
        if text.strip():
            parts.append(f"{label}:\n{text.strip()}")
    return "\n\n".join(parts)
