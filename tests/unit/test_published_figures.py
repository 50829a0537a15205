"""Which periods' figures are public, and as of which moments: a month's once its monthly
report's disclosure is published, a quarter's once all three months' are."""

from __future__ import annotations

from datetime import datetime

import pytest

from domain.calendar import CHINA_TZ
from domain.errors import InvalidInput
from domain.published_figures import (
    ReportPublication,
    months_of,
    published_moments,
    published_months,
    published_periods,
)

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=CHINA_TZ)


def at(month: int, day: int, hour: int = 10) -> datetime:
    """A moment of 2026 in China time."""
    return datetime(2026, month, day, hour, tzinfo=CHINA_TZ)


def published(subject: str, moment: datetime) -> ReportPublication:
    """A monthly report's disclosure published at `moment`."""
    return ReportPublication(subject, moment)


def test_a_month_is_public_from_its_reports_publication_as_of_each_publication() -> None:
    publications = [published("2026-10", at(11, 5)), published("2026-10", at(11, 9))]

    assert published_moments("2026-10", publications, NOW) == [at(11, 9), at(11, 5)]
    assert published_moments("2026-09", publications, NOW) == []
    assert published_months(publications, NOW) == ["2026-10"]


def test_a_quarter_is_public_once_all_three_months_are_and_as_of_moments_from_then() -> None:
    publications = [
        published("2026-07", at(8, 5)),
        published("2026-08", at(9, 4)),
        published("2026-09", at(10, 12)),
        published("2026-07", at(10, 20)),  # a correction of July, after the quarter went public
    ]

    assert published_moments("2026-Q3", publications, NOW) == [at(10, 20), at(10, 12)]
    assert published_moments("2026-Q3", publications[:2], NOW) == []
    assert published_periods(publications, NOW) == ["2026-Q3", "2026-09", "2026-08", "2026-07"]


def test_a_publication_after_now_and_a_subject_that_is_no_month_make_nothing_public() -> None:
    publications = [published("2026-11", at(12, 3)), published("十月", at(11, 5))]

    assert published_periods(publications, NOW) == []


def test_a_period_is_a_month_or_a_quarter() -> None:
    assert [str(month) for month in months_of("2026-Q4")] == ["2026-10", "2026-11", "2026-12"]
    assert [str(month) for month in months_of("2026-03")] == ["2026-03"]
    with pytest.raises(InvalidInput, match="period"):
        months_of("2026-H2")
