"""The portal's public addresses: home, Contact Us and the requester's private pages."""

from django.urls import path, register_converter

from portal import views
from tickets.access import TOKEN_LENGTH


class TokenConverter:
    """A private ticket token: URL-safe base64, exactly as long as the tokens we issue.

    Anything else (a ticket number, a reference) never reaches a view.
    """

    regex = f"[A-Za-z0-9_-]{{{TOKEN_LENGTH}}}"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(TokenConverter, "ticket_token")

app_name = "portal"

urlpatterns = [
    path("", views.home, name="home"),
    path("contact/", views.contact, name="contact"),
    path("contact/product-fields", views.contact_product_fields, name="contact_product_fields"),
    path("contact/suggestions", views.contact_suggestions, name="contact_suggestions"),
    path("contact/review/", views.contact_review, name="contact_review"),
    path("contact/received/", views.contact_received, name="contact_received"),
    path("contact/discard", views.contact_discard, name="contact_discard"),
    path("contact/answered", views.contact_answered, name="contact_answered"),
    path("t/lost/", views.lost_link, name="lost_link"),
    path("t/<ticket_token:token>/", views.ticket_page, name="ticket"),
    path("t/<ticket_token:token>/solved", views.ticket_solved, name="ticket_solved"),
    path("t/<ticket_token:token>/reopen", views.ticket_reopen, name="ticket_reopen"),
    path(
        "t/<ticket_token:token>/files/<int:attachment_id>",
        views.ticket_attachment,
        name="ticket_attachment",
    ),
]
