"""Repeated measurements: warm up, time, repeat; medians, spreads and percentiles."""

from __future__ import annotations

import math
import statistics
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

#: Does `count` operations and returns the seconds the timed part took.
Workload = Callable[[int], float]


@dataclass
class Measurement:
    """The rates of one figure over its repeats (operations per second)."""

    label: str
    unit: str
    rates: list[float] = field(default_factory=list)

    @property
    def median(self) -> float:
        """The median rate."""
        return statistics.median(self.rates)

    @property
    def low(self) -> float:
        """The slowest repeat."""
        return min(self.rates)

    @property
    def high(self) -> float:
        """The fastest repeat."""
        return max(self.rates)

    def spread(self) -> str:
        """`min–max` of the repeats."""
        return f"{self.low:,.0f}–{self.high:,.0f}"

    def line(self) -> str:
        """One printable line: median, spread and every repeat."""
        runs = ", ".join(f"{rate:,.0f}" for rate in self.rates)
        return (
            f"  {self.label:<44} {self.median:>9,.0f} {self.unit}/s"
            f"  (min–max {self.spread()}; runs {runs})"
        )


def measure_interleaved(
    cases: Sequence[tuple[str, Workload]],
    *,
    unit: str,
    n: int,
    warmup: int,
    repeats: int,
) -> list[Measurement]:
    """Runs every case `repeats` times, round-robin, so drift hits every case alike.

    Before each timed run of `n` operations a case does `warmup` untimed ones.
    """
    results = [Measurement(label, unit) for label, _ in cases]
    for _ in range(repeats):
        for (_, run), result in zip(cases, results, strict=True):
            if warmup:
                run(warmup)
            elapsed = run(n)
            result.rates.append(n / elapsed)
    return results


def percentile(samples: Sequence[float], pct: float) -> float:
    """Nearest-rank percentile of `samples` (which must not be empty)."""
    ordered = sorted(samples)
    rank = max(1, math.ceil(pct / 100 * len(ordered)))
    return ordered[rank - 1]


def ratio(numerator: float, denominator: float) -> float:
    """numerator / denominator, or NaN when the denominator is zero."""
    return numerator / denominator if denominator else math.nan
