"""The customer update drafted from L2's news, for the agent to review in the public reply box.

Engineering writes for engineers; the partner gets a short, safe summary. A
comment is cut to its first paragraphs (about :data:`SUMMARY_CHARS`) with code
blocks, quoted text, HTML comments, images, links to the repository and
engineers' @mentions taken out, then scrubbed by :mod:`tickets.escalation.redaction`
(email addresses, phone numbers, the requester's and their organisation's
names, private links, secrets). Labels, pull requests and a close become plain
sentences. The greeting uses the requester's first name, like the canned
responses; the agent completes and sends it (a public reply clears the mark).
"""

from __future__ import annotations

import re

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tickets.escalation import redaction
from tickets.escalation.drafts import _draft_closed, _greeting
from tickets.escalation.issue_text import ticket_context
from tickets.escalation.news import pending_news
from tickets.models import L2News, L2NewsKind, Ticket

SUMMARY_CHARS = 600
COMMENTS_IN_DRAFT = 3

_FENCE_RE = re.compile(r"^[ \t]*(```|~~~)[^\n]*\n.*?(?:^[ \t]*\1[^\n]*$|\Z)", re.M | re.S)
_HTML_COMMENT_RE = re.compile(r"<!--.*?-->", re.S)
_DETAILS_RE = re.compile(r"<details>.*?</details>", re.S | re.I)
_TAG_RE = re.compile(r"</?[A-Za-z][^>\n]*>")
_IMAGE_RE = re.compile(r"!\[[^\]]*\]\([^)]*\)")
_MD_LINK_RE = re.compile(r"\[([^\]]+)\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)")
_MENTION_RE = re.compile(r"(?<![\w@.\[])@[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})(?:/[\w.-]+)?\b")
_HEADING_RE = re.compile(r"^[ \t]{0,3}#{1,6}[ \t]+", re.M)
_EMPHASIS_RE = re.compile(r"(\*\*|__|~~)(.+?)\1")
_ITALIC_RE = re.compile(r"(?<![*\w])\*(?![\s*])([^*\n]+?)\*(?![*\w])")
_INLINE_CODE_RE = re.compile(r"`([^`\n]+)`")
_CHECKBOX_RE = re.compile(r"^([ \t]*[-*+][ \t]+)\[[ xX]\][ \t]+", re.M)

_LABEL_SENTENCES = {
    "in progress": gettext_lazy("Our engineers are working on it now."),
    "fix ready": gettext_lazy("A fix is ready and on its way to a release."),
    "workaround": gettext_lazy("They have found a workaround: [describe it]."),
    "needs info": gettext_lazy("They need a little more information from you: [what they need]."),
    "released": gettext_lazy("The fix has been released: [say where and how to get it]."),
}


def _repository_reference_re(repository: str) -> re.Pattern[str]:
    """Links and references to the (possibly private) repository the issue is in."""
    repo = re.escape(repository)
    return re.compile(
        rf"https?://(?:www\.|api\.)?github\.com/(?:repos/)?{repo}\b[^\s<>\"')\]]*"
        rf"|(?<![\w/]){repo}#\d+",
        re.IGNORECASE,
    )


def _markdown_to_plain(text: str, repository: str) -> str:
    text = text.replace("\r\n", "\n")
    for pattern in (_FENCE_RE, _HTML_COMMENT_RE, _DETAILS_RE, _IMAGE_RE):
        text = pattern.sub("", text)
    text = "\n".join(line for line in text.split("\n") if not line.lstrip().startswith(">"))
    private = _repository_reference_re(repository) if repository else None

    def link(match: re.Match[str]) -> str:
        if private and private.search(match.group(2)):
            return match.group(1)
        return f"{match.group(1)} ({match.group(2)})"

    text = _MD_LINK_RE.sub(link, text)
    if private:
        text = private.sub("", text)
    text = _TAG_RE.sub("", text)
    text = _HEADING_RE.sub("", text)
    text = _CHECKBOX_RE.sub(r"\1", text)
    text = _EMPHASIS_RE.sub(r"\2", text)
    text = _ITALIC_RE.sub(r"\1", text)
    return _INLINE_CODE_RE.sub(r"\1", text)


def _first_paragraphs(text: str, limit: int) -> str:
    paragraphs = [" ".join(p.split()) for p in re.split(r"\n[ \t]*\n", text)]
    paragraphs = [p for p in paragraphs if re.search(r"\w", p)]
    while paragraphs and paragraphs[-1].endswith(":"):  # its link or code block was taken out
        paragraphs.pop()
    # "@alice please see …" reads "Please see …" once the handle is gone.
    paragraphs = [p[:1].upper() + p[1:] for p in paragraphs]
    kept: list[str] = []
    for paragraph in paragraphs:
        if kept and sum(len(p) for p in kept) + len(paragraph) > limit:
            break
        kept.append(paragraph)
    summary = "\n\n".join(kept)
    if len(summary) > limit:
        summary = summary[:limit].rsplit(" ", 1)[0].rstrip(" ,;:") + " …"
    return summary


def summarise_for_customer(
    text: str, context: redaction.Context, *, repository: str = "", limit: int = SUMMARY_CHARS
) -> str:
    """An L2 comment as the partner may read it: short, plain, no contact details or links."""
    plain = _markdown_to_plain(text or "", repository)
    # Contact details first (an address is not an @mention), then the engineers' handles.
    plain = redaction.redact(plain, context)
    plain = _MENTION_RE.sub("", plain)
    plain = re.sub(r"\([\s,;]*\)", "", plain)  # what was left of "(owner/name#12)"
    plain = re.sub(r"[ \t]{2,}", " ", plain)
    plain = re.sub(r"[ \t]+([,.;:!?])", r"\1", plain)
    return _first_paragraphs(plain, limit)


def _label_sentence(news: L2News) -> str:
    if not news.key.startswith("label:added:"):
        return ""
    name = news.key.split(":", 3)[2] if news.key.count(":") >= 3 else ""
    sentence = _LABEL_SENTENCES.get(name)
    if sentence:
        return str(sentence)
    return _("Its status with our engineers is now: %(label)s.") % {"label": name}


def _sentences(ticket: Ticket, news: list[L2News], context: redaction.Context) -> list[str]:
    comments = [n for n in news if n.kind == L2NewsKind.COMMENT][-COMMENTS_IN_DRAFT:]
    parts = []
    for comment in comments:
        summary = summarise_for_customer(
            comment.summary, context, repository=comment.issue.repository
        )
        if summary:
            parts.append(summary)
    for item in news:
        if item.kind == L2NewsKind.LABEL:
            parts.append(_label_sentence(item))
        elif item.kind == L2NewsKind.PULL_REQUEST:
            merged = item.key.endswith(":merged")
            parts.append(
                _("The fix is complete and will reach you with the next release.")
                if merged
                else _("A fix is being prepared.")
            )
    return list(dict.fromkeys(p for p in parts if p))


def draft_customer_update(ticket: Ticket, *, news: list[L2News] | None = None) -> str:
    """The update for the partner drafted from the news not yet passed on ("" without news)."""
    news = pending_news(ticket) if news is None else news
    if not news:
        return ""
    closed = [n for n in news if n.kind == L2NewsKind.CLOSED]
    context = ticket_context(ticket)
    body = _sentences(ticket, news, context)
    if closed:
        # The close's own draft, with what L2 said before it.
        draft = _draft_closed(ticket, closed[-1].issue.state_reason)
        if not body:
            return draft
        greeting, rest = draft.split("\n\n", 1)
        return "\n\n".join([greeting, *body, rest])
    intro = _(
        "Our engineering team has an update on the problem you reported in %(ref)s (“%(subject)s”):"
    ) % {"ref": ticket.reference, "subject": ticket.subject}
    if not body:
        body = [_("[Say what changed.]")]
    closing = f"{_('Best regards,')}\n{_('The support team')}"
    return "\n\n".join([_greeting(ticket), intro, *body, closing])
