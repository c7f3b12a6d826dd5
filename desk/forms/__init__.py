"""The desk's forms: they parse and check what an agent sent, and never write.

``common`` holds what they share (the loaded version, choices from the desk's
lists); ``ticket`` the workspace's forms, ``queue`` the queue's, ``canned``
an agent's personal canned responses, ``on_behalf``
logging a ticket for a client. Files go through :class:`tickets.uploads.AttachmentsField`.
"""

from desk.forms.canned import CannedResponseForm
from desk.forms.on_behalf import OnBehalfForm
from desk.forms.queue import BulkForm, SavedViewForm
from desk.forms.ticket import (
    AssignForm,
    DismissL2NewsForm,
    EscalateForm,
    LinkIssueForm,
    MergeForm,
    ReplyForm,
    TriageForm,
    UrgentForm,
)

__all__ = [
    "AssignForm",
    "BulkForm",
    "CannedResponseForm",
    "DismissL2NewsForm",
    "EscalateForm",
    "LinkIssueForm",
    "MergeForm",
    "OnBehalfForm",
    "ReplyForm",
    "SavedViewForm",
    "TriageForm",
    "UrgentForm",
]
