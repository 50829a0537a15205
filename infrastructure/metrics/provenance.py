"""Provenance: the cases behind a figure (appeals, action items, penalties and cards),
listed by the same conditions the figures count by, as they stood at the moment asked."""

from __future__ import annotations

from datetime import datetime

from domain.appeal_figures import Figure
from infrastructure.metrics.counts import AppealCounts, cases_sql, scoped
from infrastructure.metrics.item_penalty_figures import (
    CARDS_ISSUED,
    DEPARTMENT_IS,
    ITEM_COUNTED,
    ITEMS_DUE,
    PENALTIES_RECORDED,
    PENALTY_COUNTED,
    moment_params,
)
from projections.metrics import (
    CARD_FIGURES,
    AppealQuery,
    CaseRef,
    ItemFigure,
    ItemRef,
    PenaltyFigure,
    PenaltyRef,
)
from projections.scope import ReadScope


class Provenance(AppealCounts):
    """The cases counted in each figure."""

    def appeal_cases(self, query: AppealQuery, figure: Figure) -> list[CaseRef]:
        text, params = cases_sql(query)
        predicate = "TRUE" if figure is Figure.RAISED else figure.value
        text = text.replace("{columns}", "case_id, case_number")
        sql = self._sql(text + f" AND {predicate} ORDER BY case_number")
        return [CaseRef(row["case_id"], row["case_number"]) for row in self.query(sql, params)]

    def action_item_cases(
        self,
        figure: ItemFigure,
        start: datetime,
        end: datetime,
        as_of: datetime | None = None,
        department: str | None = None,
        scope: ReadScope | None = None,
    ) -> list[ItemRef]:
        # Only what had happened by the moment: a list as of T shows the items as they were.
        condition, values = scoped(scope)
        sql = self._sql(
            "SELECT item_id, department, deadline,"
            " CASE WHEN submitted_at <= %(moment)s THEN submitted_at END AS submitted_at,"
            " CASE WHEN accepted_at <= %(moment)s THEN accepted_at END AS accepted_at"
            f" {ITEMS_DUE} AND ({ITEM_COUNTED[figure]}) AND {DEPARTMENT_IS} AND {condition}"
            " ORDER BY deadline, item_id"
        )
        params = {**moment_params(start, end, as_of), "department": department, **values}
        return [
            ItemRef(
                r["item_id"], r["department"], r["deadline"], r["submitted_at"], r["accepted_at"]
            )
            for r in self.query(sql, params)
        ]

    def penalty_cases(
        self,
        figure: PenaltyFigure,
        start: datetime,
        end: datetime,
        as_of: datetime | None = None,
        department: str | None = None,
        scope: ReadScope | None = None,
    ) -> list[PenaltyRef]:
        condition, values = scoped(scope)
        params = {**moment_params(start, end, as_of), "department": department, **values}
        colour = CARD_FIGURES.get(figure)
        if colour is not None:
            sql = self._sql(
                f"SELECT card_id, department, colour, issued_at {CARDS_ISSUED}"
                f" AND colour = %(colour)s AND {DEPARTMENT_IS} AND {condition}"
                " ORDER BY issued_at, card_id"
            )
            return [
                PenaltyRef(r["card_id"], "card", r["department"], r["issued_at"], colour=colour)
                for r in self.query(sql, {**params, "colour": colour})
            ]
        # A reversal after the moment had not happened then.
        sql = self._sql(
            "SELECT penalty_id, department, points, recorded_at,"
            " CASE WHEN reversed_at <= %(moment)s THEN reversed_at END AS reversed_at"
            f" {PENALTIES_RECORDED} AND ({PENALTY_COUNTED[figure]}) AND {DEPARTMENT_IS}"
            f" AND {condition}"
            " ORDER BY recorded_at, penalty_id"
        )
        return [
            PenaltyRef(
                r["penalty_id"],
                "penalty",
                r["department"],
                r["recorded_at"],
                points=r["points"],
                reversed_at=r["reversed_at"],
            )
            for r in self.query(sql, params)
        ]
