"""A local server on 127.0.0.1 that answers like GitHub's REST API for the calls escalation makes.

It keeps repositories, issues and comments in memory, checks the token, records
every request it receives (method, path, query, JSON body, headers), and can be
told to fail the next matching request: with a rate limit, a 5xx, a timeout, or
*after* doing the work (the issue is filed, then the answer is a 502), which is
the ambiguous failure a retry must not turn into a second issue.

Tests point PyGithub at it with ``GITHUB_API_URL``; nothing leaves the machine.
"""

from __future__ import annotations

import contextlib
import json
import re
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

TOKEN = "ghp_test_token_for_the_local_fake_only"


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass
class Received:
    method: str
    path: str
    query: dict[str, list[str]]
    json: Any
    headers: dict[str, str]


@dataclass
class Scripted:
    """Answer the next request matching ``method`` and ``path`` (a regex) this way."""

    method: str
    path: str
    status: int
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    after_doing_it: bool = False  # do the real work first, then answer this
    delay: float = 0.0  # sleep before answering (a client timeout shorter than this fails)


@dataclass
class Repo:
    full_name: str
    issues: list[dict[str, Any]] = field(default_factory=list)
    comments: dict[int, list[dict[str, Any]]] = field(default_factory=dict)
    timelines: dict[int, list[dict[str, Any]]] = field(default_factory=dict)


class FakeGitHub:
    def __init__(self) -> None:
        self.repos: dict[str, Repo] = {}
        self.received: list[Received] = []
        self.script: list[Scripted] = []
        self._lock = threading.Lock()
        self._next_comment_id = 9000
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        # Checked for shutdown every 50 ms, not socketserver's 0.5 s: each test stops it.
        self._thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    # -- control ---------------------------------------------------------------

    def start(self) -> FakeGitHub:
        self._thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def add_repo(self, full_name: str) -> Repo:
        repo = Repo(full_name)
        self.repos[full_name.lower()] = repo
        return repo

    def then(self, scripted: Scripted) -> None:
        self.script.append(scripted)

    def requests(self, method: str | None = None) -> list[Received]:
        return [r for r in self.received if method is None or r.method == method]

    def issues(self, full_name: str) -> list[dict[str, Any]]:
        return self.repos[full_name.lower()].issues

    def file_issue(self, full_name: str, title: str, body: str = "") -> dict[str, Any]:
        """An issue someone filed on GitHub directly (for linking tests)."""
        with self._lock:
            return self._create(self.repos[full_name.lower()], {"title": title, "body": body})

    def close_issue(self, full_name: str, number: int, reason: str = "completed") -> dict[str, Any]:
        issue = self._issue(self.repos[full_name.lower()], number)
        assert issue is not None
        issue.update(state="closed", state_reason=reason, closed_at=_now(), updated_at=_now())
        return issue

    def comment(self, full_name: str, number: int, body: str, author: str = "l2-dev",
                bot: bool = False, association: str = "MEMBER") -> dict[str, Any]:  # fmt: skip
        repo = self.repos[full_name.lower()]
        self._next_comment_id += 1
        issue = self._issue(repo, number)
        assert issue is not None
        comment = {
            "id": self._next_comment_id,
            "body": body,
            "user": {"login": author, "id": 7, "type": "Bot" if bot else "User"},
            "author_association": association,
            "html_url": f"{issue['html_url']}#issuecomment-{self._next_comment_id}",
            "created_at": _now(),
            "updated_at": _now(),
            "url": f"{self.url}/repos/{repo.full_name}/issues/comments/{self._next_comment_id}",
        }
        repo.comments.setdefault(number, []).append(comment)
        return comment

    # -- GitHub's behaviour ----------------------------------------------------

    def cross_reference(self, full_name: str, number: int, pull_number: int, title: str,
                        body: str = "", author: str = "l2-dev", association: str = "MEMBER",
                        merged: bool = False) -> dict[str, Any]:  # fmt: skip
        """A pull request in ``full_name`` that mentions issue ``number`` (its timeline event)."""
        repo = self.repos[full_name.lower()]
        event = {
            "event": "cross-referenced",
            "created_at": _now(),
            "updated_at": _now(),
            "actor": {"login": author, "type": "User"},
            "source": {"type": "issue", "issue": {
                "number": pull_number, "title": title, "body": body,
                "html_url": f"https://github.com/{repo.full_name}/pull/{pull_number}",
                "user": {"login": author, "type": "User"},
                "author_association": association, "state": "closed" if merged else "open",
                "repository": {"full_name": repo.full_name},
                "pull_request": {"merged_at": _now() if merged else None},
            }},
        }  # fmt: skip
        repo.timelines.setdefault(number, []).append(event)
        return event

    def _issue(self, repo: Repo, number: int) -> dict[str, Any] | None:
        return next((i for i in repo.issues if i["number"] == number), None)

    def _create(self, repo: Repo, data: dict[str, Any]) -> dict[str, Any]:
        number = len(repo.issues) + 1
        issue = {
            "id": 100000 + number,
            "number": number,
            "title": data["title"],
            "body": data.get("body") or "",
            "labels": [{"name": name} for name in data.get("labels") or []],
            "state": "open",
            "state_reason": None,
            "user": {"login": "helpdesk-bot", "id": 1, "type": "User"},
            "html_url": f"https://github.com/{repo.full_name}/issues/{number}",
            "url": f"{self.url}/repos/{repo.full_name}/issues/{number}",
            "created_at": _now(),
            "updated_at": _now(),
            "closed_at": None,
            "comments": 0,
        }
        repo.issues.append(issue)
        return issue

    def answer(self, method: str, path: str, query: dict[str, list[str]], data: Any,
               headers: dict[str, str]) -> tuple[int, Any, dict[str, str]]:  # fmt: skip
        if headers.get("authorization") != f"token {TOKEN}":
            return 401, {"message": "Bad credentials"}, {}
        match = re.fullmatch(r"/repos/([^/]+/[^/]+)/issues(?:/(\d+))?(/comments|/timeline)?", path)
        if match is None:
            return 404, {"message": "Not Found"}, {}
        repo = self.repos.get(match.group(1).lower())
        if repo is None:
            return 404, {"message": "Not Found"}, {}
        number = int(match.group(2)) if match.group(2) else None
        if number is None and method == "POST":
            if not (data or {}).get("title"):
                return 422, {"message": "Validation Failed",
                             "errors": [{"resource": "Issue", "field": "title",
                                         "code": "missing_field"}]}, {}  # fmt: skip
            return 201, self._create(repo, data), {}
        if number is None and method == "GET":
            return self._list(repo, query)
        issue = self._issue(repo, number) if number else None
        if issue is None:
            return 404, {"message": "Not Found"}, {}
        if match.group(3) == "/timeline":
            return 200, repo.timelines.get(number or 0, []), {}
        if match.group(3):
            since = (query.get("since") or [""])[0]
            found = [c for c in repo.comments.get(number or 0, []) if c["updated_at"] >= since]
            return 200, found, {}
        return 200, issue, {}

    def _list(self, repo: Repo, query: dict[str, list[str]]) -> tuple[int, Any, dict[str, str]]:
        state = (query.get("state") or ["open"])[0]
        since = (query.get("since") or [""])[0]
        found = [
            i
            for i in repo.issues
            if (state == "all" or i["state"] == state) and i["updated_at"] >= since
        ]
        found.sort(
            key=lambda i: i["number"], reverse=(query.get("direction") or ["desc"])[0] == "desc"
        )
        per_page = int((query.get("per_page") or ["30"])[0])
        page = int((query.get("page") or ["1"])[0])
        chunk = found[(page - 1) * per_page : page * per_page]
        headers = {}
        if page * per_page < len(found):
            params = {k: v[0] for k, v in query.items()} | {"page": str(page + 1)}
            headers["Link"] = (
                f'<{self.url}/repos/{repo.full_name}/issues?{urlencode(params)}>; rel="next"'
            )
        return 200, chunk, headers

    def _scripted(self, method: str, path: str) -> Scripted | None:
        for index, scripted in enumerate(self.script):
            if scripted.method == method and re.fullmatch(scripted.path, path):
                return self.script.pop(index)
        return None

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:
                pass

            def _serve(self) -> None:
                parts = urlsplit(self.path)
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                data = json.loads(raw) if raw else None
                headers = {k.lower(): v for k, v in self.headers.items()}
                query = parse_qs(parts.query)
                with fake._lock:
                    fake.received.append(Received(self.command, parts.path, query, data, headers))
                    scripted = fake._scripted(self.command, parts.path)
                    if scripted is None or scripted.after_doing_it:
                        status, body, extra = fake.answer(
                            self.command, parts.path, query, data, headers
                        )
                    if scripted is not None:
                        status, body, extra = scripted.status, scripted.body, scripted.headers
                if scripted is not None and scripted.delay:
                    time.sleep(scripted.delay)
                payload = json.dumps(body if body is not None else {"message": "error"}).encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json; charset=utf-8")
                    self.send_header("Content-Length", str(len(payload)))
                    self.send_header("X-RateLimit-Limit", "5000")
                    self.send_header(
                        "X-RateLimit-Remaining", extra.get("X-RateLimit-Remaining", "4999")
                    )
                    for name, value in extra.items():
                        if name != "X-RateLimit-Remaining":
                            self.send_header(name, value)
                    self.end_headers()
                    self.wfile.write(payload)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (a timeout test)

            do_GET = do_POST = do_PATCH = _serve

        return Handler


@contextlib.contextmanager
def running() -> Iterator[FakeGitHub]:
    fake = FakeGitHub().start()
    try:
        yield fake
    finally:
        fake.stop()
