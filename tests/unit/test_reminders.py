"""Reminder leads: parsing the setting, when each lead goes out, and which one is sent."""

from __future__ import annotations

from datetime import datetime, timedelta
from uuid import uuid3, uuid5

import pytest

from domain.calendar import CHINA_TZ, END_OF_DAY, WorkingCalendar
from domain.notices import NOTICE_NAMESPACE, delivery_id, notice_id
from domain.reminders import (
    InvalidReminderLeads,
    LeadUnit,
    ReminderLead,
    due_lead,
    latest_due,
    parse_leads,
    remind_at,
)
from infrastructure.settings import Settings

CALENDAR = WorkingCalendar()
TWO_DAYS = ReminderLead(2, LeadUnit.WORKING_DAYS)
ONE_DAY = ReminderLead(1, LeadUnit.WORKING_DAYS)
FOUR_HOURS = ReminderLead(4, LeadUnit.HOURS)


def end_of(year: int, month: int, day: int) -> datetime:
    """A working-day deadline: the end of that day in China."""
    return datetime(year, month, day, END_OF_DAY.hour, 59, 59, tzinfo=CHINA_TZ)


def at(year: int, month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=CHINA_TZ)


def test_leads_are_parsed_in_the_order_given_each_once() -> None:
    assert parse_leads("2wd,4h") == (TWO_DAYS, FOUR_HOURS)
    assert parse_leads(" 2WD , 4h ,2wd") == (TWO_DAYS, FOUR_HOURS)
    assert [str(lead) for lead in (TWO_DAYS, FOUR_HOURS)] == ["2wd", "4h"]


def test_no_leads_means_no_reminders() -> None:
    assert parse_leads("") == ()
    assert parse_leads("  ") == ()


@pytest.mark.parametrize(
    ("text", "bad"),
    [("2wd,4x", "'4x'"), ("2wd,,4h", "''"), ("0h", "'0h'"), ("21wd", "'21wd'"), ("h", "'h'")],
)
def test_a_bad_lead_is_refused_naming_the_part(text: str, bad: str) -> None:
    with pytest.raises(InvalidReminderLeads, match=bad):
        parse_leads(text)


def test_the_setting_refuses_a_bad_lead_at_start_up() -> None:
    with pytest.raises(ValueError, match="'3d'"):
        Settings(reminder_leads="2wd,3d")


def test_hours_are_counted_on_the_clock() -> None:
    assert remind_at(end_of(2026, 11, 16), FOUR_HOURS, CALENDAR) == at(2026, 11, 16, 19, 59) + (
        timedelta(seconds=59)
    )


def test_working_days_go_out_at_the_start_of_the_nth_last_working_day() -> None:
    friday = end_of(2026, 11, 20)
    assert remind_at(friday, ONE_DAY, CALENDAR) == at(2026, 11, 20, 9)
    assert remind_at(friday, TWO_DAYS, CALENDAR) == at(2026, 11, 19, 9)


def test_working_days_skip_the_weekend() -> None:
    monday = end_of(2026, 11, 16)
    assert remind_at(monday, TWO_DAYS, CALENDAR) == at(2026, 11, 13, 9)  # the Friday before


def test_a_make_up_saturday_counts_as_a_working_day() -> None:
    # Saturday 10 October 2026 is worked (调休) after the National Day holiday.
    monday = end_of(2026, 10, 12)
    assert CALENDAR.is_working_day(monday.date() - timedelta(days=2))
    assert remind_at(monday, TWO_DAYS, CALENDAR) == at(2026, 10, 10, 9)
    assert remind_at(monday, ReminderLead(3, LeadUnit.WORKING_DAYS), CALENDAR) == at(2026, 10, 9, 9)


def test_the_holiday_week_does_not_count() -> None:
    # Due Thursday 8 October, the first working day after the holiday (1–7 October).
    thursday = end_of(2026, 10, 8)
    assert remind_at(thursday, TWO_DAYS, CALENDAR) == at(2026, 9, 30, 9)


def test_no_reminder_before_the_first_lead_nor_after_the_deadline() -> None:
    friday = end_of(2026, 11, 20)
    leads = (TWO_DAYS, FOUR_HOURS)
    assert due_lead(friday, leads, at(2026, 11, 19, 8, 59), CALENDAR) is None
    assert due_lead(friday, leads, friday, CALENDAR) is None


def test_each_lead_is_due_in_its_own_window() -> None:
    friday = end_of(2026, 11, 20)
    leads = (TWO_DAYS, FOUR_HOURS)
    assert due_lead(friday, leads, at(2026, 11, 19, 9), CALENDAR) == TWO_DAYS
    assert due_lead(friday, leads, at(2026, 11, 20, 19), CALENDAR) == TWO_DAYS
    assert due_lead(friday, leads, at(2026, 11, 20, 20), CALENDAR) == FOUR_HOURS


def test_only_the_most_urgent_of_several_passed_leads_is_sent() -> None:
    # The sweep was down, or the deadline was set inside the window: one reminder, not two.
    friday = end_of(2026, 11, 20)
    late = at(2026, 11, 20, 22)
    assert due_lead(friday, (TWO_DAYS, ONE_DAY, FOUR_HOURS), late, CALENDAR) == FOUR_HOURS
    assert due_lead(friday, (FOUR_HOURS, ONE_DAY, TWO_DAYS), late, CALENDAR) == FOUR_HOURS


def test_the_sweep_reads_no_further_ahead_than_a_lead_can_reach() -> None:
    now = at(2026, 11, 19, 10)  # Thursday
    reach = latest_due(now, (TWO_DAYS, FOUR_HOURS), CALENDAR)
    assert reach == end_of(2026, 11, 23)  # the second working day after Thursday: Monday
    monday = end_of(2026, 11, 23)
    assert due_lead(monday, (TWO_DAYS,), at(2026, 11, 20, 9), CALENDAR) == TWO_DAYS
    assert latest_due(now, (), CALENDAR) == now


def test_notice_and_delivery_ids_come_from_their_keys() -> None:
    key = "reminder:x:reply:2026-11-20T15:59:59+00:00:2wd"
    assert notice_id(key) == uuid5(NOTICE_NAMESPACE, key)
    assert delivery_id(notice_id(key), "appellant") == uuid3(notice_id(key), "appellant")
