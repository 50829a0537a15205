"""Rebuilding the metrics view: appeal rows held in memory, written once by COPY.

A rebuild replays hundreds of thousands of events. Instead of one UPDATE per event, it
holds each appeal's row in memory (`AppealRow`, the same rules in Python), keeps every
version the row passes through, and writes rows and versions by COPY; the roll-ups are
summed from the rows at the end (`FILL_STATEMENTS`), with the trigger off meanwhile. Rows
written out early (past `RebuildRows`' limit) take later events as live UPDATEs, their
versions kept here since the trigger is off.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from eventsourcing.persistence import Tracking
from psycopg.sql import SQL

from infrastructure.metrics.appeal_row import AppealRow
from infrastructure.metrics.columns import APPEAL_COLUMNS, HISTORY_COLUMNS, VERSION_COLUMNS
from infrastructure.metrics.rollup import FILL_STATEMENTS, REPLAY_SETTING
from infrastructure.metrics.schema import MetricsTables
from infrastructure.views import RebuildRows, Statement
from projections.metrics import AppealChange, AppealRaised

#: Versions closed by a rebuild that are held in memory before they are written.
CLOSED_VERSIONS_FLUSH = 20_000

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


class MetricsRebuild(MetricsTables):
    """The metrics view's rebuild: appeal rows in memory, written once by COPY."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._close_version = self._sql(_CLOSE_VERSION)
        self._add_version = self._sql(_ADD_VERSION)
        self._held: RebuildRows[UUID, AppealRow] | None = None
        self._closed: list[tuple[Any, ...]] = []
        self._replay_switched = False

    def _held_raised(self, raised: AppealRaised, tracking: Tracking) -> bool:
        """Whether a rebuild took the new appeal's row into memory (else: write it)."""
        held = self._held
        if held is not None and held.is_new(raised.id):
            held.add(raised.id, AppealRow.raised(raised))
            self._replayed(tracking)
            return True
        return False

    def _held_change(self, change: AppealChange, tracking: Tracking) -> bool:
        """Whether a rebuild applied the change to a row in memory (else: update it)."""
        held = self._held
        if held is not None and not held.written(change.id):
            row = held.rows.get(change.id)
            if row is not None:  # else no row anywhere: the live UPDATE would change nothing
                self._closed.append(row.version(valid_to=change.at))
                row.apply(change)
                if len(self._closed) >= CLOSED_VERSIONS_FLUSH:
                    self._copy_closed()
            self._replayed(tracking)
            return True
        return False

    def _with_versions(self, change: AppealChange, update: Statement) -> list[Statement]:
        """The row's UPDATE; during a rebuild, of a row it has written out already, with
        the row's versions kept here (the trigger that keeps them is off)."""
        if self._held is None:
            return [update]
        version = {"id": change.id, "at": change.at}
        return [(self._close_version, version), update, (self._add_version, version)]

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
