"""The API object: routers, error handlers, docs, and problem responses in the OpenAPI.

Every operation's documented answers include the problem details it may give
(api.problems), as ``application/problem+json``, added here once rather than
repeated in each ``response=``.
"""

from __future__ import annotations

from typing import Any

from ninja import NinjaAPI, Swagger

from api import routes_kb, routes_requests, routes_taxonomy, routes_ticket_files
from api.problems import KINDS, MEDIA_TYPE, Problem, install_handlers

# The answers every operation may give (auth, rate limit, method, errors), and
# those of an operation with parameters.
ALWAYS = (401, 403, 404, 405, 429, 500)
WITH_PARAMETERS = (400, 422)
WITH_BODY = (409, 413, 415)


class HelpdeskAPI(NinjaAPI):
    def get_openapi_schema(self, **kwargs: Any) -> Any:
        schema = super().get_openapi_schema(**kwargs)
        schema["components"].setdefault("schemas", {}).update(_problem_schemas())
        for methods in schema["paths"].values():
            for method, operation in methods.items():
                _document_problems(method, operation)
        return schema


def _problem_schemas() -> dict[str, Any]:
    problem = Problem.model_json_schema(ref_template="#/components/schemas/{model}")
    definitions = problem.pop("$defs", {})
    return {"Problem": problem, **definitions}


def _document_problems(method: str, operation: dict[str, Any]) -> None:
    statuses = list(ALWAYS)
    if operation.get("parameters") or operation.get("requestBody"):
        statuses += WITH_PARAMETERS
    if method in {"post", "put", "patch"}:
        statuses += WITH_BODY
    # ninja keys its answers by int, JSON by string: one key each, in order.
    responses = {str(status): answer for status, answer in operation.get("responses", {}).items()}
    reference = {"schema": {"$ref": "#/components/schemas/Problem"}}
    for status in statuses:
        responses.setdefault(str(status), {"description": str(KINDS[status][1])})
    for code, answer in responses.items():
        # ninja documents `response={404: Problem}` as application/json; errors are problem+json.
        if int(code) >= 400:
            answer["content"] = {MEDIA_TYPE: reference}
    operation["responses"] = dict(sorted(responses.items()))


api = HelpdeskAPI(
    title="Help desk API",
    version="1",
    description=(
        "File and follow tickets, work them as staff, read the knowledge base and the "
        "taxonomy. Authenticate with "
        "`Authorization: Bearer <token>` (tokens are made by managers in the back office). "
        "Errors are RFC 9457 problem details."
    ),
    urls_namespace="api",
    openapi_url="/schema/",
    docs_url="/docs/",
    docs=Swagger(settings={"persistAuthorization": False}),
)
install_handlers(api)
api.add_router("/taxonomy", routes_taxonomy.router)
api.add_router("/kb", routes_kb.router)
api.add_router("", routes_requests.router)
# Reads, writes and writes with files: one router, from the last module to add to it.
api.add_router("/tickets", routes_ticket_files.router)
