"""What the reviews share: their closed sets, periods, scores and the arithmetic on them."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, tzinfo
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from enum import StrEnum

from domain.errors import InvalidInput
from domain.meeting_policy import Quarter
from domain.values import clean_ids

#: Scores are given out of 100, to at most two decimal places.
MAX_SCORE = Decimal(100)
CENT = Decimal("0.01")


class IdeaReviewStatus(StrEnum):
    """Where a quarterly golden-idea review (金点子评审) stands."""

    OPEN = "open"  # 评审中
    DECIDED = "decided"  # 已评定
    PUBLISHED = "published"  # 已公示


class CompetitionStatus(StrEnum):
    """Where a skill competition (工匠杯) stands."""

    OPEN = "open"  # 比赛中
    FINALISED = "finalised"  # 已定名次


class CompetitionPart(StrEnum):
    """The three parts of the skill competition."""

    THEORY = "theory"  # 理论考试
    PRACTICE = "practice"  # 实操比赛
    INNOVATION = "innovation"  # 创新答辩


class CollaborationReviewStatus(StrEnum):
    """Where a half-yearly HR–union collaboration review stands."""

    OPEN = "open"  # 评议中
    CLOSED = "closed"  # 已评定


class RepresentativeSide(StrEnum):
    """The two panels that rate a department's collaboration."""

    MANAGEMENT = "management"  # 管理层代表
    EMPLOYEES = "employees"  # 职工代表


class CollaborationKpi(StrEnum):
    """The three HR–union joint KPIs (DOMAIN.md section 2), each weighing 15%."""

    SATISFACTION_IMPROVEMENT = "satisfaction_improvement"  # 员工满意度提升率
    JOINT_COMPLETION = "joint_completion"  # 重点项目协同完成率
    TIMELY_RESPONSE = "timely_response"  # 诉求响应及时率


_HALF_YEAR = re.compile(r"^(\d{4})-?H([12])$")


@dataclass(frozen=True, order=True)
class HalfYear:
    """A half of a calendar year, written `2026-H1`."""

    year: int
    number: int

    def __post_init__(self) -> None:
        if self.number not in (1, 2) or not 2000 <= self.year <= 2100:
            raise InvalidInput("half_year", f"{self.year}-H{self.number} is not a half-year")

    @classmethod
    def parse(cls, text: str) -> HalfYear:
        """The half-year written as `2026-H1` (or `2026H1`)."""
        match = _HALF_YEAR.match(text.strip().upper())
        if match is None:
            raise InvalidInput("half_year", f"{text!r} is not a half-year like 2026-H1")
        return cls(int(match.group(1)), int(match.group(2)))

    def __str__(self) -> str:
        return f"{self.year}-H{self.number}"


def quarter_ends_at(quarter: Quarter, tz: tzinfo) -> datetime:
    """The first moment after `quarter`, local time: midnight starting the next quarter."""
    if quarter.number == 4:
        first = date(quarter.year + 1, 1, 1)
    else:
        first = date(quarter.year, quarter.first_month + 3, 1)
    return datetime.combine(first, time(0, 0), tzinfo=tz)


def clean_score(field: str, value: Decimal | int | str) -> Decimal:
    """A score from 0 to 100 with at most two decimal places."""
    try:
        score = Decimal(value)
    except (InvalidOperation, ValueError):
        raise InvalidInput(field, f"{value!r} is not a number") from None
    if not score.is_finite() or not Decimal(0) <= score <= MAX_SCORE:
        raise InvalidInput(field, f"{value} is not a score from 0 to 100")
    if score != score.quantize(CENT, rounding=ROUND_HALF_UP):
        raise InvalidInput(field, f"{value} has more than two decimal places")
    return score


def round_half_up(value: Decimal) -> Decimal:
    """`value` rounded half-up to two decimal places (85.125 → 85.13)."""
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def mean(values: Iterable[Decimal]) -> Decimal:
    """The arithmetic mean, rounded half-up to two decimal places."""
    items = list(values)
    if not items:
        raise ValueError("the mean of no values")
    return round_half_up(sum(items, Decimal(0)) / len(items))


def panel(field: str, people: Sequence[str], limit: int) -> list[str]:
    """A non-empty list of distinct, trimmed person ids."""
    members = clean_ids(field, people, limit)
    if not members:
        raise InvalidInput(field, "name at least one person")
    return members
