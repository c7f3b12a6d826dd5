"""Keyset pagination: ``?cursor=&limit=``, a ``next`` link, the same cost on every page.

A cursor is the sort key of the last row of a page, encoded (base64url of its
JSON); the next page is the rows after it, ``WHERE (a, b) > (x, y)``, served by
the ordering's index whatever the depth, unlike ``OFFSET``. The sort key always
ends with ``id`` so that it is unique. A cursor is opaque to clients: a wrong
one is a 400 problem.
"""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Model, Q, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Schema

from api.problems import ApiProblem

DEFAULT_LIMIT = 50
MAX_LIMIT = 200


class PageQuery(Schema):
    cursor: str | None = Field(
        None,
        max_length=500,
        pattern=r"^[-A-Za-z0-9_]+$",
        description="From the previous page's next.",
    )
    limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT)


def encode_cursor(values: list[Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(values).encode()).decode().rstrip("=")


def unknown_cursor() -> ApiProblem:
    return ApiProblem(
        400,
        _("The cursor is not one this API gave."),
        errors=[{"field": "cursor", "message": _("Unknown cursor.")}],
    )


def decode_cursor(cursor: str, size: int) -> list[Any]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        values = json.loads(raw)
    except (binascii.Error, ValueError, UnicodeDecodeError):
        values = None
    if not isinstance(values, list) or len(values) != size or not all(_plain(v) for v in values):
        raise unknown_cursor()
    return values


def _plain(value: Any) -> bool:
    """What a cursor may hold: an integer in range, or text without NUL (PostgreSQL refuses it)."""
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return -(2**63) <= value < 2**63
    return isinstance(value, str) and "\x00" not in value and len(value) <= 200


def _after(fields: tuple[str, ...], values: list[Any]) -> Q:
    """Rows after ``values`` in ascending ``fields`` order: (a > x) or (a = x and b > y) …"""
    condition = Q()
    for index in reversed(range(len(fields))):
        later = Q(**{f"{fields[index]}__gt": values[index]})
        condition = (
            later
            if index == len(fields) - 1
            else later | (Q(**{fields[index]: values[index]}) & condition)
        )
    return condition


def keyset_page[M: Model](
    request: HttpRequest,
    rows: QuerySet[M],
    page: PageQuery,
    order: tuple[str, ...] = ("id",),
) -> tuple[list[M], str | None]:
    """One page of ``rows`` in ``order`` (ascending, ending with id) and the next page's URL."""
    if page.cursor:
        try:
            rows = rows.filter(_after(order, decode_cursor(page.cursor, len(order))))
        except (ValueError, TypeError, ValidationError):  # text where a number belongs
            raise unknown_cursor() from None
    found = list(rows.order_by(*order)[: page.limit + 1])
    if len(found) <= page.limit:
        return found, None
    found = found[: page.limit]
    last = found[-1]
    return found, next_url(request, encode_cursor([_value(last, f) for f in order]), page.limit)


def next_url(request: HttpRequest, cursor: str, limit: int) -> str:
    """The address of the page after this one: this request's, with ``cursor`` and ``limit``."""
    query = request.GET.copy()
    query["cursor"] = cursor
    query["limit"] = str(limit)
    return request.build_absolute_uri(f"{request.path}?{query.urlencode()}")


def _value(row: Model, field: str) -> Any:
    value: Any = row
    for part in field.split("__"):
        value = getattr(value, part)
    return value.pk if isinstance(value, Model) else value
