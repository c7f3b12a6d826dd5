"""The demo's canned responses: a few shared ones for the daily replies, one agent's own.

Written like the demo's replies (demo.writing): plain, friendly, specific about
what is needed next. Placeholders are the ones a canned response may use
(tickets.models.desk.CANNED_PLACEHOLDERS). Seeding is idempotent, by title.
"""

from __future__ import annotations

from django.contrib.auth.models import User

from tickets.models import CannedResponse, Status

SIGN = "\n\nBest regards,\n{{ agent.first_name }}\nSupport team"

# (title, text, status after sending)
SHARED = (
    (
        "Ask for steps to reproduce",
        "Hi {{ requester.first_name }},\n\nThank you for writing in about "
        "{{ ticket.reference }}. So that we can see exactly what you see, could you send us:\n\n"
        "- the steps you took, one by one, up to the problem,\n- what you expected to happen "
        "and what happened instead,\n- a screenshot of the message or of the screen, and\n"
        "- roughly when it last happened (date and time).\n\nThen we can reproduce it on our "
        "side." + SIGN,
        Status.WAITING,
    ),
    (
        "Escalated to engineering",
        "Hi {{ requester.first_name }},\n\nThank you for your patience. We have reproduced the "
        "problem and passed it on to our engineering team with all the details you sent, so "
        "you don't need to repeat anything. We will update you here as soon as they have "
        "news; nothing is needed from you meanwhile." + SIGN,
        "",
    ),
    (
        "Workaround available",
        "Hi {{ requester.first_name }},\n\nWhile the engineering team works on a proper fix, "
        "there is a way around the problem:\n\n[describe the workaround here]\n\nCould you "
        "try it and tell us whether it gets your team going again? We keep the ticket open "
        "until the fix is released." + SIGN,
        Status.WAITING,
    ),
    (
        "Resolved — please confirm",
        "Hi {{ requester.first_name }},\n\nGood news: the problem you reported in "
        "{{ ticket.reference }} should now be solved. Could you check on your side and tell "
        "us whether all is well again? If we don't hear from you, this ticket closes by itself "
        "in a week; if it comes back, just reply to this email." + SIGN,
        Status.RESOLVED,
    ),
)

# One agent's own, to show that personal responses sit beside the shared ones.
PERSONAL = {
    "amina": (
        "Flow: please keep unsent forms",
        "Hi {{ requester.first_name }},\n\nOne important thing while we look into this: please "
        "don't uninstall Akvo Flow or clear its data on the affected phones. Unsent forms live "
        "only on the phones until they sync." + SIGN,
        "",
    ),
}


def seed_canned_responses() -> int:
    """The shared responses and the personal ones of the demo agents; returns how many were new."""
    created = 0
    for position, (title, body, status) in enumerate(SHARED, start=1):
        _row, new = CannedResponse.objects.get_or_create(
            title=title,
            owner=None,
            defaults={"body": body, "set_status": status, "position": position},
        )
        created += new
    for username, (title, body, status) in PERSONAL.items():
        owner = User.objects.filter(username=username).first()
        if owner is None:
            continue
        _row, new = CannedResponse.objects.get_or_create(
            title=title, owner=owner, defaults={"body": body, "set_status": status}
        )
        created += new
    return created
