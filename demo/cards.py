"""Penalties and cards in the accountability demo.

In one card period the supervisors record perfunctory handling (−1 each); one penalty is
contested and reversed by the committee. After the period the committee evaluates every
penalised department: the least penalised one is topped up to exactly a yellow card and
rectifies in time, the most penalised one gets a card too and, if yellow, lets it escalate
to red.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, cast
from uuid import UUID

from eventsourcing.utils import get_topic

from demo.actors import COMMITTEE
from demo.organisation import handler_of, supervisor
from domain.card import CardColour, CardStatus, Period
from domain.penalty import Penalty

if TYPE_CHECKING:
    from demo.accountability import AccountabilityRun


PERFUNCTORY_REASONS = (
    "答复照搬制度原文，未针对职工反映的具体问题核实，属搪塞应付",
    "以不属本部门职责为由推回，未按督办要求协调办理，属推诿扯皮",
    "答复未附依据、未说明办理措施，职工反映的问题未实际解决",
)
CONTEST_REASON = "该件已在时限内书面答复并附政策依据，职工不满意系政策限制所致，不属搪塞应付"
REVERSAL_REASON = "经工会委员会复核，承办部门答复及时、依据充分，不满意原因在政策层面，撤销该项扣分"
RECTIFICATION_NOTE = "已逐件复查扣分事项，建立整改台账，答复均补充依据并重新公示，经督办员确认"


@dataclass(frozen=True)
class IssuedCard:
    """A card the demo issued, and where it stands now."""

    id: UUID
    department: str
    colour: CardColour
    status: CardStatus


def plan_cards(run: AccountabilityRun) -> tuple[datetime, datetime] | None:
    """Plans the period's penalties and cards; returns the span no sweep may fall in, so
    that the counts the cards rest on do not move between the top-up and the period's end."""
    policy = run.s.accountability.policy
    period = policy.period_containing(run.cal.local_date(run.end))
    while True:
        evaluate_at = run.office(run.working_day(period.end + timedelta(days=1)), 9, 30)
        deadline = policy.rectification_deadline(run.cal, evaluate_at)
        escalate_at = run.later(deadline, 1, 9)
        if escalate_at < run.end - timedelta(hours=1):
            break
        period = policy.previous_period(period)
    top_up_day = run.working_day(period.end - timedelta(days=7), -1)
    if top_up_day <= run.cal.local_date(run.demo.start):
        run.summary.skipped.append("cards: the demo's span is too short for a card period")
        return None
    run.summary.card_period = period
    top_up_at = run.office(top_up_day, 10)
    state: dict[str, str] = {}

    def top_up() -> None:
        state.update(top_up_penalties(run, period))

    def contest() -> None:
        if run.summary.reversed_penalty is not None:
            penalty = run.s.accountability.get_penalty(run.summary.reversed_penalty)
            actor = handler_of(penalty.department)
            run.s.accountability.contest(penalty.id, reason=CONTEST_REASON, actor=actor)

    def reverse() -> None:
        if run.summary.reversed_penalty is not None:
            run.s.accountability.reverse(
                run.summary.reversed_penalty, reason=REVERSAL_REASON, actor=COMMITTEE
            )

    def evaluate() -> None:
        by_department: dict[str, list[UUID]] = defaultdict(list)
        for penalty in penalties_in(run, period):
            by_department[penalty.department].append(penalty.id)
        for department, ids in sorted(by_department.items()):
            run.tick()
            evaluate_department(run, department, period, ids, state)

    run.at(top_up_at, top_up)
    run.at(run.later(top_up_at, 1, 10), contest)
    run.at(run.later(top_up_at, 2, 15), reverse)
    run.at(evaluate_at, evaluate)
    run.at(run.later(evaluate_at, 5, 16), lambda: rectify(run, state))
    run.at(escalate_at, lambda: escalate(run, state))
    run.at(escalate_at + timedelta(minutes=30), lambda: record_cards(run, state))
    quiet_end = run.office(period.end + timedelta(days=1), 0)
    return top_up_at - timedelta(minutes=1), quiet_end


def top_up_penalties(run: AccountabilityRun, period: Period) -> dict[str, str]:
    """Supervisors record perfunctory handling: the least penalised department gets just
    enough for a yellow card plus one that will be reversed; the most penalised enough
    for a card, if it has not earned one already."""
    yellow = run.s.accountability.policy.yellow_penalty_points
    points = points_in(run, period)
    targets = perfunctory_targets(run)
    chosen: dict[str, str] = {}
    for department in sorted(targets, key=lambda d: (points[d], d)):
        need = yellow - points[department] + 1
        if points[department] < yellow and len(targets[department]) >= need:
            perfunctory(run, targets[department][:need])
            run.summary.reversed_penalty = run.summary.perfunctory[-need]
            chosen["rectifies"] = department
            break
    others = [d for d in {*points, *targets} if d != chosen.get("rectifies")]
    if others:
        most = max(others, key=lambda d: (points[d], len(targets.get(d, [])), d))
        need = max(0, yellow - points[most])
        if need <= len(targets.get(most, [])):
            perfunctory(run, targets.get(most, [])[:need])
            chosen["escalates"] = most
    if len(chosen) < 2:
        run.summary.skipped.append("cards: too few transferred appeals to judge")
    return chosen


def perfunctory_targets(run: AccountabilityRun) -> dict[str, list[UUID]]:
    """Per department, appeals transferred to it before now whose handling its supervisor
    can judge: reopened and retransferred ones first."""
    now = run.clock()
    ranked = sorted(
        (c for c in run.demo.cases if c.transfers),
        key=lambda c: (-(c.reopened > 0), -(c.transfers > 1), c.raised_at),
    )
    targets: dict[str, list[UUID]] = defaultdict(list)
    for case in ranked:
        appeal = run.s.casework.get_appeal(case.id)
        if appeal.responsible_department and appeal.transfers[-1].at < now:
            targets[appeal.responsible_department].append(case.id)
    return targets


def perfunctory(run: AccountabilityRun, appeal_ids: Sequence[UUID]) -> None:
    for appeal_id in appeal_ids:
        run.tick()
        supervising = run.s.casework.get_appeal(appeal_id).transfers[-1].supervisor
        result = run.s.accountability.record_perfunctory_handling(
            appeal_id,
            reason=run.rng.choice(PERFUNCTORY_REASONS),
            actor=supervisor(supervising),
        )
        run.summary.perfunctory.append(result.id)


def penalties_in(run: AccountabilityRun, period: Period) -> list[Penalty]:
    """Every penalty recorded within the period, from the store's Penalty.Recorded events."""
    app = run.s.casework
    topic = get_topic(Penalty.Recorded)
    found: list[Penalty] = []
    start = 1
    while notifications := app.recorder.select_notifications(start, 500, topics=[topic]):
        for notification in notifications:
            event = cast(Penalty.Recorded, app.mapper.to_domain_event(notification))
            if period.contains(run.cal.local_date(event.timestamp)):
                found.append(run.s.accountability.get_penalty(event.originator_id))
        start = notifications[-1].id + 1
    return found


def points_in(run: AccountabilityRun, period: Period) -> Counter[str]:
    points: Counter[str] = Counter()
    for penalty in penalties_in(run, period):
        points[penalty.department] -= penalty.effective_points
    return points


def evaluate_department(
    run: AccountabilityRun,
    department: str,
    period: Period,
    penalty_ids: list[UUID],
    state: dict[str, str],
) -> None:
    """The committee evaluates a department's penalties over the period, as the API does."""
    records = run.s.accountability.penalty_records(department, period, penalty_ids)
    evaluation = run.s.accountability.evaluate_cards(department, period, records, actor=COMMITTEE)
    if evaluation.issued is not None:
        state[f"card:{department}"] = str(evaluation.issued.id)


def rectify(run: AccountabilityRun, state: dict[str, str]) -> None:
    """Every yellow card but the one left to escalate is rectified in time."""
    for key, card_id in state.items():
        if not key.startswith("card:"):
            continue
        card = run.s.accountability.get_card(UUID(card_id))
        if card.colour is not CardColour.YELLOW or card.department == state.get("escalates"):
            continue
        run.tick()
        run.s.accountability.rectify_card(
            card.id, note=RECTIFICATION_NOTE, actor=handler_of(card.department)
        )


def escalate(run: AccountabilityRun, state: dict[str, str]) -> None:
    """The deadline passed unrectified: the committee escalates the yellow card to red."""
    card_id = state.get(f"card:{state.get('escalates')}")
    if card_id is not None:
        card = run.s.accountability.get_card(UUID(card_id))
        if card.colour is CardColour.YELLOW and card.status is CardStatus.OPEN:
            result = run.s.accountability.escalate_card(card.id, actor=COMMITTEE)
            red = run.s.accountability.get_card(result.id).red_card_id
            if red is not None:
                state[f"red:{card.department}"] = str(red)


def record_cards(run: AccountabilityRun, state: dict[str, str]) -> None:
    for key, value in state.items():
        if key.startswith(("card:", "red:")):
            card = run.s.accountability.get_card(UUID(value))
            issued = IssuedCard(card.id, card.department, card.colour, card.status)
            run.summary.cards.append(issued)
