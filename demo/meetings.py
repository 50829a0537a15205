"""Fills the store with a year of meetings, through the `Meetings` application only.

Talks with every one of the eight tiers, the four quarterly joint meetings of HR and the
union with their item lists (action items taken from the decisions, accepted, rejected and
accepted, marked overdue), and a workers' congress with its proposals (assignments published,
one late; completion reported for some). Every step runs at its own historical moment, in
time order, the manual clock set to it first; office hours are working days in Asia/Shanghai.
The same seed gives the same meetings, times and texts.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from uuid import UUID

from application.clock import ManualClock
from application.meetings import Meetings
from demo.agenda import Agenda, Step
from demo.congress import plan_congress
from demo.joint_meetings import plan_joint
from demo.organisation import (
    APPELLANT_NAMES,
    HOME_DEPARTMENTS,
)
from demo.talks import plan_talk
from demo.topics import TOPICS
from domain.appeal import Appellant
from domain.calendar import CHINA_TZ
from domain.meeting_policy import Quarter
from domain.terms import Channel, Tier


@dataclass(frozen=True)
class MeetingsSummary:
    """What the meetings demo put in the store."""

    start: datetime
    end: datetime
    meeting_ids: tuple[UUID, ...]
    item_ids: tuple[UUID, ...]
    proposal_ids: tuple[UUID, ...]
    talks_by_tier: Mapping[Tier, int]
    joint_meetings: int
    congresses: int
    action_items: int
    items_accepted: int
    items_rejected: int
    items_overdue: int
    proposals: int
    assignments_published: int
    assignments_late: int
    completions: int
    late_publications: int
    absent_departments: int
    coverage_overrides: int
    appeals_raised: int

    @property
    def talks(self) -> int:
        """Tier talks held."""
        return sum(self.talks_by_tier.values())

    def lines(self) -> list[str]:
        """A short human summary."""
        span = (
            f"{self.start.astimezone(CHINA_TZ):%Y-%m-%d} – {self.end.astimezone(CHINA_TZ):%Y-%m-%d}"
        )
        tiers = ", ".join(f"{t.value} {n}" for t, n in self.talks_by_tier.items())
        return [
            f"Meetings: {len(self.meeting_ids)} ({span}): {self.talks} tier talks, "
            f"{self.joint_meetings} joint meetings, {self.congresses} workers' congress",
            f"Talks by tier: {tiers}; {self.appeals_raised} appeals raised at talks; "
            f"{self.coverage_overrides} coverage overrides",
            f"Action items: {self.action_items} ({self.items_accepted} accepted, "
            f"{self.items_rejected} rejected once, {self.items_overdue} marked overdue)",
            f"Proposals: {self.proposals} ({self.assignments_published} assignments published, "
            f"{self.assignments_late} late; {self.completions} completions reported)",
            f"Published late: {self.late_publications} meetings; "
            f"meetings with absent departments: {self.absent_departments}",
        ]


@dataclass
class MeetingsTally:
    """What the meetings demo did, counted as it goes."""

    meetings: list[UUID] = field(default_factory=list)
    items: list[UUID] = field(default_factory=list)
    proposals: list[UUID] = field(default_factory=list)
    talks: Counter[Tier] = field(default_factory=Counter)
    joint: int = 0
    congress: int = 0
    accepted: int = 0
    rejected: int = 0
    overdue: int = 0
    assigned: int = 0
    assigned_late: int = 0
    completed: int = 0
    overrides: int = 0
    appeals: int = 0


def populate_meetings(
    meetings: Meetings,
    clock: ManualClock,
    *,
    months: int = 12,
    seed: int = 2026,
    end: datetime | None = None,
) -> MeetingsSummary:
    """Holds the `months` months of meetings before `end` (default: now); the clock follows
    real time again afterwards."""
    if months < 1:
        raise ValueError("the meetings demo needs at least one month")
    end = clock() if end is None else end
    if end.tzinfo is None:
        raise ValueError("the demo's end needs a time zone")
    start = end - timedelta(days=round(months * 30.44))
    runner = MeetingsRun(meetings, clock, random.Random(seed), start, end)  # noqa: S311
    try:
        runner.plan(months)
        runner.run()
    finally:
        clock.follow_real_time()
    return runner.summary()


class MeetingsRun(Agenda):
    """Plans the meetings, then runs every step in time order; what happened is tallied."""

    def __init__(
        self,
        meetings: Meetings,
        clock: ManualClock,
        rng: random.Random,
        start: datetime,
        end: datetime,
    ) -> None:
        super().__init__(clock, rng, meetings.app.calendar)
        self.m = meetings
        self.start = start
        self.end = end
        self.tally = MeetingsTally()
        numbers = rng.sample(range(40000, 70000), len(APPELLANT_NAMES))
        homes, weights = zip(*HOME_DEPARTMENTS, strict=True)
        self.people = [
            (Appellant(name, f"E{number}"), rng.choices(homes, weights)[0])
            for name, number in zip(APPELLANT_NAMES, numbers, strict=True)
        ]
        self.attended: dict[Tier, list[tuple[Appellant, str]]] = {tier: [] for tier in Tier}
        self.talk_topics = [t for t in TOPICS if Channel.TALK_SESSION in t.channels]
        self.item_no = 0
        self.late_joint_done = False

    def at(self, moment: datetime, step: Step) -> None:
        """Runs `step` at `moment`, if that is within the demo's span."""
        if self.start < moment <= self.end:
            self.push(moment, step)

    def before(self, moment: datetime, days: int) -> datetime:
        """Nine in the morning of the working day on or before `days` days before `moment`."""
        day = self.cal.local_date(moment) - timedelta(days=days)
        while not self.cal.is_working_day(day):
            day -= timedelta(days=1)
        return self.office(day, 9, self.rng.randint(0, 40))

    # -- planning ----------------------------------------------------------------------

    def plan(self, months: int) -> None:
        first = self.cal.local_date(self.start)
        tiers = list(Tier)
        talks = max(len(tiers), 2 * months)
        for i in range(talks):
            month = i % months
            day = first + timedelta(days=round(month * 30.44) + 8 + (i // months) * 12)
            held = self.office(self.working_day(day), 14, 30)
            plan_talk(self, i, tiers[i % len(tiers)], held)
        quarters = sorted(
            {Quarter.of(first + timedelta(days=d)) for d in range(0, (self.end - self.start).days)}
        )
        joint = 0
        for quarter in quarters:
            opens = date(quarter.year, quarter.first_month, 1)
            held_day = self.working_day(opens)
            if held_day.day > 4:  # holidays fill the first days: hold it before the quarter
                held_day = opens - timedelta(days=1)
                while not self.cal.is_working_day(held_day):
                    held_day -= timedelta(days=1)
            held = self.office(held_day, 9, 30)
            if self.start + timedelta(days=7) < held <= self.end:
                plan_joint(self, joint, quarter, held)
                joint += 1
        congress_day = self.working_day(first + timedelta(days=min(60, 5 * months)))
        plan_congress(self, self.office(congress_day, 9, 0))

    # -- summary -----------------------------------------------------------------------

    def summary(self) -> MeetingsSummary:
        """What the run put in the store."""
        t = self.tally
        meetings = [self.m.get_meeting(i) for i in t.meetings]
        held = [m for m in meetings if m.held_at is not None]
        return MeetingsSummary(
            start=self.start,
            end=self.end,
            meeting_ids=tuple(t.meetings),
            item_ids=tuple(t.items),
            proposal_ids=tuple(t.proposals),
            talks_by_tier={tier: t.talks[tier] for tier in Tier if t.talks[tier]},
            joint_meetings=t.joint,
            congresses=t.congress,
            action_items=len(t.items),
            items_accepted=t.accepted,
            items_rejected=t.rejected,
            items_overdue=t.overdue,
            proposals=len(t.proposals),
            assignments_published=t.assigned,
            assignments_late=t.assigned_late,
            completions=t.completed,
            late_publications=sum(m.published_late for m in held),
            absent_departments=sum(bool(m.absent_departments) for m in held),
            coverage_overrides=t.overrides,
            appeals_raised=t.appeals,
        )
