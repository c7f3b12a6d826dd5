"""Where a webhook may be sent: the SSRF guard.

A target URL is checked when a manager saves the subscription (a form error)
and again right before every delivery, because what a name resolves to can
change. The host is resolved once and every address it resolves to must be a
public one: no private, loopback, link-local (cloud metadata at
169.254.169.254), multicast, reserved or unspecified address, no cloud platform
endpoint that looks public (:data:`METADATA_ADDRESSES`: Azure's 168.63.129.16,
Oracle Cloud's 192.0.0.192), including IPv4
hidden inside IPv6 (``::ffff:127.0.0.1``, 6to4, NAT64). The request then
connects to the addresses that were checked (:class:`Target` carries them), never
resolving the name a second time, while the Host header and TLS name stay the
URL's.

A name that cannot be resolved right now (a DNS hiccup, a name not yet
propagated) is :class:`TargetUnresolved`, a temporary failure the outbox retries;
:class:`TargetRefused` is for what no retry changes (the scheme, credentials in
the URL, a private address).

Resolution is bounded like the rest of a delivery: it gets the time left of
``WEBHOOK_TIMEOUT_SECONDS``, and a resolver slower than that is a
:class:`TargetUnresolved` too, so a slow DNS server never holds a worker for its
own timeouts.

``WEBHOOK_ALLOW_PRIVATE_TARGETS`` lifts the address rule (development, tests,
a receiver on the same private network on purpose); ``WEBHOOK_REQUIRE_HTTPS``
refuses plain http. Both default to production's rules unless DEBUG is on.
"""

from __future__ import annotations

import ipaddress
import socket
import threading
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.utils.translation import gettext as _

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
# Cloud metadata and platform endpoints, refused like private addresses. Most are
# in a private or link-local range anyway; Azure's and Oracle's are not.
METADATA_ADDRESSES = frozenset(
    ipaddress.ip_address(address)
    for address in (
        "169.254.169.254",  # AWS, GCP, Azure, OpenStack… (link-local)
        "169.254.170.2",  # AWS ECS task metadata (link-local)
        "fd00:ec2::254",  # AWS metadata over IPv6 (unique local)
        "100.100.100.200",  # Alibaba Cloud (shared address space)
        "168.63.129.16",  # Azure platform (WireServer, DNS, health probes): a public address
        "192.0.0.192",  # Oracle Cloud's old metadata address (not private to Python)
    )
)


class TargetRefused(Exception):
    """The URL may not receive webhooks; the message says why, for a manager."""


class TargetUnresolved(Exception):
    """The host name did not resolve this time; a later attempt may succeed.

    Every resolver error counts, "no such name" included: from the operator's
    side a receiver's new name may not have propagated yet, and the outbox gives
    up after its attempts anyway.
    """


@dataclass(frozen=True)
class Target:
    scheme: str
    host: str  # as in the URL, for the Host header and TLS
    port: int
    path: str  # with its query
    addresses: tuple[str, ...]  # the checked addresses, tried in order


def embedded_ipv4(ip: IPAddress) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 one carries (mapped, 6to4, Teredo, NAT64), if any."""
    if not isinstance(ip, ipaddress.IPv6Address):
        return None
    if ip.ipv4_mapped:
        return ip.ipv4_mapped
    if ip.sixtofour:
        return ip.sixtofour
    if ip.teredo:
        return ip.teredo[1]
    if ip in _NAT64:
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return None


def is_public(ip: IPAddress) -> bool:
    if ip in METADATA_ADDRESSES:
        return False
    inner = embedded_ipv4(ip)
    if inner is not None and not is_public(inner):
        return False
    return not (
        ip.is_private
        or ip.is_loopback
        or ip.is_link_local
        or ip.is_multicast
        or ip.is_reserved
        or ip.is_unspecified
        or not ip.is_global
    )


def _split(url: str) -> tuple[str, str, int, str]:
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        raise TargetRefused(_("Only http and https addresses can receive webhooks."))
    if scheme == "http" and settings.WEBHOOK_REQUIRE_HTTPS:
        raise TargetRefused(_("Webhooks are only sent to https addresses."))
    if parts.username or parts.password:
        raise TargetRefused(_("The address may not contain a user name or password."))
    try:
        port = parts.port or (443 if scheme == "https" else 80)
    except ValueError:
        raise TargetRefused(_("The address has an invalid port.")) from None
    host = (parts.hostname or "").rstrip(".")
    if not host:
        raise TargetRefused(_("The address has no host name."))
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    return scheme, host, port, path


def _getaddrinfo(host: str, port: int, timeout: float) -> list[Any]:
    """``socket.getaddrinfo``, or :class:`TimeoutError` after ``timeout`` seconds.

    A look-up cannot be interrupted: it runs in a daemon thread, which a slow
    resolver keeps until its own timeouts end it, while the caller goes on.
    """
    outcome: dict[str, Any] = {}
    done = threading.Event()

    def look_up() -> None:
        try:
            outcome["infos"] = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except Exception as error:  # handed to the caller, in its thread
            outcome["error"] = error
        finally:
            done.set()

    threading.Thread(target=look_up, name=f"resolve {host}", daemon=True).start()
    if not done.wait(max(timeout, 0)):
        raise TimeoutError
    if "error" in outcome:
        raise outcome["error"]
    infos: list[Any] = outcome["infos"]
    return infos


def _resolve(host: str, port: int, timeout: float) -> list[IPAddress]:
    try:
        infos = _getaddrinfo(host, port, timeout)
    except TimeoutError:
        raise TargetUnresolved(
            _("The host name %(host)s was not resolved within %(seconds)g s.")
            % {"host": host, "seconds": round(timeout, 1)}
        ) from None
    except (socket.gaierror, UnicodeError) as error:
        # A name that cannot be encoded (UnicodeError) never will be; a resolver error may pass.
        failure = TargetUnresolved if isinstance(error, socket.gaierror) else TargetRefused
        raise failure(
            _("The host name %(host)s could not be resolved (%(error)s).")
            % {"host": host, "error": error}
        ) from None
    # A scoped IPv6 address (fe80::1%eth0) carries its zone after a "%".
    return [ipaddress.ip_address(str(info[4][0]).split("%")[0]) for info in infos]


def check_target(url: str, *, timeout: float | None = None) -> Target:
    """The target to connect to, or why not (:class:`TargetRefused`, :class:`TargetUnresolved`).

    The name is resolved within ``timeout`` seconds (``WEBHOOK_TIMEOUT_SECONDS``
    unless said: a delivery passes the time it has left).
    """
    scheme, host, port, path = _split(url)
    if timeout is None:
        timeout = settings.WEBHOOK_TIMEOUT_SECONDS
    addresses = _resolve(host, port, timeout)
    if not addresses:
        raise TargetUnresolved(_("The host name %(host)s has no address.") % {"host": host})
    if not settings.WEBHOOK_ALLOW_PRIVATE_TARGETS:
        for ip in addresses:
            if not is_public(ip):
                raise TargetRefused(
                    _(
                        "%(host)s resolves to %(ip)s, a private, loopback or reserved address: "
                        "webhooks are only sent to public addresses."
                    )
                    % {"host": host, "ip": ip}
                )
    checked = tuple(dict.fromkeys(str(ip) for ip in addresses))
    return Target(scheme=scheme, host=host, port=port, path=path, addresses=checked)
