"""The API object: routers, error handlers, docs, and problem responses in the OpenAPI.

Every operation's documented answers include the problem details it may give
(api.problems), as ``application/problem+json``, added here once rather than
repeated in each ``response=``.

Each operation's security requirements name the scopes its ``auth`` needs (any
one will do), read from the auth itself (api.auth.scoped): OpenAPI 3.1 lets a
scheme other than OAuth2 list them. Its description says so too, for readers of
the interactive docs, which show scopes for OAuth2 only.
"""

from __future__ import annotations

from typing import Any

from ninja import NinjaAPI, Swagger
from ninja.openapi.schema import OpenAPISchema
from ninja.operation import Operation

from api import routes_kb, routes_requests, routes_taxonomy, routes_ticket_files
from api.problems import KINDS, MEDIA_TYPE, Problem, install_handlers

# The answers every operation may give (auth, rate limit, method, errors), and
# those of an operation with parameters.
ALWAYS = (401, 403, 404, 405, 429, 500)
WITH_PARAMETERS = (400, 422)
WITH_BODY = (409, 413, 415)


class _Document(OpenAPISchema):
    """ninja's document, with each operation's scopes (ninja leaves them empty)."""

    def operation_security(self, operation: Operation) -> list[dict[str, Any]] | None:
        security = super().operation_security(operation)
        for requirement in security or []:
            for name in requirement:
                requirement[name] = list(_scopes(operation))
        return security

    def operation_details(self, operation: Operation) -> dict[str, Any]:
        details = super().operation_details(operation)
        if scopes := _scopes(operation):
            needs = " or ".join(f"`{scope}`" for scope in scopes)
            said = details.get("description", "")
            details["description"] = f"{said}\n\nScope: {needs}.".lstrip()
        return details


def _scopes(operation: Operation) -> tuple[str, ...]:
    """The scopes the operation's auth takes (the same for a token and a session)."""
    for auth in operation.auth_callbacks:
        if scopes := getattr(auth, "scopes", ()):
            return tuple(scopes)
    return ()


class HelpdeskAPI(NinjaAPI):
    def get_openapi_schema(self, **kwargs: Any) -> Any:
        # ninja's own two steps, building our document rather than its own.
        path_prefix = kwargs.get("path_prefix")
        if path_prefix is None:
            path_prefix = self.get_root_path(kwargs.get("path_params") or {})
        schema = _Document(self, path_prefix)
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
