"""Requests per second of a trivial view through the project's middleware and through none.

Calls Django's WSGI handler in a loop (no test client, no network; CPU time of this
process, so other jobs on the machine disturb it less), so the figure is
the cost Django and the middleware add to a request, which is what the load test's
"trivial view" / "bare Django" ratio measures. Both stacks run in one process,
alternating, so machine noise hits both alike::

    .venv/bin/python -m bench.middleware            # 5 rounds of 3,000 requests each
    .venv/bin/python -m bench.middleware --profile  # cProfile of the full stack
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import statistics
import sys
import time
from typing import Any

from bench.stacks import STARTPROJECT_MIDDLEWARE

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "helpdesk.settings")
os.environ.setdefault("SECRET_KEY", "bench-" + "x" * 50)


def _environ(path: str) -> dict[str, Any]:
    return {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": path,
        "SCRIPT_NAME": "",
        "QUERY_STRING": "",
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "443",
        "HTTP_HOST": "127.0.0.1",
        "HTTP_USER_AGENT": "bench",
        "HTTP_ACCEPT_LANGUAGE": "en-GB,en;q=0.8",
        "REMOTE_ADDR": "127.0.0.1",
        "wsgi.url_scheme": "https",
        "wsgi.input": io.BytesIO(b""),
        "wsgi.errors": sys.stderr,
        "wsgi.version": (1, 0),
        "wsgi.multithread": False,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
    }


def _rate(handler: Any, requests: int) -> float:
    def start_response(status: str, headers: list[tuple[str, str]]) -> None:
        assert status.startswith("200"), status

    started = time.process_time()
    for _ in range(requests):
        for _chunk in handler(_environ("/bench/trivial"), start_response):
            pass
    return requests / (time.process_time() - started)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=3000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()

    import django
    from django.conf import settings

    django.setup()
    settings.ALLOWED_HOSTS = ["*"]
    settings.ROOT_URLCONF = "bench.urls"
    from django.core.handlers.wsgi import WSGIHandler

    full = WSGIHandler()
    middleware = settings.MIDDLEWARE
    settings.MIDDLEWARE = []
    bare = WSGIHandler()
    settings.MIDDLEWARE = STARTPROJECT_MIDDLEWARE
    default = WSGIHandler()
    settings.MIDDLEWARE = middleware

    if args.profile:
        profiler = cProfile.Profile()
        profiler.enable()
        _rate(full, args.requests)
        profiler.disable()
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(45)
        return

    stacks = {"bare Django": bare, "startproject's": default, "the project's": full}
    rates: dict[str, list[float]] = {name: [] for name in stacks}
    for handler in stacks.values():
        _rate(handler, 200)  # warm up
    for _ in range(args.rounds):
        for name, handler in stacks.items():
            rates[name].append(_rate(handler, args.requests))
    bare_median = statistics.median(rates["bare Django"])
    for name, values in rates.items():
        median = statistics.median(values)
        print(f"{name:16} {median:8.0f} requests/s  {median / bare_median:6.1%} of bare Django")


if __name__ == "__main__":
    main()
