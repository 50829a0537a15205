"""Fills the store with accountability and reviews, after the appeals and meetings demos.

The deadline watcher sweeps every two weeks of the demo's span, so overdue appeals get their
`DeadlineMissed` and −2 penalties (and overdue action items and talk absences theirs). In one
card period the supervisors record perfunctory handling (−1 each); one penalty is contested
and reversed by the committee. After the period the committee evaluates every penalised
department: the least penalised one is topped up to exactly a yellow card and rectifies in
time, the most penalised one gets a card too and, if yellow, lets it escalate to red. Then a
quarter's golden-idea review over the suggestions the appeals demo adopted, and a 工匠杯 skill
competition. Every step runs through the applications at its own moment, in time order, the
manual clock set to it first; the same seed gives the same story.
"""

from __future__ import annotations

import heapq
import itertools
import random
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from functools import partial
from typing import TYPE_CHECKING, cast
from uuid import UUID

from eventsourcing.utils import get_topic

from application.clock import ManualClock
from application.reviews import Reviews
from demo import data
from demo.appeals import DemoSummary
from demo.meetings import MeetingsSummary
from domain.actors import Actor, Role
from domain.calendar import CHINA_TZ
from domain.card import CardColour, CardStatus, Period
from domain.errors import NotFound
from domain.golden_idea import AdoptedSuggestion
from domain.meeting_policy import Quarter
from domain.penalty import Penalty
from domain.review_terms import CompetitionPart, quarter_ends_at
from domain.terms import Tier
from projections.view import APPLICATION_NAME

if TYPE_CHECKING:
    from api.bootstrap import Services

SWEEP_EVERY = timedelta(days=14)
BOARD_TIMEOUT = 60.0

COMMITTEE = Actor("committee.union", Role.COMMITTEE)  # 工会委员会
UNION_CHAIR = Actor(data.UNION_CHAIR.id, Role.UNION_STAFF)
UNION_CLERK = Actor(data.UNION_STAFF[0].id, Role.UNION_STAFF)
HR_HEAD = Actor(data.TIER_LEADS[Tier.FUNCTIONAL_OFFICES].id, Role.HR)
IDEA_REVIEWERS = (
    Actor(data.TIER_LEADS[Tier.WORKERS].id, Role.UNION_STAFF),
    Actor(data.UNION_STAFF[0].id, Role.UNION_STAFF),
    data.handler_of("生产技术科"),
)
JUDGES = (
    data.handler_of("生产技术科"),
    data.handler_of("机电科"),
    Actor(data.TIER_LEADS[Tier.SAFETY_MONITORS].id, Role.UNION_STAFF),
)
CONTEST_DEPARTMENTS = ("综采一队", "机电科", "通风科", "运输队", "生产技术科", "调度中心", "安监处")

PERFUNCTORY_REASONS = (
    "答复照搬制度原文，未针对职工反映的具体问题核实，属搪塞应付",
    "以不属本部门职责为由推回，未按督办要求协调办理，属推诿扯皮",
    "答复未附依据、未说明办理措施，职工反映的问题未实际解决",
)
CONTEST_REASON = "该件已在时限内书面答复并附政策依据，职工不满意系政策限制所致，不属搪塞应付"
REVERSAL_REASON = "经工会委员会复核，承办部门答复及时、依据充分，不满意原因在政策层面，撤销该项扣分"
RECTIFICATION_NOTE = "已逐件复查扣分事项，建立整改台账，答复均补充依据并重新公示，经督办员确认"

Step = Callable[[], object]


@dataclass(frozen=True)
class IssuedCard:
    """A card the demo issued, and where it stands now."""

    id: UUID
    department: str
    colour: CardColour
    status: CardStatus


@dataclass
class AccountabilitySummary:
    """What the accountability demo put in the store."""

    sweeps: int = 0
    missed_deadlines: int = 0
    watcher_penalties: int = 0
    overdue_appeals: list[UUID] = field(default_factory=list)
    perfunctory: list[UUID] = field(default_factory=list)
    reversed_penalty: UUID | None = None
    card_period: Period | None = None
    cards: list[IssuedCard] = field(default_factory=list)
    idea_review: UUID | None = None
    quarter: Quarter | None = None
    ideas: int = 0
    awarded: int = 0
    competition: UUID | None = None
    contestants: int = 0
    titled: int = 0
    advancing: int = 0
    skipped: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        """A short human summary."""
        cards = ", ".join(f"{c.department} {c.colour.value} ({c.status.value})" for c in self.cards)
        period = (
            f" for {self.card_period.start} – {self.card_period.end}" if self.card_period else ""
        )
        lines = [
            f"Deadline watcher: {self.sweeps} sweeps, {self.missed_deadlines} missed deadlines "
            f"recorded, {self.watcher_penalties} automatic penalties "
            f"({len(self.overdue_appeals)} demo appeals overdue, −2 each)",
            f"Perfunctory handling: {len(self.perfunctory)} penalties by supervisors (−1 each), "
            f"{1 if self.reversed_penalty else 0} contested and reversed by the committee",
            f"Cards{period}: {cards or 'none'}",
        ]
        if self.idea_review:
            lines.append(
                f"Golden ideas {self.quarter}: {self.ideas} adopted suggestions reviewed, "
                f"{self.awarded} yuan awarded and published"
            )
        if self.competition:
            lines.append(
                f"工匠杯: {self.contestants} contestants, {len(JUDGES)} judges; "
                f"{self.titled} titled, {self.advancing} to industry contests"
            )
        lines += [f"Skipped: {reason}" for reason in self.skipped]
        return lines


def populate_accountability(
    services: Services,
    clock: ManualClock,
    *,
    demo: DemoSummary,
    meetings: MeetingsSummary | None = None,
    seed: int = 2026,
    contestants: int = 25,
) -> AccountabilitySummary:
    """Runs the story over the appeals demo's span (and the meetings', for the sweeps); the
    clock follows real time again afterwards."""
    runner = _Runner(services, clock, random.Random(seed), demo, meetings)  # noqa: S311
    try:
        runner.plan(contestants)
        runner.run()
    finally:
        clock.follow_real_time()
    return runner.summary


class _Runner:
    """Plans the steps, then runs them in time order."""

    def __init__(
        self,
        services: Services,
        clock: ManualClock,
        rng: random.Random,
        demo: DemoSummary,
        meetings: MeetingsSummary | None,
    ) -> None:
        self.s = services
        self.clock = clock
        self.rng = rng
        self.demo = demo
        self.start = min(demo.start, meetings.start) if meetings else demo.start
        self.end = demo.end
        self.cal = services.casework.calendar
        self.summary = AccountabilitySummary()
        self._queue: list[tuple[datetime, int, Step]] = []
        self._seq = itertools.count()

    # -- time --------------------------------------------------------------------------

    def at(self, moment: datetime, step: Step) -> None:
        """Runs `step` at `moment` (which the plan keeps before the demo's end)."""
        heapq.heappush(self._queue, (moment, next(self._seq), step))

    def run(self) -> None:
        while self._queue:
            moment, _, step = heapq.heappop(self._queue)
            self.clock.set(moment)
            step()

    def tick(self) -> None:
        self.clock.advance(timedelta(minutes=self.rng.randint(2, 15)))

    def office(self, day: date, hour: int, minute: int = 0) -> datetime:
        return datetime.combine(day, time(hour, minute), tzinfo=self.cal.tz)

    def working_day(self, day: date, step: int = 1) -> date:
        """`day`, or the nearest working day after it (`step` 1) or before it (−1)."""
        while not self.cal.is_working_day(day):
            day += timedelta(days=step)
        return day

    def later(self, moment: datetime, working_days: int, hour: int) -> datetime:
        day = self.cal.local_date(self.cal.add_working_days(moment, working_days))
        return self.office(self.working_day(day), hour, self.rng.randint(0, 50))

    # -- planning ----------------------------------------------------------------------

    def plan(self, contestants: int) -> None:
        quiet = self.plan_cards()
        moment = self.start + SWEEP_EVERY / 2
        while moment < self.end:
            sweep_at = self.office(self.working_day(self.cal.local_date(moment)), 17, 30)
            if sweep_at < self.end and not (quiet and quiet[0] < sweep_at <= quiet[1]):
                self.at(sweep_at, self.sweep)
            moment += SWEEP_EVERY
        self.at(self.end - timedelta(minutes=1), self.sweep)
        self.plan_idea_review()
        self.plan_competition(contestants)

    # -- the deadline watcher ----------------------------------------------------------

    def sweep(self) -> None:
        """The watcher's sweep at this moment, once the deadline board has seen every event."""
        head = self.s.casework.head_position()
        self.s.views.get("deadline_board").wait(APPLICATION_NAME, head, timeout=BOARD_TIMEOUT)
        report = self.s.watch.sweep()
        self.summary.sweeps += 1
        self.summary.missed_deadlines += len(report.missed)
        self.summary.watcher_penalties += report.penalties
        ours = {case.id for case in self.demo.cases}
        self.summary.overdue_appeals += [
            case_id
            for case_id, act in report.missed
            if act == "reply" and case_id in ours and case_id not in self.summary.overdue_appeals
        ]

    # -- penalties and cards -----------------------------------------------------------

    def plan_cards(self) -> tuple[datetime, datetime] | None:
        """Plans the period's penalties and cards; returns the span no sweep may fall in, so
        that the counts the cards rest on do not move between the top-up and the period's end."""
        policy = self.s.accountability.policy
        period = policy.period_containing(self.cal.local_date(self.end))
        while True:
            evaluate_at = self.office(self.working_day(period.end + timedelta(days=1)), 9, 30)
            deadline = policy.rectification_deadline(self.cal, evaluate_at)
            escalate_at = self.later(deadline, 1, 9)
            if escalate_at < self.end - timedelta(hours=1):
                break
            period = policy.previous_period(period)
        top_up_day = self.working_day(period.end - timedelta(days=7), -1)
        if top_up_day <= self.cal.local_date(self.demo.start):
            self.summary.skipped.append("cards: the demo's span is too short for a card period")
            return None
        self.summary.card_period = period
        top_up_at = self.office(top_up_day, 10)
        state: dict[str, str] = {}

        def top_up() -> None:
            state.update(self.top_up(period))

        def contest() -> None:
            if self.summary.reversed_penalty is not None:
                penalty = self.s.accountability.get_penalty(self.summary.reversed_penalty)
                actor = self.handler(penalty.department)
                self.s.accountability.contest(penalty.id, reason=CONTEST_REASON, actor=actor)

        def reverse() -> None:
            if self.summary.reversed_penalty is not None:
                self.s.accountability.reverse(
                    self.summary.reversed_penalty, reason=REVERSAL_REASON, actor=COMMITTEE
                )

        def evaluate() -> None:
            by_department: dict[str, list[UUID]] = defaultdict(list)
            for penalty in self.penalties_in(period):
                by_department[penalty.department].append(penalty.id)
            for department, ids in sorted(by_department.items()):
                self.tick()
                self.evaluate(department, period, ids, state)

        self.at(top_up_at, top_up)
        self.at(self.later(top_up_at, 1, 10), contest)
        self.at(self.later(top_up_at, 2, 15), reverse)
        self.at(evaluate_at, evaluate)
        self.at(self.later(evaluate_at, 5, 16), lambda: self.rectify(state))
        self.at(escalate_at, lambda: self.escalate(state))
        self.at(escalate_at + timedelta(minutes=30), lambda: self.record_cards(state))
        quiet_end = self.office(period.end + timedelta(days=1), 0)
        return top_up_at - timedelta(minutes=1), quiet_end

    def top_up(self, period: Period) -> dict[str, str]:
        """Supervisors record perfunctory handling: the least penalised department gets just
        enough for a yellow card plus one that will be reversed; the most penalised enough
        for a card, if it has not earned one already."""
        yellow = self.s.accountability.policy.yellow_penalty_points
        points = self.points_in(period)
        targets = self.perfunctory_targets()
        chosen: dict[str, str] = {}
        for department in sorted(targets, key=lambda d: (points[d], d)):
            need = yellow - points[department] + 1
            if points[department] < yellow and len(targets[department]) >= need:
                self.perfunctory(targets[department][:need])
                self.summary.reversed_penalty = self.summary.perfunctory[-need]
                chosen["rectifies"] = department
                break
        others = [d for d in {*points, *targets} if d != chosen.get("rectifies")]
        if others:
            most = max(others, key=lambda d: (points[d], len(targets.get(d, [])), d))
            need = max(0, yellow - points[most])
            if need <= len(targets.get(most, [])):
                self.perfunctory(targets.get(most, [])[:need])
                chosen["escalates"] = most
        if len(chosen) < 2:
            self.summary.skipped.append("cards: too few transferred appeals to judge")
        return chosen

    def perfunctory_targets(self) -> dict[str, list[UUID]]:
        """Per department, appeals transferred to it before now whose handling its supervisor
        can judge: reopened and retransferred ones first."""
        now = self.clock()
        ranked = sorted(
            (c for c in self.demo.cases if c.transfers),
            key=lambda c: (-(c.reopened > 0), -(c.transfers > 1), c.raised_at),
        )
        targets: dict[str, list[UUID]] = defaultdict(list)
        for case in ranked:
            appeal = self.s.casework.get_appeal(case.id)
            if appeal.responsible_department and appeal.transfers[-1].at < now:
                targets[appeal.responsible_department].append(case.id)
        return targets

    def perfunctory(self, appeal_ids: Sequence[UUID]) -> None:
        for appeal_id in appeal_ids:
            self.tick()
            supervisor = self.s.casework.get_appeal(appeal_id).transfers[-1].supervisor
            result = self.s.accountability.record_perfunctory_handling(
                appeal_id,
                reason=self.rng.choice(PERFUNCTORY_REASONS),
                actor=data.supervisor(supervisor),
            )
            self.summary.perfunctory.append(result.id)

    def penalties_in(self, period: Period) -> list[Penalty]:
        """Every penalty recorded within the period, from the store's Penalty.Recorded events."""
        app = self.s.casework
        topic = get_topic(Penalty.Recorded)
        found: list[Penalty] = []
        start = 1
        while notifications := app.recorder.select_notifications(start, 500, topics=[topic]):
            for notification in notifications:
                event = cast(Penalty.Recorded, app.mapper.to_domain_event(notification))
                if period.contains(self.cal.local_date(event.timestamp)):
                    found.append(self.s.accountability.get_penalty(event.originator_id))
            start = notifications[-1].id + 1
        return found

    def points_in(self, period: Period) -> Counter[str]:
        points: Counter[str] = Counter()
        for penalty in self.penalties_in(period):
            points[penalty.department] -= penalty.effective_points
        return points

    def evaluate(
        self, department: str, period: Period, penalty_ids: list[UUID], state: dict[str, str]
    ) -> None:
        """The committee evaluates a department's penalties over the period, as the API does."""
        records = self.s.accountability.penalty_records(department, period, penalty_ids)
        evaluation = self.s.accountability.evaluate_cards(
            department, period, records, actor=COMMITTEE
        )
        if evaluation.issued is not None:
            state[f"card:{department}"] = str(evaluation.issued.id)

    def rectify(self, state: dict[str, str]) -> None:
        """Every yellow card but the one left to escalate is rectified in time."""
        for key, card_id in state.items():
            if not key.startswith("card:"):
                continue
            card = self.s.accountability.get_card(UUID(card_id))
            if card.colour is not CardColour.YELLOW or card.department == state.get("escalates"):
                continue
            self.tick()
            self.s.accountability.rectify_card(
                card.id, note=RECTIFICATION_NOTE, actor=self.handler(card.department)
            )

    def escalate(self, state: dict[str, str]) -> None:
        """The deadline passed unrectified: the committee escalates the yellow card to red."""
        card_id = state.get(f"card:{state.get('escalates')}")
        if card_id is not None:
            card = self.s.accountability.get_card(UUID(card_id))
            if card.colour is CardColour.YELLOW and card.status is CardStatus.OPEN:
                result = self.s.accountability.escalate_card(card.id, actor=COMMITTEE)
                red = self.s.accountability.get_card(result.id).red_card_id
                if red is not None:
                    state[f"red:{card.department}"] = str(red)

    def record_cards(self, state: dict[str, str]) -> None:
        for key, value in state.items():
            if key.startswith(("card:", "red:")):
                card = self.s.accountability.get_card(UUID(value))
                issued = IssuedCard(card.id, card.department, card.colour, card.status)
                self.summary.cards.append(issued)

    @staticmethod
    def handler(department: str) -> Actor:
        """The department's handler (承办人), who speaks for it."""
        return data.handler_of(department)

    # -- golden ideas ------------------------------------------------------------------

    def plan_idea_review(self) -> None:
        """Reviews the latest quarter that ended in time to review and had ideas adopted."""
        ideas: dict[Quarter, list[AdoptedSuggestion]] = defaultdict(list)
        for case in self.demo.cases:
            if case.scenario in {"adopted", "implementing"}:
                idea = self.s.reviews.adopted_suggestion(case.id)
                ideas[Quarter.of(self.cal.local_date(idea.adopted_at))].append(idea)
        for quarter in sorted(ideas, key=lambda q: (q.year, q.number), reverse=True):
            ends = quarter_ends_at(quarter, CHINA_TZ).date()
            opened = self.office(self.working_day(ends + timedelta(days=7)), 9, 30)
            if self.later(opened, 8, 10) < self.end:
                self.plan_review(quarter, ideas[quarter], opened)
                return
        self.summary.skipped.append("golden ideas: no quarter with adopted suggestions ended")

    def plan_review(
        self, quarter: Quarter, ideas: list[AdoptedSuggestion], opened: datetime
    ) -> None:
        """Opens the review a week after the quarter; three reviewers score on separate days,
        the committee decides, the union publishes the awards."""
        reviews = self.s.reviews
        review_id = Reviews.idea_review_id(quarter)
        merit = {idea.appeal_id: self.rng.randint(55, 92) for idea in ideas}

        def open_review() -> None:
            try:
                reviews.get_idea_review(review_id)
            except NotFound:
                pass
            else:
                self.summary.skipped.append(f"golden ideas: {quarter} was reviewed already")
                return
            reviewers = [r.id for r in IDEA_REVIEWERS]
            reviews.open_idea_review(quarter=quarter, reviewers=reviewers, actor=UNION_CHAIR)
            for idea in ideas:
                self.tick()
                reviews.add_idea(review_id, appeal_id=idea.appeal_id, actor=UNION_CLERK)
            for k, reviewer in enumerate(IDEA_REVIEWERS, start=1):
                self.at(self.later(opened, 2 * k, 14), partial(score, reviewer))
            self.at(self.later(opened, 7, 15), decide)

        def score(reviewer: Actor) -> None:
            for idea in ideas:
                self.tick()
                base = merit[idea.appeal_id]
                reviews.score_idea(
                    review_id,
                    appeal_id=idea.appeal_id,
                    effect=Decimal(min(100, base + self.rng.randint(-6, 6))),
                    benefit=Decimal(min(100, base + self.rng.randint(-8, 8))),
                    actor=reviewer,
                )

        def decide() -> None:
            reviews.decide_ideas(review_id, actor=COMMITTEE)
            self.at(self.later(opened, 8, 10), publish)

        def publish() -> None:
            reviews.publish_awards(review_id, actor=UNION_CHAIR)
            review = reviews.get_idea_review(review_id)
            self.summary.idea_review, self.summary.quarter = review_id, quarter
            self.summary.ideas, self.summary.awarded = len(review.ideas), review.total_awarded

        self.at(opened, open_review)

    # -- the skill competition ---------------------------------------------------------

    def plan_competition(self, contestants: int) -> None:
        """A 工匠杯 over four working days, about five weeks before the end: registration,
        three judges' scores, the final ranking."""
        opened = self.office(self.working_day(self.cal.local_date(self.end) - timedelta(35)), 9)
        if opened <= self.demo.start:
            self.summary.skipped.append("工匠杯: the demo's span is too short")
            return
        reviews = self.s.reviews
        skill: dict[str, int] = {}
        state: dict[str, UUID] = {}

        def open_competition() -> None:
            year = self.cal.local_date(opened).year
            state["id"] = reviews.open_competition(
                name=f"{year}年“工匠杯”职工技能大赛", judges=[j.id for j in JUDGES], actor=HR_HEAD
            ).id
            for number in self.rng.sample(range(70000, 99999), contestants):
                self.tick()
                skill[f"E{number}"] = self.rng.randint(62, 92)
                reviews.register_contestant(
                    state["id"],
                    contestant=f"E{number}",
                    department=self.rng.choice(CONTEST_DEPARTMENTS),
                    actor=HR_HEAD,
                )
            for k, judge in enumerate(JUDGES):
                self.at(self.later(opened, 1 + k // 2, 9 + 4 * (k % 2)), partial(score, judge))
            self.at(self.later(opened, 3, 10), finalise)

        def score(judge: Actor) -> None:
            for person, level in skill.items():
                self.tick()
                reviews.submit_scores(
                    state["id"],
                    contestant=person,
                    scores={part: self.score(level) for part in CompetitionPart},
                    actor=judge,
                )

        def finalise() -> None:
            reviews.finalise_competition(state["id"], actor=HR_HEAD)
            ranking = reviews.get_competition(state["id"]).ranking
            self.summary.competition, self.summary.contestants = state["id"], len(ranking)
            self.summary.titled = sum(s.title for s in ranking)
            self.summary.advancing = sum(s.industry_contest for s in ranking)

        self.at(opened, open_competition)

    def score(self, level: int) -> Decimal:
        """A judge's score around the contestant's level, to half a point."""
        return Decimal(max(0, min(200, 2 * level + self.rng.randint(-12, 12)))) / 2
