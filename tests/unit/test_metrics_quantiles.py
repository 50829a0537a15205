"""Quantiles read off a duration histogram: percentile_cont over the buckets' values."""

from __future__ import annotations

import random

import pytest

from infrastructure.metrics.histograms import (
    GAMMA,
    ZERO_BUCKET,
    bucket_hours,
    histogram_quantile,
    quantiles_of,
)
from projections.metrics import Duration


def percentile_cont(values: list[float], fraction: float) -> float:
    """PostgreSQL's percentile_cont, for reference."""
    ordered = sorted(values)
    position = fraction * (len(ordered) - 1)
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def test_an_empty_histogram_has_no_quantile() -> None:
    assert histogram_quantile(([], []), 0.5) is None


def test_one_duration_is_every_quantile() -> None:
    assert histogram_quantile(([10], [1]), 0.5) == round(GAMMA**10, 4)
    assert histogram_quantile(([10], [1]), 0.9) == round(GAMMA**10, 4)


def test_durations_of_zero_stay_zero() -> None:
    assert bucket_hours(ZERO_BUCKET) == 0.0
    assert histogram_quantile(([ZERO_BUCKET], [3]), 0.5) == 0.0


def test_the_median_of_two_lies_between_them() -> None:
    one_hour, three_days = 0, 216  # 1.02**216 = 72.1 hours

    median = histogram_quantile(([one_hour, three_days], [1, 1]), 0.5)

    assert median == pytest.approx((1 + 72) / 2, rel=0.01)


def test_quantiles_interpolate_like_percentile_cont_over_the_bucket_values() -> None:
    rng = random.Random(5)  # noqa: S311 - reproducible test data
    for _ in range(200):
        counts: dict[int, int] = {}
        for _ in range(rng.randint(1, 60)):
            bucket = rng.choice([ZERO_BUCKET, *range(-50, 300)])
            counts[bucket] = counts.get(bucket, 0) + 1
        buckets = sorted(counts)
        histogram = (buckets, [counts[b] for b in buckets])
        values = [bucket_hours(b) for b in buckets for _ in range(counts[b])]
        for fraction in (0.5, 0.9):
            expected = percentile_cont(values, fraction)
            assert histogram_quantile(histogram, fraction) == pytest.approx(expected, abs=1e-4)


def test_every_duration_gets_its_median_and_90th_percentile() -> None:
    quantiles = quantiles_of([(Duration.REPLY_HOURS, ([0], [2]))])

    assert quantiles["reply_hours_p50"] == quantiles["reply_hours_p90"] == 1.0
    assert quantiles["response_hours_p50"] is None
    assert len(quantiles) == 2 * len(Duration)
