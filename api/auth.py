"""Who is calling, within which scope, and how often: each operation's ``auth``.

``auth=scoped(KB_READ)`` (or several scopes, any of which will do) accepts, in this order:

- a bearer token (``Authorization: Bearer hd_…``): an unknown, expired or
  revoked one is a 401 at once (another way in is not tried); a token without
  the scope, or whose owner's role no longer allows it, is a 403;
- a staff session (the desk's own pages), CSRF-checked on unsafe methods;
  it holds every scope its role allows (api.scopes).

Nothing else gets in: the answer is a 401 with ``WWW-Authenticate``. Each
caller that got in is then counted against ``API_RATE_LIMIT`` (helpdesk.ratelimit:
uncounted while the cache is down), per token or per staff member, before the
scope is checked; a request that got nowhere (no credentials, or a wrong token)
is counted per client address.
"""

from __future__ import annotations

from typing import Any, cast

from django.conf import settings
from django.contrib.auth.models import AnonymousUser, User
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja.security import HttpBearer
from ninja.security.apikey import APIKeyCookie
from ninja.utils import check_csrf

from api.models import ApiToken
from api.problems import ApiProblem
from api.scopes import user_allows
from api.tokens import token_authenticate
from helpdesk import ratelimit
from helpdesk.client_ip import client_ip


def _count(caller: str) -> None:
    wait = ratelimit.hit(scope="api", ident=caller, rate=ratelimit.setting_rate("API_RATE_LIMIT"))
    if wait is not None:
        raise ApiProblem(
            429,
            _("Too many requests; try again in %d seconds.") % wait,
            headers={"Retry-After": str(wait)},
        )


def _insufficient(scopes: tuple[str, ...]) -> ApiProblem:
    named = " ".join(scopes)
    return ApiProblem(
        403,
        _("This needs one of these scopes: %s.") % ", ".join(scopes),
        headers={
            "WWW-Authenticate": f'Bearer realm="api", error="insufficient_scope", scope="{named}"'
        },
    )


class BearerToken(HttpBearer):
    """An API token (api.tokens) holding one of ``scopes``."""

    def __init__(self, *scopes: str) -> None:
        self.scopes = scopes
        super().__init__()

    def __call__(self, request: HttpRequest) -> ApiToken | None:
        scheme, _space, value = request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() != "bearer":
            return None
        return self.authenticate(request, value.strip())

    def authenticate(self, request: HttpRequest, token: str) -> ApiToken:
        found = token_authenticate(token)
        if found is None:
            _count(anonymous_caller(request))  # guessing tokens is limited per address
            raise ApiProblem(
                401,
                _("The API token is unknown, expired or revoked."),
                headers={"WWW-Authenticate": 'Bearer realm="api", error="invalid_token"'},
            )
        _count(f"token:{found.pk}")
        if not any(s in found.scopes and user_allows(found.owner, s) for s in self.scopes):
            raise _insufficient(self.scopes)
        return found


class StaffSession(APIKeyCookie):
    """A signed-in staff member's session; unsafe methods must pass Django's CSRF check."""

    param_name = settings.SESSION_COOKIE_NAME

    def __init__(self, *scopes: str) -> None:
        self.scopes = scopes
        super().__init__(csrf=True)

    def _get_key(self, request: HttpRequest) -> str | None:
        # Ninja's cookie auth checks CSRF here for every caller; ours checks it in
        # authenticate, once the session is known to be staff's (others get 401, not 403).
        return request.COOKIES.get(self.param_name)

    def authenticate(self, request: HttpRequest, key: str | None) -> User | None:
        user = getattr(request, "user", AnonymousUser())
        if not (user.is_authenticated and user.is_active and user.is_staff):
            return None
        if check_csrf(request) is not None:
            raise ApiProblem(403, _("The CSRF token is missing or wrong."))
        _count(f"user:{user.pk}")
        if not any(user_allows(user, scope) for scope in self.scopes):
            raise _insufficient(self.scopes)
        return cast(User, user)


def count_anonymous(request: HttpRequest) -> None:
    """Last of every operation's ``auth``: a request that got nowhere is counted per
    address (then answered 401, or 429 past the limit); it lets no one in."""
    _count(anonymous_caller(request))


def scoped(*scopes: str) -> list[Any]:
    """The ``auth`` of an operation that needs one of ``scopes``."""
    return [BearerToken(*scopes), StaffSession(*scopes), count_anonymous]


def acting_user(request: HttpRequest) -> User:
    """The person the request acts as: the token's owner or the signed-in staff member."""
    auth = request.auth  # type: ignore[attr-defined]
    return auth.owner if isinstance(auth, ApiToken) else auth


def acting_through(request: HttpRequest) -> str:
    """What the request's changes are made through, for the ticket's history
    (tickets.services.acting_via): its API token, named; nothing for a staff session,
    where the person acts themselves."""
    auth = getattr(request, "auth", None)
    if isinstance(auth, ApiToken):
        return _("API token “%(name)s”") % {"name": auth.name}
    return ""


def anonymous_caller(request: HttpRequest) -> str:
    """The rate-limit key of a caller without a (valid) token or session: its address."""
    return f"ip:{client_ip(request) or 'unknown'}"
