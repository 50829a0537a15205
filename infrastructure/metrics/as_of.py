"""Figures of whole months as of a past moment: today's roll-ups, corrected.

Months that had all ended by the moment are summed from today's roll-ups, less what the
appeals changed since contribute now, plus what their versions valid then contributed
(`CORRECTIONS`); the month the moment falls in is counted from the versions valid then.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, time, timedelta

from psycopg import Cursor
from psycopg.rows import DictRow

from domain.appeal_figures import Figure
from domain.calendar import CHINA_TZ
from infrastructure.metrics.columns import HISTORY_COLUMNS, KEYS, MONTH_RAISED
from infrastructure.metrics.counts import AppealCounts, add_counts
from infrastructure.metrics.histograms import (
    KIND_DURATIONS,
    Histograms,
    add_histogram,
    bucket_counts,
)
from infrastructure.metrics.periods import aligned_periods, month_starts, rolled_up_period
from infrastructure.metrics.rules_sql import COUNTED, NOT_YET_DUE_SQL
from projections.metrics import AppealQuery, Dimension

_COLUMNS = ", ".join(HISTORY_COLUMNS)
#: For the appeals of a period changed after %(moment)s: per group (`{key}`), what their
#: rows as they are now contribute taken away (w = -1) and what their versions valid then
#: contributed added back (w = 1), to counts (kind NULL) and to each histogram bucket.
CORRECTIONS = (
    "WITH moved AS MATERIALIZED (SELECT "  # noqa: S608
    + _COLUMNS
    + " FROM {schema}.metrics_appeals WHERE "
    + MONTH_RAISED
    + " = ANY(%(months)s) AND changed_at > %(moment)s"
    " AND raised_at >= %(start)s AND raised_at < %(end)s),"
    # Each changed appeal's row now (w = -1: its current version) and its version valid
    # then (w = 1): the newest begun by the moment, one step back in the appeal's index.
    # LIMIT keeps it a lookup per appeal: flattened into a join, it was planned as a scan
    # of every version whenever the count of changed appeals was misjudged.
    " changed AS MATERIALIZED (SELECT -1 AS w, "
    + _COLUMNS
    + " FROM moved UNION ALL SELECT 1, "
    + ", ".join(f"v.{column}" for column in HISTORY_COLUMNS)
    + " FROM moved m CROSS JOIN LATERAL (SELECT * FROM {schema}.metrics_appeal_versions v"
    "  WHERE v.case_id = m.case_id AND v.valid_from <= %(moment)s"
    "  AND (v.valid_to IS NULL OR v.valid_to > %(moment)s)"
    "  ORDER BY v.valid_from DESC LIMIT 1) v)"
    ", h AS (" + bucket_counts("changed", "{key}", "sum(w)", " HAVING sum(w) <> 0") + ")"
    " SELECT {key} AS key, NULL::smallint AS kind, NULL::integer[] AS buckets,"
    " NULL::bigint[] AS counts, sum(w) AS raised, "
    + ", ".join(
        f"sum(w * ({expression})::integer) AS {name}" for name, expression in COUNTED.items()
    )
    + f", count(*) FILTER (WHERE w = 1 AND {NOT_YET_DUE_SQL}) AS not_yet_due"
    " FROM changed GROUP BY 1"
    " UNION ALL SELECT key, kind, array_agg(bucket), array_agg(n), "
    + ", ".join("NULL" for _ in ["raised", *COUNTED])
    + ", NULL FROM h GROUP BY key, kind"
)


class AsOfFigures(AppealCounts):
    """Figures of whole months as they stood at a past moment."""

    def _as_of_months(
        self,
        curs: Cursor[DictRow],
        query: AppealQuery,
        group_by: Dimension,
        months: tuple[date, date],
    ) -> tuple[dict[str, dict[Figure, int]], Histograms]:
        """Figures of whole months as of a moment: the months that had ended by then from
        the corrected roll-ups, the month it falls in (if in the period) from versions."""
        moment = query.moment.astimezone(CHINA_TZ)
        split = max(min(date(moment.year, moment.month, 1), months[1]), months[0])
        if split == months[0]:  # the moment falls in the period's first month, or before
            return self._counted(curs, query, group_by)
        ended = replace(query, end=datetime.combine(split, time(0), tzinfo=CHINA_TZ))
        counts, histograms = self._corrected(curs, ended, group_by, (months[0], split))
        if split < months[1]:
            # Appeals raised after the moment had no version then: not read at all.
            raised_by = query.moment + timedelta(microseconds=1)
            ongoing = replace(query, start=ended.end, end=min(query.end, raised_by))
            more_counts, more_histograms = self._counted(curs, ongoing, group_by)
            add_counts(counts, more_counts)
            for key, kinds in more_histograms.items():
                for duration, (buckets, tallies) in kinds.items():
                    deltas = dict(zip(buckets, tallies, strict=True))
                    add_histogram(histograms, key, duration, deltas)
        return counts, histograms

    def _corrected(
        self,
        curs: Cursor[DictRow],
        query: AppealQuery,
        group_by: Dimension,
        months: tuple[date, date],
    ) -> tuple[dict[str, dict[Figure, int]], Histograms]:
        """Figures of months that had all ended by the moment: today's roll-ups, less what
        the appeals changed since contribute now, plus what their versions valid then did."""
        period = rolled_up_period(months)
        counts = self._rolled_up_counts(curs, query, group_by, months, period, unchanged_since=True)
        histograms = self._rolled_up_histograms(curs, aligned_periods(months), group_by)
        params = {
            "start": query.start,
            "end": query.end,
            "moment": query.moment,
            "months": month_starts(months),
        }
        curs.execute(self._sql(CORRECTIONS.replace("{key}", KEYS[group_by.value])), params)
        for row in curs.fetchall():
            key = row["key"]
            if row["kind"] is None:
                figures = counts.setdefault(key, dict.fromkeys(Figure, 0))
                for figure in Figure:
                    if figure is not Figure.OVERDUE_OPEN:
                        figures[figure] += int(row[figure.value])
                figures[Figure.OVERDUE_OPEN] += int(row["awaiting"]) - int(row["not_yet_due"])
            else:
                deltas = dict(zip(row["buckets"], row["counts"], strict=True))
                add_histogram(histograms, key, KIND_DURATIONS[row["kind"]], deltas)
        return {k: f for k, f in counts.items() if f[Figure.RAISED] > 0}, histograms
