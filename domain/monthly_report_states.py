"""The monthly report's states and its state machine: each command, the states that allow
it, and where it leads. `MonthlyReport` refuses a command its state does not allow by
looking it up in `MONTHLY_REPORT_STATES`, and sets the state each event leads to from it.
"""

from __future__ import annotations

from enum import StrEnum

from domain.transitions import StateTable, Transition


class ReportStatus(StrEnum):
    """Where a monthly report stands."""

    DRAFTED = "drafted"  # 草稿
    FILED = "filed"  # 已报送


class ReportCommand(StrEnum):
    """What can be done to a monthly report once drafted."""

    EDIT = "edit"
    REDRAFT = "redraft"
    FILE = "file"


MONTHLY_REPORT_STATES: StateTable[ReportCommand, ReportStatus] = StateTable(
    subject="monthly report",
    initial=ReportStatus.DRAFTED,
    commands={
        ReportCommand.EDIT: Transition(
            "edit",
            allowed={ReportStatus.DRAFTED},
            events=("Edited",),
            condition="the sentiment, measures or risks sections",
        ),
        ReportCommand.REDRAFT: Transition(
            "redraft", allowed={ReportStatus.DRAFTED}, events=("Redrafted",)
        ),
        ReportCommand.FILE: Transition(
            "file",
            allowed={ReportStatus.DRAFTED},
            events=("Filed",),
            condition="no section empty",
        ),
    },
    events={"Filed": ReportStatus.FILED},
)
