"""Markdown to sanitised HTML, and HTML to the plain text that search reads.

markdown-it renders with raw HTML off (typed tags come out as text); nh3 is the
final gate whatever the renderer did: only the tags an article needs, only
http, https and mailto URLs (relative ones for our own pages and images), and
every link gets ``rel="noopener nofollow"``.
"""

from __future__ import annotations

import html
import re

import nh3
from markdown_it import MarkdownIt

# Characters kb.search uses to mark highlights in snippets; never stored in text.
HIGHLIGHT_START = "\ue000"
HIGHLIGHT_STOP = "\ue001"

ALLOWED_TAGS = {
    "a",
    "b",
    "blockquote",
    "br",
    "code",
    "del",
    "em",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
    "i",
    "img",
    "kbd",
    "li",
    "ol",
    "p",
    "pre",
    "s",
    "strong",
    "sub",
    "sup",
    "table",
    "tbody",
    "td",
    "th",
    "thead",
    "tr",
    "ul",
}
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title", "width", "height"},
    "ol": {"start"},
    "th": {"scope"},
}
URL_SCHEMES = {"http", "https", "mailto"}
LINK_REL = "noopener nofollow"

_markdown = MarkdownIt("commonmark", {"html": False}).enable(["table", "strikethrough"])
_BLOCK_END = re.compile(r"</(?:p|li|h[1-6]|pre|blockquote|tr|td|th|table|ul|ol)>|<br\s*/?>", re.I)
_SPACES = re.compile(r"[ \t\r\f\v]+")
_BLANK_LINES = re.compile(r"\n\s*\n+")


def _no_disguised_scheme(tag: str, attribute: str, value: str) -> str | None:
    """Drop a URL that looks like it names a scheme we do not allow, even a mangled one.

    nh3 already drops ``javascript:`` and friends; a value like
    ``java%09script:…`` is only a harmless relative path to a browser, but it is
    never a link an author meant, so it goes too.
    """
    if attribute in ("href", "src"):
        head = value.split("/", 1)[0].split("?", 1)[0].split("#", 1)[0]
        if ":" in head and head.split(":", 1)[0].strip().lower() not in URL_SCHEMES:
            return None
    return value


def sanitise_html(value: str) -> str:
    """The one gate every piece of article HTML passes through."""
    return nh3.clean(
        value,
        tags=ALLOWED_TAGS,
        clean_content_tags={"script", "style"},
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel=LINK_REL,
        strip_comments=True,
        attribute_filter=_no_disguised_scheme,
        set_tag_attribute_values={
            "table": {"class": "table table-sm"},
            "img": {"loading": "lazy", "class": "img-fluid"},
        },
    )


def render_markdown(source: str) -> str:
    """Article Markdown as sanitised HTML, ready to serve as it is."""
    return sanitise_html(_markdown.render(source or ""))


def html_to_text(value: str) -> str:
    """Readable plain text of sanitised HTML: what search indexes and snippets quote."""
    value = _BLOCK_END.sub("\n", value)
    text = html.unescape(nh3.clean(value, tags=set()))
    text = text.replace(HIGHLIGHT_START, "").replace(HIGHLIGHT_STOP, "")
    text = _SPACES.sub(" ", text)
    return _BLANK_LINES.sub("\n\n", text).strip()
