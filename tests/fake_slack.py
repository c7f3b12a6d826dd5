"""A local server on 127.0.0.1 that answers like Slack's Web API, for the real WebClient.

Tests script its answers per method (``/chat.postMessage`` …) with pytest-httpserver
and assert the exact requests it received. Nothing leaves the machine.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "slack"
TOKEN = "xoxb-test-token"
CHANNEL = "C0URGENT"
SIGNING_SECRET = "test-signing-secret"


@pytest.fixture(scope="module", name="slack_server")
def slack_server_fixture() -> Iterator[HTTPServer]:
    server = HTTPServer(host="127.0.0.1", port=0)
    server.start()
    yield server
    server.clear()
    server.stop()


@pytest.fixture(name="slack")
def slack_fixture(slack_server: HTTPServer, settings: Any) -> Iterator[HTTPServer]:
    """Slack configured and pointed at the local server, with a clean script and log."""
    slack_server.clear()
    settings.SLACK_API_URL = slack_server.url_for("/")
    settings.SLACK_BOT_TOKEN = TOKEN
    settings.SLACK_URGENT_CHANNEL = CHANNEL
    settings.SLACK_SIGNING_SECRET = SIGNING_SECRET
    yield slack_server
    slack_server.clear()


def ok_post(channel: str = CHANNEL, ts: str = "1700000000.000100") -> dict[str, Any]:
    return {"ok": True, "channel": channel, "ts": ts, "message": {"ts": ts}}


def requests_to(server: HTTPServer, method: str) -> list[Request]:
    return [request for request, _response in server.log if request.path == f"/{method}"]


def json_body(request: Request) -> dict[str, Any]:
    return json.loads(request.get_data(as_text=True))


def form_body(request: Request) -> dict[str, str]:
    return dict(request.form.items())


def slack_error(error: str, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(
        json.dumps({"ok": False, "error": error}),
        status=status,
        headers=headers or {},
        content_type="application/json",
    )


def fixture_bytes(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def sign(body: bytes, secret: str = SIGNING_SECRET, timestamp: int | None = None) -> dict[str, str]:
    """Headers as Slack signs a request: v0=HMAC-SHA256(secret, "v0:ts:" + body)."""
    ts = str(timestamp if timestamp is not None else int(time.time()))
    digest = hmac.new(secret.encode(), b"v0:" + ts.encode() + b":" + body, hashlib.sha256)
    return {
        "HTTP_X_SLACK_REQUEST_TIMESTAMP": ts,
        "HTTP_X_SLACK_SIGNATURE": "v0=" + digest.hexdigest(),
    }
