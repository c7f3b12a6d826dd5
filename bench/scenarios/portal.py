"""Contact Us throughput: the whole form submission next to a trivial view.

Both run through Django's test client with the same settings, middleware and
database, so the ratio is the cost of the Contact Us path itself: the form
post (validation, draft kept in the session) and the review's final submit
(ticket, requester, first message, history, SLA clock, acknowledgement in the
outbox). No files are attached, and the test client skips the CSRF check.
Tickets added are deleted afterwards, so the database keeps its scale.

``contact_submit`` is the path without JavaScript (form post, then the review's
submit); ``contact_submit_one_trip`` the form sent from the review shown in the
page (one post with the form's key and ``reviewed=1``, answered with the
confirmation).
"""

from __future__ import annotations

import re
import secrets
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from django.core.cache import cache
from django.test import Client, override_settings

from bench.scenarios import Context, scenario
from catalog.models import Category, Hub, Product
from tickets.models import OutboxMessage, Ticket

SUBMISSIONS = 100
TRIVIAL_REQUESTS = 1000
# Both use HTTPS (the SSL redirect is on without DEBUG) and a host ALLOWED_HOSTS knows.
HOST = "127.0.0.1"
NO_LIMITS = {
    "ROOT_URLCONF": "bench.urls",
    # No collectstatic here: plain static URLs instead of the manifest's hashed ones.
    "STORAGES": {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    },
    "PORTAL_MIN_FILL_SECONDS": 0,
    "PORTAL_SUBMISSIONS_PER_IP_PER_HOUR": 0,
    "PORTAL_SUBMISSIONS_PER_EMAIL_PER_HOUR": 0,
    "PORTAL_FORM_POSTS_PER_IP_PER_HOUR": 0,
}


def _form(ctx: Context, n: int) -> dict[str, object]:
    product = Product.objects.get(slug="akvo-flow")
    return {
        "name": f"Bench Requester {n}",
        "email": f"bench{ctx.rng.randrange(50)}@partner.example.org",
        "organisation": "Bench Partner",
        "hub": Hub.objects.get(slug="east-africa").pk,
        "product": product.pk,
        "category": Category.objects.get(slug="bug").pk,
        "subject": f"Export stops at 50% for survey {n}",
        "what_doing": "Exporting the raw data of the household survey from the dashboard.",
        "expected": "A spreadsheet with all submissions to download.",
        "actual": "The progress bar stops at 50% and after ten minutes nothing happened.",
        "steps": "1. Data > Export\n2. Household survey\n3. Export",
        "pd_dashboard": "akvoflow-bench",
        "pd_imei": "356938035643809",
        "env_computer": "Firefox 140 on Windows 11",
    }


@scenario("contact_submit", unit="tickets/s")
def contact_submit(ctx: Context) -> float:
    """Contact Us submissions (form post + review submit) through the whole Django stack."""

    def submit(client: Client, form: dict[str, object]) -> None:
        assert client.post("/contact/", form, secure=True).status_code == 302
        key = client.session["portal_contact_draft"]["key"]
        response = client.post("/contact/review/", {"submission_key": key}, secure=True)
        assert response.status_code == 302, response.status_code

    return _submissions_per_second(ctx, submit)


@scenario("contact_submit_one_trip", unit="tickets/s")
def contact_submit_one_trip(ctx: Context) -> float:
    """Contact Us submissions sent from the review in the page: one post each."""

    def submit(client: Client, form: dict[str, object]) -> None:
        sent = form | {"submission_key": secrets.token_urlsafe(24), "reviewed": "1"}
        response = client.post("/contact/", sent, secure=True)
        assert response.status_code == 200
        assert b'id="ticket-reference"' in response.content

    return _submissions_per_second(ctx, submit)


def _submissions_per_second(
    ctx: Context, submit: Callable[[Client, dict[str, object]], None]
) -> float:
    with submissions_without_limits():
        client = Client(HTTP_HOST=HOST)
        page = client.get("/contact/", secure=True).content.decode()
        started = re.search(r'name="started" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
        forms = [_form(ctx, n) | {"started": started} for n in range(SUBMISSIONS)]
        return timed_submissions(lambda n: submit(client, forms[n]))


@contextmanager
def submissions_without_limits(**extra: object) -> Iterator[None]:
    """The portal's limits off, and a fresh in-process cache: no sightings or counters from
    an earlier run, and never a FLUSHDB of a Redis the operator's CACHE_URL may share."""
    fresh = {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "bench"}
    with override_settings(**NO_LIMITS, **extra, CACHES={"default": fresh}):
        cache.clear()
        yield


def timed_submissions(submit: Callable[[int], None]) -> float:
    """Tickets per second over ``SUBMISSIONS`` calls of ``submit(n)``, each of which files one
    ticket; checks that each wrote its acknowledgement, and deletes the tickets afterwards."""
    before = Ticket.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    outbox_before = OutboxMessage.objects.count()
    try:
        begin = time.perf_counter()
        for n in range(SUBMISSIONS):
            submit(n)
        seconds = time.perf_counter() - begin
        written = OutboxMessage.objects.count() - outbox_before
        assert written == SUBMISSIONS, f"expected one acknowledgement per ticket: {written}"
    finally:
        Ticket.objects.filter(pk__gt=before).delete()
    return SUBMISSIONS / seconds


@scenario("trivial_view", unit="requests/s")
def trivial_view(ctx: Context) -> float:
    """A view that returns "ok", through the same middleware and settings (the yardstick)."""
    with override_settings(**NO_LIMITS):
        client = Client(HTTP_HOST=HOST)
        begin = time.perf_counter()
        for _ in range(TRIVIAL_REQUESTS):
            assert client.get("/bench/trivial", secure=True).status_code == 200
        seconds = time.perf_counter() - begin
    return TRIVIAL_REQUESTS / seconds
