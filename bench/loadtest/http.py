"""A small HTTP visitor over ``http.client``: cookies, form posts, CSRF tokens.

One visitor is one browser on one connection: it keeps the cookies it is given
(session, CSRF) and sends them back, and reconnects when the server closes the
connection (gunicorn's sync workers close it after every response).
"""

from __future__ import annotations

import http.client
import re
import secrets
from dataclasses import dataclass
from urllib.parse import urlencode, urlsplit

CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
TIMEOUT = 30.0
USER_AGENT = "helpdesk-loadtest"
# A field of this name is sent as a file input with no file chosen.
EMPTY_FILE = "\x00no-file"


def multipart_body(fields: list[tuple[str, str]]) -> tuple[bytes, str]:
    """The body and content type of a ``multipart/form-data`` post, fields in page order.

    A value of :data:`EMPTY_FILE` is a file input left empty, which a browser still
    sends as a part with an empty file name.
    """
    boundary = f"----loadtest{secrets.token_hex(8)}"
    parts = []
    for name, value in fields:
        if value == EMPTY_FILE:
            head = f'name="{name}"; filename=""\r\nContent-Type: application/octet-stream'
            value = ""
        else:
            head = f'name="{name}"'
        parts.append(f"--{boundary}\r\nContent-Disposition: form-data; {head}\r\n\r\n{value}\r\n")
    parts.append(f"--{boundary}--\r\n")
    return "".join(parts).encode(), f"multipart/form-data; boundary={boundary}"


class HttpError(Exception):
    """An answer the scenario did not expect (status, or a missing form field)."""


@dataclass
class Response:
    status: int
    location: str
    body: str

    def expect(self, *statuses: int) -> Response:
        if self.status not in statuses:
            raise HttpError(f"expected {statuses}, got {self.status} ({self.location})")
        return self

    def field(self, pattern: re.Pattern[str]) -> str:
        match = pattern.search(self.body)
        if match is None:
            raise HttpError(f"no match for {pattern.pattern!r} in the page")
        return match.group(1)


class Visitor:
    """One browser: a connection to ``host:port`` and its cookie jar."""

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.cookies: dict[str, str] = {}
        self.last_path = ""
        self.connection = http.client.HTTPConnection(host, port, timeout=TIMEOUT)

    def request(
        self,
        method: str,
        path: str,
        form: dict[str, object] | None = None,
        multipart: list[tuple[str, str]] | None = None,
    ) -> Response:
        headers = {"Host": f"{self.host}:{self.port}", "User-Agent": USER_AGENT}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        self.last_path = path
        body: str | bytes | None = None
        if form is not None:
            body = urlencode(form, doseq=True)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        elif multipart is not None:
            body, headers["Content-Type"] = multipart_body(multipart)
        try:
            self.connection.request(method, path, body=body, headers=headers)
            answer = self.connection.getresponse()
            content = answer.read()
        except (http.client.HTTPException, OSError):
            self.connection.close()  # the next request opens a new connection
            raise
        for header in answer.headers.get_all("Set-Cookie") or []:
            name, _, rest = header.partition("=")
            self.cookies[name.strip()] = rest.split(";", 1)[0]
        if answer.will_close:
            self.connection.close()
        return Response(
            status=answer.status,
            location=answer.headers.get("Location", ""),
            body=content.decode("utf-8", "replace"),
        )

    def get(self, path: str) -> Response:
        return self.request("GET", path)

    def post(self, path: str, form: dict[str, object]) -> Response:
        return self.request("POST", path, form)

    def post_multipart(self, path: str, fields: list[tuple[str, str]]) -> Response:
        """A post as a browser sends a ``multipart/form-data`` form (see :func:`multipart_body`)."""
        return self.request("POST", path, multipart=fields)

    def follow(self, response: Response, limit: int = 5) -> Response:
        """Follow redirects (GET), as a browser does after a form post."""
        for _ in range(limit):
            if response.status not in (301, 302, 303) or not response.location:
                return response
            parts = urlsplit(response.location)
            response = self.get(parts.path + (f"?{parts.query}" if parts.query else ""))
        raise HttpError("too many redirects")

    def log_in(self, username: str, password: str, next_path: str = "/desk/") -> None:
        """Log in through the staff login page, as an agent does once per browser."""
        page = self.get(f"/admin/login/?next={next_path}").expect(200)
        answer = self.post(
            "/admin/login/",
            {
                "csrfmiddlewaretoken": page.field(CSRF_INPUT),
                "username": username,
                "password": password,
                "next": next_path,
            },
        )
        if answer.status != 302:
            raise HttpError(f"login as {username} failed ({answer.status})")

    def close(self) -> None:
        self.connection.close()
