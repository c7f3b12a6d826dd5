"""Where people land after signing in, whatever ``next`` said."""

from __future__ import annotations

import pytest

from tests import factories

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery"


@pytest.mark.parametrize(
    "next_url", ["https://evil.example/steal", "//evil.example/", "http://testserver.evil.example/"]
)
def test_an_agent_signing_in_with_an_off_site_next_lands_on_the_desk(client, next_url):
    factories.l1_agent(username="joost")

    response = client.post(
        "/admin/login/", {"username": "joost", "password": PASSWORD, "next": next_url}
    )

    assert response.status_code == 302
    assert response["Location"] == "/signed-in/"
    landing = client.get(response["Location"])
    assert landing.status_code == 302
    assert landing["Location"] == "/desk/"
    assert client.get(landing["Location"], follow=True).status_code == 200


def test_a_signed_in_person_who_is_not_staff_is_sent_to_the_portal_home(client):
    client.force_login(factories.UserFactory(is_staff=False))

    response = client.get("/signed-in/")

    assert response.status_code == 302
    assert response["Location"] == "/"


def test_a_visitor_who_is_not_signed_in_is_sent_to_the_portal_home(client):
    response = client.get("/signed-in/")

    assert response.status_code == 302
    assert response["Location"] == "/"


def test_an_on_site_next_is_still_followed(client):
    factories.l1_agent(username="joost")

    response = client.post(
        "/admin/login/", {"username": "joost", "password": PASSWORD, "next": "/desk/queues/mine/"}
    )

    assert response["Location"] == "/desk/queues/mine/"
