"""The benchmark scenarios and their registry.

A scenario is one function decorated with ``@scenario("name", unit=...)`` in
any module of this package (modules are found automatically). It receives a
:class:`Context` and either returns the measured value in its unit (for
example tickets per second, timing only the part that matters), or returns
None, and the runner reports the seconds the whole call took::

    @scenario("queue_first_page", unit="s")
    def queue_first_page(ctx: Context) -> None:
        list(Ticket.objects.open()[:50])

Each run gets a fresh ``rng`` seeded from the run number, so runs are
repeatable; ``scale`` is the number of tickets the database was seeded with.
"""

from __future__ import annotations

import importlib
import pkgutil
import random
from collections.abc import Callable
from dataclasses import dataclass

TIMED_UNIT = "s"


@dataclass(frozen=True)
class Context:
    """What a scenario may use: the database's size and a seeded random generator."""

    scale: int
    rng: random.Random
    run: int  # 0 for the first of the repeated runs


ScenarioFunction = Callable[[Context], float | None]


@dataclass(frozen=True)
class Scenario:
    name: str
    unit: str
    function: ScenarioFunction
    description: str
    # False for a scenario that measures pure code (no table, no seeded data): a run of
    # only such scenarios needs no PostgreSQL.
    database: bool = True

    @property
    def timed_by_runner(self) -> bool:
        return self.unit == TIMED_UNIT


_registry: dict[str, Scenario] = {}


def scenario(
    name: str, *, unit: str = TIMED_UNIT, database: bool = True
) -> Callable[[ScenarioFunction], ScenarioFunction]:
    """Register a scenario; its docstring's first line describes it in ``--list``."""

    def register(function: ScenarioFunction) -> ScenarioFunction:
        if name in _registry:
            raise ValueError(f"Two benchmark scenarios are called {name!r}.")
        doc = (function.__doc__ or "").strip()
        _registry[name] = Scenario(
            name=name,
            unit=unit,
            function=function,
            description=doc.splitlines()[0] if doc else "",
            database=database,
        )
        return function

    return register


def load_all() -> dict[str, Scenario]:
    """Import every module of this package, so that their decorators register them."""
    for module in pkgutil.iter_modules(__path__):
        importlib.import_module(f"{__name__}.{module.name}")
    return dict(_registry)
