"""Ticket references as people type them: "HD-1042", "#1042" or "1042"."""

from __future__ import annotations

import re

_REFERENCE_RE = re.compile(r"^\s*(?:#|[A-Za-z]+-)(\d{1,18})\s*$")


def reference_pk(text: str) -> int | None:
    """The ticket number in "HD-1042", "#1042" or "1042", else None."""
    match = re.match(r"^\s*(?:#|[A-Za-z]+-)?(\d{1,18})\s*$", text or "")
    return int(match.group(1)) if match else None
