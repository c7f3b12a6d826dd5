"""The one HTML sanitiser and HTML-to-text reader, with a named policy per use.

nh3 (ammonia) does the cleaning; a policy says what survives it:

- ``ARTICLE_POLICY``: what a support article needs (headings, lists, tables,
  code, images from the web or our own pages), links get ``rel="noopener
  nofollow"``, tables and images get Bootstrap's classes.
- ``MAIL_POLICY``: what an inbound mail may show in the back office: nh3's
  default allow-list without images (a remote image tells the sender the mail
  was read).

Both policies allow only http, https and mailto URLs (relative ones for our
own pages) and drop a URL that looks like it names another scheme, even a
mangled one. Stored article HTML carries the fingerprint of the policy it was
cleaned with (``Article.html_policy``): when the policy changes, the
fingerprint does too, and the article is cleaned again (on the fly when shown,
for good by ``manage.py kb_refresh_html``).
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from html import unescape
from html.parser import HTMLParser

import nh3

# Characters kb.search uses to mark highlights in snippets; never kept in text.
HIGHLIGHT_START = "\ue000"
HIGHLIGHT_STOP = "\ue001"

URL_SCHEMES = frozenset({"http", "https", "mailto"})


@dataclass(frozen=True)
class HtmlPolicy:
    """What survives sanitising: tags, attributes per tag, URL schemes, the rel of links."""

    name: str
    tags: frozenset[str]
    attributes: Mapping[str, frozenset[str]]
    link_rel: str
    url_schemes: frozenset[str] = URL_SCHEMES
    # Tags removed together with everything inside them.
    clean_content_tags: frozenset[str] = frozenset({"script", "style"})
    # Attributes set on every kept tag of a kind, e.g. Bootstrap classes.
    set_attributes: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    # Bump when the sanitiser's code changes what it keeps (the fields above are
    # fingerprinted already): stored HTML is then cleaned again.
    revision: int = 1

    @cached_property
    def fingerprint(self) -> str:
        """A short stable digest of everything that decides what this policy keeps."""
        described = {
            "tags": sorted(self.tags),
            "attributes": {tag: sorted(names) for tag, names in self.attributes.items()},
            "link_rel": self.link_rel,
            "url_schemes": sorted(self.url_schemes),
            "clean_content_tags": sorted(self.clean_content_tags),
            "set_attributes": {tag: dict(values) for tag, values in self.set_attributes.items()},
            "revision": self.revision,
        }
        canonical = json.dumps(described, sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(canonical.encode()).hexdigest()[:16]


_ARTICLE_TAGS = {
    "a", "b", "blockquote", "br", "code", "del", "em", "h1", "h2", "h3", "h4", "h5", "h6", "hr",
    "i", "img", "kbd", "li", "ol", "p", "pre", "s", "strong", "sub", "sup", "table", "tbody",
    "td", "th", "thead", "tr", "ul",
}  # fmt: skip

ARTICLE_POLICY = HtmlPolicy(
    name="article",
    tags=frozenset(_ARTICLE_TAGS),
    attributes={
        "a": frozenset({"href", "title"}),
        "img": frozenset({"src", "alt", "title", "width", "height"}),
        "ol": frozenset({"start"}),
        "th": frozenset({"scope"}),
    },
    link_rel="noopener nofollow",
    set_attributes={
        "table": {"class": "table table-sm"},
        "img": {"loading": "lazy", "class": "img-fluid"},
    },
)

MAIL_POLICY = HtmlPolicy(
    name="mail",
    tags=frozenset(nh3.ALLOWED_TAGS - {"img"}),
    attributes={
        tag: frozenset(names) for tag, names in nh3.ALLOWED_ATTRIBUTES.items() if tag != "img"
    },
    link_rel="noopener noreferrer nofollow",
)


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


def sanitise_html(html: str, policy: HtmlPolicy) -> str:
    """The one gate every piece of HTML we show passes through, by ``policy``."""
    if not html.strip():
        return ""
    return nh3.clean(
        html,
        tags=set(policy.tags),
        clean_content_tags=set(policy.clean_content_tags),
        attributes={tag: set(names) for tag, names in policy.attributes.items()},
        url_schemes=set(policy.url_schemes),
        link_rel=policy.link_rel,
        strip_comments=True,
        attribute_filter=_no_disguised_scheme,
        set_tag_attribute_values={tag: dict(v) for tag, v in policy.set_attributes.items()},
    )


# --------------------------------------------------------------------------- #
# HTML to text                                                                #
# --------------------------------------------------------------------------- #

_BLOCK_TAGS = {
    "p", "div", "br", "tr", "td", "th", "li", "h1", "h2", "h3", "h4", "h5", "h6", "table",
    "ul", "ol", "hr", "pre", "blockquote",
}  # fmt: skip
_SKIP_TAGS = {"script", "style", "head", "title"}
# Containers in which mail clients put the quoted history of a reply.
_QUOTE_TAGS = {"blockquote"}
_QUOTE_CLASSES = ("gmail_quote", "yahoo_quoted", "moz-cite-prefix", "aolreplyline")
_QUOTE_IDS = ("divrplyfwdmsg", "appendonsend", "olk_src_body_section")


class _TextExtractor(HTMLParser):
    def __init__(self, *, drop_quoted: bool) -> None:
        super().__init__(convert_charrefs=True)
        self.drop_quoted = drop_quoted
        self.out: list[str] = []
        self._skip: list[str] = []  # the tag being skipped, once per nesting level

    def _quoted(self, tag: str, attrs: list[tuple[str, str | None]]) -> bool:
        if not self.drop_quoted:
            return False
        values = {k: (v or "").lower() for k, v in attrs}
        return (
            tag in _QUOTE_TAGS
            or any(c in values.get("class", "") for c in _QUOTE_CLASSES)
            or values.get("id", "") in _QUOTE_IDS
        )

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self._skip:
            if tag == self._skip[0]:
                self._skip.append(tag)
            return
        if tag in _SKIP_TAGS or self._quoted(tag, attrs):
            self._skip.append(tag)
            return
        if tag in _BLOCK_TAGS:
            self.out.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if self._skip:
            if tag == self._skip[0]:
                self._skip.pop()
            return
        if tag in _BLOCK_TAGS:
            self.out.append("\n")

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.out.append(re.sub(r"\s+", " ", data))


def html_to_text(html: str, *, drop_quoted: bool = False) -> str:
    """The readable plain text of HTML: blocks on their own lines, entities decoded.

    What search indexes and snippets quote for an article; for a mail,
    ``drop_quoted`` also leaves out the quoted history clients mark as such.
    """
    if not html.strip():
        return ""
    extractor = _TextExtractor(drop_quoted=drop_quoted)
    try:
        extractor.feed(html)
        extractor.close()
        text = "".join(extractor.out)
    except Exception:  # HTMLParser is lenient; this is for the truly broken
        text = unescape(nh3.clean(html, tags=set()))
    text = text.replace("\xa0", " ").replace(HIGHLIGHT_START, "").replace(HIGHLIGHT_STOP, "")
    lines = [" ".join(line.split()) for line in text.split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()
