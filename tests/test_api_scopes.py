"""Token scopes are enforced on every operation, as the OpenAPI document states them.

Each operation's security requirements in /api/v1/schema/ name the scopes it
takes, any one of which will do (api.main reads them from the operation's auth,
so the docs and the code cannot drift). For every operation that takes a token:

- a token holding every other scope, but none of those, is refused with a 403
  problem (``insufficient_scope``) and nothing is written;
- a token holding any one of them gets past the check;
- an expired or a revoked token, holding them all, is a 401 problem.

The path names real rows (a ticket's reference, an article's id). Writes are
sent an internal note's body and ``If-Match: *``, which a note would take: a
check that let the wrong token through would write something.
"""

from __future__ import annotations

import json
import re
from datetime import timedelta

import pytest
from django.utils import timezone

from api.main import api
from api.models import ApiToken
from api.scopes import SCOPES
from api.tokens import token_revoke
from tests import factories
from tests import kb_factories as kb
from tests.api_helpers import api_token, bearer
from tests.desk_helpers import png, ticket_from
from tickets.models import Attachment, Message, Ticket

pytestmark = pytest.mark.django_db

SCHEMA = "/api/v1/schema/"
# The operations, named when tests are collected; each test reads its own from the
# document the API serves.
DOCUMENT = api.get_openapi_schema()
OPERATIONS = [(method, path) for path, methods in DOCUMENT["paths"].items() for method in methods]
WITH_TOKEN = [
    (method, path) for method, path in OPERATIONS if DOCUMENT["paths"][path][method].get("security")
]


def label(operation: tuple[str, str]) -> str:
    method, path = operation
    return f"{method.upper()} {path}"


@pytest.fixture
def rows() -> dict[str, str]:
    """What the path parameters name: a ticket on the desk with a screenshot, a published
    article."""
    ticket = ticket_from(subject="Data export stops at 50%", attachments=[png("export.png")])
    article = kb.article("Export your survey data")
    attachment = Attachment.objects.get(message__ticket=ticket)
    return {
        "reference": ticket.reference,
        "article_id": str(article.pk),
        "attachment_id": str(attachment.pk),
    }


def documented_scopes(client, method: str, path: str) -> set[str]:
    """The scopes the served document says the operation takes, the same for each way in."""
    operation = client.get(SCHEMA).json()["paths"][path][method]
    named = {frozenset(scopes) for way in operation["security"] for scopes in way.values()}
    assert len(named) == 1, f"{method} {path}: a token and a session differ: {named}"
    [scopes] = named
    assert scopes, f"{method} {path} takes a token but names no scope"
    assert scopes <= set(SCOPES), f"{method} {path} names unknown scopes {scopes}"
    return set(scopes)


def call(client, method: str, path: str, rows: dict[str, str], token: str):
    url = re.sub(r"{(\w+)}", lambda found: rows[found.group(1)], path)
    body = {"body": "Checked the export logs: the job dies at the 50% mark."}
    return client.generic(
        method.upper(),
        url,
        data="" if method == "get" else json.dumps(body),
        content_type="application/json",
        headers=bearer(token) | {"If-Match": "*"},
    )


def what_the_desk_holds() -> tuple:
    return (
        list(Ticket.objects.order_by("pk").values_list("pk", "version", "status")),
        Message.objects.count(),
    )


def test_only_the_requesters_private_link_operations_take_no_token():
    without = [label(operation) for operation in OPERATIONS if operation not in WITH_TOKEN]

    assert without == ["GET /api/v1/requests/{token}", "POST /api/v1/requests/{token}/replies"]


@pytest.mark.parametrize("operation", WITH_TOKEN, ids=label)
def test_a_token_without_the_scope_an_operation_needs_gets_a_403_and_changes_nothing(
    client, rows, operation
):
    method, path = operation
    needed = documented_scopes(client, method, path)
    token = api_token(tuple(scope for scope in SCOPES if scope not in needed))
    before = what_the_desk_holds()

    response = call(client, method, path, rows, token)

    assert response.status_code == 403, response.content
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["type"] == "/api/v1/problems/forbidden"
    assert 'error="insufficient_scope"' in response["WWW-Authenticate"]
    assert what_the_desk_holds() == before


@pytest.mark.parametrize("operation", WITH_TOKEN, ids=label)
def test_a_token_with_any_one_documented_scope_gets_past_the_check(client, rows, operation):
    method, path = operation

    for scope in sorted(documented_scopes(client, method, path)):
        response = call(client, method, path, rows, api_token((scope,), name=scope))

        assert response.status_code != 401, (scope, response.content)
        assert "insufficient_scope" not in response.get("WWW-Authenticate", ""), scope


@pytest.mark.parametrize("state", ["expired", "revoked"])
@pytest.mark.parametrize("operation", WITH_TOKEN, ids=label)
def test_an_expired_or_revoked_token_gets_a_401_and_changes_nothing(client, rows, operation, state):
    method, path = operation
    token = api_token(tuple(SCOPES))
    if state == "expired":
        ApiToken.objects.update(expires_at=timezone.now() - timedelta(minutes=1))
    else:
        token_revoke(token=ApiToken.objects.get(), by=factories.support_manager())
    before = what_the_desk_holds()

    response = call(client, method, path, rows, token)

    assert response.status_code == 401, response.content
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["type"] == "/api/v1/problems/unauthenticated"
    assert 'error="invalid_token"' in response["WWW-Authenticate"]
    assert what_the_desk_holds() == before
