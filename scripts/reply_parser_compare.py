"""Dev-only: run talon (or email-reply-parser) on the reply corpus, for comparison.

Not a dependency and not run in CI. In a throwaway virtualenv::

    python3.11 -m venv /tmp/talon-venv && /tmp/talon-venv/bin/pip install talon
    .venv/bin/python -m bench.mail_replies --dump-inputs /tmp/reply-inputs.json
    /tmp/talon-venv/bin/python scripts/reply_parser_compare.py talon \
        /tmp/reply-inputs.json /tmp/talon-outputs.json
    .venv/bin/python -m bench.mail_replies --outputs /tmp/talon-outputs.json --label talon

It reads ``{case: text}`` and writes ``{case: reply}``; it imports nothing of ours.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable


def _talon() -> Callable[[str], str]:
    import talon
    from talon import quotations

    talon.init()
    return quotations.extract_from_plain


def _email_reply_parser() -> Callable[[str], str]:
    from email_reply_parser import EmailReplyParser

    return EmailReplyParser.parse_reply


PARSERS = {"talon": _talon, "email-reply-parser": _email_reply_parser}


def main(argv: list[str]) -> int:
    if len(argv) != 3 or argv[0] not in PARSERS:
        print(__doc__, file=sys.stderr)
        return 2
    name, inputs_path, outputs_path = argv
    extract = PARSERS[name]()
    with open(inputs_path, encoding="utf-8") as handle:
        inputs = json.load(handle)
    outputs = {case: extract(text) for case, text in inputs.items()}
    with open(outputs_path, "w", encoding="utf-8") as handle:
        json.dump(outputs, handle, ensure_ascii=False)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
