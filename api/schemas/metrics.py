"""Bodies of the metrics endpoints: tables of figures, their rates, and their rows as a
spreadsheet export holds them (`flat`: typed values, rendered by `api.exports`)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

from pydantic import BaseModel, Field

from domain.appeal_figures import RATES
from projections.metrics import (
    ITEM_RATES,
    ActionItemGroup,
    AppealGroup,
    CaseRef,
    ItemRef,
    PenaltyGroup,
    PenaltyRef,
    rate,
)


class RateRead(BaseModel):
    """A rate as a decimal, with the counts it is made of."""

    value: Decimal | None = Field(
        description="numerator / denominator to 4 decimals; null when the denominator is 0",
        examples=["0.8750"],
    )
    numerator: int = Field(examples=[7])
    denominator: int = Field(examples=[8])


def rate_read(numerator: int, denominator: int) -> RateRead:
    """The rate of two counts."""
    return RateRead(
        value=rate(numerator, denominator), numerator=numerator, denominator=denominator
    )


class AppealRowRead(BaseModel):
    """One group's appeal figures."""

    key: str = Field(
        description="the department, channel, tier or category; empty for the appeals with "
        "none (no tier: not raised at a talk; no department: anonymous, not yet transferred)",
        examples=["财务部"],
    )
    counts: dict[str, int] = Field(examples=[{"raised": 8, "responded": 8, "satisfied": 6}])
    rates: dict[str, RateRead]
    hours: dict[str, float | None] = Field(
        description="median (p50) and 90th percentile (p90) hours from raising to the first "
        "response and to the reply, wall-clock and working hours",
        examples=[{"response_hours_p50": 5.5, "response_work_hours_p50": 3.0}],
    )

    @classmethod
    def of(cls, group: AppealGroup) -> AppealRowRead:
        """The row of a group."""
        return cls(
            key=group.key,
            counts={figure.value: count for figure, count in group.counts.items()},
            rates={
                name.value: rate_read(group.counts[num], group.counts[den])
                for name, (num, den) in RATES.items()
            },
            hours=dict(group.quantiles),
        )

    def flat(self) -> dict[str, Any]:
        """The row as an export's columns: rates as decimals, hours to 2 places (None when
        there is none)."""
        row: dict[str, Any] = {"key": self.key, **self.counts}
        for name, value in self.rates.items():
            row[name] = value.value
        row.update({k: None if v is None else round(v, 2) for k, v in self.hours.items()})
        return row


class MetricsTable(BaseModel):
    """What every metrics table carries: its period and the view position it reflects."""

    period: str = Field(examples=["2026-11"])
    start: datetime
    end: datetime
    position: int = Field(description="the metrics view's position", examples=[1234])


class AppealFiguresRead(MetricsTable):
    """Appeal figures for the appeals raised in the period, per group."""

    group_by: str = Field(examples=["department"])
    as_of: datetime | None = Field(
        default=None, description="the figures as the facts stood at this moment"
    )
    rows: list[AppealRowRead]


class CaseRefRead(BaseModel):
    """An appeal behind a figure."""

    id: UUID
    case_number: str = Field(examples=["HY-2026-000123"])


class FigureCasesRead(MetricsTable):
    """The appeals counted in a figure (or in one part of a rate)."""

    figure: str = Field(examples=["satisfaction_rate"])
    part: str | None = Field(default=None, examples=["numerator"])
    counted: str = Field(description="the count listed", examples=["satisfied"])
    as_of: datetime | None = None
    cases: list[CaseRefRead]

    @staticmethod
    def refs(cases: Sequence[CaseRef]) -> list[CaseRefRead]:
        """The case references as bodies."""
        return [CaseRefRead(id=case.id, case_number=case.case_number) for case in cases]


class ActionItemRowRead(BaseModel):
    """A department's action items due in the period."""

    department: str
    due: int = Field(description="items whose deadline falls in the period")
    submitted: int = Field(description="of them, submitted for acceptance")
    accepted: int = Field(description="of them, accepted")
    accepted_on_time: int = Field(description="of them, accepted on or before the deadline")
    on_time_rate: RateRead = Field(description="accepted on time / due")
    acceptance_rate: RateRead = Field(description="accepted / submitted")

    @classmethod
    def of(cls, group: ActionItemGroup) -> ActionItemRowRead:
        """The row of a department."""
        rates: dict[str, Any] = {
            name.value: rate_read(getattr(group, num.value), getattr(group, den.value))
            for name, (num, den) in ITEM_RATES.items()
        }
        return cls(
            department=group.department,
            due=group.due,
            submitted=group.submitted,
            accepted=group.accepted,
            accepted_on_time=group.accepted_on_time,
            **rates,
        )

    def flat(self) -> dict[str, Any]:
        """The row as an export's columns: rates as decimals (None when there is none)."""
        row = self.model_dump(exclude={"on_time_rate", "acceptance_rate"})
        for name in ("on_time_rate", "acceptance_rate"):
            row[name] = getattr(self, name).value
        return row


class ActionItemFiguresRead(MetricsTable):
    """Action-item completion per department."""

    as_of: datetime | None = Field(
        default=None, description="the figures as the facts stood at this moment"
    )
    rows: list[ActionItemRowRead]


class ItemCaseRead(BaseModel):
    """An action item behind a figure; times after `as_of` are left out."""

    id: UUID
    department: str = Field(examples=["后勤服务中心"])
    deadline: datetime
    submitted_at: datetime | None = Field(description="submitted for acceptance (latest)")
    accepted_at: datetime | None

    @classmethod
    def of(cls, item: ItemRef) -> ItemCaseRead:
        """The body of an item."""
        return cls(**item.__dict__)


class ItemCasesRead(MetricsTable):
    """The action items counted in a figure (or in one part of a rate)."""

    figure: str = Field(examples=["on_time_rate"])
    part: str | None = Field(default=None, examples=["numerator"])
    counted: str = Field(description="the count listed", examples=["accepted_on_time"])
    department: str | None = None
    as_of: datetime | None = None
    cases: list[ItemCaseRead]


class PenaltyRowRead(BaseModel):
    """A department's penalty points and cards in the period."""

    department: str
    penalties: int = Field(description="penalties recorded in the period")
    reversed: int = Field(description="of them, reversed since")
    points: int = Field(description="points of the penalties that still count (negative)")
    yellow_cards: int
    red_cards: int

    @classmethod
    def of(cls, group: PenaltyGroup) -> PenaltyRowRead:
        """The row of a department."""
        return cls(**group.__dict__)


class PenaltyFiguresRead(MetricsTable):
    """Penalties and cards per department."""

    as_of: datetime | None = Field(
        default=None, description="the figures as the facts stood at this moment"
    )
    rows: list[PenaltyRowRead]


class PenaltyCaseRead(BaseModel):
    """A penalty or a card behind a figure."""

    id: UUID
    case_type: str = Field(description="penalty or card", examples=["penalty"])
    department: str = Field(examples=["后勤服务中心"])
    at: datetime = Field(description="when the penalty was recorded or the card issued")
    points: int | None = Field(default=None, description="a penalty's points", examples=[-2])
    reversed_at: datetime | None = Field(
        default=None, description="when the penalty was reversed (by `as_of`)"
    )
    colour: str | None = Field(default=None, description="a card's colour", examples=["yellow"])

    @classmethod
    def of(cls, case: PenaltyRef) -> PenaltyCaseRead:
        """The body of a penalty or card."""
        return cls(**case.__dict__)


class PenaltyCasesRead(MetricsTable):
    """The penalties or cards counted in a figure."""

    figure: str = Field(examples=["points"])
    department: str | None = None
    as_of: datetime | None = None
    cases: list[PenaltyCaseRead]
