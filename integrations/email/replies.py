"""The customer's new text in a reply: quoted history and signature removed.

Pure functions on text, no ORM, no third-party parser. Losing what a customer
wrote is worse than keeping a quote, so text is cut only on a clear sign of
history, and the whole text is kept whenever cutting would leave nothing:

* an attribution line ("On … wrote:", "Le … a écrit :", "Am … schrieb …:",
  "… написал:", or a date and an address ending in ":"), also wrapped over
  two or three lines, after which the history is either ``>`` quoted (then
  only the attribution and the quoted lines go: text written under or between
  the quotes is the customer's, as in bottom-posted and interleaved replies)
  or not quoted at all (then everything after it is history);
* an Outlook header block ("From:/Sent:/To:", "De :/Envoyé :", "Von:/Gesendet:",
  "Van:/Verzonden:", "От:/Отправлено:" …) or an "Original Message" separator;
* a signature after "-- " (RFC 3676), and the client's footer ("Sent from my
  iPhone", "Get Outlook for iOS") just above the history.

An inline forward ("---------- Forwarded message ---------", "Begin forwarded
message:") is what the customer sends us: a mail that forwards before any
history begins is kept whole.

The measured score on published corpora is in the README's Email section
(``python -m bench.mail_replies``).
"""

from __future__ import annotations

import re

# Verbs that end an attribution line, in the languages our partners write in.
_WROTE = (
    r"wrote|writes|schrieb|schreef|a\s+écrit|escribió|escreveu|ha\s+scritto|scrisse|"
    r"napisał|napisała|napsal|napsala|написал|написала|написав|пишет|kirjoitti|skrev|"
    r"skriver|geschreven|đã\s+viết|írta|yazdı|έγραψε|rašė|kirjutas|写道|のメッセージ|님이\s*작성"  # noqa: RUF001 - Turkish, not a look-alike
)
_WROTE_RE = re.compile(rf"(?:^|[\s,\"'>)])(?:{_WROTE})\b[^:]{{0,80}}:\s*$", re.IGNORECASE)
# A line that starts with the verb is the tail of a wrapped attribution.
_VERB_FIRST_RE = re.compile(rf"(?:{_WROTE})\b", re.IGNORECASE)
# "On Wed, 14 Nov 2018 … John <john@doe.com> wrote" (no colon), "On … sent:", "---- X wrote ----".
_ON_WROTE_RE = re.compile(
    r"^(?:-*\s*On\s.{0,200}\d.{0,200}\s(?:wrote|sent)\s*:?\s*-*|-{2,}\s*.{1,200}\swrote\s*-{2,})$",
    re.IGNORECASE,
)
# "reply On Wed, Apr 4, 2012 at 3:59 PM, bob@example.com wrote:": the answer shares the line.
_SHARED_LINE_RE = re.compile(r"^(?P<before>.*?\S)\s*-*\s*On\s.{0,200}\d.{0,200}\swrote:\s*$")
# "2011/4/7 Nathan <support@example.com>" without a colon: an attribution only above a quote.
_DATE_ADDRESS_BARE_RE = re.compile(r"^\d.{0,200}<[\w.+-]+@[\w-]+(?:\.[\w-]+)+>\s*$")
# "30.09.2017, 18.30, "John" <j@x.com>:" — a date and an address, then a colon.
# The address in angle brackets: "call 0244 123 456 or write to kwame@example.org:" is not one.
_DATE_ADDRESS_RE = re.compile(r"\d.{0,200}<\s*[\w.+-]+@[\w-]+(?:\.[\w-]+)+\s*>[)\]\"]*\s*:\s*$")

_HEADER_NAMES = (
    r"from|de|von|van|da|od|от|fra|från|lähettäjä|feladó|kimden|від|mittente|remitente|"
    r"expéditeur|afzender|message\s+du|sender|sent|date|datum|envoyé(?:\s+le)?|gesendet|"
    r"verzonden|enviado|enviada|inviato|data|отправлено|дата|sendt|skickat|lähetetty|to|à|a|"
    r"an|aan|para|til|till|кому|subject|objet|betreff|onderwerp|asunto|assunto|oggetto|"
    r"тема|emne|ämne|aihe|cc|copie\s+à|kopie|cco"
)
_HEADER_RE = re.compile(rf"^\s*\*?(?:{_HEADER_NAMES})\*?\s*:", re.IGNORECASE)
_FROM_RE = re.compile(
    r"^\s*\*?(?:from|de|von|van|da|od|от|fra|från|lähettäjä|feladó|kimden|від|mittente|"
    r"remitente|expéditeur|afzender|message\s+du|sender|date|datum|fecha|дата)\*?\s*:",
    re.IGNORECASE,
)
_FORWARD_RE = re.compile(
    r"^\s*(?:-{2,}\s*)?(?:forwarded\s+message|begin\s+forwarded\s+message|weitergeleitete\s+"
    r"nachricht|message\s+transféré|mensaje\s+reenviado|mensagem\s+encaminhada|"
    r"doorgestuurd\s+bericht|messaggio\s+inoltrato|пересылаемое\s+сообщение|"
    r"videresendt\s+melding|vidarebefordrat\s+meddelande|välitetty\s+viesti)",
    re.IGNORECASE,
)
# Outlook forwards under "-----Original Message-----" too: the subject tells them apart.
_FORWARD_SUBJECT_RE = re.compile(
    r"^\s*(?:(?:re|aw|sv|antw|r|rif)\s*:\s*)*(?:fwd?|fw|tr|wg|rv|enc|i|doorst|vs|vb|pd|"
    r"переслано|fwd?\[\d+\])\s*:",
    re.IGNORECASE,
)
# "-----Original Message-----", "-------- Message d'origine --------", "--- Oprindelig besked ---".
_SEPARATOR_RE = re.compile(
    r"^\s*-{2,}\s*(?:original\s+message|oprindelig\s+besked|message\s+d'origine|ursprüngliche\s+"
    r"nachricht|mensaje\s+original|mensagem\s+original|oorspronkelijk\s+bericht|messaggio\s+"
    r"originale|исходное\s+сообщение|alkuperäinen\s+viesti|opprinnelig\s+melding|ursprungligt\s+"
    r"meddelande|původní\s+zpráva|wiadomość\s+oryginalna|eredeti\s+üzenet)\s*-{2,}\s*$",
    re.IGNORECASE,
)
_RULE_RE = re.compile(r"^\s*[-_=*]{2,}\s*$")
_FOOTER_RE = re.compile(
    r"^\s*(?:sent\s+(?:from|with|using|via)|get\s+outlook\s+for|envoyé\s+(?:de|depuis|à\s+"
    r"partir\s+de)|gesendet\s+(?:von|mit|aus)|von\s+meinem|enviado\s+(?:desde|de|do)|"
    r"inviato\s+da|verzonden\s+(?:met|vanaf|van)|отправлено\s+(?:с|из)|skickat\s+från|"  # noqa: RUF001 - Russian
    r"sendt\s+fra|lähetetty)\b.{0,80}$",
    re.IGNORECASE,
)


def _normalise(text: str) -> str:
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "").replace("\xa0", " ")
    text = text.replace("\u202f", " ").replace("\u2007", " ")
    # Trailing spaces go, except in "-- ", which marks where a signature starts.
    lines = (line if line == "-- " else line.rstrip() for line in text.split("\n"))
    return "\n".join(lines).strip()


def _quoted(line: str) -> bool:
    stripped = line.strip()  # ">:" ends a wrapped attribution ("<a@b.c" then ">:")
    # ">>> http://example.com <<<" is a pointer at a link, not a quote.
    return stripped.startswith(">") and not stripped.startswith(">:") and stripped[-1] != "<"


def _is_attribution(text: str, *, above_quote: bool) -> bool:
    if len(text) > 400:
        return False
    if text.startswith("--") and _ON_WROTE_RE.search(text):
        return True  # "------On 12/29/1987 17:32 PM, Julius Caesar wrote-----": a client's
    if not above_quote and "@" not in text:
        # Everything after it would go: "My colleague wrote on 3 March:" is the customer's.
        return False
    if _ON_WROTE_RE.search(text):
        return True
    if _WROTE_RE.search(text):
        # "On Tue, Support wrote:" names no date or address: enough only above a quote.
        return above_quote or bool(re.search(r"\d|@", text))
    return bool(_DATE_ADDRESS_RE.search(text))


def _attribution_at(lines: list[str], end: int) -> int | None:
    """The first line of an attribution ending on line ``end``, wrapped over up to 3 lines."""
    line = lines[end].strip()
    if not line or _quoted(line) or not (line.endswith(":") or _ON_WROTE_RE.search(line)):
        return None
    above_quote = _quote_follows(lines, end + 1)
    for start in range(end, max(end - 3, -1), -1):
        first = lines[start].strip()
        if not first or _quoted(first):
            return None
        if first[0] in "<([" or first.startswith(">:") or _VERB_FIRST_RE.match(first):
            continue  # the wrapped tail of an address or a verb: look one line up
        if start > 0 and lines[start - 1].rstrip().endswith(("<", "(", "[")):
            continue  # the line above opened what this one closes
        text = " ".join(part.strip() for part in lines[start : end + 1])
        if _is_attribution(text, above_quote=above_quote):
            return start
    return None


def _header_block_at(lines: list[str], index: int) -> bool:
    """An Outlook-style header block starts here: "From:" and another header below it."""
    if not _FROM_RE.match(lines[index]):
        return False
    below = [line for line in lines[index + 1 : index + 6] if _HEADER_RE.match(line)]
    # "From: Kumasi / To: Accra" in a customer's text is not enough: an address or a third header.
    return len(below) >= 2 or (len(below) == 1 and "@" in lines[index] + below[0])


def _rule_before_history(lines: list[str], index: int) -> bool:
    """A line of underscores above a header block or a mailing list's footer."""
    if not _RULE_RE.match(lines[index]):
        return False
    for offset in range(1, 4):
        if index + offset >= len(lines):
            return False
        below = lines[index + offset]
        if "mailing list" in below.lower() or _header_block_at(lines, index + offset):
            return True
        if below.strip():
            return False
    return False


def _history_start(lines: list[str], begin: int = 0) -> tuple[int, int] | None:
    """(first line, line after) of the next sign of history from ``begin``; None if none.

    Stops at an inline forward: what follows it is the customer's, kept whole.
    """
    for index in range(begin, len(lines)):
        line = lines[index]
        if _quoted(line):
            continue
        if _FORWARD_RE.match(line):
            return None
        start = _attribution_at(lines, index)
        if start is not None and start >= begin:
            return start, index + 1
        if _DATE_ADDRESS_BARE_RE.match(line.strip()) and _quote_follows(lines, index + 1):
            return index, index + 1
        if _SEPARATOR_RE.match(line) or _header_block_at(lines, index):
            return index, len(lines)
        if _rule_before_history(lines, index):
            return index, len(lines)
    return None


def _quote_follows(lines: list[str], index: int) -> bool:
    for line in lines[index:]:
        if line.strip():
            return _quoted(line)
    return False


def _cut_history(lines: list[str]) -> list[str]:
    """Lines that are not history: a quoted history loses its attribution and quotes only."""
    kept: list[str] = []
    position = 0
    while True:
        found = _history_start(lines, position)
        if found is None:
            kept.extend(lines[position:])
            return kept
        start, after = found
        kept.extend(lines[position:start])
        shared = _SHARED_LINE_RE.match(lines[start]) if after == start + 1 else None
        if shared and not re.match(r"\s*-*\s*On\s", lines[start]):
            kept.append(shared["before"].rstrip(" -"))
        if after >= len(lines) or not _quote_follows(lines, after):
            _drop_footer(kept)
            return kept  # unquoted history (Outlook, Gmail from a phone): all of it goes
        _drop_footer(kept)
        position = after


def _drop_footer(kept: list[str]) -> None:
    """The client's own line just above the history ("Sent from my iPhone"), and rules."""
    while kept and (not kept[-1].strip() or _RULE_RE.match(kept[-1])):
        kept.pop()
    if kept and _is_footer(kept[-1]) and (len(kept) == 1 or not kept[-2].strip()):
        kept.pop()
    while kept and (not kept[-1].strip() or _RULE_RE.match(kept[-1])):
        kept.pop()


def _is_footer(line: str) -> bool:
    """ "Sent from my iPhone", not "Sent from the field office, the report is attached."."""
    return bool(_FOOTER_RE.match(line)) and not re.search(r"[.!?]\s*$|[,;]\s", line)


def _drop_quotes(lines: list[str]) -> list[str]:
    """``>`` lines go, and lines wrapped out of a quote; blank lines left around them shrink."""
    kept: list[str] = []
    dropped = False
    for index, line in enumerate(lines):
        if _quoted(line):
            dropped = True
            continue
        if dropped and not line.strip() and (not kept or not kept[-1].strip()):
            continue  # the blank lines around a dropped quote: one is enough
        dropped = dropped and not line.strip()
        if _wrapped_out_of_quote(lines, index):
            continue
        kept.append(line)
    return kept


def _wrapped_out_of_quote(lines: list[str], index: int) -> bool:
    """A quoted line's tail that a client wrapped without its ">", between two quoted lines.

    A link's tail ("_nonce=3dd5)", "(http://…) >"), or a line going on in lower case
    under a long quoted line cut mid-sentence. Under a finished sentence a lower-case
    line may be a short interleaved answer ("yes, 2.4"), so it stays.
    """
    line = lines[index].strip()
    if not line or index == 0 or index + 1 >= len(lines):
        return False
    above, below = lines[index - 1].rstrip(), lines[index + 1]
    if not (_quoted(above) and _quoted(below)):
        return False
    if line[0] in "_=&?#%" or re.match(r"\(?https?://", line):
        return True
    return line[0].islower() and len(above) >= 60 and above[-1] not in ".?!:;"


def _cut_signature(lines: list[str]) -> list[str]:
    """Drop a signature: "-- " and what follows up to the history, at most 10 lines.

    Only the first "-- " under some text counts (RFC 3676), so a long run of them costs
    one look. A bare "--" counts only among the last five lines.
    """
    first_text = next((i for i, line in enumerate(lines) if line.strip()), len(lines))
    marker = next((i for i in range(first_text + 1, len(lines)) if lines[i] == "-- "), None)
    if marker is not None:
        rest = lines[marker + 1 :]
        found = _history_start(rest)
        end = found[0] if found else len(rest)
        if sum(1 for part in rest[:end] if part.strip()) <= 10:
            return lines[:marker] + rest[end:]
        return lines
    for index in range(max(first_text + 1, len(lines) - 5), len(lines)):
        if lines[index] == "--":
            return lines[:index]
    return lines


def _forward_first(lines: list[str]) -> bool:
    for line in lines:
        if _FORWARD_RE.match(line):
            return True
        if _quoted(line) or _history_start([line]) is not None:
            return False
    return False


def strip_reply(text: str, *, subject: str = "") -> str:
    """The latest reply in ``text``: quoted history and signature removed.

    The whole text is kept when it forwards a mail (its subject says "Fwd:", or a
    forward header comes before any history), and whenever stripping would leave
    nothing.
    """
    text = _normalise(text)
    if not text:
        return ""
    lines = text.split("\n")
    if _FORWARD_SUBJECT_RE.match(subject) or _forward_first(lines):
        return text
    reply = _normalise("\n".join(_drop_quotes(_cut_history(_cut_signature(lines)))))
    return reply or text
