"""Roll-ups that answer live appeal figures without reading every appeal of the period.

Two tables are kept current by a trigger on `metrics_appeals`, in the transaction that
changes the appeal's row (so still exactly once, also during a rebuild):

- `metrics_counts`: per period of raising (month, quarter, half-year, year) and combination
  of department, channel, tier and category, how many appeals count in each figure. Any
  filter and grouping of a period (or of any run of whole months) is a sum over the few
  hundred combinations that occur. (`overdue_open` depends on the moment asked about, so
  it is counted from the open appeals instead.)
- `metrics_durations`: per period (month, quarter, half-year, year), dimension and key, a
  histogram of the four durations (`infrastructure.metrics.histograms`).

A rebuild switches the trigger off (`REPLAY_SETTING`) and sums the roll-ups from the rows
at its end (`FILL_STATEMENTS`).
"""

from __future__ import annotations

from collections.abc import Sequence

from infrastructure.metrics.columns import HISTORY_COLUMNS, KEYS, MONTH_RAISED, VALID_UNTIL
from infrastructure.metrics.histograms import DURATION_KINDS, GAMMA, ZERO_BUCKET
from infrastructure.metrics.rules_sql import COUNTED, ROLLED_UP

_COUNTED = list(COUNTED)
_SUMS = ", ".join(f"sum(d.{name})" for name in ["raised", *_COUNTED])
_ZEROS = ", ".join("0" for _ in ["raised", *_COUNTED])
_ADD = ", ".join(f"{name} = c.{name} + EXCLUDED.{name}" for name in ["raised", *_COUNTED])
_COMBINATION = "period, start, department, channel, tier, category"

#: The dimensions and durations of the appeal row in scope (the only one), one row per
#: (dimension, key) and per (kind, hours); the trigger's functions, the fills and the
#: figure queries share them.
_DIMENSIONS = (
    " CROSS JOIN LATERAL (VALUES "
    + ", ".join(f"('{name}', {expression})" for name, expression in KEYS.items())
    + ") d(dimension, key)"
)
DURATION_ROWS = (
    " CROSS JOIN LATERAL (VALUES "
    + ", ".join(
        f"({kind}::smallint, {duration.value})" for duration, kind in DURATION_KINDS.items()
    )
    + ") k(kind, hours)"
)
_PERIODS_OF_MONTH = (
    " CROSS JOIN LATERAL {schema}.metrics_periods(c.start::timestamp AT TIME ZONE"
    " 'Asia/Shanghai') p"
)
_MONTH_OF_RAISING = MONTH_RAISED.replace("raised_at", "r.raised_at")

#: The roll-ups summed from every appeal row: months from the rows, then quarters, halves
#: and years from the months. `{guard}` is empty in a rebuild (the tables start empty) and a
#: condition that the table is still empty when a view fills roll-ups it did not have.
FILL = (
    (
        "INSERT INTO {schema}.metrics_counts SELECT 'M', "  # noqa: S608
        + _MONTH_OF_RAISING
        + ", "
        + ", ".join(KEYS.values())
        + ", count(*), "
        + ", ".join(f"count(*) FILTER (WHERE {expression})" for expression in COUNTED.values())
        + " FROM {schema}.metrics_appeals r WHERE TRUE {guard} GROUP BY 2, 3, 4, 5, 6",
        "AND NOT EXISTS (SELECT FROM {schema}.metrics_counts)",
    ),
    (
        "INSERT INTO {schema}.metrics_counts SELECT p.period, p.start, c.department,"  # noqa: S608
        f" c.channel, c.tier, c.category, {_SUMS.replace('d.', 'c.')}"
        " FROM {schema}.metrics_counts c" + _PERIODS_OF_MONTH + " WHERE c.period = 'M'"
        " AND p.period <> 'M' {guard} GROUP BY 1, 2, 3, 4, 5, 6",
        "AND NOT EXISTS (SELECT FROM {schema}.metrics_counts WHERE period <> 'M')",
    ),
    (
        # Each appeal's month, keys and buckets worked out once, then one aggregate per
        # dimension and kind (a third faster than pairing every row with each of the 16).
        "WITH b AS MATERIALIZED (SELECT "  # noqa: S608
        + _MONTH_OF_RAISING
        + " AS month, "
        + ", ".join(f"{expression} AS {name}" for name, expression in KEYS.items())
        + ", "
        + ", ".join(
            f"{{schema}}.metrics_bucket({duration.value}) AS b{kind}"
            for duration, kind in DURATION_KINDS.items()
        )
        + " FROM {schema}.metrics_appeals r WHERE TRUE {guard})"
        " INSERT INTO {schema}.metrics_durations "
        + " UNION ALL ".join(
            f"SELECT 'M', month, '{name}', {name}, {kind}::smallint, b{kind}, count(*)"  # noqa: S608
            f" FROM b WHERE b{kind} IS NOT NULL GROUP BY 2, 4, 6"
            for name in KEYS
            for kind in DURATION_KINDS.values()
        ),
        "AND NOT EXISTS (SELECT FROM {schema}.metrics_durations)",
    ),
    (
        "INSERT INTO {schema}.metrics_durations SELECT p.period, p.start, c.dimension, c.key,"  # noqa: S608
        " c.kind, c.bucket, sum(c.n) FROM {schema}.metrics_durations c"
        + _PERIODS_OF_MONTH
        + " WHERE c.period = 'M' AND p.period <> 'M' {guard} GROUP BY 1, 2, 3, 4, 5, 6",
        "AND NOT EXISTS (SELECT FROM {schema}.metrics_durations WHERE period <> 'M')",
    ),
)
#: The roll-up tables' primary keys (the live trigger upserts on them).
ROLLUP_KEYS = {
    "metrics_counts": f"PRIMARY KEY ({_COMBINATION})",
    "metrics_durations": "PRIMARY KEY (period, start, dimension, key, kind, bucket) INCLUDE (n)",
}
#: What a rebuild runs at its end, after the appeal rows are written: the roll-ups filled
#: without their keys, then the keys built over the rows (sorted once, not inserted into
#: row by row). In a rebuild, these statements took 3.7-4.8 s with the keys in place and
#: 2.4 s this way at 100,000 appeals (270,000 roll-up rows), 450-560 and 420-490 ms at
#: 1,508 (the demo's: 30 rows per appeal, most histogram buckets holding one or two).
FILL_STATEMENTS = (
    *(f"ALTER TABLE {{schema}}.{table} DROP CONSTRAINT {table}_pkey" for table in ROLLUP_KEYS),
    *(statement.replace("{guard}", "") for statement, _ in FILL),
    *(
        f"ALTER TABLE {{schema}}.{table} ADD CONSTRAINT {table}_pkey {key}"
        for table, key in ROLLUP_KEYS.items()
    ),
)

#: The columns of `metrics_appeals` that counts and durations are computed from: the
#: department (the others the counts are kept by never change) and what the rules read.
COUNT_INPUTS = (
    "department",
    *dict.fromkeys(name for rule in ROLLED_UP.values() for name in rule.fields()),
)
DURATION_INPUTS = (
    "department",
    "response_hours",
    "response_work_hours",
    "reply_hours",
    "reply_work_hours",
)


def _changed(columns: Sequence[str]) -> str:
    """A trigger's condition: one of these columns differs between OLD and NEW."""
    old = ", ".join(f"OLD.{column}" for column in columns)
    new = ", ".join(f"NEW.{column}" for column in columns)
    return f"ROW({old}) IS DISTINCT FROM ROW({new})"


#: Set (locally) by a rebuild: the trigger leaves versions and roll-ups to it.
REPLAY_SETTING = "huiyin.metrics_replay"

ROLLUP_STATEMENTS = (
    # When the row last changed: each version of it is valid from then.
    "ALTER TABLE {schema}.metrics_appeals ADD COLUMN IF NOT EXISTS changed_at timestamptz",
    # Every version of every appeal's row, valid over [valid_from, valid_to): `as_of` reads
    # the versions valid at its moment, so figures come out as they stood then.
    "CREATE TABLE IF NOT EXISTS {schema}.metrics_appeal_versions ("
    + ", ".join(f"{column} {kind}" for column, kind in HISTORY_COLUMNS.items())
    + ", valid_from timestamptz NOT NULL, valid_to timestamptz)",
    # The versions valid at a moment, of the appeals raised in a period, found in the index.
    "CREATE INDEX IF NOT EXISTS metrics_appeal_versions_valid"
    " ON {schema}.metrics_appeal_versions (raised_at, (" + VALID_UNTIL + "), valid_from)",
    # An appeal's versions: the current one to close, the one valid at a moment.
    "DROP INDEX IF EXISTS {schema}.metrics_appeal_versions_current",
    "CREATE INDEX IF NOT EXISTS metrics_appeal_versions_case"
    " ON {schema}.metrics_appeal_versions (case_id, valid_from)",
    # The appeals of a period whose deadline is still to come at a moment (for
    # `overdue_open`), or that changed after it (for `as_of`): both found in the index alone.
    "DROP INDEX IF EXISTS {schema}.metrics_appeals_raised",
    "CREATE INDEX IF NOT EXISTS metrics_appeals_period ON {schema}.metrics_appeals"
    " (raised_at, changed_at, awaiting_due)"
    " INCLUDE (case_id, department, raised_department, channel, tier, category)",
    # The appeals of some months that changed after a moment (`as_of` corrects the
    # roll-ups by them), or whose deadline is still to come at a moment (`overdue_open`):
    # a range of each month's entries, where the period index above would be read over
    # every appeal of the months (a year as of mid-year: 50,000 entries for 1,000).
    "CREATE INDEX IF NOT EXISTS metrics_appeals_month_changed ON {schema}.metrics_appeals"
    f" (({MONTH_RAISED}), changed_at)",
    "CREATE INDEX IF NOT EXISTS metrics_appeals_month_due ON {schema}.metrics_appeals"
    f" (({MONTH_RAISED}), awaiting_due) WHERE awaiting_due IS NOT NULL",
    "CREATE TABLE IF NOT EXISTS {schema}.metrics_counts ("
    # Keys compare bytewise ("C"): grouping and sorting them must not cost a collation.
    ' period text NOT NULL, start date NOT NULL, department text COLLATE "C" NOT NULL,'
    ' channel text COLLATE "C" NOT NULL, tier text COLLATE "C" NOT NULL,'
    ' category text COLLATE "C" NOT NULL, raised integer NOT NULL, '
    + ", ".join(f"{name} integer NOT NULL" for name in _COUNTED)
    + f", {ROLLUP_KEYS['metrics_counts']})",
    "CREATE TABLE IF NOT EXISTS {schema}.metrics_durations ("
    " period text NOT NULL, start date NOT NULL, dimension text NOT NULL,"
    ' key text COLLATE "C" NOT NULL,'
    " kind smallint NOT NULL, bucket integer NOT NULL, n integer NOT NULL,"
    # A period's histograms are read in key order straight from the index (n included).
    f" {ROLLUP_KEYS['metrics_durations']})",
    "DROP INDEX IF EXISTS {schema}.metrics_appeals_awaiting",
    # Filtered figures read one department's appeals.
    "CREATE INDEX IF NOT EXISTS metrics_appeals_department ON {schema}.metrics_appeals"
    f" (({KEYS['department']}), raised_at)",
    "CREATE OR REPLACE FUNCTION {schema}.metrics_bucket(hours double precision)"
    " RETURNS integer LANGUAGE sql IMMUTABLE AS $$"
    f" SELECT CASE WHEN hours <= 0 THEN {ZERO_BUCKET}"
    f" ELSE round(ln(hours) / ln({GAMMA}::double precision))::integer END $$",
    # The periods an appeal raised at a moment counts in: its month, quarter, half, year.
    "CREATE OR REPLACE FUNCTION {schema}.metrics_periods(raised timestamptz)"
    " RETURNS TABLE (period text, start date) LANGUAGE sql STABLE AS $$"
    " SELECT p.k, p.s FROM"
    " (SELECT date_trunc('month', raised AT TIME ZONE 'Asia/Shanghai')::date AS m) t"
    " CROSS JOIN LATERAL (VALUES ('M', t.m), ('Q', date_trunc('quarter', t.m)::date),"
    "  ('H', (date_trunc('year', t.m) + CASE WHEN extract(month FROM t.m) > 6"
    "   THEN interval '6 months' ELSE interval '0 months' END)::date),"
    "  ('Y', date_trunc('year', t.m)::date)) p(k, s) $$",
    # What one appeal's row adds to the counts (weight 1) or takes away (weight -1).
    "CREATE OR REPLACE FUNCTION {schema}.metrics_count_rows("  # noqa: S608
    "a {schema}.metrics_appeals, weight integer)"
    " RETURNS SETOF {schema}.metrics_counts LANGUAGE sql STABLE AS $$"
    f" SELECT p.period, p.start, {KEYS['department']}, channel, {KEYS['tier']}, category,"
    " weight, "
    + ", ".join(f"weight * ({expression})::integer" for expression in COUNTED.values())
    + " FROM (SELECT (a).*) r CROSS JOIN LATERAL {schema}.metrics_periods(r.raised_at) p"
    " WHERE r.raised_at IS NOT NULL $$",
    # ... and to the duration histograms of the same periods.
    "CREATE OR REPLACE FUNCTION {schema}.metrics_duration_rows("  # noqa: S608
    "a {schema}.metrics_appeals, weight integer)"
    " RETURNS SETOF {schema}.metrics_durations LANGUAGE sql STABLE AS $$"
    " SELECT p.period, p.start, d.dimension, d.key, k.kind,"
    " {schema}.metrics_bucket(k.hours), weight"
    " FROM (SELECT (a).*) r CROSS JOIN LATERAL {schema}.metrics_periods(r.raised_at) p"
    + _DIMENSIONS
    + DURATION_ROWS
    + " WHERE r.raised_at IS NOT NULL AND k.hours IS NOT NULL $$",
    # The trigger: the old row's contribution out, the new row's in, net changes only; the
    # row's previous version closed and the new one recorded.
    "CREATE OR REPLACE FUNCTION {schema}.metrics_rollup() RETURNS trigger"  # noqa: S608
    " LANGUAGE plpgsql AS $$ BEGIN"
    # A rebuild writes versions itself and sums the roll-ups at its end.
    f" IF current_setting('{REPLAY_SETTING}', true) = 'on' THEN RETURN NULL; END IF;"
    # Most events change no count and no duration (a deadline moves, a reply is published):
    # the roll-ups are left alone unless a column they read changed.
    f" IF TG_OP = 'INSERT' OR {_changed(COUNT_INPUTS)} THEN"
    " INSERT INTO {schema}.metrics_counts AS c"
    f" SELECT d.period, d.start, d.department, d.channel, d.tier, d.category, {_SUMS}"
    " FROM (SELECT * FROM {schema}.metrics_count_rows(NEW, 1)"
    "  UNION ALL SELECT * FROM {schema}.metrics_count_rows(OLD, -1)) d"
    " GROUP BY d.period, d.start, d.department, d.channel, d.tier, d.category"
    f" HAVING ROW({_SUMS}) <> ROW({_ZEROS})"
    f" ON CONFLICT ({_COMBINATION}) DO UPDATE SET {_ADD};"
    " END IF;"
    f" IF TG_OP = 'UPDATE' AND {_changed(DURATION_INPUTS)} THEN"
    " INSERT INTO {schema}.metrics_durations AS h"
    " SELECT d.period, d.start, d.dimension, d.key, d.kind, d.bucket, sum(d.n)"
    " FROM (SELECT * FROM {schema}.metrics_duration_rows(NEW, 1)"
    "  UNION ALL SELECT * FROM {schema}.metrics_duration_rows(OLD, -1)) d"
    " GROUP BY d.period, d.start, d.dimension, d.key, d.kind, d.bucket HAVING sum(d.n) <> 0"
    " ON CONFLICT (period, start, dimension, key, kind, bucket)"
    " DO UPDATE SET n = h.n + EXCLUDED.n;"
    " END IF;"
    # Moved to another department: rows left empty go (a rebuild would not have them).
    " IF TG_OP = 'UPDATE' AND OLD.department IS DISTINCT FROM NEW.department THEN"
    " DELETE FROM {schema}.metrics_counts c USING {schema}.metrics_count_rows(OLD, -1) d"
    " WHERE c.raised = 0 AND c.period = d.period AND c.start = d.start"
    " AND c.department = d.department AND c.channel = d.channel AND c.tier = d.tier"
    " AND c.category = d.category;"
    " DELETE FROM {schema}.metrics_durations h"
    " USING {schema}.metrics_duration_rows(OLD, -1) d"
    " WHERE h.n = 0 AND h.period = d.period AND h.start = d.start"
    " AND h.dimension = d.dimension AND h.key = d.key AND h.kind = d.kind"
    " AND h.bucket = d.bucket;"
    " END IF;"
    " UPDATE {schema}.metrics_appeal_versions SET valid_to = NEW.changed_at"
    " WHERE case_id = NEW.case_id AND valid_to IS NULL;"
    " INSERT INTO {schema}.metrics_appeal_versions ("
    + ", ".join(HISTORY_COLUMNS)
    + ", valid_from) VALUES ("
    + ", ".join(f"NEW.{column}" for column in HISTORY_COLUMNS)
    + ", NEW.changed_at);"
    " RETURN NULL; END $$",
    "CREATE OR REPLACE TRIGGER metrics_rollup AFTER INSERT OR UPDATE"
    " ON {schema}.metrics_appeals FOR EACH ROW EXECUTE FUNCTION {schema}.metrics_rollup()",
    # A view created before the roll-ups existed fills them once from its appeal rows.
    *(statement.replace("{guard}", guard) for statement, guard in FILL),
)
