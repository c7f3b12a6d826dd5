"""A bounded load generator: N threads, each with its own connection, for a fixed time.

Threads and ``http.client`` from the standard library: a scenario is a Python function
that can follow a whole visit (log in once, read a CSRF token, post a form), and nothing
needs installing. Each request is timed from sending to the last byte read. A thread
stops starting requests at the deadline (a request under way finishes), so a run
lasts its duration plus at most one request; an error is counted, never retried.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

from bench.loadtest.stats import RunResult

Clock = Callable[[], float]


class Worker(Protocol):
    """One connection's visitor: ``step`` makes one measured request (or a whole
    flow counted as one), raising on a wrong answer."""

    def step(self) -> None: ...


@dataclass
class _Tally:
    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    first_error: str = ""


def run_bounded(
    scenario: str,
    make_worker: Callable[[int], Worker],
    *,
    connections: int,
    duration: float,
    clock: Clock = time.perf_counter,
    stop: threading.Event | None = None,
) -> tuple[RunResult, str]:
    """Run ``connections`` workers for ``duration`` seconds; the result and the first error.

    Workers are made (logins included) before the clock starts. ``stop`` ends the run
    early (Ctrl-C).
    """
    workers = [make_worker(index) for index in range(connections)]
    tallies = [_Tally() for _ in workers]
    stop = stop or threading.Event()
    started = clock()
    deadline = started + duration

    def loop(worker: Worker, tally: _Tally) -> None:
        while not stop.is_set() and clock() < deadline:
            begin = clock()
            try:
                worker.step()
            except Exception as error:
                tally.errors += 1
                tally.first_error = tally.first_error or f"{type(error).__name__}: {error}"
                continue
            tally.latencies.append((clock() - begin) * 1000)

    threads = [
        threading.Thread(target=loop, args=(w, t), daemon=True, name=f"load-{scenario}-{i}")
        for i, (w, t) in enumerate(zip(workers, tallies, strict=True))
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    seconds = clock() - started
    latencies = tuple(lat for t in tallies for lat in t.latencies)
    first_error = next((t.first_error for t in tallies if t.first_error), "")
    result = RunResult(
        scenario=scenario,
        requests=len(latencies),
        errors=sum(t.errors for t in tallies),
        seconds=seconds,
        latencies_ms=latencies,
    )
    return result, first_error
