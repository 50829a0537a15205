"""Which periods' figures are public, and as they stood when: the one rule the public board
reads before it shows any rate, point or card.

The figures (诉求三率 per department, penalty points and cards) are not public by themselves:
a month's go public when the committee has approved and published that month's monthly
report (a `monthly_report` disclosure, subject `2026-10`), and they are shown exactly as they
stood at a moment that report was published (the metrics' `as_of`), never as they became
later. A quarter's go public once each of its three months has; the moments offered are the
publications from then on. A withdrawn disclosure no longer makes anything public. A moment
after `now` is never offered (the figures are known only up to now).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from domain.disclosure import DisclosureStatus, SubjectType
from domain.errors import InvalidInput
from domain.monthly_figures import ReportMonth

#: The disclosure that makes a month's figures public, and the status it must still have.
MAKES_FIGURES_PUBLIC = SubjectType.MONTHLY_REPORT
STILL_PUBLIC = DisclosureStatus.PUBLISHED

_QUARTER = re.compile(r"^(\d{4})-Q([1-4])$")


@dataclass(frozen=True)
class ReportPublication:
    """A monthly report's disclosure: its subject (the month, as written) and when it went
    public."""

    subject: str
    published_at: datetime


def months_of(period: str) -> tuple[ReportMonth, ...]:
    """The months of a month (`2026-10`) or quarter (`2026-Q4`); InvalidInput otherwise."""
    quarter = _QUARTER.match(period.strip())
    if quarter is None:
        try:
            return (ReportMonth.parse(period),)
        except InvalidInput:
            raise InvalidInput("period", f"{period!r} is not a month or a quarter") from None
    year, first = int(quarter[1]), 3 * int(quarter[2]) - 2
    return tuple(ReportMonth(year, first + offset) for offset in range(3))


def quarter_of(month: ReportMonth) -> str:
    """The quarter a month falls in, written `2026-Q4`."""
    return f"{month.year}-Q{(month.month - 1) // 3 + 1}"


def _by_month(
    publications: Iterable[ReportPublication], now: datetime
) -> dict[ReportMonth, list[datetime]]:
    months: dict[ReportMonth, list[datetime]] = {}
    for publication in publications:
        try:
            month = ReportMonth.parse(publication.subject)
        except InvalidInput:
            continue  # not a month: it makes no figures public
        if publication.published_at <= now:
            months.setdefault(month, []).append(publication.published_at)
    return months


def published_moments(
    period: str, publications: Iterable[ReportPublication], now: datetime
) -> list[datetime]:
    """The moments `period`'s figures may be shown as of, newest first; none while any of
    its months' reports is unpublished."""
    by_month = _by_month(publications, now)
    months = months_of(period)
    if any(month not in by_month for month in months):
        return []
    public_since = max(min(by_month[month]) for month in months)
    moments = {at for month in months for at in by_month[month] if at >= public_since}
    return sorted(moments, reverse=True)


def published_months(publications: Iterable[ReportPublication], now: datetime) -> list[str]:
    """The months whose figures are public, newest first."""
    return [str(month) for month in sorted(_by_month(publications, now), reverse=True)]


def published_periods(publications: Iterable[ReportPublication], now: datetime) -> list[str]:
    """The months and quarters whose figures are public, newest first (a quarter before
    its last month)."""
    months = sorted(_by_month(publications, now), reverse=True)
    public = set(months)
    periods: list[str] = []
    for month in months:
        quarter = quarter_of(month)
        if quarter not in periods and all(m in public for m in months_of(quarter)):
            periods.append(quarter)
        periods.append(str(month))
    return periods
