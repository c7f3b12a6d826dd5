"""The operations "with files": ``multipart/form-data`` whose JSON travels in one part.

An operation that takes files (a ticket, a reply, a note) takes the same JSON
as its plain twin, in a named part (``ticket``, ``reply``, ``note``), beside
its ``attachments`` parts. The part is read by the plain operation's schema,
and what it refuses is a 422 naming the part's field (``reply.body``).
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from pydantic import BaseModel
from pydantic import ValidationError as PydanticError

from api.problems import ApiProblem, field_errors


def json_part[S: BaseModel](schema: type[S], part: str, raw: str) -> S:
    """The JSON of ``part`` read as ``schema``; a 422 with its fields as ``part.field``."""
    try:
        return schema.model_validate_json(raw)
    except PydanticError as error:
        errors = [{**e, "loc": (part, *e["loc"])} for e in error.errors()]
        raise ApiProblem(
            422, _("The request has invalid fields."), errors=field_errors(errors)
        ) from None
