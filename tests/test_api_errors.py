"""Every error of the API is a problem (RFC 9457); the docs come from our own static files."""

from __future__ import annotations

import re

import pytest

from tests.api_helpers import api_token, bearer
from tests.portal_helpers import screenshot
from tickets.models import Ticket

pytestmark = pytest.mark.django_db

PROBLEM = {"type", "title", "status", "detail", "instance"}


@pytest.fixture
def reader():
    return bearer(api_token(("kb:read",)))


def test_a_missing_article_is_a_404_problem(client, reader):
    response = client.get("/api/v1/kb/articles/424242", headers=reader)

    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"
    assert response.json() == {
        "type": "/api/v1/problems/not-found",
        "title": "Not found",
        "status": 404,
        "detail": "There is nothing here.",
        "instance": "/api/v1/kb/articles/424242",
    }


def test_a_french_speaking_client_reads_the_problem_in_french_under_the_same_type(client, reader):
    response = client.get("/api/v1/kb/articles/424242", headers={**reader, "Accept-Language": "fr"})

    problem = response.json()
    assert problem["type"] == "/api/v1/problems/not-found"
    assert response["Content-Language"] == "fr"
    assert problem["title"] == "Introuvable"
    assert problem["detail"] != "There is nothing here."


def test_an_address_the_api_lacks_is_a_404_problem_not_the_sites_page(client):
    response = client.get("/api/v1/nothing-here/nope")

    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"
    assert set(response.json()) == PROBLEM


def test_invalid_parameters_are_a_422_problem_naming_each_field(client, reader):
    response = client.get("/api/v1/kb/articles?limit=0&language=xx", headers=reader)

    assert response.status_code == 422
    body = response.json()
    assert body["type"] == "/api/v1/problems/invalid"
    assert {error["field"] for error in body["errors"]} == {"limit", "language"}
    assert all(error["message"] for error in body["errors"])


def test_a_missing_search_query_is_a_422_problem(client, reader):
    response = client.get("/api/v1/kb/search", headers=reader)
    assert response.status_code == 422
    assert [error["field"] for error in response.json()["errors"]] == ["q"]


def test_a_cursor_the_api_did_not_give_is_a_400_problem(client, reader):
    response = client.get("/api/v1/kb/articles?cursor=not-a-cursor", headers=reader)
    assert response.status_code == 400
    assert response.json()["errors"] == [{"field": "cursor", "message": "Unknown cursor."}]


def test_a_method_an_address_does_not_take_is_a_405_problem_with_allow(client, reader):
    response = client.delete("/api/v1/taxonomy/products", headers=reader)

    assert response.status_code == 405
    assert response["Allow"] == "GET"
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["status"] == 405


def test_an_unexpected_error_is_a_500_problem(client, reader, monkeypatch):
    from api import routes_kb

    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(routes_kb, "search_articles", broken)
    response = client.get("/api/v1/kb/search?q=export", headers=reader)

    assert response.status_code == 500
    assert response.json()["detail"] == "Something went wrong on our side."
    assert "boom" not in response.content.decode()


def test_more_files_than_django_reads_are_a_413_problem_not_a_server_error(client, settings):
    settings.DATA_UPLOAD_MAX_NUMBER_FILES = 2
    creator = bearer(api_token(("tickets:create",)))

    response = client.post(
        "/api/v1/tickets/with-files",
        data={"ticket": "{}", "attachments": [screenshot(f"{n}.png") for n in range(3)]},
        headers=creator,
    )

    assert response.status_code == 413
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["detail"] == "The request has too many parts."
    assert not Ticket.objects.exists()


def test_a_multipart_body_without_its_boundary_is_a_400_problem(client):
    creator = bearer(api_token(("tickets:create",)))

    response = client.post(
        "/api/v1/tickets/with-files",
        data=b'ticket={"subject": "x"}',
        content_type="multipart/form-data",
        headers=creator,
    )

    assert response.status_code == 400
    assert response.json()["detail"] == "The request body could not be read."


def test_the_openapi_document_describes_every_error_as_a_problem(client):
    schema = client.get("/api/v1/schema/").json()

    assert schema["openapi"] == "3.1.0"
    for path, methods in schema["paths"].items():
        for operation in methods.values():
            for status in ("401", "403", "429", "500"):
                answer = operation["responses"][status]
                assert answer["content"] == {
                    "application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}
                }, (path, status)


def test_the_docs_page_loads_only_our_own_static_files(client):
    response = client.get("/api/v1/docs/")

    assert response.status_code == 200
    html = response.content.decode()
    sources = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert sources, html
    assert all(source.startswith("/static/") for source in sources), sources
    assert "<script>" not in html  # no inline script: the CSP allows none without a nonce
    for source in sources:
        assert client.get(source).status_code == 200, source
