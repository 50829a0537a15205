"""The metrics view's live updates: each event's rows written in SQL as it is applied.

An appeal event is one UPDATE of its row in `metrics_appeals`, computed in SQL from the row
as it was (was this the first response? was it in time, was the reply late, against the
deadline then in force? — the domain's rules, `infrastructure.metrics.rules_sql`), so a
rebuild's pipelined transaction computes exactly what the live runner did. A
trigger on the table keeps the row's versions and the roll-ups
(`infrastructure.metrics.rollup`). During a rebuild the rows are held in memory instead
(`infrastructure.metrics.rebuild`).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from eventsourcing.persistence import Tracking

from infrastructure.metrics.rebuild import MetricsRebuild
from infrastructure.metrics.rules_sql import (
    HOURS_SINCE_RAISED_SQL,
    REPLY_LATE_SQL,
    RESPONSE_IN_TIME_SQL,
    WORK_HOURS_SINCE_RAISED_SQL,
)
from projections.metrics import AppealChange, AppealRaised


class MetricsUpdates(MetricsRebuild):
    """The metrics view's writes, one event at a time."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Composed once: formatting a statement per event costs as much as running it.
        self._insert_appeal = self._sql(INSERT_APPEAL)
        self._update_appeal = self._sql(UPDATE_APPEAL)

    def appeal_raised(self, raised: AppealRaised, tracking: Tracking) -> None:
        if self._held_raised(raised, tracking):
            return
        params = {
            "id": raised.id,
            "number": raised.case_number,
            "channel": raised.channel,
            "tier": raised.tier,
            "category": raised.category,
            "department": raised.department,
            "at": raised.at,
            "work_clock": raised.work_clock,
            "response_due": raised.response_due,
        }
        self.write(tracking, ((self._insert_appeal, params),))

    def appeal_changed(self, change: AppealChange, tracking: Tracking) -> None:
        if self._held_change(change, tracking):
            return
        params: dict[str, Any] = {
            "id": change.id,
            "at": change.at,
            "work_clock": change.work_clock,
            "assigned": change.assigned_to,
            "rating": change.rating,
            "awaiting": change.awaiting_due,
        }
        update = (self._update_appeal, self._update_params(change, params))
        self.write(tracking, self._with_versions(change, update))

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


INSERT_APPEAL = (
    "INSERT INTO {schema}.metrics_appeals (case_id, case_number, channel, tier, category,"
    " raised_department, raised_at, raised_clock, changed_at, response_due) VALUES (%(id)s,"
    " %(number)s, %(channel)s, %(tier)s, %(category)s, %(department)s, %(at)s, %(work_clock)s,"
    " %(at)s, %(response_due)s)"
)
UPDATE_APPEAL = (
    "UPDATE {schema}.metrics_appeals SET changed_at = %(at)s,"  # noqa: S608  # the domain's rules
    " department = COALESCE(%(assigned)s, department),"
    " transfers = transfers + %(transferred)s,"
    # The first response: judged by the domain's rule, timed from raising.
    " responded_in_time = CASE WHEN %(responds)s AND first_response_at IS NULL"
    f"   THEN {RESPONSE_IN_TIME_SQL} ELSE responded_in_time END,"
    " response_hours = CASE WHEN %(responds)s AND first_response_at IS NULL"
    f"   THEN {HOURS_SINCE_RAISED_SQL} ELSE response_hours END,"
    " response_work_hours = CASE WHEN %(responds)s AND first_response_at IS NULL"
    f"   THEN {WORK_HOURS_SINCE_RAISED_SQL} ELSE response_work_hours END,"
    " first_response_at = CASE WHEN %(responds)s"
    "   THEN COALESCE(first_response_at, %(at)s) ELSE first_response_at END,"
    # Every reply: late or not, by the domain's rule; the first one timed from raising.
    f" late_replies = late_replies + CASE WHEN %(replies)s AND {REPLY_LATE_SQL}"
    "   THEN 1 ELSE 0 END,"
    " reply_hours = CASE WHEN %(replies)s AND replied_at IS NULL"
    f"   THEN {HOURS_SINCE_RAISED_SQL} ELSE reply_hours END,"
    " reply_work_hours = CASE WHEN %(replies)s AND replied_at IS NULL"
    f"   THEN {WORK_HOURS_SINCE_RAISED_SQL} ELSE reply_work_hours END,"
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
