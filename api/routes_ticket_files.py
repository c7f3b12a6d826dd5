"""A reply or an internal note with files, as the desk's reply form sends them.

``POST …/replies/with-files`` and ``…/notes/with-files`` are ``multipart/form-data``:
the plain operation's JSON in a ``reply`` (or ``note``) part, read by the same
schema, and files in ``attachments`` parts (repeated). The rest is the plain
operation's (api.routes_ticket_writes.message_write): the owner's role, If-Match,
the ``ETag`` of the answer. The files are checked as the desk's reply form
checks them (tickets.uploads), once 404, 428 and 412 are behind: a refused
file is a 422 naming ``attachments`` (the message says which file and why),
and nothing is written.

There is no ``Idempotency-Key`` here, as on the plain operations: ``If-Match``
with the version read makes a retry of a reply that went through a 412.

These operations join :data:`api.routes_tickets.router` after those of
api.routes_ticket_writes (imported here), and the API adds that router from
this module (api.main), so it comes with every ticket operation.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import File, Form, Status
from ninja.files import UploadedFile

from api.multipart import json_part
from api.problems import Problem
from api.routes_ticket_writes import PRECONDITIONS, WRITE, message_write
from api.routes_tickets import router
from api.ticket_http import IF_MATCH, REFERENCE_PARAM
from api.ticket_schemas import MessageOut, NoteIn, ReplyIn
from tickets.models import MessageKind

ATTACHMENTS = File(None, description="A file; repeat the part for several.")
REPLY_PART = Form(..., description='The reply as JSON: {"body": "…", "then_status": "waiting"}.')
NOTE_PART = Form(..., description='The note as JSON: {"body": "…"}.')


@router.post(
    "/{ticketref:reference}/replies/with-files",
    auth=WRITE,
    response={201: MessageOut, 404: Problem, **PRECONDITIONS},
    operation_id="tickets_reply_with_files",
)
def ticket_reply_with_files(
    request: HttpRequest,
    response: HttpResponse,
    reply: str = REPLY_PART,
    attachments: list[UploadedFile] = ATTACHMENTS,
    reference: str = REFERENCE_PARAM,
    if_match: str | None = IF_MATCH,
) -> Status[dict[str, Any]]:
    """A public reply with files, as ``multipart/form-data``: the reply's JSON
    (``{"body", "then_status"}``) in the ``reply`` part, files in ``attachments``."""
    payload = json_part(ReplyIn, "reply", reply)
    return message_write(request, response, reference, MessageKind.REPLY, payload.body,
                         payload.then_status, files=attachments or [])  # fmt: skip


@router.post(
    "/{ticketref:reference}/notes/with-files",
    auth=WRITE,
    response={201: MessageOut, 404: Problem, **PRECONDITIONS},
    operation_id="tickets_note_with_files",
)
def ticket_note_with_files(
    request: HttpRequest,
    response: HttpResponse,
    note: str = NOTE_PART,
    attachments: list[UploadedFile] = ATTACHMENTS,
    reference: str = REFERENCE_PARAM,
    if_match: str | None = IF_MATCH,
) -> Status[dict[str, Any]]:
    """An internal note with files, as ``multipart/form-data``: the note's JSON (``{"body"}``)
    in the ``note`` part, files in ``attachments``; staff only, like the files."""
    payload = json_part(NoteIn, "note", note)
    return message_write(
        request, response, reference, MessageKind.NOTE, payload.body, files=attachments or []
    )
