"""Personal data and secrets kept out of text published on GitHub (Akvo's repositories are public).

:func:`find` lists what must not be published in a text: email addresses,
phone numbers (Google's libphonenumber, international and the hub's local
formats), the names of the requester and their organisation's contacts (first
and last names separately, any case, with or without accents), IMEI and other
device identifiers, private ticket links and tokens, and things that look like
secrets (passwords, API keys, high-entropy tokens). :func:`redact` replaces each
with a placeholder such as ``[phone]``; :func:`highlighted` marks either for
the desk's preview. Everything the desk sends to GitHub goes through here: the
issue's title and body (:mod:`tickets.escalation.issue_text`) and, checked again
when the agent edits them, :func:`tickets.services.ticket_escalate`.

Pure functions over a :class:`Context`; :func:`ticket_context` builds one from a ticket.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

import phonenumbers
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

EMAIL, PHONE, NAME, DEVICE, LINK, SECRET = (
    "email",
    "phone",
    "name",
    "device id",
    "private link",
    "secret",
)
PLACEHOLDER_RE = re.compile(r"\[(?:email|phone|name|device id|private link|secret)\]")

# Particles of names that are ordinary words on their own.
_PARTICLES = {"de", "da", "do", "dos", "das", "del", "la", "le", "van", "von", "der", "den"}
_PARTICLES |= {"bin", "binti", "al", "el", "di", "du", "ten", "ter", "y", "e", "mc", "st"}

_EMAIL_RE = re.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)*\.[^\W\d_]{2,}", re.UNICODE)
_URL_RE = re.compile(r"https?://[^\s<>\"'`)\]]+", re.IGNORECASE)
_TOKEN_PATH_RE = re.compile(r"/t/[A-Za-z0-9_-]{16,}(?:/[^\s<>\"'`)\]]*)?")
_CREDENTIAL_URL_RE = re.compile(r"(?<=://)[^\s/:@]+:[^\s/@]+(?=@)")

_CREDENTIAL_LABELS = (
    r"passwords?|passwd|pwd|pass(?:code|phrase)?|mot\s+de\s+passe|contrase[ñn]a|senha|"
    r"wachtwoord|kata\s+sandi|sandi|nenosiri|neno\s+la\s+siri|clave|kennwort|passwort|"
    r"secret|client[_ -]?secret|api[_ -]?key|apikey|access[_ -]?key|secret[_ -]?key|"
    r"private[_ -]?key|auth[_ -]?token|access[_ -]?token|token|bearer"
)
_LABELLED_SECRET_RE = re.compile(
    rf"(?:\b(?:{_CREDENTIAL_LABELS})\b\s*(?:[:=]|\s(?:is|est|es|é|ni|adalah|is\s+nu)\b\s*[:=]?)"
    r"|\bbearer\s)\s*[\"']?(?P<value>(?!\[)[^\s\"',;]{3,})",
    re.IGNORECASE,
)
_KNOWN_SECRET_RE = re.compile(
    r"\b(?:gh[pousr]_[A-Za-z0-9]{30,}|github_pat_[A-Za-z0-9_]{40,}|xox[abposr]-[A-Za-z0-9-]{10,}"
    r"|AKIA[0-9A-Z]{16}|AIza[0-9A-Za-z_-]{35}|(?:sk|pk|rk)_(?:live|test)_[A-Za-z0-9]{16,}"
    r"|glpat-[A-Za-z0-9_-]{20,}|eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,})"
    r"|-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?-----END [A-Z ]*PRIVATE KEY-----"
)
_CANDIDATE_TOKEN_RE = re.compile(r"(?<![\w/.-])[A-Za-z0-9+/_=-]{24,}(?![\w/.-])")

_DEVICE_WORDS = (
    r"IMEI\s*\d?|MEID|IMSI|ICCID|device\s*id|android\s*id|serial(?:\s*(?:number|no\.?))?|"
    r"S/N|SN|num[ée]ro\s+de\s+s[ée]rie|n[úu]mero\s+de\s+s[ée]rie|serienummer|nomor\s+seri|"
    r"identifiant\s+(?:de\s+l'appareil|d'appareil)|id\s+del\s+dispositivo|id\s+do\s+dispositivo"
)
_LABELLED_DEVICE_RE = re.compile(
    rf"\b(?:{_DEVICE_WORDS})\s*(?:[:=#]|n[º°o]\.?)?\s*(?P<value>(?=[A-Za-z0-9-]*\d)[A-Za-z0-9][A-Za-z0-9-]{{5,}})",
    re.IGNORECASE,
)
# A number after a word for phone is one, whatever the country (a hub without one set).
_LABELLED_PHONE_RE = re.compile(
    r"\b(?:tel|t[ée]l[ée]phone|phone|mobile|cell(?:ular)?|celular|m[óo]vil|telefone?|telefoon|"
    r"gsm|simu|nambari|hp|whats\s*app|portable|contact)\b\.?\s*(?:no\.?|number|n[º°o])?"
    r"\s*[:=]?\s*(?P<value>\+?\(?\d[\d ().-]{5,}\d)",
    re.IGNORECASE,
)
_IMEI_RE = re.compile(r"(?<![\w-])\d{2}[ -]?\d{6}[ -]?\d{6}[ -]?\d(?![\w-])")
_MAC_RE = re.compile(r"(?<![\w:-])(?:[0-9A-Fa-f]{2}[:-]){5}[0-9A-Fa-f]{2}(?![\w:-])")


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    kind: str


@dataclass(frozen=True)
class Context:
    """Who and what is private for one ticket."""

    names: tuple[str, ...] = ()  # full names; each part is matched on its own
    emails: tuple[str, ...] = ()
    tokens: tuple[str, ...] = ()  # private ticket tokens
    site_url: str = ""
    public_paths: tuple[str, ...] = ("/desk/",)  # links on SITE_URL that are not private
    regions: tuple[str, ...] = ()  # ISO countries whose local phone formats are read
    allowed: frozenset[str] = field(default_factory=frozenset)  # exact strings kept (folded)


def fold(text: str) -> str:
    """Lower case without accents, one character for one: positions stay those of ``text``."""
    return "".join(
        (unicodedata.normalize("NFD", ch)[:1] or ch).lower() if len(ch.lower()) == 1 else ch
        for ch in text
    )


def name_parts(names: Iterable[str]) -> list[str]:
    """Each name's parts worth hiding alone: not particles, not initials."""
    parts = set()
    for name in names:
        words = re.split(r"[\s,]+", name or "")
        for part in words + [piece for word in words if "-" in word for piece in word.split("-")]:
            part = part.strip(".'\u2019()\"")
            if len(part) >= 2 and fold(part) not in _PARTICLES and not part.isdigit():
                parts.add(fold(part))
    return sorted(parts, key=len, reverse=True)


def _names(text: str, context: Context) -> list[Span]:
    parts = [p for p in name_parts(context.names) if p not in context.allowed]
    if not parts:
        return []
    pattern = re.compile(
        r"(?<!\w)(?:" + "|".join(re.escape(p) for p in parts) + r")(?!\w)", re.UNICODE
    )
    return [Span(m.start(), m.end(), NAME) for m in pattern.finditer(fold(text))]


def _emails(text: str, context: Context) -> list[Span]:
    spans = [Span(m.start(), m.end(), EMAIL) for m in _EMAIL_RE.finditer(text)]
    return [s for s in spans if fold(text[s.start : s.end]) not in context.allowed]


def _phones(text: str, context: Context) -> list[Span]:
    spans = []
    for region in (*context.regions, "ZZ"):  # ZZ: international numbers only
        for match in phonenumbers.PhoneNumberMatcher(text, region or "ZZ"):
            spans.append(Span(match.start, match.end, PHONE))
    for labelled in _LABELLED_PHONE_RE.finditer(text):
        if len(re.sub(r"\D", "", labelled.group("value"))) >= 7:
            spans.append(Span(*labelled.span("value"), PHONE))
    return spans


def _links(text: str, context: Context) -> list[Span]:
    spans = [Span(m.start(), m.end(), LINK) for m in _TOKEN_PATH_RE.finditer(text)]
    site = context.site_url.rstrip("/").lower()
    for match in _URL_RE.finditer(text):
        url = match.group().rstrip(".,;:!?")
        if site and url.lower().startswith(site):
            path = url[len(site) :] or "/"
            if not any(path.startswith(p) for p in context.public_paths):
                spans.append(Span(match.start(), match.start() + len(url), LINK))
    for token in context.tokens:
        if token:
            spans += [Span(m.start(), m.end(), LINK) for m in re.finditer(re.escape(token), text)]
    return spans


def _entropy(value: str) -> float:
    counts = Counter(value)
    return -sum(n / len(value) * math.log2(n / len(value)) for n in counts.values())


def looks_random(value: str) -> bool:
    """A long token mixing letters and digits, too random for a word, hash or identifier."""
    if re.fullmatch(r"[0-9a-fA-F-]+", value):  # commit hashes, checksums, UUIDs: useful to L2
        return False
    classes = sum(bool(re.search(p, value)) for p in (r"[a-z]", r"[A-Z]", r"[0-9]", r"[+/_=-]"))
    return classes >= 3 and _entropy(value) >= 4.0


def _secrets(text: str) -> list[Span]:
    spans = [Span(m.start(), m.end(), SECRET) for m in _KNOWN_SECRET_RE.finditer(text)]
    spans += [Span(*m.span("value"), SECRET) for m in _LABELLED_SECRET_RE.finditer(text)]
    spans += [Span(m.start(), m.end(), SECRET) for m in _CREDENTIAL_URL_RE.finditer(text)]
    spans += [
        Span(m.start(), m.end(), SECRET)
        for m in _CANDIDATE_TOKEN_RE.finditer(text)
        if looks_random(m.group())
    ]
    return spans


def _luhn(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        n = int(ch) * (2 if i % 2 else 1)
        total += n - 9 if n > 9 else n
    return total % 10 == 0


def _devices(text: str) -> list[Span]:
    spans = [Span(*m.span("value"), DEVICE) for m in _LABELLED_DEVICE_RE.finditer(text)]
    spans += [Span(m.start(), m.end(), DEVICE) for m in _MAC_RE.finditer(text)]
    for match in _IMEI_RE.finditer(text):
        if _luhn(re.sub(r"\D", "", match.group())):
            spans.append(Span(match.start(), match.end(), DEVICE))
    return spans


_PRIORITY = {LINK: 0, SECRET: 1, EMAIL: 2, DEVICE: 3, PHONE: 4, NAME: 5}


def _merged(spans: list[Span], text: str) -> list[Span]:
    """Non-overlapping spans in order; a name next to a name (first and last) is one."""
    result: list[Span] = []
    for span in sorted(spans, key=lambda s: (s.start, -(s.end - s.start), _PRIORITY[s.kind])):
        if result and span.start < result[-1].end:
            last = result[-1]
            kind = min((last.kind, span.kind), key=_PRIORITY.__getitem__)
            result[-1] = Span(last.start, max(last.end, span.end), kind)
        elif (
            result
            and span.kind == NAME == result[-1].kind
            and not text[result[-1].end : span.start].strip()
        ):
            result[-1] = Span(result[-1].start, span.end, NAME)
        else:
            result.append(span)
    return result


def find(text: str, context: Context) -> list[Span]:
    """What must not be published in ``text``, in order, never overlapping."""
    if not text:
        return []
    spans = _secrets(text) + _links(text, context) + _emails(text, context) + _devices(text)
    spans += _phones(text, context) + _names(text, context)
    # Placeholders already there are the redaction's own words.
    kept = [m.span() for m in PLACEHOLDER_RE.finditer(text)]
    spans = [s for s in spans if not any(a <= s.start and s.end <= b for a, b in kept)]
    return _merged(spans, text)


def redact(text: str, context: Context) -> str:
    """``text`` with each finding replaced by its placeholder, e.g. ``[phone]``."""
    out, position = [], 0
    for span in find(text, context):
        out += [text[position : span.start], f"[{span.kind}]"]
        position = span.end
    return "".join(out) + text[position:]


def highlighted(text: str, spans: Iterable[Span] | None = None) -> SafeString:
    """``text`` as HTML: the given findings (default: the placeholders) in ``<mark>``."""
    if spans is None:
        spans = [Span(m.start(), m.end(), "") for m in PLACEHOLDER_RE.finditer(text)]
    out, position = [], 0
    for span in spans:
        title = f' title="{escape(span.kind)}"' if span.kind else ""
        out += [
            escape(text[position : span.start]),
            f"<mark{title}>{escape(text[span.start : span.end])}</mark>",
        ]
        position = span.end
    out.append(escape(text[position:]))
    return mark_safe("".join(out))  # noqa: S308 -- every piece of text is escaped above
