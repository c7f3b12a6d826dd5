"""The API keeps the promises of its OpenAPI document, for any input (schemathesis).

Every operation is called, in-process through Django's WSGI handler, with
inputs generated from the document: valid ones (answers must not be 5xx, must
match the documented schema and status codes and content types) and invalid
ones (they must be refused with a 4xx). A token with kb:read, tickets:create,
tickets:read and tickets:write (its owner an L1 agent) opens every endpoint that
takes one; the private-link ones (/requests/{token}) take none. Two tickets give
the ticket operations something to find. Hypothesis keeps no example database,
and its caches go under var/.
"""

from __future__ import annotations

import pytest
import schemathesis
from django.conf import settings as django_settings
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis.configuration import set_hypothesis_home_dir
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    ignored_auth,
    negative_data_rejection,
    response_schema_conformance,
    status_code_conformance,
)

from api.main import api
from tests import kb_factories as kb
from tests.api_helpers import api_token, bearer
from tests.desk_helpers import ticket_from

# Any database: the API's contract with its OpenAPI document. Generating the input takes
# long, so CI runs it once, on PostgreSQL, the production database (.ci/run); the SQLite
# search paths have their own tests, run on both.
pytestmark = pytest.mark.database_agnostic

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


@pytest.fixture
def wsgi_app(db):
    """Django's WSGI handler, keeping the test's connection open between requests.

    As Django's test client does: a finished request would otherwise close the
    connection, and with it the test's transaction.
    """
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield get_wsgi_application()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.fixture
def token(db):
    article = kb.article("Export your survey data", tags="export, csv")
    kb.translation(article, "Exporter les données d'enquête")
    ticket_from(subject="Data export stops at 50%")
    ticket_from(subject="Sync never finishes")
    return api_token(("kb:read", "tickets:create", "tickets:read", "tickets:write"))


# Read from the API object itself (the document /api/v1/schema/ serves), so the
# operations are known when tests are collected. schemathesis's pytest plugin
# (``schema.parametrize``) does not run under pytest 9.2 yet; hypothesis's
# ``given`` over each operation's strategy is what it would do.
SCHEMA = schemathesis.openapi.from_dict(api.get_openapi_schema())
OPERATIONS = [result.ok() for result in SCHEMA.get_all_operations()]
MODES = [schemathesis.GenerationMode.POSITIVE, schemathesis.GenerationMode.NEGATIVE]


@pytest.mark.parametrize("mode", MODES, ids=lambda mode: mode.value)
@pytest.mark.parametrize("operation", OPERATIONS, ids=lambda operation: operation.label)
def test_every_endpoint_keeps_its_documented_promises(operation, mode, wsgi_app, token, settings):
    settings.API_RATE_LIMIT = "1000000/minute"  # many examples, one token
    SCHEMA.app = wsgi_app  # checks that send again (ignored_auth) go in-process too

    @given(case=operation.as_strategy(generation_mode=mode))
    @hypothesis_settings(
        max_examples=25,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
    )
    def keeps_its_promises(case):
        case.call_and_validate(headers=bearer(token), checks=CHECKS, app=wsgi_app)

    keeps_its_promises()
