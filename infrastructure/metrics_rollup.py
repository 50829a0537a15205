"""Roll-ups that answer live appeal figures without reading every appeal of the period.

Two tables are kept current by a trigger on `metrics_appeals`, in the transaction that
changes the appeal's row (so still exactly once, also during a rebuild):

- `metrics_counts`: per month of raising and combination of department, channel, tier and
  category, how many appeals count in each figure. Any period of whole months, any filter,
  any grouping is a sum over at most a few thousand rows. (`overdue_open` depends on the
  moment asked about, so it is counted from the open appeals instead.)
- `metrics_durations`: per period (month, quarter, half-year, year), dimension and key, a
  histogram of the four durations on a logarithmic scale: bucket b holds the durations that
  round to GAMMA**b hours. A quantile is read off the histogram by walking its cumulative
  counts, interpolating between neighbouring ranks as `percentile_cont` does.

Quantiles are therefore exact to within half a bucket: at GAMMA = 1.02 each duration counts
as GAMMA**b, at most 1% from its true value (0 stays 0). Every query shape — live, filtered,
`as_of` — builds the same histogram (from the roll-up or from the appeals' rows) and reads
it with `histogram_quantile`, so a department's median is the same number whichever table
it appears in.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence

from projections.metrics import Duration, Figure

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

#: Whether an appeal's row counts in a figure (columns of `metrics_appeals`).
FLAGS: dict[Figure, str] = {
    Figure.RESPONDED: "first_response_at IS NOT NULL",
    Figure.RESPONDED_IN_TIME: "COALESCE(responded_in_time, false)",
    Figure.REPLIED: "replied_at IS NOT NULL",
    Figure.RESOLVED: "resolved",
    Figure.RATED: "rating IS NOT NULL",
    Figure.SATISFIED: "COALESCE(rating IN ('satisfied', 'basically_satisfied'), false)",
    Figure.OVERDUE_CLOSED: "late_replies > 0",
    Figure.REOPENED: "reopened > 0",
    Figure.TRANSFERRED_3_PLUS: "transfers >= 3",
}

#: Per combination and month: the figures' counts, and how many appeals await an answer with
#: a deadline set (overdue ones are those minus the few whose deadline has not yet come).
COUNTED: dict[str, str] = {figure.value: flag for figure, flag in FLAGS.items()} | {
    "awaiting": "awaiting_due IS NOT NULL"
}

#: The columns grouping and filtering use, as expressions on `metrics_appeals`.
KEYS = {
    "department": "COALESCE(department, raised_department)",
    "channel": "channel",
    "tier": "COALESCE(tier, '')",
    "category": "category",
}

_MONTH = "date_trunc('month', raised_at AT TIME ZONE 'Asia/Shanghai')::date"
_COUNTED = list(COUNTED)
_SUMS = ", ".join(f"sum(d.{name})" for name in ["raised", *_COUNTED])
_ZEROS = ", ".join("0" for _ in ["raised", *_COUNTED])
_ADD = ", ".join(f"{name} = c.{name} + EXCLUDED.{name}" for name in ["raised", *_COUNTED])
_COMBINATION = "month, department, channel, tier, category"

ROLLUP_STATEMENTS = (
    "CREATE TABLE IF NOT EXISTS {schema}.metrics_counts ("
    " month date NOT NULL, department text NOT NULL, channel text NOT NULL,"
    " tier text NOT NULL, category text NOT NULL, raised integer NOT NULL, "
    + ", ".join(f"{name} integer NOT NULL" for name in _COUNTED)
    + f", PRIMARY KEY ({_COMBINATION}))",
    "CREATE TABLE IF NOT EXISTS {schema}.metrics_durations ("
    " period text NOT NULL, start date NOT NULL, dimension text NOT NULL, key text NOT NULL,"
    " kind smallint NOT NULL, bucket integer NOT NULL, n integer NOT NULL,"
    " PRIMARY KEY (period, start, dimension, key, kind, bucket))",
    # Appeals whose deadline is still to come (few: the recent ones), for `overdue_open`.
    "CREATE INDEX IF NOT EXISTS metrics_appeals_awaiting ON {schema}.metrics_appeals"
    " (awaiting_due) WHERE awaiting_due IS NOT NULL",
    # Filtered figures read one department's appeals.
    "CREATE INDEX IF NOT EXISTS metrics_appeals_department ON {schema}.metrics_appeals"
    f" (({KEYS['department']}), raised_at)",
    "CREATE OR REPLACE FUNCTION {schema}.metrics_bucket(hours double precision)"
    " RETURNS integer LANGUAGE sql IMMUTABLE AS $$"
    f" SELECT CASE WHEN hours <= 0 THEN {ZERO_BUCKET}"
    f" ELSE round(ln(hours) / ln({GAMMA}::double precision))::integer END $$",
    # What one appeal's row adds to the counts (weight 1) or takes away (weight -1).
    "CREATE OR REPLACE FUNCTION {schema}.metrics_count_rows("  # noqa: S608
    "a {schema}.metrics_appeals, weight integer)"
    " RETURNS SETOF {schema}.metrics_counts LANGUAGE sql STABLE AS $$"
    f" SELECT {_MONTH}, {KEYS['department']}, channel, {KEYS['tier']}, category, weight, "
    + ", ".join(f"weight * ({expression})::integer" for expression in COUNTED.values())
    + " FROM (SELECT (a).*) r WHERE raised_at IS NOT NULL $$",
    # ... and to the duration histograms of its month, quarter, half-year and year.
    "CREATE OR REPLACE FUNCTION {schema}.metrics_duration_rows("  # noqa: S608
    "a {schema}.metrics_appeals, weight integer)"
    " RETURNS SETOF {schema}.metrics_durations LANGUAGE sql STABLE AS $$"
    " SELECT p.period, p.start, d.dimension, d.key, k.kind,"
    " {schema}.metrics_bucket(k.hours), weight"
    " FROM (SELECT (a).*) r"
    f" CROSS JOIN LATERAL (SELECT {_MONTH.replace('raised_at', 'r.raised_at')} AS m) t"
    " CROSS JOIN LATERAL (VALUES ('M', t.m), ('Q', date_trunc('quarter', t.m)::date),"
    "  ('H', (date_trunc('year', t.m) + CASE WHEN extract(month FROM t.m) > 6"
    "   THEN interval '6 months' ELSE interval '0 months' END)::date),"
    "  ('Y', date_trunc('year', t.m)::date)) p(period, start)"
    " CROSS JOIN LATERAL (VALUES"
    "  ('department', COALESCE(r.department, r.raised_department)), ('channel', r.channel),"
    "  ('tier', COALESCE(r.tier, '')), ('category', r.category)) d(dimension, key)"
    " CROSS JOIN LATERAL (VALUES"
    + ", ".join(
        f"({kind}::smallint, r.{duration.value})" for duration, kind in DURATION_KINDS.items()
    )
    + ") k(kind, hours)"
    " WHERE r.raised_at IS NOT NULL AND k.hours IS NOT NULL $$",
    # The trigger: the old row's contribution out, the new row's in, net changes only.
    "CREATE OR REPLACE FUNCTION {schema}.metrics_rollup() RETURNS trigger"  # noqa: S608
    " LANGUAGE plpgsql AS $$ BEGIN"
    " INSERT INTO {schema}.metrics_counts AS c"
    f" SELECT d.month, d.department, d.channel, d.tier, d.category, {_SUMS}"
    " FROM (SELECT * FROM {schema}.metrics_count_rows(NEW, 1)"
    "  UNION ALL SELECT * FROM {schema}.metrics_count_rows(OLD, -1)) d"
    " GROUP BY d.month, d.department, d.channel, d.tier, d.category"
    f" HAVING ROW({_SUMS}) <> ROW({_ZEROS})"
    f" ON CONFLICT ({_COMBINATION}) DO UPDATE SET {_ADD};"
    " INSERT INTO {schema}.metrics_durations AS h"
    " SELECT d.period, d.start, d.dimension, d.key, d.kind, d.bucket, sum(d.n)"
    " FROM (SELECT * FROM {schema}.metrics_duration_rows(NEW, 1)"
    "  UNION ALL SELECT * FROM {schema}.metrics_duration_rows(OLD, -1)) d"
    " GROUP BY d.period, d.start, d.dimension, d.key, d.kind, d.bucket HAVING sum(d.n) <> 0"
    " ON CONFLICT (period, start, dimension, key, kind, bucket)"
    " DO UPDATE SET n = h.n + EXCLUDED.n;"
    " RETURN NULL; END $$",
    "CREATE OR REPLACE TRIGGER metrics_rollup AFTER INSERT OR UPDATE"
    " ON {schema}.metrics_appeals FOR EACH ROW EXECUTE FUNCTION {schema}.metrics_rollup()",
    # A view created before the roll-ups existed fills them once from its appeal rows.
    "INSERT INTO {schema}.metrics_counts SELECT d.month, d.department, d.channel, d.tier,"  # noqa: S608
    f" d.category, {_SUMS} FROM {{schema}}.metrics_appeals a,"
    " {schema}.metrics_count_rows(a, 1) d"
    " WHERE NOT EXISTS (SELECT FROM {schema}.metrics_counts)"
    " GROUP BY d.month, d.department, d.channel, d.tier, d.category",
    "INSERT INTO {schema}.metrics_durations SELECT d.period, d.start, d.dimension, d.key,"
    " d.kind, d.bucket, sum(d.n) FROM {schema}.metrics_appeals a,"
    " {schema}.metrics_duration_rows(a, 1) d"
    " WHERE NOT EXISTS (SELECT FROM {schema}.metrics_durations)"
    " GROUP BY d.period, d.start, d.dimension, d.key, d.kind, d.bucket",
)


def bucket_hours(bucket: int) -> float:
    """The duration a bucket stands for, in hours."""
    return 0.0 if bucket == ZERO_BUCKET else GAMMA**bucket


def histogram_quantile(histogram: Sequence[tuple[int, int]], fraction: float) -> float | None:
    """`percentile_cont(fraction)` of the durations in `histogram` ((bucket, count) pairs in
    bucket order), each duration counted as its bucket's value; None when it is empty."""
    total = sum(count for _, count in histogram)
    if total == 0:
        return None
    position = fraction * (total - 1)
    low_rank = math.floor(position)
    low = _value_at(histogram, low_rank)
    high = _value_at(histogram, math.ceil(position))
    return round(low + (high - low) * (position - low_rank), 4)


def _value_at(histogram: Sequence[tuple[int, int]], rank: int) -> float:
    """The value of the duration at 0-based `rank` in bucket order."""
    seen = 0
    for bucket, count in histogram:
        seen += count
        if seen > rank:
            return bucket_hours(bucket)
    raise IndexError(rank)


def quantiles_of(
    histograms: Iterable[tuple[Duration, Sequence[tuple[int, int]]]],
) -> dict[str, float | None]:
    """The reported quantiles (`response_hours_p50`, ...) of each duration's histogram;
    durations without a histogram report None."""
    found = dict(histograms)
    return {
        f"{duration.value}_{name}": histogram_quantile(found.get(duration, ()), fraction)
        for duration in Duration
        for name, fraction in QUANTILES
    }
