"""Metrics in PostgreSQL: per-appeal rows kept current in SQL, and what a trigger derives.

`metrics_appeals` has one row per appeal, updated by each event in SQL from the row as it
was (was this the first response? was the reply late against the deadline then in force?),
so a rebuild's pipelined transaction computes exactly what the live runner did. A trigger
on it keeps the roll-ups live figures are read from, and every version of every row, which
`as_of` reads (see `infrastructure.metrics_rollup`).
"""

from __future__ import annotations

import bisect
import contextlib
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from uuid import UUID

from eventsourcing.persistence import Tracking
from psycopg import Cursor
from psycopg.rows import DictRow
from psycopg.sql import SQL, Composed, Identifier

from domain.appeal_figures import Figure
from domain.calendar import CHINA_TZ
from infrastructure.metrics_replay import APPEAL_COLUMNS, VERSION_COLUMNS, AppealRow
from infrastructure.metrics_rollup import (
    COUNTED,
    DURATION_KINDS,
    FILL_STATEMENTS,
    FLAGS,
    HISTORY_COLUMNS,
    KEYS,
    MONTH_RAISED,
    REPLAY_SETTING,
    ROLLUP_STATEMENTS,
    VALID_UNTIL,
    Histogram,
    quantiles_of,
)
from infrastructure.read_scope import METRICS, scope_clause
from infrastructure.views import PostgresView, RebuildRows, Statement
from projections.metrics import (
    CARD_FIGURES,
    ActionItemGroup,
    AppealChange,
    AppealGroup,
    AppealQuery,
    AppealRaised,
    CaseRef,
    Dimension,
    Duration,
    ItemFigure,
    ItemRef,
    MetricsView,
    PenaltyFigure,
    PenaltyGroup,
    PenaltyRef,
)
from projections.scope import ReadScope

#: One row per appeal raised in the period, with what was true of it: `{table}` is the
#: appeals' rows (live) or their versions valid at %(moment)s (as of).
_CASES = (
    "SELECT case_id, case_number, "  # noqa: S608
    + ", ".join(f"{expression} AS {name}" for name, expression in KEYS.items())
    + ", "
    + ", ".join(f"{expression} AS {figure.value}" for figure, expression in FLAGS.items())
    + ", COALESCE(awaiting_due < %(moment)s, false) AS overdue_open,"
    " response_hours, response_work_hours, reply_hours, reply_work_hours"
    " FROM {{schema}}.{table} WHERE raised_at >= %(start)s AND raised_at < %(end)s"
)
LIVE_CASES = _CASES.format(table="metrics_appeals")
AS_OF_CASES = _CASES.format(table="metrics_appeal_versions") + (
    f" AND {VALID_UNTIL} > %(moment)s AND valid_from <= %(moment)s"
)

FILTERS = ("department", "channel", "tier", "category")

#: Per group, how many appeals count in each figure (over the per-appeal rows `c`).
RAW_COUNTS = ", ".join(
    ["count(*) AS raised"]
    + [f"count(*) FILTER (WHERE {f.value}) AS {f.value}" for f in Figure if f is not Figure.RAISED]
)
KIND_DURATIONS = {kind: duration for duration, kind in DURATION_KINDS.items()}


def _bucket_counts(rows: str, key: str, count: str = "count(*)", having: str = "") -> str:
    """Per group (`key`), kind of duration and bucket, how many of `rows` (`count`) have
    that duration: one aggregate per kind over the same rows, which PostgreSQL runs in
    four-fifths of the time of one aggregate over the rows paired with each kind."""
    return " UNION ALL ".join(
        f"SELECT {key} AS key, {kind}::smallint AS kind,"  # noqa: S608  # constant fragments
        f" {{schema}}.metrics_bucket({duration.value}) AS bucket, {count} AS n"
        f" FROM {rows} WHERE {duration.value} IS NOT NULL GROUP BY 1, 3{having}"
        for duration, kind in DURATION_KINDS.items()
    )


#: The columns durations are read from.
_DURATION_COLUMNS = ", ".join(duration.value for duration in DURATION_KINDS)
#: Kinds of period the duration histograms are kept for, by length in months.
ROLLED_UP_PERIODS = {1: "M", 3: "Q", 6: "H", 12: "Y"}

Histograms = dict[str, dict[Duration, Histogram]]


_COLUMNS = ", ".join(HISTORY_COLUMNS)
#: For the appeals of a period changed after %(moment)s: per group (`{key}`), what their
#: rows as they are now contribute taken away (w = -1) and what their versions valid then
#: contributed added back (w = 1), to counts (kind NULL) and to each histogram bucket.
_CORRECTIONS = (
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
    ", h AS (" + _bucket_counts("changed", "{key}", "sum(w)", " HAVING sum(w) <> 0") + ")"
    " SELECT {key} AS key, NULL::smallint AS kind, NULL::integer[] AS buckets,"
    " NULL::bigint[] AS counts, sum(w) AS raised, "
    + ", ".join(
        f"sum(w * ({expression})::integer) AS {name}" for name, expression in COUNTED.items()
    )
    + ", count(*) FILTER (WHERE w = 1 AND awaiting_due >= %(moment)s) AS not_yet_due"
    " FROM changed GROUP BY 1"
    " UNION ALL SELECT key, kind, array_agg(bucket), array_agg(n), "
    + ", ".join("NULL" for _ in ["raised", *COUNTED])
    + ", NULL FROM h GROUP BY key, kind"
)

#: One row per group and kind of duration: its histogram as two arrays (buckets, counts).
_HISTOGRAMS = (
    "SELECT key, kind, array_agg(bucket) AS buckets, array_agg(n) AS counts"
    " FROM ({}) h GROUP BY key, kind"
)


def _whole_months(query: AppealQuery) -> tuple[date, date] | None:
    """The first month of the query and the month after it, when it spans whole months."""
    first, after = (moment.astimezone(CHINA_TZ) for moment in (query.start, query.end))
    if any(m.day != 1 or m.time() != time(0) for m in (first, after)):
        return None
    return first.date(), after.date()


def _month_starts(months: tuple[date, date]) -> list[date]:
    """The first day of each month of a run of whole months."""
    first, after = months
    starts = []
    while first < after:
        starts.append(first)
        first = date(first.year + first.month // 12, first.month % 12 + 1, 1)
    return starts


def _rolled_up_period(months: tuple[date, date]) -> tuple[str, date] | None:
    """The kind and start of the period kept in `metrics_durations`, if the months are one."""
    first, after = months
    length = (after.year - first.year) * 12 + after.month - first.month
    kind = ROLLED_UP_PERIODS.get(length)
    if kind is None or (first.month - 1) % length != 0:
        return None
    return kind, first


def _aligned_periods(months: tuple[date, date]) -> list[tuple[str, date]]:
    """The fewest periods kept in `metrics_durations` (years, halves, quarters, months) that
    cover a run of whole months exactly."""
    first, after = months
    periods: list[tuple[str, date]] = []
    month = first
    while month < after:
        for length in sorted(ROLLED_UP_PERIODS, reverse=True):
            end = _months_after(month, length)
            if (month.month - 1) % length == 0 and end <= after:
                periods.append((ROLLED_UP_PERIODS[length], month))
                month = end
                break
    return periods


def _months_after(month: date, count: int) -> date:
    index = month.month - 1 + count
    return date(month.year + index // 12, index % 12 + 1, 1)


def _add_counts(into: dict[str, dict[Figure, int]], more: dict[str, dict[Figure, int]]) -> None:
    for key, figures in more.items():
        total = into.setdefault(key, dict.fromkeys(Figure, 0))
        for figure, count in figures.items():
            total[figure] += count


def _add_histogram(
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


class PostgresMetricsView(PostgresView, MetricsView):
    """Appeal rows, appeal facts, action items, penalties and cards."""

    tables = (
        "metrics_appeals",
        "metrics_appeal_versions",
        "metrics_action_items",
        "metrics_penalties",
        "metrics_cards",
        "metrics_counts",
        "metrics_durations",
    )
    create_statements = (
        "CREATE TABLE IF NOT EXISTS {schema}.metrics_appeals ("
        " case_id uuid PRIMARY KEY, case_number text NOT NULL,"
        " channel text NOT NULL, tier text, category text NOT NULL,"
        " raised_department text NOT NULL, department text,"
        " raised_at timestamptz NOT NULL, raised_clock double precision NOT NULL,"
        " response_due timestamptz, reply_due timestamptz, awaiting_due timestamptz,"
        " first_response_at timestamptz, responded_in_time boolean,"
        " response_hours double precision, response_work_hours double precision,"
        " replied_at timestamptz, reply_hours double precision, reply_work_hours double precision,"
        " late_replies integer NOT NULL DEFAULT 0, resolved boolean NOT NULL DEFAULT false,"
        " rating text, rated_at timestamptz, reopened integer NOT NULL DEFAULT 0,"
        " transfers integer NOT NULL DEFAULT 0)",
        # Facts per event answered `as_of` before row versions did (rebuild to fill those).
        "DROP TABLE IF EXISTS {schema}.metrics_facts",
        "CREATE TABLE IF NOT EXISTS {schema}.metrics_action_items ("
        " item_id uuid PRIMARY KEY, department text NOT NULL, deadline timestamptz NOT NULL,"
        " created_at timestamptz NOT NULL, submitted boolean NOT NULL DEFAULT false,"
        " accepted_at timestamptz)",
        # Added later: when the work was submitted, for as_of (rebuild to fill older rows).
        "ALTER TABLE {schema}.metrics_action_items ADD COLUMN IF NOT EXISTS submitted_at"
        " timestamptz",
        "CREATE INDEX IF NOT EXISTS metrics_action_items_deadline"
        " ON {schema}.metrics_action_items (deadline)",
        "CREATE TABLE IF NOT EXISTS {schema}.metrics_penalties ("
        " penalty_id uuid PRIMARY KEY, department text NOT NULL, points integer NOT NULL,"
        " recorded_at timestamptz NOT NULL, reversed_at timestamptz)",
        "CREATE INDEX IF NOT EXISTS metrics_penalties_recorded"
        " ON {schema}.metrics_penalties (recorded_at)",
        "CREATE TABLE IF NOT EXISTS {schema}.metrics_cards ("
        " card_id uuid PRIMARY KEY, department text NOT NULL, colour text NOT NULL,"
        " issued_at timestamptz NOT NULL)",
        "CREATE INDEX IF NOT EXISTS metrics_cards_issued ON {schema}.metrics_cards (issued_at)",
        *ROLLUP_STATEMENTS,
    )

    def _sql(self, text: str) -> Composed:
        return SQL(text).format(schema=Identifier(self.datastore.schema))

    # -- writing -------------------------------------------------------------------------

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Composed once: formatting a statement per event costs as much as running it.
        self._insert_appeal = self._sql(_INSERT_APPEAL)
        self._update_appeal = self._sql(_UPDATE_APPEAL)
        self._close_version = self._sql(_CLOSE_VERSION)
        self._add_version = self._sql(_ADD_VERSION)
        self._held: RebuildRows[UUID, AppealRow] | None = None
        self._closed: list[tuple[Any, ...]] = []
        self._replay_switched = False

    def appeal_raised(self, raised: AppealRaised, tracking: Tracking) -> None:
        held = self._held
        if held is not None and held.is_new(raised.id):
            held.add(raised.id, AppealRow.raised(raised))
            self._replayed(tracking)
            return
        params = {
            "id": raised.id,
            "number": raised.case_number,
            "channel": raised.channel,
            "tier": raised.tier,
            "category": raised.category,
            "department": raised.department,
            "at": raised.at,
            "clock": raised.work_clock,
            "response_due": raised.response_due,
        }
        self.write(tracking, ((self._insert_appeal, params),))

    def appeal_changed(self, change: AppealChange, tracking: Tracking) -> None:
        held = self._held
        if held is not None and not held.written(change.id):
            row = held.rows.get(change.id)
            if row is not None:  # else no row anywhere: the live UPDATE would change nothing
                self._closed.append(row.version(valid_to=change.at))
                row.apply(change)
                if len(self._closed) >= CLOSED_VERSIONS_FLUSH:
                    self._copy_closed()
            self._replayed(tracking)
            return
        params: dict[str, Any] = {
            "id": change.id,
            "at": change.at,
            "clock": change.work_clock,
            "assigned": change.assigned_to,
            "rating": change.rating,
            "awaiting": change.awaiting_due,
        }
        statements: list[Statement] = [(self._update_appeal, self._update_params(change, params))]
        if held is not None:
            # A row a rebuild has written out already: the trigger is off, so the
            # versions are kept here.
            version = {"id": change.id, "at": change.at}
            statements[:0] = [(self._close_version, version)]
            statements.append((self._add_version, version))
        self.write(tracking, statements)

    # -- rebuilding ----------------------------------------------------------------------

    def _replayed(self, tracking: Tracking) -> None:
        """Notes an event applied in memory; the first also switches the trigger off."""
        if self._replay_switched:
            self.rebuild_applied(tracking)
            return
        self._replay_switched = True
        self.write(tracking, ((SQL("SELECT set_config(%s, 'on', true)"), (REPLAY_SETTING,)),))

    def _rebuild_started(self) -> None:
        self._held = RebuildRows(self._copy_held)
        self._closed = []
        self._replay_switched = False

    def _rebuild_finishing(self) -> None:
        if self._held is None:
            return
        self._held.drain()
        self._copy_closed()
        tracking = self._rebuild_tracking
        if tracking is not None and self._replay_switched:
            self.write(tracking, [(self._sql(fill), ()) for fill in FILL_STATEMENTS])

    def _rebuild_ended(self) -> None:
        self._held = None
        self._closed = []

    def _copy_held(self, rows: list[AppealRow]) -> None:
        """Writes rows held by a rebuild, each with its current version."""
        self.copy_rows("metrics_appeals", APPEAL_COLUMNS, [row.values() for row in rows])
        versions = [row.version(valid_to=None) for row in rows]
        self.copy_rows("metrics_appeal_versions", VERSION_COLUMNS, versions)

    def _copy_closed(self) -> None:
        """Writes the versions a rebuild has closed so far (they change no more)."""
        closed, self._closed = self._closed, []
        if closed:
            self.copy_rows("metrics_appeal_versions", VERSION_COLUMNS, closed)

    @staticmethod
    def _update_params(change: AppealChange, params: dict[str, Any]) -> dict[str, Any]:
        return {
            **params,
            "transferred": 1 if change.assigned_to is not None else 0,
            "responds": change.responds,
            "replies": change.replies,
            "resolves": change.resolves,
            "reopens": 1 if change.reopens else 0,
            "sets_response_due": change.sets_response_due,
            "response_due": change.response_due,
            "sets_reply_due": change.sets_reply_due,
            "reply_due": change.reply_due,
            "sets_awaiting": change.sets_awaiting,
        }

    def item_created(
        self, id: UUID, department: str, deadline: datetime, at: datetime, tracking: Tracking
    ) -> None:
        sql = self._sql(
            "INSERT INTO {schema}.metrics_action_items (item_id, department, deadline,"
            " created_at) VALUES (%s, %s, %s, %s)"
        )
        self.write(tracking, ((sql, (id, department, deadline, at)),))

    def item_changed(
        self,
        id: UUID,
        submitted_at: datetime | None,
        accepted_at: datetime | None,
        tracking: Tracking,
    ) -> None:
        sql = self._sql(
            "UPDATE {schema}.metrics_action_items"
            " SET submitted = submitted OR %(submitted_at)s::timestamptz IS NOT NULL,"
            " submitted_at = COALESCE(submitted_at, %(submitted_at)s::timestamptz),"
            " accepted_at = COALESCE(accepted_at, %(accepted_at)s::timestamptz)"
            " WHERE item_id = %(id)s"
        )
        params = {"id": id, "submitted_at": submitted_at, "accepted_at": accepted_at}
        self.write(tracking, ((sql, params),))

    def penalty_recorded(
        self, id: UUID, department: str, points: int, at: datetime, tracking: Tracking
    ) -> None:
        sql = self._sql(
            "INSERT INTO {schema}.metrics_penalties (penalty_id, department, points,"
            " recorded_at) VALUES (%s, %s, %s, %s)"
        )
        self.write(tracking, ((sql, (id, department, points, at)),))

    def penalty_reversed(self, id: UUID, at: datetime, tracking: Tracking) -> None:
        sql = self._sql(
            "UPDATE {schema}.metrics_penalties SET reversed_at = %s WHERE penalty_id = %s"
        )
        self.write(tracking, ((sql, (at, id)),))

    def card_issued(
        self, id: UUID, department: str, colour: str, at: datetime, tracking: Tracking
    ) -> None:
        sql = self._sql(
            "INSERT INTO {schema}.metrics_cards (card_id, department, colour, issued_at)"
            " VALUES (%s, %s, %s, %s)"
        )
        self.write(tracking, ((sql, (id, department, colour, at)),))

    # -- reading -------------------------------------------------------------------------

    @staticmethod
    def _cases(query: AppealQuery) -> tuple[str, dict[str, Any]]:
        """The per-appeal rows `c` (live or as of) and the filters, with their parameters."""
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
        scoped, values = _scoped(query.scope)
        where.append(scoped)
        params.update(values)
        cases = AS_OF_CASES if query.as_of is not None else LIVE_CASES
        # Every fragment is a constant of this module; values travel as parameters.
        text = f"WITH c AS ({cases}) SELECT {{columns}} FROM c WHERE {' AND '.join(where)}"  # noqa: S608
        return text, params

    @contextlib.contextmanager
    def _snapshot(self) -> Iterator[Cursor[DictRow]]:
        """A cursor whose queries all see the view at one moment (between two events)."""
        with self.datastore.get_connection() as conn, conn.transaction(), conn.cursor() as curs:
            # JIT compiling a plan costs 40-100 ms, more than any of these queries takes.
            # A plan for the values at hand: the best one depends on them (a moment a year
            # back finds 1,000 changed appeals, today none), and a generic plan, which
            # PostgreSQL adopts for a statement prepared and run often, fits none of them.
            # One round trip for the three.
            curs.execute(
                "SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY;"
                " SET LOCAL jit = off; SET LOCAL plan_cache_mode = force_custom_plan"
            )
            yield curs

    def appeal_groups(self, query: AppealQuery, group_by: Dimension) -> list[AppealGroup]:
        """Live figures of whole months are summed from the roll-ups. As of a moment, the
        months that had ended by then are the roll-ups corrected by the appeals changed
        since (`_as_of_months`); anything else is counted from each appeal's row, or its
        version valid then. Quantiles come from the rolled-up histograms unless a filter
        applies, else from histograms built from the rows."""
        months = _whole_months(query)
        filtered = any(getattr(query, column) is not None for column in FILTERS)
        period = _rolled_up_period(months) if months else None
        with self._snapshot() as curs:
            if query.as_of is not None and months is not None and not filtered:
                counts, histograms = self._as_of_months(curs, query, group_by, months)
            elif months is None or query.as_of is not None:
                counts, histograms = self._counted(curs, query, group_by)
            else:
                counts = self._rolled_up_counts(curs, query, group_by, months, period)
                if filtered:
                    histograms = self._histograms(curs, query, group_by)
                else:
                    periods = _aligned_periods(months)
                    histograms = self._rolled_up_histograms(curs, periods, group_by)
        groups = [
            AppealGroup(key, figures, quantiles_of(histograms.get(key, {}).items()))
            for key, figures in counts.items()
        ]
        groups.sort(key=lambda group: (-group.counts[Figure.RAISED], group.key))
        return groups

    def _counted(
        self, curs: Cursor[DictRow], query: AppealQuery, group_by: Dimension
    ) -> tuple[dict[str, dict[Figure, int]], Histograms]:
        """Counts and histograms from one pass over the appeals' rows (or versions)."""
        text, params = self._cases(query)
        key = group_by.value
        counted = [f.value for f in Figure]
        # Constant fragments only; values travel as parameters.
        sql = (
            "WITH c AS MATERIALIZED ("  # noqa: S608
            + text.replace("{columns}", "*")
            + "), h AS ("
            + _bucket_counts("c", key)
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
        return counts, self._gathered([row for row in rows if row["kind"] is not None])

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
            "months": _month_starts(months),
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
                f" WHERE {MONTH_RAISED} = ANY(%(months)s) AND awaiting_due >= %(moment)s"
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
            _add_counts(counts, more_counts)
            for key, kinds in more_histograms.items():
                for duration, (buckets, tallies) in kinds.items():
                    deltas = dict(zip(buckets, tallies, strict=True))
                    _add_histogram(histograms, key, duration, deltas)
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
        period = _rolled_up_period(months)
        counts = self._rolled_up_counts(curs, query, group_by, months, period, unchanged_since=True)
        histograms = self._rolled_up_histograms(curs, _aligned_periods(months), group_by)
        params = {
            "start": query.start,
            "end": query.end,
            "moment": query.moment,
            "months": _month_starts(months),
        }
        curs.execute(self._sql(_CORRECTIONS.replace("{key}", KEYS[group_by.value])), params)
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
                _add_histogram(histograms, key, KIND_DURATIONS[row["kind"]], deltas)
        return {k: f for k, f in counts.items() if f[Figure.RAISED] > 0}, histograms

    def _histograms(
        self, curs: Cursor[DictRow], query: AppealQuery, group_by: Dimension
    ) -> Histograms:
        text, params = self._cases(query)
        # Only the columns the histograms read are kept, once, for the four aggregates.
        rows = text.replace("{columns}", f"{group_by.value} AS key, {_DURATION_COLUMNS}")
        counted = f"WITH r AS MATERIALIZED ({rows}) {_bucket_counts('r', 'key')}"
        curs.execute(self._sql(_HISTOGRAMS.format(counted)), params)
        return self._gathered(curs.fetchall())

    def _rolled_up_histograms(
        self, curs: Cursor[DictRow], periods: list[tuple[str, date]], group_by: Dimension
    ) -> Histograms:
        if len(periods) == 1:  # read straight from the index
            rows = (
                "SELECT key, kind, bucket, n FROM {schema}.metrics_durations"
                " WHERE period = %s AND start = %s AND dimension = %s AND n > 0"
            )
            curs.execute(self._sql(_HISTOGRAMS.format(rows)), (*periods[0], group_by.value))
        else:
            rows = (
                "SELECT key, kind, bucket, sum(n) AS n FROM {schema}.metrics_durations"
                " WHERE (period, start) IN (SELECT * FROM unnest(%s::text[], %s::date[]))"
                " AND dimension = %s AND n > 0 GROUP BY 1, 2, 3"
            )
            kinds, starts = [p for p, _ in periods], [s for _, s in periods]
            curs.execute(self._sql(_HISTOGRAMS.format(rows)), (kinds, starts, group_by.value))
        return self._gathered(curs.fetchall())

    @staticmethod
    def _gathered(rows: list[DictRow]) -> Histograms:
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

    def appeal_cases(self, query: AppealQuery, figure: Figure) -> list[CaseRef]:
        text, params = self._cases(query)
        predicate = "TRUE" if figure is Figure.RAISED else figure.value
        text = text.replace("{columns}", "case_id, case_number")
        sql = self._sql(text + f" AND {predicate} ORDER BY case_number")
        return [CaseRef(row["case_id"], row["case_number"]) for row in self.query(sql, params)]

    def action_item_groups(
        self, start: datetime, end: datetime, as_of: datetime | None = None
    ) -> list[ActionItemGroup]:
        counts = ", ".join(
            f"count(*) FILTER (WHERE {predicate}) AS {figure.value}"
            for figure, predicate in ITEM_COUNTED.items()
        )
        sql = self._sql(
            f"SELECT department, {counts} {ITEMS_DUE} GROUP BY department ORDER BY department"
        )
        return [
            ActionItemGroup(r["department"], *(r[figure.value] for figure in ItemFigure))
            for r in self.query(sql, _moment_params(start, end, as_of))
        ]

    def action_item_cases(
        self,
        figure: ItemFigure,
        start: datetime,
        end: datetime,
        as_of: datetime | None = None,
        department: str | None = None,
        scope: ReadScope | None = None,
    ) -> list[ItemRef]:
        # Only what had happened by the moment: a list as of T shows the items as they were.
        scoped, values = _scoped(scope)
        sql = self._sql(
            "SELECT item_id, department, deadline,"
            " CASE WHEN submitted_at <= %(moment)s THEN submitted_at END AS submitted_at,"
            " CASE WHEN accepted_at <= %(moment)s THEN accepted_at END AS accepted_at"
            f" {ITEMS_DUE} AND ({ITEM_COUNTED[figure]}) AND {_DEPARTMENT_IS} AND {scoped}"
            " ORDER BY deadline, item_id"
        )
        params = {**_moment_params(start, end, as_of), "department": department, **values}
        return [
            ItemRef(
                r["item_id"], r["department"], r["deadline"], r["submitted_at"], r["accepted_at"]
            )
            for r in self.query(sql, params)
        ]

    def penalty_groups(
        self, start: datetime, end: datetime, as_of: datetime | None = None
    ) -> list[PenaltyGroup]:
        counts = ", ".join(
            f"count(*) FILTER (WHERE {PENALTY_COUNTED[figure]}) AS {figure.value}"
            for figure in (PenaltyFigure.PENALTIES, PenaltyFigure.REVERSED)
        )
        points = PENALTY_COUNTED[PenaltyFigure.POINTS]
        cards = ", ".join(
            f"count(*) FILTER (WHERE colour = '{colour}') AS {figure.value}"
            for figure, colour in CARD_FIGURES.items()
        )
        columns = ", ".join(
            f"COALESCE({figure.value}, 0) AS {figure.value}"
            for figure in PenaltyFigure
            if figure is not PenaltyFigure.POINTS
        )
        sql = self._sql(
            f"WITH p AS (SELECT department, {counts},"  # noqa: S608
            f"  COALESCE(sum(points) FILTER (WHERE {points}), 0) AS points"
            f"  {PENALTIES_RECORDED} GROUP BY department),"
            f" k AS (SELECT department, {cards} {CARDS_ISSUED} GROUP BY department)"
            " SELECT COALESCE(p.department, k.department) AS department,"
            f" COALESCE(points, 0) AS points, {columns}"
            " FROM p FULL JOIN k ON p.department = k.department"
            " ORDER BY points, department"
        )
        return [
            PenaltyGroup(
                r["department"],
                r["penalties"],
                r["reversed"],
                int(r["points"]),
                r["yellow_cards"],
                r["red_cards"],
            )
            for r in self.query(sql, _moment_params(start, end, as_of))
        ]

    def penalty_cases(
        self,
        figure: PenaltyFigure,
        start: datetime,
        end: datetime,
        as_of: datetime | None = None,
        department: str | None = None,
        scope: ReadScope | None = None,
    ) -> list[PenaltyRef]:
        scoped, values = _scoped(scope)
        params = {**_moment_params(start, end, as_of), "department": department, **values}
        colour = CARD_FIGURES.get(figure)
        if colour is not None:
            sql = self._sql(
                f"SELECT card_id, department, colour, issued_at {CARDS_ISSUED}"
                f" AND colour = %(colour)s AND {_DEPARTMENT_IS} AND {scoped}"
                " ORDER BY issued_at, card_id"
            )
            return [
                PenaltyRef(r["card_id"], "card", r["department"], r["issued_at"], colour=colour)
                for r in self.query(sql, {**params, "colour": colour})
            ]
        # A reversal after the moment had not happened then.
        sql = self._sql(
            "SELECT penalty_id, department, points, recorded_at,"
            " CASE WHEN reversed_at <= %(moment)s THEN reversed_at END AS reversed_at"
            f" {PENALTIES_RECORDED} AND ({PENALTY_COUNTED[figure]}) AND {_DEPARTMENT_IS}"
            f" AND {scoped}"
            " ORDER BY recorded_at, penalty_id"
        )
        return [
            PenaltyRef(
                r["penalty_id"],
                "penalty",
                r["department"],
                r["recorded_at"],
                points=r["points"],
                reversed_at=r["reversed_at"],
            )
            for r in self.query(sql, params)
        ]


#: Action items due in [start, end) that existed at the moment (`_moment_params`).
ITEMS_DUE = (
    "FROM {schema}.metrics_action_items WHERE deadline >= %(start)s AND deadline < %(end)s"
    " AND created_at <= %(moment)s"
)
#: When an item due in the period counts in each figure, at the moment. (Rows written
#: before `submitted_at` existed know only that the item was submitted: live figures only.)
ITEM_COUNTED: dict[ItemFigure, str] = {
    ItemFigure.DUE: "TRUE",
    ItemFigure.SUBMITTED: "submitted_at <= %(moment)s"
    " OR (submitted AND submitted_at IS NULL AND %(live)s)",
    ItemFigure.ACCEPTED: "accepted_at <= %(moment)s",
    ItemFigure.ACCEPTED_ON_TIME: "accepted_at <= deadline AND accepted_at <= %(moment)s",
}
#: Penalties recorded in [start, end) by the moment, and cards issued then.
PENALTIES_RECORDED = (
    "FROM {schema}.metrics_penalties WHERE recorded_at >= %(start)s AND recorded_at < %(end)s"
    " AND recorded_at <= %(moment)s"
)
CARDS_ISSUED = (
    "FROM {schema}.metrics_cards WHERE issued_at >= %(start)s AND issued_at < %(end)s"
    " AND issued_at <= %(moment)s"
)
#: When a penalty recorded in the period counts in each penalty figure, at the moment.
PENALTY_COUNTED: dict[PenaltyFigure, str] = {
    PenaltyFigure.PENALTIES: "TRUE",
    PenaltyFigure.REVERSED: "reversed_at <= %(moment)s",
    PenaltyFigure.POINTS: "reversed_at IS NULL OR reversed_at > %(moment)s",
}
#: Of one department when `%(department)s` is given, else of all.
_DEPARTMENT_IS = "(%(department)s::text IS NULL OR department = %(department)s)"


def _scoped(scope: ReadScope | None) -> tuple[str, dict[str, Any]]:
    """The condition keeping a reader to the cases of the departments their scope reaches."""
    if scope is None:
        return "TRUE", {}
    return scope_clause(scope, METRICS)


def _moment_params(start: datetime, end: datetime, as_of: datetime | None) -> dict[str, Any]:
    """The parameters of a period's figures taken at `as_of` (None: live)."""
    return {"start": start, "end": end, "moment": _moment(as_of), "live": as_of is None}


def _moment(as_of: datetime | None) -> datetime:
    """The moment figures are taken at: `as_of`, or after everything recorded (live)."""
    return as_of if as_of is not None else datetime.max.replace(tzinfo=UTC)


#: Versions closed by a rebuild that are held in memory before they are written.
CLOSED_VERSIONS_FLUSH = 20_000

_INSERT_APPEAL = (
    "INSERT INTO {schema}.metrics_appeals (case_id, case_number, channel, tier, category,"
    " raised_department, raised_at, raised_clock, changed_at, response_due) VALUES (%(id)s,"
    " %(number)s, %(channel)s, %(tier)s, %(category)s, %(department)s, %(at)s, %(clock)s,"
    " %(at)s, %(response_due)s)"
)
_CLOSE_VERSION = (
    "UPDATE {schema}.metrics_appeal_versions SET valid_to = %(at)s"
    " WHERE case_id = %(id)s AND valid_to IS NULL"
)
_ADD_VERSION = (
    "INSERT INTO {schema}.metrics_appeal_versions ("  # noqa: S608
    + ", ".join(HISTORY_COLUMNS)
    + ", valid_from) SELECT "
    + ", ".join(HISTORY_COLUMNS)
    + ", changed_at FROM {schema}.metrics_appeals WHERE case_id = %(id)s"
)
_UPDATE_APPEAL = (
    "UPDATE {schema}.metrics_appeals SET changed_at = %(at)s,"
    " department = COALESCE(%(assigned)s, department),"
    " transfers = transfers + %(transferred)s,"
    " responded_in_time = CASE WHEN %(responds)s AND first_response_at IS NULL"
    "   THEN %(at)s <= COALESCE(response_due, reply_due, %(at)s) ELSE responded_in_time END,"
    " response_hours = CASE WHEN %(responds)s AND first_response_at IS NULL"
    "   THEN extract(epoch FROM %(at)s - raised_at)::float8 / 3600 ELSE response_hours END,"
    " response_work_hours = CASE WHEN %(responds)s AND first_response_at IS NULL"
    "   THEN %(clock)s - raised_clock ELSE response_work_hours END,"
    " first_response_at = CASE WHEN %(responds)s"
    "   THEN COALESCE(first_response_at, %(at)s) ELSE first_response_at END,"
    " late_replies = late_replies + CASE WHEN %(replies)s AND %(at)s > reply_due"
    "   THEN 1 ELSE 0 END,"
    " reply_hours = CASE WHEN %(replies)s AND replied_at IS NULL"
    "   THEN extract(epoch FROM %(at)s - raised_at)::float8 / 3600 ELSE reply_hours END,"
    " reply_work_hours = CASE WHEN %(replies)s AND replied_at IS NULL"
    "   THEN %(clock)s - raised_clock ELSE reply_work_hours END,"
    " replied_at = CASE WHEN %(replies)s THEN COALESCE(replied_at, %(at)s) ELSE replied_at END,"
    " resolved = resolved OR %(resolves)s,"
    " rating = COALESCE(%(rating)s, rating),"
    " rated_at = CASE WHEN %(rating)s::text IS NULL THEN rated_at ELSE %(at)s END,"
    " reopened = reopened + %(reopens)s,"
    " response_due = CASE WHEN %(sets_response_due)s"
    "   THEN %(response_due)s::timestamptz ELSE response_due END,"
    " reply_due = CASE WHEN %(sets_reply_due)s THEN %(reply_due)s::timestamptz ELSE reply_due END,"
    " awaiting_due = CASE WHEN %(sets_awaiting)s"
    "   THEN %(awaiting)s::timestamptz ELSE awaiting_due END"
    " WHERE case_id = %(id)s"
)
