"""The help widget's short Contact Us: the Contact Us form itself, plus what the host page
said about where the person was (the page, the app's version, the instance).

Everything Contact Us checks is checked here too (this is a subclass, not a copy);
the product is the widget's own, and the host's context goes to the ticket's
environment whatever the kind of request, since the person did not type it and
support needs it for any kind.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy

from portal.fields import LineField
from portal.forms import DETAIL_MAX, ContactForm
from portal.services import ContactRequest

PAGE_URL_MAX = 2000
# The host's context fields, and the key each is stored under in the ticket's environment.
HOST_FIELDS = {
    "host_page_url": "page_url",
    "host_app_version": "app_version",
    "host_instance": "instance",
}


class WidgetContactForm(ContactForm):
    """Contact Us for one product, with the host page's context shown and editable."""

    host_page_url = forms.URLField(
        label=gettext_lazy("Page you were on"),
        required=False,
        max_length=PAGE_URL_MAX,
        assume_scheme="https",
    )
    host_app_version = LineField(label=gettext_lazy("App version"), required=False, max_length=100)
    host_instance = LineField(label=gettext_lazy("Instance"), required=False, max_length=DETAIL_MAX)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The product is the widget's (in its address): carried, never chosen.
        self.fields["product"].widget = forms.HiddenInput()

    def host_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in HOST_FIELDS]

    def about_you(self) -> list[forms.BoundField]:
        return [self["name"], self["email"]]

    def to_request(self, *, user_agent: str = "") -> ContactRequest:
        request = super().to_request(user_agent=user_agent)
        host = {
            key: str(self.cleaned_data[name])
            for name, key in HOST_FIELDS.items()
            if self.cleaned_data.get(name)
        }
        return dataclasses.replace(request, environment={**request.environment, **host})

    def hidden_values(self) -> dict[str, str]:
        """What was typed, to carry from the review back to the form or on to sending
        (the widget keeps no session: a third-party frame is sent no cookies)."""
        return {name: value for name, value in self.stored_data().items() if value}
