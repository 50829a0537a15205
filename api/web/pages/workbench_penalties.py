"""工作台 · 扣分与红黄牌 — penalties and cards: the metrics table per department for a period
(`GET /metrics/penalties`), the penalties and cards counted in it (`GET
/metrics/penalties/cases`, scoped as the API scopes them), and a page per penalty
(`GET /penalties/{id}`) with the forms the API offers the reader's role: the committee
reverses a penalty or rejects its contest, the penalised department contests it."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends, Form, Request
from starlette.responses import Response

from api.bootstrap import Services
from api.deps import AfterQuery, ServicesDep
from api.routes.metrics import PeriodQuery, penalty_cases, penalty_figures
from api.schemas.accountability import PenaltyRead
from api.schemas.metrics import PenaltyFiguresRead
from api.web.deps import check_csrf, page_requires
from api.web.pages.workbench_parts import PENALTIES, area_page
from api.web.rendering import redirect_after
from domain import limits
from domain.actors import Actor
from domain.errors import InvalidInput
from domain.penalty_states import PENALTY_STATES, PenaltyCommand
from domain.policy import Permission

#: No prefix: the paths are the pages' full paths (`workbench_parts`), as links name them.
router = APIRouter(include_in_schema=False, dependencies=[Depends(check_csrf)])

Reason = Annotated[str, Form(max_length=limits.REASON)]
Version = Annotated[int | None, Form(ge=1)]


class Decision(StrEnum):
    """A form on a penalty's page: what it does, as the API's path names it."""

    CONTEST = "contest"
    REVERSE = "reverse"
    REJECT_CONTEST = "reject-contest"


#: Each form's command in the penalty's state table, and the permission it needs.
FORMS = {
    Decision.CONTEST: (PenaltyCommand.CONTEST, Permission.PENALTY_CONTEST),
    Decision.REVERSE: (PenaltyCommand.REVERSE, Permission.PENALTY_DECIDE),
    Decision.REJECT_CONTEST: (PenaltyCommand.REJECT_CONTEST, Permission.PENALTY_DECIDE),
}
MESSAGES = {
    Decision.CONTEST: "已提出申诉",
    Decision.REVERSE: "已撤销该扣分",
    Decision.REJECT_CONTEST: "已驳回申诉，维持扣分",
}


@router.get(PENALTIES.path)
def penalties(
    request: Request,
    services: ServicesDep,
    actor: Annotated[Actor, page_requires(PENALTIES.permission)],
    period: PeriodQuery = None,
    after: AfterQuery = None,
) -> Response:
    """The period's penalty points and cards per department, and the penalties and cards
    behind them (those the reader's scope reaches)."""
    table = penalty_figures(request, services, actor, period=period, after=after)
    assert isinstance(table, PenaltyFiguresRead)  # noqa: S101  # JSON unless csv is asked
    listed = {
        figure: penalty_cases(services, actor, figure=figure, period=period).cases
        for figure in ("penalties", "yellow_cards", "red_cards")
    }
    context = {
        "table": table,
        "penalty_list": listed["penalties"],
        "cards": [*listed["red_cards"], *listed["yellow_cards"]],
        "period": table.period,
    }
    return area_page(request, "workbench/penalties.html", context, actor=actor)


def _penalty_page(
    request: Request,
    services: Services,
    actor: Actor,
    penalty_id: UUID,
    *,
    refused: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    penalty = services.accountability.read_penalty(penalty_id, actor)
    offered = [
        decision.value
        for decision, (command, _) in FORMS.items()
        if PENALTY_STATES.allows(command, penalty.status)
    ]
    context = {
        "penalty": PenaltyRead.of(penalty),
        "offered": offered,
        "permissions": {d.value: p.value for d, (_, p) in FORMS.items()},
        "refused": refused or {},
        "reason_limit": limits.REASON,
    }
    return area_page(request, "workbench/penalty.html", context, actor=actor, status=status)


@router.get(PENALTIES.path + "/{penalty_id}")
def penalty(
    request: Request,
    penalty_id: UUID,
    services: ServicesDep,
    actor: Annotated[Actor, page_requires(Permission.PENALTY_READ)],
) -> Response:
    """One penalty: its rule, points, case and reason, what was said since, and the forms
    the reader's role may use in its state."""
    return _penalty_page(request, services, actor, penalty_id)


def _decide(
    request: Request,
    services: Services,
    actor: Actor,
    penalty_id: UUID,
    decision: Decision,
    reason: str,
    version: int | None,
) -> Response:
    """Runs the decision's use case; bad input shows the page again with the message."""
    accountability = services.accountability
    use_case = {
        Decision.CONTEST: accountability.contest,
        Decision.REVERSE: accountability.reverse,
        Decision.REJECT_CONTEST: accountability.reject_contest,
    }[decision]
    try:
        use_case(penalty_id, reason=reason, actor=actor, expected_version=version)
    except InvalidInput as refusal:
        refused = {"form": decision.value, "reason": reason, "error": refusal.reason}
        return _penalty_page(request, services, actor, penalty_id, refused=refused, status=422)
    return redirect_after(f"{PENALTIES.path}/{penalty_id}", MESSAGES[decision])


@router.post(PENALTIES.path + "/{penalty_id}/contest")
def contest(
    request: Request,
    penalty_id: UUID,
    services: ServicesDep,
    actor: Annotated[Actor, page_requires(Permission.PENALTY_CONTEST)],
    reason: Reason = "",
    version: Version = None,
) -> Response:
    """The penalised department contests the penalty, saying why."""
    return _decide(request, services, actor, penalty_id, Decision.CONTEST, reason, version)


@router.post(PENALTIES.path + "/{penalty_id}/reverse")
def reverse(
    request: Request,
    penalty_id: UUID,
    services: ServicesDep,
    actor: Annotated[Actor, page_requires(Permission.PENALTY_DECIDE)],
    reason: Reason = "",
    version: Version = None,
) -> Response:
    """The committee reverses the penalty, saying why."""
    return _decide(request, services, actor, penalty_id, Decision.REVERSE, reason, version)


@router.post(PENALTIES.path + "/{penalty_id}/reject-contest")
def reject_contest(
    request: Request,
    penalty_id: UUID,
    services: ServicesDep,
    actor: Annotated[Actor, page_requires(Permission.PENALTY_DECIDE)],
    reason: Reason = "",
    version: Version = None,
) -> Response:
    """The committee keeps a contested penalty, saying why."""
    return _decide(request, services, actor, penalty_id, Decision.REJECT_CONTEST, reason, version)
