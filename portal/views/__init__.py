"""Public pages of the customer portal: home, Contact Us, the requester's ticket page.

Views are thin: they parse with a form, call a service, render a page or an
htmx fragment.
"""

from portal.views.contact import (
    contact,
    contact_answered,
    contact_discard,
    contact_product_fields,
    contact_received,
    contact_review,
    contact_suggestions,
)
from portal.views.home import home
from portal.views.requester import (
    lost_link,
    ticket_attachment,
    ticket_page,
    ticket_reopen,
    ticket_solved,
)

__all__ = [
    "contact",
    "contact_answered",
    "contact_discard",
    "contact_product_fields",
    "contact_received",
    "contact_review",
    "contact_suggestions",
    "home",
    "lost_link",
    "ticket_attachment",
    "ticket_page",
    "ticket_reopen",
    "ticket_solved",
]
