"""The reminder sweep: before a deadline passes, tells whoever owes the act (催办).

It reads the deadlines still owed that a lead may be due for by now (`domain.reminders.
latest_due`), lets `domain.reminders.due_lead` pick the one reminder each is due for, and
records the reminders in the outbox in batches. A reminder's key names the case, the act, the
due time and the lead, so it is recorded once across restarts and instances; a deadline
extended (a new due time) is reminded again, a deadline met (no longer owed) is not.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Protocol
from uuid import UUID

from domain.calendar import WorkingCalendar
from domain.notices import Notice, NoticeKind
from domain.reminders import ReminderLead, due_lead, latest_due

log = logging.getLogger("huiyin.reminders")


@dataclass(frozen=True)
class OwedDeadline:
    """A deadline still owed, as the sweep reads it (the department that owes the act)."""

    case_id: UUID
    case_type: str
    act: str
    due_at: datetime
    department: str | None
    tier: str | None


class ReminderStore(Protocol):
    """The deadlines owed (the board, on the primary) and the outbox the reminders go to."""

    def owed(self, now: datetime, until: datetime, batch: int) -> Iterator[Sequence[OwedDeadline]]:
        """Owed deadlines due in (now, until], not recorded as missed, `batch` at a time
        (read in one pass: a deadline is read once however many share a due time)."""

    def record(self, reminders: Sequence[Notice]) -> int:
        """Records the reminders not recorded before (and their deliveries) in one
        transaction; how many were new."""


def reminder_key(deadline: OwedDeadline, lead: ReminderLead) -> str:
    """The reminder's unique key: one per case, act, due time and lead."""
    due = deadline.due_at.astimezone(UTC).isoformat()
    return f"reminder:{deadline.case_id}:{deadline.act}:{due}:{lead}"


def reminder(deadline: OwedDeadline, lead: ReminderLead, now: datetime) -> Notice:
    """The reminder notice of `deadline` at `lead` (references only)."""
    return Notice(
        key=reminder_key(deadline, lead),
        kind=NoticeKind.REMINDER,
        occurred_at=now,
        case_id=deadline.case_id,
        case_type=deadline.case_type,
        department=deadline.department,
        tier=deadline.tier,
        payload={
            "kind": NoticeKind.REMINDER.value,
            "act": deadline.act,
            "due_at": deadline.due_at.isoformat(),
            "lead": str(lead),
        },
    )


@dataclass
class ReminderReport:
    """What one sweep read and recorded."""

    at: datetime
    deadlines: int = 0
    due: int = 0
    recorded: int = 0

    def line(self) -> str:
        """One line for the log and `huiyin watch`."""
        return (
            f"{self.at.isoformat()}: {self.deadlines} deadline(s) in a reminder window, "
            f"{self.due} reminder(s) due, {self.recorded} recorded now"
        )


class ReminderSweep:
    """Records the reminders due by the clock's now, `batch` deadlines per transaction."""

    def __init__(
        self,
        store: ReminderStore,
        leads: Sequence[ReminderLead],
        calendar: WorkingCalendar,
        now: Callable[[], datetime],
        *,
        batch: int = 1000,
    ) -> None:
        self.store = store
        self.leads = tuple(leads)
        self.calendar = calendar
        self.now = now
        self.batch = batch

    def sweep(self) -> ReminderReport:
        """One pass over the owed deadlines a lead may be due for now."""
        now = self.now()
        report = ReminderReport(at=now)
        if not self.leads:
            return report
        until = latest_due(now, self.leads, self.calendar)
        # Deadlines fall due at the end of a working day: most share a due time with many.
        leads: dict[datetime, ReminderLead | None] = {}
        for owed in self.store.owed(now, until, self.batch):
            report.deadlines += len(owed)
            due: list[Notice] = []
            for deadline in owed:
                if deadline.due_at not in leads:
                    leads[deadline.due_at] = due_lead(
                        deadline.due_at, self.leads, now, self.calendar
                    )
                lead = leads[deadline.due_at]
                if lead is not None:
                    due.append(reminder(deadline, lead, now))
            report.due += len(due)
            if due:
                report.recorded += self.store.record(due)
        return report


def remind_forever(sweep: ReminderSweep, stop: threading.Event, *, interval: float) -> None:
    """Sweeps every `interval` seconds until `stop` is set; errors are logged, not fatal."""
    while not stop.is_set():
        try:
            report = sweep.sweep()
            if report.recorded:
                log.info("%s: %d reminder(s) recorded", report.at.isoformat(), report.recorded)
        except Exception:
            log.exception("reminder sweep failed; trying again in %s s", interval)
        stop.wait(interval)
