"""The client's address as the login lockout sees it, behind a known number of proxies."""

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str | None:
    """REMOTE_ADDR, or behind N trusted proxies the N-th X-Forwarded-For entry from the right.

    Each proxy appends the address it received the request from, so the entries
    a client wrote itself are always to the left of the ones our proxies added;
    counting from the right is what keeps a forged header from choosing the address.
    """
    proxies = settings.TRUSTED_PROXY_COUNT
    remote = request.META.get("REMOTE_ADDR") or None
    if proxies <= 0:
        return remote
    chain = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    chain = [part for part in chain if part]
    if len(chain) < proxies:
        return remote  # not (fully) through our proxies: the direct peer is all we know
    return chain[-proxies]
