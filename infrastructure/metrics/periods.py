"""Which roll-up periods a query's window is made of: whole months, quarters, halves, years."""

from __future__ import annotations

from datetime import date, time

from domain.calendar import CHINA_TZ
from projections.metrics import AppealQuery

#: Kinds of period the roll-ups are kept for, by length in months.
ROLLED_UP_PERIODS = {1: "M", 3: "Q", 6: "H", 12: "Y"}


def whole_months(query: AppealQuery) -> tuple[date, date] | None:
    """The first month of the query and the month after it, when it spans whole months."""
    first, after = (moment.astimezone(CHINA_TZ) for moment in (query.start, query.end))
    if any(m.day != 1 or m.time() != time(0) for m in (first, after)):
        return None
    return first.date(), after.date()


def month_starts(months: tuple[date, date]) -> list[date]:
    """The first day of each month of a run of whole months."""
    first, after = months
    starts = []
    while first < after:
        starts.append(first)
        first = date(first.year + first.month // 12, first.month % 12 + 1, 1)
    return starts


def rolled_up_period(months: tuple[date, date]) -> tuple[str, date] | None:
    """The kind and start of the period kept in the roll-ups, if the months are one."""
    first, after = months
    length = (after.year - first.year) * 12 + after.month - first.month
    kind = ROLLED_UP_PERIODS.get(length)
    if kind is None or (first.month - 1) % length != 0:
        return None
    return kind, first


def aligned_periods(months: tuple[date, date]) -> list[tuple[str, date]]:
    """The fewest periods kept in the roll-ups (years, halves, quarters, months) that cover
    a run of whole months exactly."""
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
