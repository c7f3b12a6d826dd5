"""The translation checks: catalogue entries left untranslated, strings a fresh extraction
finds that the catalogues lack, and words a template shows without marking them.

Used by tests/test_lang_catalogues.py; the catalogues are compiled for the test run
by :func:`compile_catalogues` (tests/conftest.py), as `make install` does.
"""

from __future__ import annotations

import ast
import re
import shlex
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

from django.template.base import Lexer, TokenType

ROOT = Path(__file__).resolve().parent.parent
LOCALE = ROOT / "locale"
CATALOGUE_LANGUAGES = ("fr", "es", "pt_BR")

# --- Catalogues ---------------------------------------------------------------


@dataclass
class Entry:
    """One message of a .po file: its id (with the plural id) and translations."""

    msgid: str = ""
    msgid_plural: str = ""
    msgctxt: str | None = None
    msgstr: list[str] = field(default_factory=list)
    fuzzy: bool = False
    obsolete: bool = False

    @property
    def key(self) -> tuple[str | None, str]:
        return (self.msgctxt, self.msgid)


def _quoted(text: str) -> str:
    return str(ast.literal_eval(text.strip()))


def read_po(path: Path) -> list[Entry]:
    """The entries of a .po file, header included (msgid "")."""
    entries: list[Entry] = []
    entry = Entry()
    target: tuple[str, int] | None = None
    for raw in [*path.read_text(encoding="utf-8").splitlines(), ""]:
        line = raw.strip()
        if not line:
            if target is not None:
                entries.append(entry)
            entry, target = Entry(), None
            continue
        if line.startswith("#~"):
            entry.obsolete = True
            continue
        if line.startswith("#,") and "fuzzy" in [flag.strip() for flag in line[2:].split(",")]:
            entry.fuzzy = True
            continue
        if line.startswith("#"):
            continue
        keyword, _, rest = line.partition(" ")
        if line.startswith('"'):
            _append(entry, target, _quoted(line))
            continue
        match = re.fullmatch(r"msgstr\[(\d+)\]", keyword)
        target = ("msgstr", int(match.group(1))) if match else (keyword, 0)
        _append(entry, target, _quoted(rest))
    return entries


def _append(entry: Entry, target: tuple[str, int] | None, text: str) -> None:
    if target is None:
        return
    name, index = target
    if name == "msgstr":
        while len(entry.msgstr) <= index:
            entry.msgstr.append("")
        entry.msgstr[index] += text
    elif name == "msgctxt":
        entry.msgctxt = (entry.msgctxt or "") + text
    elif name in ("msgid", "msgid_plural"):
        setattr(entry, name, getattr(entry, name) + text)


def untranslated(path: Path) -> list[str]:
    """Each message of the catalogue with an empty translation or marked fuzzy."""
    problems = []
    for entry in read_po(path):
        if not entry.msgid or entry.obsolete:
            continue  # the header; messages no longer in the source
        if entry.fuzzy:
            problems.append(f"fuzzy: {entry.msgid!r}")
        elif not entry.msgstr or any(not text for text in entry.msgstr):
            problems.append(f"empty: {entry.msgid!r}")
    return problems


def compile_catalogues() -> None:
    """Compile the catalogues as `make install` does, when one is missing or older than
    its source, so that `pytest` alone serves the pages in every language."""
    stale = [
        po
        for po in LOCALE.glob("*/LC_MESSAGES/django.po")
        if not po.with_suffix(".mo").exists()
        or po.with_suffix(".mo").stat().st_mtime < po.stat().st_mtime
    ]
    if not stale:
        return
    if shutil.which("msgfmt") is None:
        raise RuntimeError("msgfmt is missing: install GNU gettext (apt-get install gettext)")
    from django.core.management import call_command

    call_command("compilemessages", verbosity=0, ignore_patterns=[".venv", "node_modules"])


def catalogue(language: str) -> Path:
    return LOCALE / language / "LC_MESSAGES" / "django.po"


def messages_scope() -> list[str]:
    """The arguments of `make messages` (the Makefile's MESSAGES_SCOPE), one source of truth."""
    for line in (ROOT / "Makefile").read_text().splitlines():
        if line.startswith("MESSAGES_SCOPE :="):
            return shlex.split(line.partition(":=")[2])
    raise AssertionError("the Makefile has no MESSAGES_SCOPE")


# What a fresh extraction needs from the checkout: the code and templates, not tools.
NOT_COPIED = (".git", ".venv", "node_modules", "var", "static", "tests", "bench", "locale")


def fresh_extraction(into: Path) -> dict[str, list[Entry]]:
    """Run `make messages` on a copy of the checkout; its catalogues, by language."""
    copy = into / "checkout"
    shutil.copytree(ROOT, copy, ignore=shutil.ignore_patterns(*NOT_COPIED, "__pycache__"))
    (copy / "locale").mkdir()
    subprocess.run(  # noqa: S603 - our own manage.py, with the Makefile's arguments
        [sys.executable, "manage.py", "makemessages", *messages_scope()],
        cwd=copy,
        env={"PATH": "/usr/bin:/bin", "DEBUG": "true", "HELPDESK_VAR_DIR": str(into / "var")},
        check=True,
        capture_output=True,
        timeout=120,
    )
    return {
        language: read_po(copy / "locale" / language / "LC_MESSAGES" / "django.po")
        for language in CATALOGUE_LANGUAGES
    }


def missing_messages(fresh: list[Entry], kept: list[Entry]) -> list[str]:
    """The messages the source has that the catalogue lacks."""
    known = {entry.key for entry in kept if not entry.obsolete}
    return [repr(e.msgid) for e in fresh if e.msgid and e.key not in known]


# --- Templates ----------------------------------------------------------------

# The templates a requester reads: the site layout, the portal, the knowledge base,
# the mail to them and the error pages.
REQUESTER_TEMPLATES = ("base.html", "_language_switcher.html", "[45]0*.html")
REQUESTER_FOLDERS = ("portal", "kb", "emails")
# Attributes whose values people see or hear.
SHOWN_ATTRIBUTES = frozenset({"title", "placeholder", "aria-label", "alt"})
# Words that stay as they are in every language. "Re:" starts a reply's subject: mail
# clients thread on it, and a translated one ("AW:", "Rép :") splits threads.
NOT_TRANSLATED = frozenset({"Re"})
# Stands for a template tag or variable in the text left to check.
TAG = "\ue000"
WORD = re.compile(r"[^\W\d_]+")


def requester_templates(root: Path = ROOT / "templates") -> list[Path]:
    found = {path for pattern in REQUESTER_TEMPLATES for path in root.glob(pattern)}
    for folder in REQUESTER_FOLDERS:
        found.update(path for path in (root / folder).rglob("*") if path.is_file())
    return sorted(found)


class _ShownText(HTMLParser):
    """The text a reader sees: the data between tags and the shown attributes' values."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.shown: list[str] = []
        self._hidden_depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self._hidden_depth += 1
        self.shown.extend(value for name, value in attrs if name in SHOWN_ATTRIBUTES and value)

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self._hidden_depth = max(0, self._hidden_depth - 1)

    def handle_data(self, data: str) -> None:
        if not self._hidden_depth:
            self.shown.append(data)


def _text_outside_tags(source: str) -> str:
    """The template's text with every tag and variable, and all text inside blocktranslate
    and comment blocks, replaced by a marker."""
    parts: list[str] = []
    skipping: str | None = None
    for token in Lexer(source).tokenize():
        if token.token_type == TokenType.BLOCK:
            name = token.contents.split()[0] if token.contents.split() else ""
            if skipping is None and name in ("blocktranslate", "blocktrans", "comment"):
                skipping = "end" + name
            elif name == skipping:
                skipping = None
        if token.token_type == TokenType.TEXT and skipping is None:
            parts.append(token.contents)
        else:
            parts.append(TAG)
    return "".join(parts)


def unmarked_words(source: str) -> list[str]:
    """Each piece of shown text of a template with a word no translation tag covers."""
    parser = _ShownText()
    parser.feed(_text_outside_tags(source))
    parser.close()
    found = []
    for text in parser.shown:
        words = [w for w in WORD.findall(text.replace(TAG, " ")) if w not in NOT_TRANSLATED]
        if words:
            found.append(" ".join(text.replace(TAG, "…").split()))
    return found
