"""The public home page and the security baseline every page carries."""

import pytest

pytestmark = pytest.mark.django_db


def test_the_home_page_shows_products_and_how_requests_are_handled(
    client, django_assert_max_num_queries
):
    with django_assert_max_num_queries(3):
        response = client.get("/")
    assert response.status_code == 200
    content = response.content.decode()
    for product in ("Akvo Flow", "Akvo RSR", "Akvo Lumen"):
        assert product in content
    assert "1 working day" in content
    assert "is the length of your hub" in content  # what a working day means, as SLAs count it
    assert "Critical" in content
    assert "production application is down" in content


def test_pages_carry_a_strict_content_security_policy(client):
    response = client.get("/")
    policy = response["Content-Security-Policy"]
    assert "default-src 'self'" in policy
    assert "frame-ancestors 'none'" in policy
    assert "unsafe-inline" not in policy
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_the_front_end_assets_are_served_by_the_app_itself(client):
    page = client.get("/").content.decode()
    assert "/static/vendor/bootstrap/css/bootstrap.min.css" in page
    assert "//cdn" not in page
    css = client.get("/static/vendor/bootstrap/css/bootstrap.min.css")
    assert css.status_code == 200
    assert b"Bootstrap  v5.3." in b"".join(css.streaming_content)[:200]
    js = client.get("/static/vendor/bootstrap/js/bootstrap.bundle.min.js")
    assert js.status_code == 200


def test_the_health_check_answers(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_a_cache_outage_does_not_break_pages_or_logins(client, settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }
    assert client.get("/").status_code == 200
    assert client.get("/admin/login/").status_code == 200


def test_signed_in_staff_find_the_desk_from_the_portal_and_requesters_do_not(client):
    from tests import factories

    assert 'href="/desk/"' not in client.get("/").content.decode()

    client.force_login(factories.l1_agent())
    page = client.get("/").content.decode()

    assert 'href="/desk/"' in page
