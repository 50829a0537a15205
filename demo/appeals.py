"""Fills the store with a realistic organisation's appeals, through the application only.

Every appeal follows a scenario (answered on the spot, transferred and rated, reopened,
retransferred, extended, adopted, declined, withdrawn, or still open) laid out on the
working days of the last few months. All steps of all appeals are then run in time order,
the manual clock set to each step's moment, so the events carry historical times and the
global sequence reads like the months it covers. The same seed gives the same cases, times
and texts (ids and receipt codes are random by design).
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from typing import TypeVar
from uuid import UUID

from application.casework import Casework
from application.clock import ManualClock
from demo.appeal_steps import AppealRun, AppealSteps, Progress
from demo.directory import fill_directory
from demo.organisation import (
    APPELLANT_NAMES,
    CHANNEL_LABELS,
    CHANNEL_SUPERVISORS,
    CHANNEL_WEIGHTS,
    DEFAULT_SUPERVISOR,
    DEPARTMENTS,
    HOME_DEPARTMENTS,
    TIER_LEADS,
    TIER_WEIGHTS,
)
from demo.scenarios import COVERAGE, SCENARIOS, WEIGHTS, Placement, Scenario
from demo.topics import TOPICS
from domain.appeal import FINAL, OPEN_FOR_WORK, Appellant
from domain.calendar import CHINA_TZ
from domain.terms import FACE_TO_FACE, Channel, Kind, Outcome, Rating, Status, Tier

E = TypeVar("E", bound=StrEnum)

STALE_WORKING_DAYS = 6  # a reply deadline is 5 working days; older than this is overdue
OFFICE_OPENS = time(8, 30)
OFFICE_MINUTES = 8 * 60  # first steps of a day fall between 08:30 and 16:30


@dataclass(frozen=True)
class DemoCase:
    """One appeal the demo raised, and what it expects the appeal to be now."""

    id: UUID
    case_number: str
    scenario: str
    channel: Channel
    kind: Kind
    tier: Tier | None
    anonymous: bool
    status: Status
    events: int
    raised_at: datetime
    last_event_at: datetime
    transfers: int
    reopened: int
    extensions: int
    ratings: tuple[Rating, ...]
    outcome: Outcome | None
    overdue: bool
    receipt_code: str | None


@dataclass(frozen=True)
class DemoSummary:
    """What the demo put in the store."""

    start: datetime
    end: datetime
    cases: tuple[DemoCase, ...]
    appeals: int
    events: int
    by_channel: Mapping[Channel, int]
    by_kind: Mapping[Kind, int]
    by_tier: Mapping[Tier, int]
    by_status: Mapping[Status, int]
    by_outcome: Mapping[Outcome, int]
    ratings: Mapping[Rating, int]
    anonymous: int
    answered_on_spot: int
    reopened: int
    retransferred: int
    extended: int
    adopted: int
    declined: int
    closed: int
    withdrawn: int
    open: int
    overdue_open: int

    @classmethod
    def of(cls, start: datetime, end: datetime, cases: Sequence[DemoCase]) -> DemoSummary:
        """Counts the cases."""
        statuses = Counter(c.status for c in cases)
        return cls(
            start=start,
            end=end,
            cases=tuple(cases),
            appeals=len(cases),
            events=sum(c.events for c in cases),
            by_channel=_ordered(Channel, Counter(c.channel for c in cases)),
            by_kind=_ordered(Kind, Counter(c.kind for c in cases)),
            by_tier=_ordered(Tier, Counter(c.tier for c in cases if c.tier)),
            by_status=_ordered(Status, statuses),
            by_outcome=_ordered(Outcome, Counter(c.outcome for c in cases if c.outcome)),
            ratings=_ordered(Rating, Counter(r for c in cases for r in c.ratings)),
            anonymous=sum(c.anonymous for c in cases),
            answered_on_spot=sum(c.scenario.startswith("on_spot") for c in cases),
            reopened=sum(c.reopened > 0 for c in cases),
            retransferred=sum(c.transfers > 1 for c in cases),
            extended=sum(c.extensions > 0 for c in cases),
            adopted=sum(c.scenario in {"adopted", "implementing"} for c in cases),
            declined=sum(c.outcome is Outcome.DECLINED for c in cases),
            closed=statuses[Status.CLOSED],
            withdrawn=statuses[Status.WITHDRAWN],
            open=sum(c.status not in FINAL for c in cases),
            overdue_open=sum(c.overdue for c in cases),
        )

    def lines(self) -> list[str]:
        """A short human summary."""
        span = (
            f"{self.start.astimezone(CHINA_TZ):%Y-%m-%d} – {self.end.astimezone(CHINA_TZ):%Y-%m-%d}"
        )
        channels = ", ".join(f"{CHANNEL_LABELS[c]} {n}" for c, n in self.by_channel.items())
        outcomes = ", ".join(f"{o.value} {n}" for o, n in self.by_outcome.items())
        open_statuses = ", ".join(
            f"{s.value} {n}" for s, n in self.by_status.items() if s not in FINAL
        )
        lines = [
            f"Huiyin demo: {self.appeals} appeals, {self.events} events, {span} (Asia/Shanghai)",
            f"By channel: {channels}",
            "By kind: " + ", ".join(f"{k.value} {n}" for k, n in self.by_kind.items()),
            f"Closed {self.closed} ({outcomes}); withdrawn {self.withdrawn}; "
            f"open {self.open} ({open_statuses}), {self.overdue_open} past the reply deadline",
            f"Answered on the spot {self.answered_on_spot}; reopened after a dissatisfied "
            f"rating {self.reopened}; retransferred {self.retransferred}; deadline extended "
            f"{self.extended}; suggestions adopted {self.adopted}, declined {self.declined}",
            "Ratings given: " + ", ".join(f"{r.value} {n}" for r, n in self.ratings.items()),
        ]
        codes = [c.receipt_code for c in self.cases if c.receipt_code]
        example = f" (try receipt code {codes[0]})" if codes else ""
        lines.append(f"Anonymous appeals: {self.anonymous}{example}")
        return lines


def populate(
    casework: Casework,
    clock: ManualClock,
    *,
    appeals: int = 300,
    months: int = 6,
    seed: int = 2026,
    end: datetime | None = None,
    first_key: str | None = None,
    progress: Progress | None = None,
) -> DemoSummary:
    """Raises `appeals` appeals over the `months` months before `end` (default: now) and
    takes each through its story; the clock follows real time again afterwards.

    With `first_key`, the first planned appeal is raised with that idempotency key, so its
    id can be found again (`demo.run` tells an earlier run by it). `progress` is told
    (steps done, all steps) as the steps run.
    """
    if appeals < 1 or months < 1:
        raise ValueError("the demo needs at least one appeal and one month")
    end = clock() if end is None else end
    if end.tzinfo is None:
        raise ValueError("the demo's end needs a time zone")
    start = end - timedelta(days=round(months * 30.44))
    clock.set(start - timedelta(days=1))
    fill_directory(casework)  # the organisation, before anything happens in it
    rng = random.Random(seed)  # noqa: S311  # reproducible demo data, not secrets
    days = _working_days(casework, start, end)
    runs = _plan(rng, days, appeals, casework)
    try:
        AppealSteps(casework, clock, rng, first_key=first_key).run(runs, progress)
    finally:
        clock.follow_real_time()
    cases = sorted((_case_of(casework, run, end) for run in runs), key=lambda c: c.raised_at)
    return DemoSummary.of(start, end, cases)


def _working_days(casework: Casework, start: datetime, end: datetime) -> list[date]:
    """The working days strictly after `start`'s day and before `end`'s day."""
    first, last = casework.calendar.local_date(start), casework.calendar.local_date(end)
    days = [first + timedelta(days=n) for n in range(1, (last - first).days)]
    working = [day for day in days if casework.calendar.is_working_day(day)]
    if len(working) < 2 * STALE_WORKING_DAYS:
        raise ValueError("the demo window holds too few working days")
    return working


def _plan(
    rng: random.Random, days: Sequence[date], appeals: int, casework: Casework
) -> list[AppealRun]:
    people = _appellants(rng)
    homes, home_weights = zip(*HOME_DEPARTMENTS, strict=True)
    channels, channel_weights = zip(*CHANNEL_WEIGHTS.items(), strict=True)
    tiers, tier_weights = zip(*TIER_WEIGHTS.items(), strict=True)
    talks = 0
    runs = []
    for no in range(appeals):
        if no < len(COVERAGE):
            channel, kind, name = COVERAGE[no]
            topic = rng.choice([t for t in TOPICS if channel in t.channels and t.kind is kind])
        else:
            channel = rng.choices(channels, channel_weights)[0]
            topic = rng.choice([t for t in TOPICS if channel in t.channels])
            weights = {
                n: w
                for n, w in WEIGHTS[topic.kind is Kind.SUGGESTION].items()
                if channel in FACE_TO_FACE or not SCENARIOS[n].face_to_face
            }
            name = rng.choices(list(weights), list(weights.values()))[0]
        tier = None
        if channel is Channel.TALK_SESSION:  # the first talks cover every tier
            tier = tiers[talks] if talks < len(tiers) else rng.choices(tiers, tier_weights)[0]
            talks += 1
        appellant, home = (
            (None, rng.choices(homes, home_weights)[0])
            if channel is Channel.ANONYMOUS_BOX
            else rng.choice(people)
        )
        others = [d.name for d in DEPARTMENTS if d.name != topic.department]
        runs.append(
            AppealRun(
                no=no,
                scenario=SCENARIOS[name],
                topic=topic,
                channel=channel,
                tier=tier,
                appellant=appellant,
                home=home,
                title=rng.choice(topic.titles),
                supervisor=TIER_LEADS[tier]
                if tier
                else CHANNEL_SUPERVISORS.get(channel, DEFAULT_SUPERVISOR),
                misroute_to=rng.choice(others),
                times=_timeline(rng, days, SCENARIOS[name], casework),
            )
        )
    return runs


def _appellants(rng: random.Random) -> list[tuple[Appellant | None, str]]:
    """Named employees, each with an employee number, sometimes a phone, and a department."""
    homes, weights = zip(*HOME_DEPARTMENTS, strict=True)
    numbers = rng.sample(range(10000, 40000), len(APPELLANT_NAMES))
    people: list[tuple[Appellant | None, str]] = []
    for name, number in zip(APPELLANT_NAMES, numbers, strict=True):
        phone = (
            f"13{rng.randint(0, 9)}{rng.randint(0, 99_999_999):08d}" if rng.random() < 0.6 else ""
        )
        people.append((Appellant(name, f"E{number}", phone), rng.choices(homes, weights)[0]))
    return people


def _timeline(
    rng: random.Random, days: Sequence[date], scenario: Scenario, casework: Casework
) -> list[datetime]:
    """The moments of the raise and of each step, in office hours on working days."""
    delays = [rng.randint(lo, hi) for _, lo, hi in scenario.steps]
    last = len(days) - 1
    room = last - (STALE_WORKING_DAYS if scenario.placement is Placement.STALE else 0)
    while sum(delays) > room and any(delays):  # a short window squeezes the story
        delays[delays.index(max(delays))] -= 1
    if scenario.placement is Placement.RECENT:
        index = max(0, last - rng.randint(0, 2) - sum(delays))
    else:
        index = rng.randint(0, max(0, room - sum(delays)))
    moment = _office_time(rng, days[index], casework)
    times = [moment]
    for delay in delays:
        if delay:
            index += delay
            moment = _office_time(rng, days[index], casework)
        else:
            moment += timedelta(minutes=rng.randint(5, 40))
        times.append(moment)
    return times


def _office_time(rng: random.Random, day: date, casework: Casework) -> datetime:
    opens = datetime.combine(day, OFFICE_OPENS, tzinfo=casework.calendar.tz)
    return opens + timedelta(minutes=rng.randint(0, OFFICE_MINUTES))


def _case_of(casework: Casework, run: AppealRun, end: datetime) -> DemoCase:
    """The case as the demo left it; whether it is overdue is read from the appeal."""
    appeal_id = AppealSteps.id(run)
    overdue = False
    if run.status in OPEN_FOR_WORK:
        deadline = casework.get_appeal(appeal_id).reply_deadline
        overdue = deadline is not None and deadline.due < end
    return DemoCase(
        id=appeal_id,
        case_number=run.case_number,
        scenario=run.scenario.name,
        channel=run.channel,
        kind=run.topic.kind,
        tier=run.tier,
        anonymous=run.appellant is None,
        status=run.status,
        events=run.events,
        raised_at=run.times[0],
        last_event_at=run.times[-1],
        transfers=run.transfers,
        reopened=run.reopened,
        extensions=run.extensions,
        ratings=tuple(run.ratings),
        outcome=run.outcome,
        overdue=overdue,
        receipt_code=run.receipt_code,
    )


def _ordered(members: type[E], counts: Counter[E]) -> dict[E, int]:
    """The counts in the enumeration's order, leaving out what never occurred."""
    return {member: counts[member] for member in members if counts[member]}
