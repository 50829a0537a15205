"""The deadline watcher: records, once, every deadline that passed without its act.

It asks the deadline board (a view of the events) which acts are owed past their due time,
then lets each case's aggregate decide: an appeal records `DeadlineMissed`, an action item
`MarkedOverdue`. A missed reply or first response costs whoever held the appeal then 2
points (`Accountability.penalise_missed`), recorded before the miss with an id derived from
the deadline, so a crash between the two writes, a restart or a second watcher never records
either twice. Its clock is the application's.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Protocol, cast
from uuid import UUID

from eventsourcing.domain import DomainEvent

from application.accountability import AUTOMATIC, Accountability
from application.aggregates import ItemResult
from application.casework import Casework
from application.meetings import Meetings
from domain.accountability_rules import RuleCode
from domain.actors import Actor
from domain.card import PenaltyRecord
from domain.deadlines import DeadlineAct
from domain.errors import ActionNotAllowed, ConcurrentWrite, DomainError
from domain.monthly_figures import ReportMonth

ABSENCE = "absence:"  # the board's act for a talk's absent department (projections/deadline_board)

log = logging.getLogger("huiyin.watcher")


class DueCase(Protocol):
    """A case the board says owes an act past its due time."""

    @property
    def case_id(self) -> UUID:
        """The case."""

    @property
    def case_type(self) -> str:
        """appeal or action_item."""

    @property
    def act(self) -> str:
        """first_response, reply or accept."""

    @property
    def due_at(self) -> datetime:
        """When it was due."""


class UnfiledReports(Protocol):
    """The monthly reports: records the -1 for one filed late or not at all, once."""

    def penalise_unfiled(self, month: ReportMonth, *, actor: Actor) -> ItemResult | None:
        """The penalty for `month`'s report, if one is owed."""


class LedgerEntry(Protocol):
    """A penalty as the ledger holds it."""

    @property
    def id(self) -> UUID:
        """The penalty."""

    @property
    def department(self) -> str:
        """Whose head it falls on."""

    @property
    def rule(self) -> str:
        """The rule's code."""

    @property
    def points(self) -> int:
        """Points (negative)."""

    @property
    def reversed(self) -> bool:
        """Whether the committee reversed it."""


class Ledger(Protocol):
    """The penalty ledger view: penalties by day and department."""

    def entries(
        self, start: date, end: date, department: str | None = None
    ) -> Sequence[LedgerEntry]:
        """Penalties recorded on days in [start, end]."""


class Board(Protocol):
    """Where the watcher finds candidates (the deadline board view)."""

    def due_before(self, moment: datetime, limit: int) -> Sequence[DueCase]:
        """Acts owed before `moment` and not yet recorded as missed."""


@dataclass
class SweepReport:
    """What one sweep found and did."""

    at: datetime
    candidates: int = 0
    missed: list[tuple[UUID, str]] = field(default_factory=list)
    penalties: int = 0
    cards: int = 0
    already_done: int = 0

    def line(self) -> str:
        """One line for the log."""
        return (
            f"{self.at.isoformat()}: {self.candidates} candidate(s), {len(self.missed)} "
            f"missed deadline(s) recorded, {self.penalties} penalty(ies), {self.cards} card(s), "
            f"{self.already_done} already handled"
        )


class DeadlineWatch:
    """One sweep at a time: finds owed acts past due and records them on their cases."""

    def __init__(
        self,
        casework: Casework,
        meetings: Meetings,
        accountability: Accountability,
        board: Board,
        *,
        actor: Actor = AUTOMATIC,
        batch: int = 500,
        reports: UnfiledReports | None = None,
        ledger: Ledger | None = None,
    ) -> None:
        self.reports = reports
        self.ledger = ledger
        self._in_use_since: datetime | None = None
        self.casework = casework
        self.meetings = meetings
        self.accountability = accountability
        self.board = board
        self.actor = actor
        self.batch = batch

    def sweep(self) -> SweepReport:
        """Records every miss due by now (the application clock's now)."""
        now = self.casework.now()
        report = SweepReport(at=now)
        self._last_months_report(now, report)
        self._evaluate_cards(report)
        seen: set[tuple[UUID, str, datetime]] = set()
        while True:
            fresh = [
                due
                for due in self.board.due_before(now, self.batch)
                if (due.case_id, due.act, due.due_at) not in seen
            ]
            if not fresh:
                return report
            for due in fresh:
                seen.add((due.case_id, due.act, due.due_at))
                report.candidates += 1
                try:
                    self._record(due, now, report)
                except (ActionNotAllowed, ConcurrentWrite):
                    # Done meanwhile, met after all, or recorded by another watcher.
                    report.already_done += 1
                except DomainError:
                    # A case the rules say has nothing to record; never stop the sweep.
                    log.exception("deadline watcher: %s %s refused", due.case_type, due.case_id)
                    report.already_done += 1

    def _last_months_report(self, now: datetime, report: SweepReport) -> None:
        """Last month's thought-dynamics report, unfiled past its deadline, costs -1 once.

        Only for a month the service was in use: a new installation owes nothing for the
        months before its first event.
        """
        if self.reports is None:
            return
        last = ReportMonth.of(now).previous()
        if self._in_use_since is None:
            first = self.casework.recorder.select_notifications(1, 1)
            if not first:
                return
            event = cast(DomainEvent, self.casework.mapper.to_domain_event(first[0]))
            self._in_use_since = event.timestamp
        if self._in_use_since >= last.end:
            return
        try:
            penalty = self.reports.penalise_unfiled(last, actor=self.actor)
        except (ActionNotAllowed, ConcurrentWrite):
            return
        if penalty is not None and penalty.position:
            report.penalties += 1

    def _evaluate_cards(self, report: SweepReport) -> None:
        """Issues the red and yellow cards the ledger's penalties call for (once each).

        The current card period and the one before (in case the watcher was down when it
        ended); the Card rules refuse a second card of a colour for the same period.
        """
        if self.ledger is None:
            return
        current = self.accountability.current_period()
        policy = self.accountability.policy
        for period in (policy.previous_period(current), current):
            by_department: dict[str, list[PenaltyRecord]] = {}
            for entry in self.ledger.entries(period.start, period.end):
                by_department.setdefault(entry.department, []).append(
                    PenaltyRecord(entry.id, RuleCode(entry.rule), entry.points, entry.reversed)
                )
            for department, records in sorted(by_department.items()):
                try:
                    evaluation = self.accountability.evaluate_cards(
                        department, period, records, actor=self.actor
                    )
                except DomainError:
                    log.exception("card evaluation of %s refused", department)
                    continue
                if evaluation.issued is not None and evaluation.issued.position:
                    report.cards += 1

    def _record(self, due: DueCase, now: datetime, report: SweepReport) -> None:
        if due.case_type == "appeal":
            act = DeadlineAct(due.act)
            appeal = self.casework.get_appeal(due.case_id)
            missed = [d for d in appeal.missed_at(now) if d.act is act]
            if not missed:
                report.already_done += 1
                return
            # The penalty first: owed whether or not the miss is then recorded, and found
            # (not doubled) when recorded again.
            penalty = self.accountability.penalise_missed(
                due.case_id, deadline=missed[0], actor=self.actor
            )
            report.penalties += 1 if penalty.position else 0
            self.casework.record_missed_deadline(due.case_id, act=act, actor=self.actor)
        elif due.case_type == "card":
            self.accountability.escalate_card(due.case_id, actor=self.actor)
        elif due.case_type == "action_item":
            self.meetings.mark_item_overdue(due.case_id, actor=self.actor)
        elif due.case_type == "meeting" and due.act in (DeadlineAct.HOLD, DeadlineAct.PUBLISH):
            self.meetings.record_missed_meeting_deadline(due.case_id, actor=self.actor)
        elif due.case_type == "proposal":
            self.meetings.record_missed_assignment(due.case_id, actor=self.actor)
        elif due.case_type == "meeting" and due.act.startswith(ABSENCE):
            recorded = self.accountability.penalise_absences(due.case_id, actor=self.actor)
            report.penalties += sum(1 for result in recorded if result.position)
            if not any(result.position for result in recorded):
                report.already_done += 1
                return
        else:  # pragma: no cover - the board only holds the kinds above
            return
        report.missed.append((due.case_id, due.act))


def watch_forever(
    watch: DeadlineWatch,
    stop: threading.Event,
    *,
    interval: float,
    on_sweep: Callable[[SweepReport], None] | None = None,
) -> None:
    """Sweeps every `interval` seconds until `stop` is set; errors are logged, not fatal."""
    while not stop.is_set():
        try:
            report = watch.sweep()
            if on_sweep is not None:
                on_sweep(report)
            if report.missed:
                log.info(report.line())
        except Exception:
            log.exception("deadline sweep failed; trying again in %s s", interval)
        stop.wait(interval)
