"""Action-item and penalty figures per department: what counts in each, at a moment.

Live figures are taken at the end of time (everything recorded counts); `as_of` figures
at their moment, so a reversal or acceptance after it had not happened yet.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from infrastructure.metrics.schema import MetricsTables
from projections.metrics import (
    CARD_FIGURES,
    ActionItemGroup,
    ItemFigure,
    PenaltyFigure,
    PenaltyGroup,
)

#: Action items due in [start, end) that existed at the moment (`moment_params`).
ITEMS_DUE = (
    "FROM {schema}.metrics_action_items WHERE deadline >= %(start)s AND deadline < %(end)s"
    " AND created_at <= %(moment)s"
)
#: When an item due in the period counts in each figure, at the moment. (Rows written
#: before `submitted_at` existed know only that the item was submitted: live figures only.)
ITEM_COUNTED: dict[ItemFigure, str] = {
    ItemFigure.DUE: "TRUE",
    ItemFigure.SUBMITTED: "submitted_at <= %(moment)s"
    " OR (submitted AND submitted_at IS NULL AND %(live)s)",
    ItemFigure.ACCEPTED: "accepted_at <= %(moment)s",
    ItemFigure.ACCEPTED_ON_TIME: "accepted_at <= deadline AND accepted_at <= %(moment)s",
}
#: Penalties recorded in [start, end) by the moment, and cards issued then.
PENALTIES_RECORDED = (
    "FROM {schema}.metrics_penalties WHERE recorded_at >= %(start)s AND recorded_at < %(end)s"
    " AND recorded_at <= %(moment)s"
)
CARDS_ISSUED = (
    "FROM {schema}.metrics_cards WHERE issued_at >= %(start)s AND issued_at < %(end)s"
    " AND issued_at <= %(moment)s"
)
#: When a penalty recorded in the period counts in each penalty figure, at the moment.
PENALTY_COUNTED: dict[PenaltyFigure, str] = {
    PenaltyFigure.PENALTIES: "TRUE",
    PenaltyFigure.REVERSED: "reversed_at <= %(moment)s",
    PenaltyFigure.POINTS: "reversed_at IS NULL OR reversed_at > %(moment)s",
}
#: Of one department when `%(department)s` is given, else of all.
DEPARTMENT_IS = "(%(department)s::text IS NULL OR department = %(department)s)"


def moment_params(start: datetime, end: datetime, as_of: datetime | None) -> dict[str, Any]:
    """The parameters of a period's figures taken at `as_of` (None: live)."""
    return {"start": start, "end": end, "moment": moment(as_of), "live": as_of is None}


def moment(as_of: datetime | None) -> datetime:
    """The moment figures are taken at: `as_of`, or after everything recorded (live)."""
    return as_of if as_of is not None else datetime.max.replace(tzinfo=UTC)


class ItemAndPenaltyFigures(MetricsTables):
    """Action-item and penalty figures per department."""

    def action_item_groups(
        self, start: datetime, end: datetime, as_of: datetime | None = None
    ) -> list[ActionItemGroup]:
        counts = ", ".join(
            f"count(*) FILTER (WHERE {predicate}) AS {figure.value}"
            for figure, predicate in ITEM_COUNTED.items()
        )
        sql = self._sql(
            f"SELECT department, {counts} {ITEMS_DUE} GROUP BY department ORDER BY department"
        )
        return [
            ActionItemGroup(r["department"], *(r[figure.value] for figure in ItemFigure))
            for r in self.query(sql, moment_params(start, end, as_of))
        ]

    def penalty_groups(
        self, start: datetime, end: datetime, as_of: datetime | None = None
    ) -> list[PenaltyGroup]:
        counts = ", ".join(
            f"count(*) FILTER (WHERE {PENALTY_COUNTED[figure]}) AS {figure.value}"
            for figure in (PenaltyFigure.PENALTIES, PenaltyFigure.REVERSED)
        )
        points = PENALTY_COUNTED[PenaltyFigure.POINTS]
        cards = ", ".join(
            f"count(*) FILTER (WHERE colour = '{colour}') AS {figure.value}"
            for figure, colour in CARD_FIGURES.items()
        )
        columns = ", ".join(
            f"COALESCE({figure.value}, 0) AS {figure.value}"
            for figure in PenaltyFigure
            if figure is not PenaltyFigure.POINTS
        )
        sql = self._sql(
            f"WITH p AS (SELECT department, {counts},"  # noqa: S608
            f"  COALESCE(sum(points) FILTER (WHERE {points}), 0) AS points"
            f"  {PENALTIES_RECORDED} GROUP BY department),"
            f" k AS (SELECT department, {cards} {CARDS_ISSUED} GROUP BY department)"
            " SELECT COALESCE(p.department, k.department) AS department,"
            f" COALESCE(points, 0) AS points, {columns}"
            " FROM p FULL JOIN k ON p.department = k.department"
            " ORDER BY points, department"
        )
        return [
            PenaltyGroup(
                r["department"],
                r["penalties"],
                r["reversed"],
                int(r["points"]),
                r["yellow_cards"],
                r["red_cards"],
            )
            for r in self.query(sql, moment_params(start, end, as_of))
        ]
