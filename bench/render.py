"""How long the desk's pages take, and how much of that is rendering the template.

Renders the desk's "All" queue (50 rows, the filter bar) and one ticket's workspace
as a logged-in L1 agent through Django's test client, timing the whole request and,
separately, the CPU time of the template's ``render`` (includes and filters inside it, no queries:
the view has read everything before). Needs a seeded database::

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/helpdesk_render \\
        .venv/bin/python -m bench.render
"""

from __future__ import annotations

import os
import statistics
import time
from typing import Any

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "helpdesk.settings")
os.environ.setdefault("SECRET_KEY", "bench-" + "x" * 50)

REQUESTS = 30


def _timed_rendering() -> list[float]:
    """Record the CPU time of every template render, and of the queue's Python rows."""
    from django.template.backends.django import Template

    rendering: list[float] = []
    original = Template.render

    def timed_render(self: Any, *args: Any, **kwargs: Any) -> Any:
        started = time.process_time()  # CPU time: other jobs on the machine count less
        try:
            return original(self, *args, **kwargs)
        finally:
            rendering.append((time.process_time() - started) * 1000)

    Template.render = timed_render  # type: ignore[method-assign]
    try:  # the queue's rows are rendered in Python before the template (desk/queue_table.py)
        from desk.views import queue as queue_view

        original_rows = queue_view.queue_rows_html

        def timed_rows(*args: Any, **kwargs: Any) -> Any:
            started = time.process_time()
            try:
                return original_rows(*args, **kwargs)
            finally:
                rendering.append((time.process_time() - started) * 1000)

        queue_view.queue_rows_html = timed_rows
    except AttributeError:  # before that change
        pass
    return rendering


def main() -> None:
    import django

    django.setup()
    from django.conf import settings
    from django.test.utils import override_settings
    from django.urls import reverse

    from bench.pages import staff_client
    from tickets import roles
    from tickets.models import Ticket

    rendering = _timed_rendering()
    settings.ALLOWED_HOSTS = ["*"]
    client = staff_client(roles.L1_AGENT)
    ticket = Ticket.objects.order_by("-pk").first()
    assert ticket is not None
    pages = {
        "queue All (50 rows)": reverse("desk:queue", kwargs={"queue": "all"}),
        "workspace": reverse("desk:ticket", kwargs={"ticket_id": ticket.pk}) + "?from=all",
    }
    with override_settings(
        STORAGES={
            "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
        }
    ):
        for name, url in pages.items():
            assert client.get(url, secure=True).status_code == 200  # warm up
            whole, render = [], []
            for _ in range(REQUESTS):
                rendering.clear()
                started = time.perf_counter()
                client.get(url, secure=True)
                whole.append((time.perf_counter() - started) * 1000)
                # The page's own template (it holds the includes) and the rows, if apart.
                render.append(max(rendering) + (rendering[0] if len(rendering) > 1 else 0))
            print(
                f"{name:22} request {statistics.median(whole):6.1f} ms"
                f"   rendering (CPU) {statistics.median(render):6.1f} ms"
            )


if __name__ == "__main__":
    main()
