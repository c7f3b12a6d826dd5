"""What every Contact Us test starts from: no minimum fill time, and the form's signed start."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _no_minimum_fill_time(settings):
    settings.PORTAL_MIN_FILL_SECONDS = 0


@pytest.fixture
def started(client):
    """The signed start time the form hands out (as a browser would send it back)."""
    return client.get("/contact/").context["form"].initial["started"]
