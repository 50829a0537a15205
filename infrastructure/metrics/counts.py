"""Counting appeals raised in a period: from their rows (or versions) or the roll-ups.

`cases_sql` gives the appeals of a period with what was true of each — live, or as of a
moment from the versions valid then — and the filters and reader's scope; `AppealCounts`
counts them per group in one pass, or sums the roll-ups of whole months, and builds the
duration histograms either way.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from psycopg import Cursor
from psycopg.rows import DictRow

from domain.appeal_figures import Figure
from infrastructure.metrics.columns import FILTERS, KEYS, MONTH_RAISED, VALID_UNTIL
from infrastructure.metrics.histograms import (
    DURATION_COLUMNS,
    HISTOGRAMS,
    Histograms,
    bucket_counts,
    gathered,
)
from infrastructure.metrics.periods import month_starts
from infrastructure.metrics.rules_sql import COUNTED, FLAGS, NOT_YET_DUE_SQL
from infrastructure.metrics.schema import MetricsTables
from infrastructure.read_scope import METRICS, scope_clause
from projections.metrics import AppealQuery, Dimension
from projections.scope import ReadScope

#: One row per appeal raised in the period, with what was true of it: `{table}` is the
#: appeals' rows (live) or their versions valid at %(moment)s (as of).
_CASES = (
    "SELECT case_id, case_number, "  # noqa: S608
    + ", ".join(f"{expression} AS {name}" for name, expression in KEYS.items())
    + ", "
    + ", ".join(f"{expression} AS {figure.value}" for figure, expression in FLAGS.items())
    + ", response_hours, response_work_hours, reply_hours, reply_work_hours"
    " FROM {{schema}}.{table} WHERE raised_at >= %(start)s AND raised_at < %(end)s"
)
LIVE_CASES = _CASES.format(table="metrics_appeals")
AS_OF_CASES = _CASES.format(table="metrics_appeal_versions") + (
    f" AND {VALID_UNTIL} > %(moment)s AND valid_from <= %(moment)s"
)

#: Per group, how many appeals count in each figure (over the per-appeal rows `c`).
RAW_COUNTS = ", ".join(
    ["count(*) AS raised"]
    + [f"count(*) FILTER (WHERE {f.value}) AS {f.value}" for f in Figure if f is not Figure.RAISED]
)


def add_counts(into: dict[str, dict[Figure, int]], more: dict[str, dict[Figure, int]]) -> None:
    """Adds each group's counts in `more` to those in `into`."""
    for key, figures in more.items():
        total = into.setdefault(key, dict.fromkeys(Figure, 0))
        for figure, count in figures.items():
            total[figure] += count


def scoped(scope: ReadScope | None) -> tuple[str, dict[str, Any]]:
    """The condition keeping a reader to the cases of the departments their scope reaches."""
    if scope is None:
        return "TRUE", {}
    return scope_clause(scope, METRICS)


def cases_sql(query: AppealQuery) -> tuple[str, dict[str, Any]]:
    """The per-appeal rows `c` (live or as of) and the filters, with their parameters;
    `{columns}` is left for the caller to fill."""
    params: dict[str, Any] = {
        "start": query.start,
        "end": query.end,
        "moment": query.moment,
    }
    where = ["TRUE"]
    for column in FILTERS:
        value = getattr(query, column)
        if value is not None:
            where.append(f"{column} = %({column})s")
            params[column] = value
    condition, values = scoped(query.scope)
    where.append(condition)
    params.update(values)
    cases = AS_OF_CASES if query.as_of is not None else LIVE_CASES
    # Every fragment is a constant of this module; values travel as parameters.
    text = f"WITH c AS ({cases}) SELECT {{columns}} FROM c WHERE {' AND '.join(where)}"  # noqa: S608
    return text, params


class AppealCounts(MetricsTables):
    """Counts and duration histograms of the appeals raised in a period, per group."""

    def _counted(
        self, curs: Cursor[DictRow], query: AppealQuery, group_by: Dimension
    ) -> tuple[dict[str, dict[Figure, int]], Histograms]:
        """Counts and histograms from one pass over the appeals' rows (or versions)."""
        text, params = cases_sql(query)
        key = group_by.value
        counted = [f.value for f in Figure]
        # Constant fragments only; values travel as parameters.
        sql = (
            "WITH c AS MATERIALIZED ("  # noqa: S608
            + text.replace("{columns}", "*")
            + "), h AS ("
            + bucket_counts("c", key)
            + ")"
            + f" SELECT {key} AS key, {RAW_COUNTS}, NULL::smallint AS kind,"  # noqa: S608
            " NULL::integer[] AS buckets, NULL::bigint[] AS counts FROM c GROUP BY 1"
            " UNION ALL SELECT key, "
            + ", ".join(f"NULL AS {name}" for name in counted)
            + ", kind, array_agg(bucket), array_agg(n) FROM h GROUP BY key, kind"
        )
        curs.execute(self._sql(sql), params)
        rows = curs.fetchall()
        counts = {
            row["key"]: {f: int(row[f.value]) for f in Figure}
            for row in rows
            if row["kind"] is None
        }
        return counts, gathered([row for row in rows if row["kind"] is not None])

    def _rolled_up_counts(
        self,
        curs: Cursor[DictRow],
        query: AppealQuery,
        group_by: Dimension,
        months: tuple[date, date],
        period: tuple[str, date] | None,
        *,
        unchanged_since: bool = False,
    ) -> dict[str, dict[Figure, int]]:
        """The rolled-up counts; with `unchanged_since`, `overdue_open` leaves out appeals
        changed after the moment (the caller counts those as they stood)."""
        key = group_by.value
        params: dict[str, Any] = {
            "first": months[0],
            "after": months[1],
            "start": query.start,
            "end": query.end,
            "moment": query.moment,
            "months": month_starts(months),
        }
        if period is None:  # a run of whole months: their monthly rows
            summed = ["period = 'M'", "start >= %(first)s", "start < %(after)s"]
        else:
            summed = ["period = %(period)s", "start = %(first)s"]
            params["period"] = period[0]
        matched = ["TRUE"]
        for column in FILTERS:
            value = getattr(query, column)
            if value is not None:
                summed.append(f"{column} = %({column})s")
                matched.append(f"{KEYS[column]} = %({column})s")
                params[column] = value
        sums = ", ".join(f"sum({name})::integer AS {name}" for name in ["raised", *COUNTED])
        # Constant fragments only; values travel as parameters.
        curs.execute(
            self._sql(
                f"SELECT {key} AS key, {sums} FROM {{schema}}.metrics_counts"  # noqa: S608
                f" WHERE {' AND '.join(summed)} GROUP BY {key} HAVING sum(raised) > 0"
            ),
            params,
        )
        counts: dict[str, dict[Figure, int]] = {}
        for row in curs.fetchall():
            figures = {f: int(row.get(f.value, 0)) for f in Figure}
            figures[Figure.OVERDUE_OPEN] = int(row["awaiting"])
            counts[row["key"]] = figures
        # Overdue depends on the moment: those awaiting an answer, less those not yet due.
        curs.execute(
            self._sql(
                f"SELECT {KEYS[key]} AS key, count(*) AS n FROM {{schema}}.metrics_appeals"  # noqa: S608
                f" WHERE {MONTH_RAISED} = ANY(%(months)s) AND {NOT_YET_DUE_SQL}"
                " AND raised_at >= %(start)s AND raised_at < %(end)s"
                + (" AND changed_at <= %(moment)s" if unchanged_since else "")
                + f" AND {' AND '.join(matched)} GROUP BY 1"
            ),
            params,
        )
        for row in curs.fetchall():
            if row["key"] in counts:
                counts[row["key"]][Figure.OVERDUE_OPEN] -= int(row["n"])
        return counts

    def _histograms(
        self, curs: Cursor[DictRow], query: AppealQuery, group_by: Dimension
    ) -> Histograms:
        text, params = cases_sql(query)
        # Only the columns the histograms read are kept, once, for the four aggregates.
        rows = text.replace("{columns}", f"{group_by.value} AS key, {DURATION_COLUMNS}")
        counted = f"WITH r AS MATERIALIZED ({rows}) {bucket_counts('r', 'key')}"
        curs.execute(self._sql(HISTOGRAMS.format(counted)), params)
        return gathered(curs.fetchall())

    def _rolled_up_histograms(
        self, curs: Cursor[DictRow], periods: list[tuple[str, date]], group_by: Dimension
    ) -> Histograms:
        if len(periods) == 1:  # read straight from the index
            rows = (
                "SELECT key, kind, bucket, n FROM {schema}.metrics_durations"
                " WHERE period = %s AND start = %s AND dimension = %s AND n > 0"
            )
            curs.execute(self._sql(HISTOGRAMS.format(rows)), (*periods[0], group_by.value))
        else:
            rows = (
                "SELECT key, kind, bucket, sum(n) AS n FROM {schema}.metrics_durations"
                " WHERE (period, start) IN (SELECT * FROM unnest(%s::text[], %s::date[]))"
                " AND dimension = %s AND n > 0 GROUP BY 1, 2, 3"
            )
            kinds, starts = [p for p, _ in periods], [s for _, s in periods]
            curs.execute(self._sql(HISTOGRAMS.format(rows)), (kinds, starts, group_by.value))
        return gathered(curs.fetchall())
