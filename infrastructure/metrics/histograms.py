"""Duration histograms: the buckets durations fall in, the SQL counting them, quantiles.

A histogram of durations is kept on a logarithmic scale: bucket b holds the durations that
round to GAMMA**b hours. A quantile is read off the histogram by walking its cumulative
counts, interpolating between neighbouring ranks as `percentile_cont` does.

Quantiles are therefore exact to within half a bucket: at GAMMA = 1.02 each duration counts
as GAMMA**b, at most 1% from its true value (0 stays 0). Every query shape — live, filtered,
`as_of` — builds the same histogram (from the roll-up or from the appeals' rows) and reads
it with `histogram_quantile`, so a department's median is the same number whichever table
it appears in.
"""

from __future__ import annotations

import bisect
import itertools
import math
from collections.abc import Iterable, Sequence

from psycopg.rows import DictRow

from projections.metrics import Duration

#: Ratio between neighbouring duration buckets: quantiles are within 1% (sqrt(GAMMA) - 1).
GAMMA = 1.02
#: The bucket of durations of zero (or less): nothing worked yet, e.g. overnight answers.
ZERO_BUCKET = -1_000_000
#: The quantiles reported for each duration, by name.
QUANTILES = (("p50", 0.5), ("p90", 0.9))

#: The kind numbers of the durations in `metrics_durations`.
DURATION_KINDS: dict[Duration, int] = {
    Duration.RESPONSE_HOURS: 1,
    Duration.RESPONSE_WORK_HOURS: 2,
    Duration.REPLY_HOURS: 3,
    Duration.REPLY_WORK_HOURS: 4,
}
KIND_DURATIONS = {kind: duration for duration, kind in DURATION_KINDS.items()}

#: The columns durations are read from.
DURATION_COLUMNS = ", ".join(duration.value for duration in DURATION_KINDS)

Histogram = tuple[Sequence[int], Sequence[int]]
"""Buckets in increasing order, and how many durations fall in each."""

#: Per group key, each duration's histogram.
Histograms = dict[str, dict[Duration, Histogram]]

#: One row per group and kind of duration: its histogram as two arrays (buckets, counts).
HISTOGRAMS = (
    "SELECT key, kind, array_agg(bucket) AS buckets, array_agg(n) AS counts"
    " FROM ({}) h GROUP BY key, kind"
)


def bucket_counts(rows: str, key: str, count: str = "count(*)", having: str = "") -> str:
    """Per group (`key`), kind of duration and bucket, how many of `rows` (`count`) have
    that duration: one aggregate per kind over the same rows, which PostgreSQL runs in
    four-fifths of the time of one aggregate over the rows paired with each kind."""
    return " UNION ALL ".join(
        f"SELECT {key} AS key, {kind}::smallint AS kind,"  # noqa: S608  # constant fragments
        f" {{schema}}.metrics_bucket({duration.value}) AS bucket, {count} AS n"
        f" FROM {rows} WHERE {duration.value} IS NOT NULL GROUP BY 1, 3{having}"
        for duration, kind in DURATION_KINDS.items()
    )


def add_histogram(
    histograms: Histograms, key: str, duration: Duration, deltas: dict[int, int]
) -> None:
    """Adds counts per bucket to one histogram (buckets left empty are dropped)."""
    kinds = histograms.setdefault(key, {})
    buckets, tallies = (list(part) for part in kinds.get(duration, ((), ())))
    for bucket, count in deltas.items():  # a few buckets into a sorted list of ~100
        index = bisect.bisect_left(buckets, bucket)
        if index < len(buckets) and buckets[index] == bucket:
            tallies[index] += count
            if not tallies[index]:
                del buckets[index], tallies[index]
        elif count:
            buckets.insert(index, bucket)
            tallies.insert(index, count)
    kinds[duration] = (buckets, tallies)


def gathered(rows: list[DictRow]) -> Histograms:
    """The histograms of rows read with `HISTOGRAMS` (key, kind, buckets, counts)."""
    histograms: Histograms = {}
    for row in rows:
        kinds = histograms.setdefault(row["key"], {})
        buckets, counts = row["buckets"], row["counts"]
        # Both arrays were gathered in one order, usually the index's (bucket order).
        if buckets != sorted(buckets):
            pairs = sorted(zip(buckets, counts, strict=True))
            buckets, counts = [b for b, _ in pairs], [n for _, n in pairs]
        kinds[KIND_DURATIONS[row["kind"]]] = (buckets, counts)
    return histograms


def bucket_hours(bucket: int) -> float:
    """The duration a bucket stands for, in hours."""
    return 0.0 if bucket == ZERO_BUCKET else GAMMA**bucket


def histogram_quantile(histogram: Histogram, fraction: float) -> float | None:
    """`percentile_cont(fraction)` of the durations in `histogram`, each duration counted as
    its bucket's value; None when it is empty."""
    buckets, counts = histogram
    running = list(itertools.accumulate(counts))
    if not running or running[-1] == 0:
        return None
    position = fraction * (running[-1] - 1)
    low_rank = math.floor(position)
    # The duration at 0-based rank r is in the first bucket whose running count exceeds r.
    low = bucket_hours(buckets[bisect.bisect_right(running, low_rank)])
    high = bucket_hours(buckets[bisect.bisect_right(running, math.ceil(position))])
    return round(low + (high - low) * (position - low_rank), 4)


def quantiles_of(histograms: Iterable[tuple[Duration, Histogram]]) -> dict[str, float | None]:
    """The reported quantiles (`response_hours_p50`, ...) of each duration's histogram;
    durations without a histogram report None."""
    found = dict(histograms)
    return {
        f"{duration.value}_{name}": histogram_quantile(found.get(duration, ((), ())), fraction)
        for duration in Duration
        for name, fraction in QUANTILES
    }
