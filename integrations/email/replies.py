"""The customer's new text in a reply: quoted history and signature removed.

Pure functions on text, no ORM. Losing what a customer wrote is worse than
keeping a quote, so every rule here cuts only on a clear sign of history
(an attribution line, a header block, ``>`` quoting) and the whole text is
kept whenever cutting would leave nothing.
"""

from __future__ import annotations

import re

from mailparser_reply import EmailReplyParser

# Languages whose "On … wrote:" headers the reply parser knows; English is always on.
REPLY_LANGUAGES = ["en", "de", "fr", "es", "cs", "it", "nl", "pl", "ja", "da", "sv"]

# Attribution lines the reply parser does not know (e.g. Russian, often wrapped over
# two lines), and the common separators, after which everything is history.
_ATTRIBUTION = (
    r".{0,200}(?:\n.{0,200})?"
    r"(?:wrote|написал|написала|написав|napsal|napsala|schrieb|a écrit|escribió)\s*:\s*$"
)
_EXTRA_CUTS = re.compile(
    rf"^(?:{_ATTRIBUTION}|-{{2,}}\s*Original Message\s*-{{2,}}|-{{3,}} On .{{0,200}} wrote:\s*$)",
    re.IGNORECASE | re.MULTILINE,
)
_ATTRIBUTION_END_RE = re.compile(
    r"(?:wrote|написал\w*|napsal\w*|schrieb|a écrit|escribió)\s*:\s*$", re.IGNORECASE
)
# RFC 3676: a line of exactly "-- " starts the signature.
_SIGNATURE_RE = re.compile(r"^-- $", re.MULTILINE)


def _normalise(text: str) -> str:
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "").replace("\xa0", " ")
    # Trailing spaces go, except in "-- ", which marks where a signature starts.
    lines = (line if line == "-- " else line.rstrip() for line in text.split("\n"))
    return "\n".join(lines).strip()


def strip_reply(text: str) -> str:
    """The latest reply in ``text``: quoted history and signature removed.

    mail-parser-reply does most of the work. What it leaves is cut again at
    attributions it does not know (Russian, wrapped lines), and ``>`` quoted
    lines are dropped, which also reads a bottom-posted reply (the quote first,
    the answer under it). The full text is kept whenever stripping leaves nothing.
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\xa0", " ")
    if not text.strip():
        return ""
    signature = _SIGNATURE_RE.search(text)
    if signature and text[: signature.start()].strip():
        text = text[: signature.start()]
    try:
        reply = EmailReplyParser(languages=REPLY_LANGUAGES).parse_reply(text) or ""
    except Exception:  # the parser is regex-heavy; a pathological body must not stop ingestion
        reply = text
    return _drop_quoted(_normalise(reply)) or _drop_quoted(_normalise(text)) or _normalise(text)


def _drop_quoted(text: str) -> str:
    match = _EXTRA_CUTS.search(text)
    if match and match.start() > 0:
        text = text[: match.start()]
    kept: list[str] = []
    lines = text.split("\n")
    for index, line in enumerate(lines):
        if line.lstrip().startswith(">"):
            continue
        quote_follows = any(n.lstrip().startswith(">") for n in lines[index + 1 : index + 3])
        if quote_follows and _ATTRIBUTION_END_RE.search(line):
            continue  # "On … wrote:" heading a quote
        kept.append(line)
    return _normalise("\n".join(kept))
