"""What the API tests share: a token made as a manager makes one, and its header."""

from __future__ import annotations

from datetime import datetime

from django.contrib.auth.models import User

from api.tokens import token_create
from tests import factories


def api_token(
    scopes: tuple[str, ...] = ("kb:read",),
    *,
    owner: User | None = None,
    name: str = "Flow integration",
    expires_at: datetime | None = None,
) -> str:
    """A new token's plaintext, owned by an L1 agent unless said otherwise."""
    manager = factories.support_manager(username="token-manager")
    made = token_create(
        name=name,
        owner=owner or factories.l1_agent(username="flow-bot"),
        scopes=list(scopes),
        by=manager,
        expires_at=expires_at,
    )
    return made.plaintext


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}
