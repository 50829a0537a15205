"""An appeal's metrics row in memory, for rebuilds: what the live UPDATE does, in Python.

Live, each appeal event is one UPDATE of `metrics_appeals` computed in SQL from the row as
it was (`UPDATE_APPEAL` in `infrastructure.metrics.live`), and a trigger records the row's
new version and keeps the roll-ups. A rebuild replays hundreds of thousands of events: it
holds each appeal's row here instead, judges each event by the same rules (the domain's,
evaluated in Python where the UPDATE has them written as SQL), and writes the final rows
and every version once, by COPY; the roll-ups are then summed from the rows in one
statement each. `tests/integration/test_metrics.py` checks that a rebuild gives exactly
the live rows.
"""

from __future__ import annotations

import operator
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from domain.appeal_figures import (
    AT,
    HOURS_SINCE_RAISED,
    REPLY_LATE,
    RESPONSE_IN_TIME,
    WORK_CLOCK,
    WORK_HOURS_SINCE_RAISED,
)
from infrastructure.metrics.columns import APPEAL_COLUMNS, HISTORY_COLUMNS
from projections.metrics import AppealChange, AppealRaised


@dataclass(slots=True)
class AppealRow:
    """One row of `metrics_appeals` (its columns: `APPEAL_COLUMNS`)."""

    case_id: UUID
    case_number: str
    channel: str
    tier: str | None
    category: str
    raised_department: str
    department: str | None
    raised_at: datetime
    raised_clock: float
    response_due: datetime | None = None
    reply_due: datetime | None = None
    awaiting_due: datetime | None = None
    first_response_at: datetime | None = None
    responded_in_time: bool | None = None
    response_hours: float | None = None
    response_work_hours: float | None = None
    replied_at: datetime | None = None
    reply_hours: float | None = None
    reply_work_hours: float | None = None
    late_replies: int = 0
    resolved: bool = False
    rating: str | None = None
    rated_at: datetime | None = None
    reopened: int = 0
    transfers: int = 0
    changed_at: datetime | None = None

    @classmethod
    def raised(cls, raised: AppealRaised) -> AppealRow:
        """The row an appeal starts with (the live INSERT)."""
        return cls(
            case_id=raised.id,
            case_number=raised.case_number,
            channel=raised.channel,
            tier=raised.tier,
            category=raised.category,
            raised_department=raised.department,
            department=None,
            raised_at=raised.at,
            raised_clock=raised.work_clock,
            changed_at=raised.at,
            response_due=raised.response_due,
        )

    def apply(self, change: AppealChange) -> None:
        """What the live UPDATE does; every right-hand side reads the row as it was. In
        time, late and how long are the domain's rules (`domain.appeal_figures`), as the
        live UPDATE has them in SQL."""
        at = change.at
        first_response = change.responds and self.first_response_at is None
        first_reply = change.replies and self.replied_at is None
        if first_response or change.replies:
            given = {AT.name: at, WORK_CLOCK.name: change.work_clock}
            hours = HOURS_SINCE_RAISED.value(self, given)
            work_hours = WORK_HOURS_SINCE_RAISED.value(self, given)
            if first_response:
                self.responded_in_time = RESPONSE_IN_TIME.truth(self, given)
                self.response_hours = hours
                self.response_work_hours = work_hours
                self.first_response_at = at
            if change.replies and REPLY_LATE.holds(self, given):
                self.late_replies += 1
            if first_reply:
                self.reply_hours = hours
                self.reply_work_hours = work_hours
                self.replied_at = at
        if change.assigned_to is not None:
            self.department = change.assigned_to
            self.transfers += 1
        self.resolved = self.resolved or change.resolves
        if change.rating is not None:
            self.rating = change.rating
            self.rated_at = at
        if change.reopens:
            self.reopened += 1
        if change.sets_response_due:
            self.response_due = change.response_due
        if change.sets_reply_due:
            self.reply_due = change.reply_due
        if change.sets_awaiting:
            self.awaiting_due = change.awaiting_due
        self.changed_at = at

    def values(self) -> tuple[Any, ...]:
        """The row's values in APPEAL_COLUMNS order."""
        return _ROW_VALUES(self)

    def version(self, valid_to: datetime | None) -> tuple[Any, ...]:
        """The row as a version valid from its last change until `valid_to` (None: still)."""
        return (*_HISTORY_VALUES(self), self.changed_at, valid_to)


# One C call per row instead of a getattr per column: a rebuild makes one per event.
_ROW_VALUES = operator.attrgetter(*APPEAL_COLUMNS)
_HISTORY_VALUES = operator.attrgetter(*HISTORY_COLUMNS)
