"""A small HTTP visitor over ``http.client``: cookies, form posts, CSRF tokens.

One visitor is one browser on one connection: it keeps the cookies it is given
(session, CSRF) and sends them back, and reconnects when the server closes the
connection (gunicorn's sync workers close it after every response).
"""

from __future__ import annotations

import http.client
import re
from dataclasses import dataclass
from urllib.parse import urlencode, urlsplit

CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
TIMEOUT = 30.0


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

    def request(self, method: str, path: str, form: dict[str, object] | None = None) -> Response:
        headers = {"Host": f"{self.host}:{self.port}", "User-Agent": "helpdesk-loadtest"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        self.last_path = path
        body = None
        if form is not None:
            body = urlencode(form, doseq=True)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
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
