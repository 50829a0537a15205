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

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING
from uuid import UUID

from application.clock import ManualClock
from demo.agenda import Agenda, Step
from demo.appeals import DemoSummary
from demo.cards import IssuedCard, plan_cards
from demo.meetings import MeetingsSummary
from demo.reviews import JUDGES, plan_competition, plan_idea_review
from domain.card import Period
from domain.meeting_policy import Quarter
from projections.view import APPLICATION_NAME

if TYPE_CHECKING:
    from api.bootstrap import Services

SWEEP_EVERY = timedelta(days=14)
BOARD_TIMEOUT = 60.0


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
    runner = AccountabilityRun(services, clock, random.Random(seed), demo, meetings)  # noqa: S311
    try:
        runner.plan(contestants)
        runner.run()
    finally:
        clock.follow_real_time()
    return runner.summary


class AccountabilityRun(Agenda):
    """Plans the steps, then runs them in time order; what happened is summed up as it goes."""

    def __init__(
        self,
        services: Services,
        clock: ManualClock,
        rng: random.Random,
        demo: DemoSummary,
        meetings: MeetingsSummary | None,
    ) -> None:
        super().__init__(clock, rng, services.casework.calendar)
        self.s = services
        self.demo = demo
        self.start = min(demo.start, meetings.start) if meetings else demo.start
        self.end = demo.end
        self.summary = AccountabilitySummary()

    def at(self, moment: datetime, step: Step) -> None:
        """Runs `step` at `moment` (which the plan keeps before the demo's end)."""
        self.push(moment, step)

    # -- planning ----------------------------------------------------------------------

    def plan(self, contestants: int) -> None:
        """Plans the cards, the sweeps, the golden-idea review and the competition."""
        quiet = plan_cards(self)
        moment = self.start + SWEEP_EVERY / 2
        while moment < self.end:
            sweep_at = self.office(self.working_day(self.cal.local_date(moment)), 17, 30)
            if sweep_at < self.end and not (quiet and quiet[0] < sweep_at <= quiet[1]):
                self.at(sweep_at, self.sweep)
            moment += SWEEP_EVERY
        self.at(self.end - timedelta(minutes=1), self.sweep)
        plan_idea_review(self)
        plan_competition(self, contestants)

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
