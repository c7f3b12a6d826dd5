"""Article Markdown to the sanitised HTML pages serve.

markdown-it renders with raw HTML off (typed tags come out as text); the
article policy of :mod:`kb.html` is the final gate whatever the renderer did.
"""

from __future__ import annotations

from markdown_it import MarkdownIt

from kb.html import ARTICLE_POLICY, sanitise_html

_markdown = MarkdownIt("commonmark", {"html": False}).enable(["table", "strikethrough"])


def render_markdown(source: str) -> str:
    """Article Markdown as sanitised HTML, ready to serve as it is."""
    return sanitise_html(_markdown.render(source or ""), ARTICLE_POLICY)
