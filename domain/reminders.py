"""Reminders before a deadline (催办): the leads they are sent at and which one is due now.

A lead is how long before a deadline a reminder goes out, set in `HUIYIN_REMINDER_LEADS`
as comma-separated parts: `2wd` (working days, on the working-day calendar) or `4h`
(clock hours). `Nwd` is at the start of the working day (09:00 in the calendar's time zone)
of the N-th last working day up to the due day: a reply due at the end of Friday is reminded
`1wd` on Friday at 09:00 and `2wd` on Thursday at 09:00 (holidays and 调休 make-up days as the
calendar counts them). `Nh` is N hours before the due time.

Only the most urgent lead whose time has passed is sent (`due_lead`): when a sweep finds
several passed at once (the sweep was down, or the deadline was set inside the window), one
reminder goes out, not a burst of them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from enum import StrEnum

from domain.calendar import WorkingCalendar

#: When a working-day reminder goes out on its day (the start of the working day).
REMIND_TIME = time(9, 0)

#: The longest leads accepted: a reminder further ahead than this is no reminder.
MAX_WORKING_DAYS = 20
MAX_HOURS = 240

_PART = re.compile(r"^(\d{1,3})(wd|h)$")


class LeadUnit(StrEnum):
    """How a lead counts."""

    WORKING_DAYS = "wd"  # 工作日
    HOURS = "h"


class InvalidReminderLeads(ValueError):
    """The reminder leads setting has a part that is not a lead."""


@dataclass(frozen=True, order=True)
class ReminderLead:
    """How long before a deadline a reminder is sent: `amount` working days or hours."""

    amount: int
    unit: LeadUnit

    def __str__(self) -> str:
        return f"{self.amount}{self.unit.value}"


def parse_leads(text: str) -> tuple[ReminderLead, ...]:
    """The leads of a setting such as "2wd,4h" (empty: none), each once, in the order given.

    Raises InvalidReminderLeads naming the part that is wrong.
    """
    leads: list[ReminderLead] = []
    for raw in text.split(","):
        part = raw.strip().lower()
        if not part and not text.strip():
            continue
        match = _PART.match(part)
        if match is None:
            raise InvalidReminderLeads(
                f"reminder lead {raw.strip()!r} is not a number of working days (e.g. 2wd) "
                "or hours (e.g. 4h)"
            )
        lead = ReminderLead(int(match.group(1)), LeadUnit(match.group(2)))
        limit = MAX_WORKING_DAYS if lead.unit is LeadUnit.WORKING_DAYS else MAX_HOURS
        if not 1 <= lead.amount <= limit:
            raise InvalidReminderLeads(
                f"reminder lead {raw.strip()!r} must be between 1{lead.unit.value} and "
                f"{limit}{lead.unit.value}"
            )
        if lead not in leads:
            leads.append(lead)
    return tuple(leads)


def remind_at(due: datetime, lead: ReminderLead, calendar: WorkingCalendar) -> datetime:
    """When the reminder of `lead` before a deadline `due` goes out."""
    if lead.unit is LeadUnit.HOURS:
        return due - timedelta(hours=lead.amount)
    day = calendar.local_date(due)
    counted = 1 if calendar.is_working_day(day) else 0
    while counted < lead.amount:
        day -= timedelta(days=1)
        if calendar.is_working_day(day):
            counted += 1
    return datetime.combine(day, REMIND_TIME, tzinfo=calendar.tz)


def due_lead(
    due: datetime, leads: Iterable[ReminderLead], now: datetime, calendar: WorkingCalendar
) -> ReminderLead | None:
    """The lead to remind a deadline `due` of at `now`: of the leads whose time has passed
    (and whose deadline has not), the most urgent one — the latest to go out. None: none."""
    if now >= due:
        return None
    passed = [(remind_at(due, lead, calendar), lead) for lead in leads]
    passed = [(at, lead) for at, lead in passed if at <= now and at < due]
    if not passed:
        return None
    return max(passed, key=lambda pair: (pair[0], -pair[1].amount))[1]


def latest_due(now: datetime, leads: Sequence[ReminderLead], calendar: WorkingCalendar) -> datetime:
    """A time no deadline any lead is due for at `now` falls after (the sweep reads the
    deadlines up to it): `Nh` reaches N hours ahead, `Nwd` to the end of the N-th working day
    after today."""
    reach = now
    for lead in leads:
        if lead.unit is LeadUnit.HOURS:
            end = now + timedelta(hours=lead.amount)
        else:
            end = calendar.add_working_days(now, lead.amount)
        reach = max(reach, end)
    return reach
