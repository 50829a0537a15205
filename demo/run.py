"""`huiyin demo` from start to end: once per store, saying what it does as it goes.

The demo fills a store once. Its first planned appeal is raised with a fixed idempotency key
(`FIRST_APPEAL_KEY`), which gives that appeal an id derived from the key and the store's
cipher key: a later run finds the appeal by that id and adds nothing. A run stopped before
that appeal was raised (it falls anywhere in the appeals' span) leaves no mark, and a run
started while another is still going is not stopped by it: the demo is for an empty store.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING
from uuid import UUID

from application.casework import Casework
from application.clock import ManualClock
from demo.accountability import AccountabilitySummary, populate_accountability
from demo.appeal_steps import staff_for
from demo.appeals import DemoSummary, populate
from demo.directory import PERSONAS, persona_tokens
from demo.disclosures import DisclosuresSummary, populate_disclosures
from demo.meetings import MeetingsSummary, populate_meetings
from demo.scenarios import COVERAGE
from domain.actors import Role
from domain.calendar import CHINA_TZ
from domain.errors import NotFound

if TYPE_CHECKING:
    from api.bootstrap import Services

#: The idempotency key the demo's first planned appeal is raised with: its mark in a store.
FIRST_APPEAL_KEY = "huiyin-demo-first-appeal"

#: The months of meetings the demo holds, whatever the appeals' span.
MEETING_MONTHS = 12

#: How often, in quarters of the appeals' steps, the appeals phase reports its progress.
QUARTERS = 4

Say = Callable[[str], None]


@dataclass(frozen=True)
class EarlierRun:
    """The demo an earlier run left in the store: its first planned appeal."""

    appeal_id: UUID
    case_number: str
    raised_at: datetime
    employee: str  # the appellant of that appeal, to act as the employee

    def lines(self) -> list[str]:
        """What a second run prints: nothing added, and how to go on."""
        personas = {**PERSONAS, Role.EMPLOYEE: self.employee}
        return [
            f"The demo is already in this store (its first appeal {self.case_number}, raised "
            f"{self.raised_at.astimezone(CHINA_TZ):%Y-%m-%d}): nothing was added.",
            "To act as a role, issue a token: huiyin token issue --actor <person> --role <role>",
            *(f"  {role.value:<12} {person}" for role, person in personas.items()),
            "To fill a store afresh, point the demo at an empty one (another --data-dir, or "
            "HUIYIN_DATABASE_URL naming a new database).",
        ]


@dataclass(frozen=True)
class DemoRun:
    """What a run of the demo put in the store, and a token per role to try it with."""

    appeals: DemoSummary
    meetings: MeetingsSummary
    accountability: AccountabilitySummary
    disclosures: DisclosuresSummary
    tokens: list[str]

    def lines(self) -> list[str]:
        """The summary a run prints at its end."""
        return [
            *self.appeals.lines(),
            *self.meetings.lines(),
            *self.accountability.lines(),
            *self.disclosures.lines(),
            "",
            "Tokens to try the API as each role (`curl -H 'Authorization: Bearer <token>'`;",
            "GET /me says what each may do, docs/access.md the whole policy):",
            *self.tokens,
        ]


def first_appeal_id(casework: Casework) -> UUID:
    """The id the demo's first planned appeal has in this store (derived from its key)."""
    channel, _, _ = COVERAGE[0]
    claim = casework.claim(FIRST_APPEAL_KEY, staff_for(channel, 0), "raise_appeal", {})
    if claim is None:  # only without a key
        raise RuntimeError("no claim for the demo's key")
    return claim.id


def earlier_run(casework: Casework) -> EarlierRun | None:
    """The demo an earlier run left in the store, if any."""
    try:
        appeal = casework.get_appeal(first_appeal_id(casework))
    except NotFound:
        return None
    employee = appeal.appellant.employee_no if appeal.appellant is not None else ""
    return EarlierRun(appeal.id, appeal.case_number, appeal.raised_at, employee)


def run_demo(
    services: Services,
    clock: ManualClock,
    *,
    appeals: int = 300,
    months: int = 6,
    seed: int = 2026,
    end: datetime | None = None,
    say: Say | None = None,
) -> DemoRun | EarlierRun:
    """Fills the store with the demo, unless an earlier run did: then adds nothing and says
    so. `say` is told a line at each phase's start and end, with counts."""
    tell = say or (lambda _: None)
    earlier = earlier_run(services.casework)
    if earlier is not None:
        return earlier
    tell(
        f"Filling the store with the demo: {appeals} appeals over {months} month"
        f"{'' if months == 1 else 's'} and "
        f"{MEETING_MONTHS} months of meetings (seed {seed}), a line per phase"
    )
    phase = _Phases(tell)
    phase.start(f"appeals: raising {appeals}, each through its story")
    summary = populate(
        services.casework,
        clock,
        appeals=appeals,
        months=months,
        seed=seed,
        end=end,
        first_key=FIRST_APPEAL_KEY,
        progress=_quarterly(tell),
    )
    phase.done(f"appeals: {summary.appeals} raised, {summary.events} events")
    phase.start("meetings: talks of every tier, joint meetings, a workers' congress")
    meetings = populate_meetings(
        services.meetings, clock, months=MEETING_MONTHS, seed=seed, end=summary.end
    )
    phase.done(
        f"meetings: {len(meetings.meeting_ids)} held, {meetings.action_items} action items, "
        f"{meetings.proposals} proposals"
    )
    phase.start("accountability: deadline sweeps, penalties and cards, reviews")
    accountability = populate_accountability(
        services, clock, demo=summary, meetings=meetings, seed=seed
    )
    phase.done(
        f"accountability: {accountability.sweeps} sweeps, "
        f"{accountability.missed_deadlines} missed deadlines, {len(accountability.cards)} cards"
    )
    phase.start("disclosures: proposing, reviewing and publishing on the board")
    disclosures = populate_disclosures(
        services, clock, demo=summary, meetings=meetings, accountability=accountability, seed=seed
    )
    phase.done(f"disclosures: {sum(disclosures.published.values())} published")
    first = earlier_run(services.casework)  # this run's now: its appellant is the employee
    if first is None:
        raise RuntimeError("the demo's first appeal is not in the store after the run")
    tokens = persona_tokens(services.credentials, first.employee)
    tell(f"tokens: {len(tokens)} issued, one per role")
    return DemoRun(summary, meetings, accountability, disclosures, tokens)


class _Phases:
    """Tells when a phase starts, and when it ends with its counts and how long it took."""

    def __init__(self, say: Say) -> None:
        self._say = say
        self._started = time.monotonic()

    def start(self, line: str) -> None:
        self._started = time.monotonic()
        self._say(f"{line} …")

    def done(self, line: str) -> None:
        self._say(f"{line} ({time.monotonic() - self._started:.1f} s)")


def _quarterly(say: Say) -> Callable[[int, int], None]:
    """A progress callback for the appeals' steps that tells each quarter reached."""
    told = [0]

    def progress(done: int, total: int) -> None:
        quarter = done * QUARTERS // total
        if quarter > told[0] and done < total:
            told[0] = quarter
            say(f"appeals: {done}/{total} steps")

    return progress
