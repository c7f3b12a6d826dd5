"""The API keeps the promises of its OpenAPI document, for any input (schemathesis).

A live server (pytest-django's, on 127.0.0.1) serves the API. The document is
read from it over HTTP (/api/v1/schema/), as a client generated from it would
read it, and every operation is called over HTTP with inputs generated from that
document: valid ones (answers must not be 5xx, must match the documented schema
and status codes and content types) and invalid ones (they must be refused with
a 4xx). Over a real socket and a real server, a header the document names in a
way servers drop (``idempotency_key``) is dropped here too; the last tests send
the documented ``Idempotency-Key`` that way and get one ticket for two creates.

A token with kb:read, tickets:create, tickets:read and tickets:write (its owner
an L1 agent) opens every endpoint that takes one; the private-link ones
(/requests/{token}) take none. Two tickets give the ticket operations something
to find. The server answers from another thread, so the rows are committed
(a transactional test, emptied after). Hypothesis keeps no example database, and
its caches go under var/.
"""

from __future__ import annotations

import socket
from functools import cache
from typing import Any

import pytest
import requests
import schemathesis
from django.conf import settings as django_settings
from django.test.testcases import ThreadedWSGIServer
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis.configuration import set_hypothesis_home_dir
from pytest_django.live_server_helper import LiveServer
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    ignored_auth,
    negative_data_rejection,
    response_schema_conformance,
    status_code_conformance,
)
from schemathesis.specs.openapi.schemas import OpenApiSchema

from api.main import api
from tests import kb_factories as kb
from tests.api_helpers import api_token, bearer
from tests.desk_helpers import ticket_from
from tickets.models import Ticket

# Any database: the API's contract with its OpenAPI document. Generating the input takes
# long, so CI runs it once, on PostgreSQL, the production database (.ci/run); the SQLite
# search paths have their own tests, run on both.
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.database_agnostic]

# Hypothesis's own caches (constants, Unicode tables) go under var/, not the checkout's root.
set_hypothesis_home_dir(str(django_settings.VAR_DIR / "hypothesis"))

CHECKS = [
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
    content_type_conformance,
    negative_data_rejection,
    ignored_auth,
]

# The operations, named when tests are collected (before any server runs) from the
# API object that the live server's /api/v1/schema/ serves; each test then finds its
# operation in the document read over HTTP. schemathesis's pytest plugin
# (``schema.parametrize``) does not run under pytest 9.2 yet; hypothesis's ``given``
# over each operation's strategy is what it would do.
LABELS = [
    f"{method.upper()} {path}"
    for path, methods in api.get_openapi_schema()["paths"].items()
    for method in methods
]
MODES = [schemathesis.GenerationMode.POSITIVE, schemathesis.GenerationMode.NEGATIVE]


@cache
def served_document(base_url: str) -> OpenApiSchema:
    """The document as the live server serves it (read once per server)."""
    return schemathesis.openapi.from_url(f"{base_url}/api/v1/schema/", timeout=10)


class PromptServer(ThreadedWSGIServer):
    """The live server's WSGI server, sending each answer at once (TCP_NODELAY).

    It writes an answer's headers and body apart; with Nagle's algorithm the body
    then waits for the client's delayed ACK, 40 ms a request on a kept-alive
    connection. Without that wait one connection (and one database connection)
    serves all of a test's requests: on PostgreSQL a third of the time a request
    takes on a connection of its own.
    """

    def get_request(self) -> tuple[socket.socket, Any]:
        connection, address = super().get_request()
        connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return connection, address


@pytest.fixture(scope="module")
def live_server(django_db_setup):
    """pytest-django's live server, on 127.0.0.1 rather than its default ``localhost``.

    Resolving ``localhost`` took tens of milliseconds a connection on the machine this
    was written on (about 20 s over this module's few thousand requests).
    """
    server = LiveServer("127.0.0.1", start=False)
    server.thread.server_class = PromptServer
    server.start()
    yield server
    server.stop()


@pytest.fixture
def session():
    """One kept-alive HTTP connection for a test's examples (see PromptServer)."""
    with requests.Session() as opened:
        yield opened


@pytest.fixture
def token():
    article = kb.article("Export your survey data", tags="export, csv")
    kb.translation(article, "Exporter les données d'enquête")
    ticket_from(subject="Data export stops at 50%")
    ticket_from(subject="Sync never finishes")
    return api_token(("kb:read", "tickets:create", "tickets:read", "tickets:write"))


@pytest.mark.parametrize("label", LABELS)
def test_every_endpoint_keeps_its_documented_promises(label, live_server, token, session, settings):
    settings.API_RATE_LIMIT = "1000000/minute"  # many examples, one token
    operation = served_document(live_server.url).find_operation_by_label(label)
    assert operation is not None, f"{label} is not in the served document"

    # Both kinds of input in one test: the rows are set up, and emptied after, once.
    for mode in MODES:

        @given(case=operation.as_strategy(generation_mode=mode))
        @hypothesis_settings(
            max_examples=25,
            deadline=None,
            database=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
        )
        def keeps_its_promises(case):
            case.call_and_validate(
                base_url=live_server.url,
                session=session,
                headers=bearer(token),
                checks=CHECKS,
                timeout=30,
            )

        keeps_its_promises()


def header_parameters(document: dict, path: str = "", method: str = "") -> list[str]:
    """The header parameters the document names (of one operation, or of all)."""
    return [
        parameter["name"]
        for at, methods in document["paths"].items()
        for verb, operation in methods.items()
        if (at, verb) == (path or at, method or verb)
        for parameter in operation.get("parameters", [])
        if parameter["in"] == "header"
    ]


def test_every_header_the_served_document_names_is_one_servers_pass_on(live_server):
    """gunicorn (header_map=drop), nginx (underscores_in_headers off) and runserver drop
    header names with underscores: a client built from the document would lose them."""
    document = requests.get(f"{live_server.url}/api/v1/schema/", timeout=10).json()

    named = set(header_parameters(document))

    assert {name for name in named if "_" in name} == set()
    assert {"Idempotency-Key", "If-Match"} <= named


def created_over_http(url: str, token: str, body: dict, key: tuple[str, str]) -> tuple:
    """A create sent over a real socket; its status, whether replayed, and its body."""
    name, value = key
    answer = requests.post(url, json=body, headers=bearer(token) | {name: value}, timeout=30)
    return answer.status_code, answer.headers.get("Idempotent-Replayed"), answer.json()


def test_a_create_retried_with_the_documented_key_over_http_files_one_ticket(live_server):
    document = requests.get(f"{live_server.url}/api/v1/schema/", timeout=10).json()
    [key] = header_parameters(document, "/api/v1/tickets", "post")
    token = api_token(("tickets:create",))
    report = {
        "name": "Amina Odhiambo",
        "email": "amina@partner.example.org",
        "category": "question",
        "product": "akvo-flow",
        "subject": "How do I export a survey as CSV?",
        "description": "Where is the export button on the dashboard?",
    }
    url = f"{live_server.url}/api/v1/tickets"

    first = created_over_http(url, token, report, (key, "flow-report-7f3c2a"))
    again = created_over_http(url, token, report, (key, "flow-report-7f3c2a"))

    assert first[:2] == (201, None)
    assert again == (201, "true", first[2])
    assert [ticket.reference for ticket in Ticket.objects.all()] == [first[2]["reference"]]
