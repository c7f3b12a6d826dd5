"""Article Markdown becomes HTML that cannot run script, frame, or send people anywhere unsafe."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest

from kb.html import ARTICLE_POLICY, html_to_text, sanitise_html
from kb.rendering import render_markdown

ALLOWED_TAGS = ARTICLE_POLICY.tags

DANGEROUS_MARKDOWN = [
    "<script>alert('x')</script>",
    "<iframe src='https://evil.example'></iframe>",
    "<img src=x onerror=alert(1)>",
    "<a href='#' onclick='steal()'>click</a>",
    "[click](javascript:alert(1))",
    "[click](JaVaScRiPt:alert(1))",
    "[click](java&#x09;script:alert(1))",
    "[click](&#106;avascript:alert(1))",
    "[click](vbscript:msgbox(1))",
    "[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "![pixel](data:image/png;base64,iVBORw0KGgo=)",
    "<svg onload=alert(1)>",
    "<div style='background:url(javascript:alert(1))'>x</div>",
]

DANGEROUS_HTML = [
    '<script>alert("x")</script>',
    '<iframe src="https://evil.example"></iframe>',
    '<img src="x" onerror="alert(1)">',
    '<a href="javascript:alert(1)">x</a>',
    '<a href="  JAVASCRIPT:alert(1)">x</a>',
    '<a href="jav&#x09;ascript:alert(1)">x</a>',
    '<a href="jav&#x0A;ascript:alert(1)">x</a>',
    '<a href="&#x6A;&#x61;&#x76;&#x61;script:alert(1)">x</a>',
    '<a href="data:text/html,<script>alert(1)</script>">x</a>',
    '<img src="data:image/svg+xml;base64,PHN2Zz48L3N2Zz4=">',
    '<p onmouseover="alert(1)">hover</p>',
    '<object data="x.swf"></object><embed src="x.swf">',
    '<form action="https://evil.example"><input name="password"></form>',
    "<style>body{display:none}</style>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
]


class _Elements(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[str, dict[str, str]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.found.append((tag, {name: value or "" for name, value in attrs}))


def looks_harmless(html: str) -> None:
    """Judged as a browser would read it: elements and attributes, not the visible text."""
    parser = _Elements()
    parser.feed(html)
    for tag, attrs in parser.found:
        assert tag in ALLOWED_TAGS, f"<{tag}> survived in {html!r}"
        for name, value in attrs.items():
            assert not name.startswith("on"), f"{name} survived in {html!r}"
            assert name != "style", f"style survived in {html!r}"
            if name in ("href", "src"):
                # What the browser would see after decoding entities and dropping blanks.
                url = "".join(value.split()).lower()
                scheme = url.split(":", 1)[0] if ":" in url.split("/", 1)[0] else ""
                assert scheme in ("", "http", "https", "mailto"), f"{value!r} in {html!r}"
    lowered = html.lower()
    assert "<script" not in lowered
    assert "<iframe" not in lowered


@pytest.mark.parametrize("markdown", DANGEROUS_MARKDOWN)
def test_script_frames_handlers_and_unsafe_urls_in_markdown_are_stripped(markdown):
    looks_harmless(render_markdown(markdown))


@pytest.mark.parametrize("html", DANGEROUS_HTML)
def test_the_sanitiser_is_the_final_gate_even_for_raw_html(html):
    looks_harmless(sanitise_html(html, ARTICLE_POLICY))


def test_links_get_noopener_nofollow_and_keep_safe_schemes():
    html = render_markdown(
        "[docs](https://example.org/a) [mail](mailto:support@example.org) [page](/kb/akvo-flow/)"
    )

    assert html.count('rel="noopener nofollow"') == 3
    assert 'href="https://example.org/a"' in html
    assert 'href="mailto:support@example.org"' in html
    assert 'href="/kb/akvo-flow/"' in html


def test_images_from_our_own_pages_and_the_web_are_kept():
    html = render_markdown("![Export button](/kb/images/abc.png) ![Map](https://example.org/m.png)")

    assert 'src="/kb/images/abc.png"' in html
    assert 'alt="Export button"' in html
    assert 'src="https://example.org/m.png"' in html


def test_ordinary_article_markdown_renders_headings_lists_tables_and_code():
    html = render_markdown(
        "## Steps\n\n1. Open **Data**\n2. Choose `Export`\n\n| a | b |\n|---|---|\n| 1 | 2 |\n"
    )

    assert "<h2>Steps</h2>" in html
    assert "<ol>" in html
    assert "<strong>Data</strong>" in html
    assert "<code>Export</code>" in html
    assert '<table class="table table-sm">' in html


def test_typed_html_shows_as_text_rather_than_disappearing():
    html = render_markdown("Use the <b> tag")

    assert "&lt;b&gt;" in html


def test_plain_text_for_search_keeps_words_apart_and_unescapes():
    text = html_to_text(render_markdown("# Export\n\nTom &amp; Jerry\n\n- one\n- two"))

    assert text.split() == ["Export", "Tom", "&", "Jerry", "one", "two"]
