"""An appeal's metrics row in memory: the rules the live UPDATE applies, for rebuilds."""

from __future__ import annotations

from datetime import datetime, timedelta
from uuid import uuid4

from domain.calendar import CHINA_TZ
from infrastructure.metrics.appeal_row import AppealRow
from infrastructure.metrics.columns import APPEAL_COLUMNS, VERSION_COLUMNS
from projections.metrics import AppealChange, AppealRaised

RAISED = datetime(2031, 3, 3, 9, 0, tzinfo=CHINA_TZ)


def _row() -> AppealRow:
    return AppealRow.raised(
        AppealRaised(
            uuid4(), "HY-2031-000001", "grid_liaison", None, "canteen", "综合办", RAISED, 100.0
        )
    )


def _change(row: AppealRow, hours: float, **facts: object) -> AppealChange:
    return AppealChange(
        id=row.case_id,
        at=RAISED + timedelta(hours=hours),
        work_clock=100.0 + hours / 2,
        **facts,  # type: ignore[arg-type]
    )


def test_the_first_response_is_timed_against_the_deadline_then_in_force() -> None:
    row = _row()
    due = RAISED + timedelta(hours=24)
    row.apply(_change(row, 1, assigned_to="后勤部", sets_response_due=True, response_due=due))

    row.apply(_change(row, 30, responds=True))
    row.apply(_change(row, 40, responds=True))

    assert row.department == "后勤部"
    assert row.transfers == 1
    assert row.responded_in_time is False
    assert row.response_hours == 30
    assert row.response_work_hours == 15
    assert row.first_response_at == RAISED + timedelta(hours=30)


def test_every_late_reply_counts_but_only_the_first_is_timed() -> None:
    row = _row()
    row.apply(_change(row, 1, sets_reply_due=True, reply_due=RAISED + timedelta(hours=2)))

    row.apply(_change(row, 3, responds=True, replies=True))
    row.apply(_change(row, 5, replies=True, rating="dissatisfied", reopens=True))

    assert row.late_replies == 2
    assert row.reply_hours == 3
    assert row.rating == "dissatisfied"
    assert row.reopened == 1
    assert row.changed_at == RAISED + timedelta(hours=5)


def test_a_row_gives_its_values_and_its_version_in_column_order() -> None:
    row = _row()
    until = RAISED + timedelta(hours=1)

    values = row.values()
    version = row.version(valid_to=until)

    assert len(values) == len(APPEAL_COLUMNS)
    assert values[APPEAL_COLUMNS.index("case_number")] == "HY-2031-000001"
    assert len(version) == len(VERSION_COLUMNS)
    assert version[-2:] == (RAISED, until)
