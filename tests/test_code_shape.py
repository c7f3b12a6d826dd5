"""The code stays readable: no module over ~400 lines, no function over ~60.

Migrations are generated, and the demo's prose is text rather than logic; both are
left out. A function's size is its body, without the signature and docstring.
"""

import ast
from pathlib import Path

import pytest

# Any database: the source files, read as files. CI runs it once, on PostgreSQL
# (.ci/run).
pytestmark = pytest.mark.database_agnostic

ROOT = Path(__file__).resolve().parent.parent
SKIPPED_PARTS = {".venv", "var", "node_modules", "migrations", ".git"}
PROSE = ("demo/writing",)
MAX_MODULE_LINES = 400
MAX_FUNCTION_LINES = 60


def python_files() -> list[Path]:
    files = []
    for path in sorted(ROOT.rglob("*.py")):
        relative = path.relative_to(ROOT)
        if SKIPPED_PARTS.intersection(relative.parts):
            continue
        if relative.as_posix().startswith(PROSE):
            continue
        files.append(path)
    return files


def body_lines(node: ast.FunctionDef | ast.AsyncFunctionDef) -> int:
    body = node.body
    if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
        body = body[1:] or body
    return (node.end_lineno or body[-1].end_lineno or 0) - body[0].lineno + 1


def long_functions(source: str, name: str) -> list[str]:
    tree = ast.parse(source, filename=name)
    return [
        f"{name}:{node.lineno} {node.name} ({body_lines(node)} lines)"
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        and body_lines(node) > MAX_FUNCTION_LINES
    ]


def test_the_project_has_python_files_to_check():
    assert len(python_files()) > 100


@pytest.mark.parametrize("path", python_files(), ids=lambda p: str(p.relative_to(ROOT)))
def test_module_is_at_most_400_lines(path):
    lines = len(path.read_text().splitlines())
    assert lines <= MAX_MODULE_LINES, f"{path.relative_to(ROOT)} has {lines} lines"


def test_no_function_is_longer_than_60_lines():
    offenders = [
        line
        for path in python_files()
        for line in long_functions(path.read_text(), str(path.relative_to(ROOT)))
    ]
    assert offenders == []


def test_the_size_check_notices_a_long_function_but_not_its_docstring():
    docstring = '    """' + "Words.\n" * 20 + '    """\n'
    body = "    x = 1\n" * MAX_FUNCTION_LINES
    assert long_functions("def fits():\n" + docstring + body, "probe.py") == []
    too_long = "def too_long():\n" + body + "    return x\n"
    assert long_functions(too_long, "probe.py") == ["probe.py:1 too_long (61 lines)"]
