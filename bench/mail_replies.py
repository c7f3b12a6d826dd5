"""How well the reply-text extraction does on published reply-parser test corpora.

``python -m bench.mail_replies`` prints our score; no database is needed. The
corpus and its expected texts are in ``tests/fixtures/email/replies/`` (see its
README): each case has either an exact expected text, or lines that must be kept
(the customer's) and lines that must be gone (the quote). Three rates:

* **exact**: the extraction equals the expected text (whitespace runs collapsed);
* **kept**: every expected line / line to keep is in the extraction: no customer
  text lost, the one that matters most;
* **removed**: nothing that is not the customer's is left (for exact cases, no
  line beyond the expected ones; otherwise none of the lines to drop).

Another parser is scored on the same inputs with ``--dump-inputs`` (the texts,
after our MIME parsing of the ``.eml`` cases) and ``--outputs`` (its answers); see
``scripts/reply_parser_compare.py``, which runs talon in a throwaway virtualenv.
"""

from __future__ import annotations

import argparse
import ast
import json
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

CORPUS = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "email" / "replies"


@dataclass(frozen=True)
class Case:
    name: str
    source: str
    text: str  # the mail's text, as our parser reads it
    expected: str | None  # the exact reply, when the corpus publishes one
    keep: tuple[str, ...]  # what the customer wrote: must all be kept
    drop: tuple[str, ...] = ()  # quoted history: must all be gone


@dataclass
class Score:
    cases: int = 0
    exact_cases: int = 0
    exact: int = 0
    kept: int = 0
    removed_cases: int = 0
    removed: int = 0
    misses: list[str] = field(default_factory=list)

    def rate(self, hits: int, total: int) -> str:
        return f"{hits}/{total} ({100 * hits / total:.1f} %)" if total else "n/a"

    def lines(self, label: str) -> list[str]:
        return [
            f"{label}: {self.cases} cases",
            f"  exact match     {self.rate(self.exact, self.exact_cases)}",
            f"  customer kept   {self.rate(self.kept, self.cases)}",
            f"  quote removed   {self.rate(self.removed, self.removed_cases)}",
        ]


def squash(text: str) -> str:
    return " ".join(text.replace("\xa0", " ").split())


def _text_of(path: Path) -> str:
    raw = path.read_bytes()
    if path.suffix == ".eml":
        from integrations.email.parsing import parse_mail

        return parse_mail(raw).text
    return raw.decode("utf-8").replace("\r\n", "\n")


def _literal(node: ast.expr, names: dict[str, object]) -> object:
    if isinstance(node, ast.Name):
        return names.get(node.id)
    try:
        return ast.literal_eval(node)
    except ValueError:
        return None


def _checks(function: ast.FunctionDef) -> list[tuple[str, str]]:
    """(mail, expected) of each ``eq_(expected, quotations.extract_from_plain(mail))``."""
    names: dict[str, object] = {}
    found = []
    for statement in function.body:
        if isinstance(statement, ast.Assign) and isinstance(statement.targets[0], ast.Name):
            names[statement.targets[0].id] = _literal(statement.value, names)
        call = statement.value if isinstance(statement, ast.Expr) else None
        if not isinstance(call, ast.Call) or ast.unparse(call.func) != "eq_":
            continue
        expected, actual = (call.args + [ast.Constant(None)] * 2)[:2]
        if not isinstance(actual, ast.Call) or len(actual.args) != 1:
            continue
        if ast.unparse(actual.func) != "quotations.extract_from_plain":
            continue
        mail, want = _literal(actual.args[0], names), _literal(expected, names)
        if isinstance(mail, str) and isinstance(want, str):
            found.append((mail, want))
    return found


def talon_test_cases(path: Path) -> list[Case]:
    """The plain-text cases of talon's own tests: each literal mail and the reply it asserts.

    Read from the copied test module's syntax tree (nothing of it is run); tests that
    build their mail in code or check something else are left out.
    """
    tree = ast.parse(path.read_text(encoding="utf-8"))
    cases = []
    for function in tree.body:
        if not isinstance(function, ast.FunctionDef) or not function.name.startswith("test_"):
            continue
        for index, (mail, want) in enumerate(_checks(function)):
            name = f"talon/{path.name.removesuffix('.txt')}::{function.name}[{index}]"
            lines = tuple(line for line in want.split("\n") if line.strip())
            cases.append(Case(name, "talon", mail, want, lines))
    return cases


def load_cases() -> list[Case]:
    spec = json.loads((CORPUS / "expected.json").read_text(encoding="utf-8"))
    cases = []
    for item in spec["cases"]:
        if item.get("expected") == "@talon-tests":
            cases.extend(talon_test_cases(CORPUS / item["file"]))
            continue
        text = _text_of(CORPUS / item["file"])
        expected = item.get("expected")
        if expected == "@whole":
            expected = text
        elif expected and expected.startswith("@"):
            expected = (CORPUS / expected[1:]).read_text(encoding="utf-8")
        keep = tuple(item.get("keep", ()))
        if expected is not None and not keep:
            keep = tuple(line for line in expected.split("\n") if line.strip())
        cases.append(
            Case(item["file"], item["source"], text, expected, keep, tuple(item.get("drop", ())))
        )
    return cases


def customer_text_kept(case: Case, output: str) -> bool:
    got = squash(output)
    return all(squash(line) in got for line in case.keep)


def quote_removed(case: Case, output: str) -> bool | None:
    """None when the case says nothing about what must go."""
    if case.expected is not None:
        allowed = {squash(line) for line in case.expected.split("\n")}
        return all(squash(line) in allowed for line in output.split("\n") if line.strip())
    if not case.drop:
        return None
    got = squash(output)
    return not any(squash(line) in got for line in case.drop)


def score(cases: Sequence[Case], outputs: dict[str, str]) -> Score:
    result = Score(cases=len(cases))
    for case in cases:
        output = outputs[case.name]
        ok = True
        if case.expected is not None:
            result.exact_cases += 1
            exact = squash(output) == squash(case.expected)
            result.exact += exact
            ok = ok and exact
        kept = customer_text_kept(case, output)
        result.kept += kept
        removed = quote_removed(case, output)
        if removed is not None:
            result.removed_cases += 1
            result.removed += removed
        if not (ok and kept and removed is not False):
            lost = "" if kept else " LOST CUSTOMER TEXT"
            result.misses.append(f"{case.name}{lost}")
    return result


def run(extract: Callable[[str], str], cases: Sequence[Case]) -> dict[str, str]:
    return {case.name: extract(case.text) for case in cases}


def ours() -> Score:
    from integrations.email.replies import strip_reply

    cases = load_cases()
    return score(cases, run(strip_reply, cases))


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.mail_replies", description=__doc__)
    parser.add_argument("--dump-inputs", metavar="PATH", help="write {case: text} as JSON")
    parser.add_argument("--outputs", metavar="PATH", help="score another parser's answers")
    parser.add_argument("--label", default="other parser", help="name for --outputs")
    parser.add_argument("--misses", action="store_true", help="list the cases missed")
    args = parser.parse_args(argv)
    cases = load_cases()
    if args.dump_inputs:
        inputs = {case.name: case.text for case in cases}
        Path(args.dump_inputs).write_text(json.dumps(inputs, ensure_ascii=False), "utf-8")
    sources = sorted({case.source for case in cases})
    print(f"Corpus: {len(cases)} cases from {', '.join(sources)} ({CORPUS.name}/README.md)")
    results = [("ours (integrations.email.replies)", ours())]
    if args.outputs:
        answers = json.loads(Path(args.outputs).read_text("utf-8"))
        results.append((args.label, score(cases, answers)))
    for label, result in results:
        print("\n".join(result.lines(label)))
        if args.misses:
            print("\n".join(f"    miss: {name}" for name in result.misses))
    return 0


if __name__ == "__main__":
    sys.exit(main())
