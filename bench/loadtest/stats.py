"""Figures from timings: percentiles, the median of runs, and the table with ratios.

Pure functions: no clock, no network, so the unit tests can check them exactly.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass

TRIVIAL = "trivial"


@dataclass(frozen=True)
class RunResult:
    """One run of one scenario: how many requests completed in how long, and their times."""

    scenario: str
    requests: int
    errors: int
    seconds: float
    latencies_ms: tuple[float, ...]

    @property
    def rate(self) -> float:
        return self.requests / self.seconds if self.seconds > 0 else 0.0

    @property
    def p50(self) -> float:
        return percentile(self.latencies_ms, 50)

    @property
    def p95(self) -> float:
        return percentile(self.latencies_ms, 95)


@dataclass(frozen=True)
class Summary:
    """The medians of a scenario's runs."""

    scenario: str
    rate: float
    p50: float
    p95: float
    errors: int
    runs: int


def percentile(values: Sequence[float], pct: float) -> float:
    """The nearest-rank percentile (a value that was measured); NaN when there is none."""
    if not values:
        return math.nan
    ordered = sorted(values)
    rank = max(1, math.ceil(pct / 100 * len(ordered)))
    return ordered[min(rank, len(ordered)) - 1]


def summarise(runs: Sequence[RunResult]) -> Summary:
    """Each figure's median over the runs (rates, p50 and p95 taken separately)."""
    if not runs:
        raise ValueError("no runs to summarise")
    return Summary(
        scenario=runs[0].scenario,
        rate=statistics.median(r.rate for r in runs),
        p50=statistics.median(r.p50 for r in runs),
        p95=statistics.median(r.p95 for r in runs),
        errors=sum(r.errors for r in runs),
        runs=len(runs),
    )


def ratio(value: float, reference: float) -> float:
    if not reference or math.isnan(reference) or math.isnan(value):
        return math.nan
    return value / reference


def _number(value: float) -> str:
    if math.isnan(value):
        return "-"
    if value >= 100:
        return f"{value:,.0f}"
    if value >= 10:
        return f"{value:.1f}"
    return f"{value:.2f}"


def _times(value: float) -> str:
    if math.isnan(value):
        return "-"
    if value >= 10:
        return f"{value:,.0f}x"
    if value >= 1:
        return f"{value:.1f}x"
    # Two significant digits below 1: a submission at 0.013x is not one at 0.005x.
    return f"{value:.2g}x"


def table(summaries: Sequence[Summary], reference: str = TRIVIAL) -> str:
    """A Markdown table; each figure beside its ratio to the ``reference`` scenario's.

    Rates are divided by the reference's rate (0.05x: a twentieth of its requests per
    second); latencies by its latency (20x: twenty times as long).
    """
    ref = next((s for s in summaries if s.scenario == reference), None)
    header = ("scenario", "req/s", "/ trivial", "p50 ms", "/ trivial", "p95 ms", "/ trivial",
              "errors")  # fmt: skip
    lines = ["| " + " | ".join(header) + " |", "|" + " --- |" * len(header)]
    for s in summaries:
        cells = [
            s.scenario,
            _number(s.rate),
            _times(ratio(s.rate, ref.rate) if ref else math.nan),
            _number(s.p50),
            _times(ratio(s.p50, ref.p50) if ref else math.nan),
            _number(s.p95),
            _times(ratio(s.p95, ref.p95) if ref else math.nan),
            str(s.errors),
        ]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)
