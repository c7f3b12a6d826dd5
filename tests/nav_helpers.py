"""Reading a page as a visitor does: the links it offers, by their visible text."""

from __future__ import annotations

import re
from html import unescape
from html.parser import HTMLParser

CONTACT_US = "Contact Us"


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[str, str]] = []
        self._open: list[tuple[str, list[str]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            self._open.append((dict(attrs).get("href") or "", []))

    def handle_data(self, data: str) -> None:
        for _, text in self._open:
            text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "a" and self._open:
            href, text = self._open.pop()
            self.found.append((unescape(href), " ".join("".join(text).split())))


def links(page: str) -> list[tuple[str, str]]:
    """Every link of the page as (href, visible text)."""
    parser = _Links()
    parser.feed(page)
    return parser.found


def hrefs_named(page: str, text: str) -> list[str]:
    return [href for href, shown in links(page) if shown == text]


def navigation(page: str) -> str:
    """The top navigation bar of a page in the site layout."""
    start = re.search(r"<nav\b[^>]*\bnavbar\b", page)
    assert start, "the page has no navigation bar"
    return page[start.start() : page.index("</nav>", start.start())]
