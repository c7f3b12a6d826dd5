"""Imports point one way, down: the app layers drawn in DESIGN ("Apps and their rooms").

    demo                                    above everything; nothing imports it
    portal, desk, reports, integrations     the doors; none imports another
    tickets                                 never imports integrations (it registers
                                            outbox handlers at ready instead)
    kb
    catalog
    helpdesk                                db helpers, client_ip, healthz

The project wiring (helpdesk's settings, urls, celery app, wsgi/asgi) names every
app, so it may import anything. Every import in a module counts, also those made
inside a function or under ``TYPE_CHECKING``: a lazy import is still a dependency.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

# Any database: the imports, read from the source. CI runs it once, on PostgreSQL
# (.ci/run).
pytestmark = pytest.mark.database_agnostic

ROOT = Path(__file__).resolve().parent.parent

# Lower number, lower layer: a module may import its own app and the layers below.
LAYERS = {
    "helpdesk": 0,
    "catalog": 1,
    "kb": 2,
    "tickets": 3,
    "portal": 4,
    "desk": 4,
    "reports": 4,
    "integrations": 4,
    "api": 4,
    "demo": 5,
}
TOP = max(LAYERS.values()) + 1
PROJECT_WIRING = {
    "helpdesk.settings",
    "helpdesk.settings_test",
    "helpdesk.urls",
    "helpdesk.celery",
    "helpdesk.wsgi",
    "helpdesk.asgi",
}
# Deliberate exceptions, each with its reason: (importing module, imported app).
ALLOWED = {
    # The reports are the desk's pages for managers: they go through the desk's own
    # door (desk_view: login, 404 for requesters, the desk's 403 page), so a refusal
    # looks and works the same on every staff page.
    ("reports.views", "desk"),
    # The API files tickets with the Contact Us form and submit service themselves and
    # replies with the ticket page's form, so its rules are the portal's, not a copy
    # (issue 20). Only this module; the rest of api stays beside portal.
    ("api.routes_requests", "portal"),
}


def module_name(path: Path, root: Path = ROOT) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imported_modules(module: str, source: str, *, is_package: bool = False) -> list[str]:
    """Every module ``source`` imports, relative imports resolved against ``module``."""
    package = module.split(".") if is_package else module.split(".")[:-1]
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - (node.level - 1)]
                target = ".".join([*base, node.module] if node.module else base)
            else:
                target = node.module or ""
            found.append(target)
    return found


def layer_of(module: str) -> int | None:
    if module in PROJECT_WIRING:
        return TOP
    return LAYERS.get(module.split(".")[0])


def wrong_imports(module: str, source: str, *, is_package: bool = False) -> list[str]:
    """The imports of ``module`` that point up a layer, or sideways to another app."""
    own_app = module.split(".")[0]
    own_layer = layer_of(module)
    if own_layer is None:
        return []
    wrong = []
    for target in imported_modules(module, source, is_package=is_package):
        app = target.split(".")[0]
        layer = LAYERS.get(app)
        if layer is None or app == own_app or (module, app) in ALLOWED:
            continue
        if app == "demo" or layer >= own_layer:
            wrong.append(f"{module} imports {target}")
    return wrong


def wrong_imports_under(root: Path) -> list[str]:
    """The wrong imports of every module of the project's apps under ``root``."""
    wrong = []
    for app in LAYERS:
        for path in sorted((root / app).rglob("*.py")):
            source = path.read_text(encoding="utf-8")
            module = module_name(path, root)
            wrong += wrong_imports(module, source, is_package=path.name == "__init__.py")
    return wrong


def test_every_app_imports_only_the_layers_below_it():
    assert wrong_imports_under(ROOT) == []


def test_the_check_finds_a_wrong_import_in_a_file_of_the_tree(tmp_path):
    (tmp_path / "catalog").mkdir()
    (tmp_path / "catalog" / "__init__.py").write_text("")
    (tmp_path / "catalog" / "models.py").write_text("from helpdesk.db import x\n")
    (tmp_path / "catalog" / "rules.py").write_text(
        "from .models import y\nfrom desk.views import x\n"
    )
    (tmp_path / "desk").mkdir()
    (tmp_path / "desk" / "views.py").write_text("from catalog.models import Hub\n")

    assert wrong_imports_under(tmp_path) == ["catalog.rules imports desk.views"]


def test_every_app_of_the_project_has_a_layer():
    apps = {
        path.parent.name
        for path in ROOT.glob("*/apps.py")
        if path.parent.name not in {"tests", "bench", "scripts"}
    }
    assert apps <= set(LAYERS)


@pytest.mark.parametrize(
    ("module", "source"),
    [
        ("catalog.models", "from desk.views import x"),
        ("catalog.models", "import tickets.models"),
        ("kb.services", "def later():\n    from tickets.models import Ticket\n"),
        ("tickets.outbox", "from integrations.slack import handlers"),
        ("desk.views.queue", "from portal.forms import ContactForm"),
        ("reports.views", "from demo.seeding import seed_demo"),
        ("helpdesk.db", "from catalog.models import Hub"),
        ("kb.views", "from ..tickets import models"),
        ("helpdesk.urls", "from demo import seeding"),
    ],
)
def test_an_upward_or_sideways_import_is_reported(module, source):
    assert wrong_imports(module, source) != []


@pytest.mark.parametrize(
    ("module", "source"),
    [
        ("kb.models", "from catalog.models import Product"),
        ("tickets.services", "from kb.models import Article\nfrom helpdesk.db import x"),
        ("desk.views.queue", "from tickets.queues import lists\nfrom .forms import QueueForm"),
        ("integrations.slack.handlers", "from tickets import outbox"),
        ("demo.seeding", "from desk.views import x\nfrom integrations import health"),
        ("helpdesk.urls", "from desk import urls\nfrom integrations.github import webhooks"),
        ("portal.views", "import django.db\nfrom helpdesk.client_ip import client_ip"),
    ],
)
def test_a_downward_import_passes(module, source):
    assert wrong_imports(module, source) == []
