"""What a Contact Us report lacks that support will ask for, said before it is sent.

A bug report without what was expected, what happened or how to make it happen
costs a round trip; a one-line "it does not work" costs another. The form shows
these hints once and lets the person send the report as it is.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext_lazy

from portal.kinds import Kind

# Words a description needs before we stop suggesting more detail.
VAGUE_WORDS = 12
VAGUE_RE = re.compile(
    r"^\W*(it\s+)?(does\s*n[o']?t|did\s*n[o']?t|is\s*n[o']?t|not)\s+work(ing)?\W*$|"
    r"^\W*(help|broken|error|bug|problem|issue)\W*$",
    re.IGNORECASE,
)
# The bug questions, and why each answer matters.
BUG_DETAILS = (
    (
        "expected",
        gettext_lazy(
            "What you expected to happen: it tells us what “working” means "
            "for you, so we check the right thing."
        ),
    ),
    (
        "actual",
        gettext_lazy(
            "What actually happened: the exact error or behaviour lets us recognise the problem."
        ),
    ),
    (
        "steps",
        gettext_lazy(
            "Steps to reproduce: if we can make it happen ourselves, we can fix it much sooner."
        ),
    ),
)
TOO_SHORT = gettext_lazy(
    "Your description is short. A few sentences on what you did and what "
    "you saw let us act without writing back to ask first."
)


# The words a report is judged on, for each kind of request.
WORDS_FROM = {
    Kind.BUG: ("description", "what_doing", "actual"),
    Kind.QUESTION: ("description",),
    Kind.FEATURE: ("description", "problem", "who_needs"),
}


def report_gaps(data: Mapping[str, Any], *, kind: Kind | None) -> list[tuple[str, str]]:
    """(field, message) for each thing the report lacks, in the order the form asks."""
    is_bug = kind is Kind.BUG
    hints = [(name, str(why)) for name, why in BUG_DETAILS if is_bug and not data.get(name)]
    asked = WORDS_FROM[kind] if kind is not None else ("description",)
    words = " ".join(data.get(name) or "" for name in asked)
    words = words.strip()
    if words and (VAGUE_RE.match(words) or len(words.split()) < VAGUE_WORDS):
        hints.append(("actual" if is_bug else "description", str(TOO_SHORT)))
    return hints
