"""Idempotency-Key: a client that retries a create gets the first answer, not a second row.

The helper is what every create endpoint calls (api.idempotency); here it runs
a create that counts how often it really ran.
"""

from __future__ import annotations

import json
import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from api.idempotency import fingerprint, idempotency_keys_purge, idempotent
from api.models import ApiToken, IdempotencyKey
from api.problems import ApiProblem
from api.tasks import idempotency_keys_purge as nightly_purge
from tests import factories
from tests.api_helpers import api_token

pytestmark = pytest.mark.django_db


class CountingCreate:
    def __init__(self) -> None:
        self.runs = 0

    def __call__(self) -> tuple[int, dict]:
        self.runs += 1
        return 201, {"reference": f"HD-{self.runs}"}


@pytest.fixture
def token():
    api_token(("tickets:create",))
    return ApiToken.objects.get()


def post(rf, token, body: dict, path: str = "/api/v1/tickets"):
    request = rf.post(path, data=json.dumps(body), content_type="application/json")
    request.auth = token
    return request


def test_the_same_key_and_body_replays_the_first_answer(rf, token):
    create = CountingCreate()

    first = idempotent(post(rf, token, {"subject": "Export fails"}), "key-1", create)
    again = idempotent(post(rf, token, {"subject": "Export fails"}), "key-1", create)

    assert create.runs == 1
    assert (first.status_code, again.status_code) == (201, 201)
    assert json.loads(again.content) == json.loads(first.content) == {"reference": "HD-1"}
    assert again["Idempotent-Replayed"] == "true"


def test_the_same_key_with_another_body_is_a_409(rf, token):
    create = CountingCreate()
    idempotent(post(rf, token, {"subject": "Export fails"}), "key-1", create)

    with pytest.raises(ApiProblem) as refused:
        idempotent(post(rf, token, {"subject": "Something else"}), "key-1", create)

    assert refused.value.status_code == 409
    assert create.runs == 1


def test_a_duplicate_while_the_first_is_still_running_is_a_409(rf, token):
    IdempotencyKey.objects.create(
        caller=f"token:{token.pk}",
        key="key-1",
        fingerprint="whatever",
        expires_at=timezone.now() + timedelta(hours=1),
    )
    request = post(rf, token, {"subject": "Export fails"})
    IdempotencyKey.objects.update(fingerprint=fingerprint(request))
    create = CountingCreate()

    with pytest.raises(ApiProblem) as refused:
        idempotent(request, "key-1", create)

    assert refused.value.status_code == 409
    assert "still being answered" in refused.value.message
    assert create.runs == 0


def test_two_callers_keys_never_meet(rf, token):
    other = factories.support_manager(username="someone-else")
    create = CountingCreate()
    idempotent(post(rf, token, {"subject": "A"}), "same-key", create)
    request = post(rf, token, {"subject": "A"})
    request.auth = other

    idempotent(request, "same-key", create)

    assert create.runs == 2


def test_a_failed_create_releases_the_key_for_a_retry(rf, token):
    def failing() -> tuple[int, dict]:
        raise RuntimeError("database went away")

    with pytest.raises(RuntimeError):
        idempotent(post(rf, token, {"subject": "A"}), "key-1", failing)
    create = CountingCreate()
    answer = idempotent(post(rf, token, {"subject": "A"}), "key-1", create)

    assert (answer.status_code, create.runs) == (201, 1)


def test_without_a_key_every_request_runs(rf, token):
    create = CountingCreate()
    idempotent(post(rf, token, {"subject": "A"}), None, create)
    idempotent(post(rf, token, {"subject": "A"}), None, create)
    assert create.runs == 2
    assert not IdempotencyKey.objects.exists()


@pytest.mark.parametrize("key", ["", "x" * 256, "line\nbreak"])
def test_a_malformed_key_is_a_400(rf, token, key):
    with pytest.raises(ApiProblem) as refused:
        idempotent(post(rf, token, {"subject": "A"}), key, CountingCreate())
    assert refused.value.status_code == 400


def test_an_expired_key_runs_again_and_expired_keys_are_purged(rf, token):
    create = CountingCreate()
    idempotent(post(rf, token, {"subject": "A"}), "key-1", create)
    IdempotencyKey.objects.update(expires_at=timezone.now() - timedelta(seconds=1))

    idempotent(post(rf, token, {"subject": "A"}), "key-1", create)
    assert create.runs == 2

    IdempotencyKey.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    assert idempotency_keys_purge() == 1
    assert not IdempotencyKey.objects.exists()


def test_beat_purges_the_expired_keys_every_night_and_keeps_the_live_ones(rf, token, settings):
    create = CountingCreate()
    idempotent(post(rf, token, {"subject": "A"}), "old-key", create)
    idempotent(post(rf, token, {"subject": "B"}), "live-key", create)
    IdempotencyKey.objects.filter(key="old-key").update(
        expires_at=timezone.now() - timedelta(seconds=1)
    )

    schedule = settings.CELERY_BEAT_SCHEDULE["api-purge-idempotency-keys"]
    assert schedule["task"] == nightly_purge.name
    assert nightly_purge() == 1

    assert list(IdempotencyKey.objects.values_list("key", flat=True)) == ["live-key"]
    replayed = idempotent(post(rf, token, {"subject": "B"}), "live-key", create)
    assert (replayed["Idempotent-Replayed"], create.runs) == ("true", 2)


@pytest.mark.django_db(transaction=True)
def test_a_duplicate_sent_while_the_first_is_running_gets_409_and_nothing_runs_twice(rf):
    api_token(("tickets:create",))
    token = ApiToken.objects.get()
    first_is_running, duplicate_answered = threading.Event(), threading.Event()
    runs, answers = [], {}

    def slow_create() -> tuple[int, dict]:
        runs.append("first")
        first_is_running.set()
        duplicate_answered.wait(timeout=10)
        return 201, {"reference": "HD-1"}

    def first() -> None:
        try:
            answers["first"] = idempotent(post(rf, token, {"subject": "A"}), "k", slow_create)
        finally:
            connection.close()

    thread = threading.Thread(target=first)
    thread.start()
    assert first_is_running.wait(timeout=10)
    try:
        with pytest.raises(ApiProblem) as refused:
            idempotent(post(rf, token, {"subject": "A"}), "k", CountingCreate())
    finally:
        duplicate_answered.set()
        thread.join(timeout=10)

    assert refused.value.status_code == 409
    assert runs == ["first"]
    assert answers["first"].status_code == 201
    assert IdempotencyKey.objects.get().status == 201
