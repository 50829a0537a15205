"""Penalties (扣分) against departments' heads: recorded by a supervisor's judgement or by
a rule by itself, contested and decided; each use case load → call → save. Automatic
penalties have deterministic ids, so recording the same occurrence twice (two watchers, a
restart) finds the first record instead of doubling it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import partial
from uuid import UUID

from application.accountability_cases import AUTOMATIC, AccountabilityCases
from application.aggregates import ItemResult
from domain.access import NOBODY, Parties
from domain.accountability_rules import (
    CaseRef,
    CaseType,
    RuleCode,
    passing_the_buck_suspected,
    penalty_id,
)
from domain.actors import Actor
from domain.deadlines import Deadline, DeadlineAct
from domain.errors import ConcurrentWrite, InvalidInput
from domain.meeting import Meeting
from domain.penalty import Penalty, absent_departments_to_penalise
from domain.policy import Permission, authorise

#: How a missed deadline's penalty is keyed: one penalty per deadline (the keys of missed
#: replies are the ones releases before used, so their penalties are found, not doubled).
OCCURRENCE = {DeadlineAct.REPLY: "reply-due", DeadlineAct.FIRST_RESPONSE: "response-due"}


@dataclass(frozen=True)
class BuckCheck:
    """How often an appeal was transferred, and whether that is enough to look at (推诿扯皮)."""

    appeal_id: UUID
    case_number: str
    transfers: int
    flagged: bool


class Penalties(AccountabilityCases):
    """Penalties against departments' heads, and the transfers that may be passing the buck."""

    def record_perfunctory_handling(
        self,
        appeal_id: UUID,
        *,
        reason: str,
        actor: Actor,
        head_id: str | None = None,
        key: str | None = None,
    ) -> ItemResult:
        """The appeal's supervisor takes a point from its department for 搪塞应付、推诿扯皮
        (with an idempotency `key`, once)."""
        appeal = self.app.get_appeal(appeal_id)
        supervisor = appeal.transfers[-1].supervisor if appeal.transfers else None
        # The judgement is the named supervisor's (`Penalty.record`), not a whole tier's.
        judge = Parties(leads=frozenset({supervisor} if supervisor else ()))
        authorise(actor, Permission.PENALTY_RECORD, judge)
        request = {"appeal_id": appeal_id, "reason": reason, "head_id": head_id}
        claim = self.app.claim(key, actor, "record_perfunctory_handling", request)
        build = partial(
            Penalty.record,
            rule=self.rules.rule(RuleCode.PERFUNCTORY_HANDLING),
            department=appeal.responsible_department or "",
            head_id=head_id or self._head(appeal.responsible_department),
            case=CaseRef(CaseType.APPEAL, appeal.id, appeal.case_number),
            reason=reason,
            supervisor=supervisor,
            actor=actor,
            at=self.app.now(),
        )
        return self._access.create(Penalty, lambda new_id: build(id=new_id), claim).result

    def record_automatic(
        self,
        rule: RuleCode,
        *,
        department: str,
        case: CaseRef,
        occurrence_key: str,
        at: datetime | None = None,
        actor: Actor = AUTOMATIC,
        reason: str = "",
        head_id: str | None = None,
    ) -> ItemResult:
        """Records an automatic penalty once: an occurrence already recorded is returned as is.

        The id follows from (rule, case id, occurrence key); an existing penalty comes back
        with its current version and position 0 (nothing new was written).
        """
        authorise(actor, Permission.PENALTY_RECORD_AUTOMATIC, NOBODY)
        department = self.app.directory.department(department).code  # closed ones too
        the_rule = self.rules.automatic(rule)
        penalty_key = penalty_id(rule, case.id, occurrence_key)
        existing = self._existing(Penalty, penalty_key)
        if existing is not None:
            return self._access.save(existing)
        penalty = Penalty.record(
            id=penalty_key,
            rule=the_rule,
            department=department,
            head_id=head_id or self._head(department),
            case=case,
            reason=reason,
            actor=actor,
            at=at or self.app.now(),
        )
        try:
            return self._access.save(penalty)
        except ConcurrentWrite:
            # Another watcher recorded the same occurrence a moment ago.
            return self._access.save(self._access.get(Penalty, penalty_key))

    def penalise_missed(
        self,
        appeal_id: UUID,
        *,
        deadline: Deadline,
        actor: Actor = AUTOMATIC,
    ) -> ItemResult:
        """Two points for a deadline the appeal missed (逾期), once per deadline, from
        whoever held it when it passed (`Appeal.holder_at`): its department then, or the
        union's own office while the union held it untransferred. A missed reply is
        逾期未办理, a missed first response 逾期未响应."""
        appeal = self.app.get_appeal(appeal_id)
        holder = appeal.holder_at(deadline.due) or self.union_office
        response = deadline.act is DeadlineAct.FIRST_RESPONSE
        rule = RuleCode.OVERDUE_RESPONSE if response else RuleCode.OVERDUE_REPLY
        what = "first response" if response else "reply"
        return self.record_automatic(
            rule,
            department=holder,
            case=CaseRef(CaseType.APPEAL, appeal.id, appeal.case_number),
            occurrence_key=f"{OCCURRENCE[deadline.act]}:{deadline.due.isoformat()}",
            actor=actor,
            reason=f"{what} overdue on {appeal.case_number} (due {deadline.due.isoformat()})",
        )

    def penalise_absences(self, meeting_id: UUID, *, actor: Actor = AUTOMATIC) -> list[ItemResult]:
        """One point from each department a held talk recorded as absent; once per department."""
        meeting = self._access.get(Meeting, meeting_id)
        case = CaseRef(CaseType.MEETING, meeting.id, meeting.topic)
        return [
            self.record_automatic(
                RuleCode.ABSENT_FROM_TALK,
                department=department,
                case=case,
                occurrence_key=department,
                at=meeting.held_at,
                actor=actor,
                reason=f"sent no one to the talk {meeting.topic!r}",
            )
            for department in absent_departments_to_penalise(meeting)
        ]

    def contest(
        self, penalty_id: UUID, *, reason: str, actor: Actor, expected_version: int | None = None
    ) -> ItemResult:
        """The department contests a penalty, saying why."""
        penalty = self._penalty(penalty_id, expected_version, actor, Permission.PENALTY_CONTEST)
        penalty.contest_by_department(reason=reason, actor=actor, at=self.app.now())
        return self._access.save(penalty)

    def reject_contest(
        self, penalty_id: UUID, *, reason: str, actor: Actor, expected_version: int | None = None
    ) -> ItemResult:
        """The committee keeps a contested penalty, saying why."""
        penalty = self._penalty(penalty_id, expected_version, actor, Permission.PENALTY_DECIDE)
        penalty.reject_contest(reason=reason, actor=actor, at=self.app.now())
        return self._access.save(penalty)

    def reverse(
        self, penalty_id: UUID, *, reason: str, actor: Actor, expected_version: int | None = None
    ) -> ItemResult:
        """The committee reverses a penalty, saying why; it no longer counts."""
        penalty = self._penalty(penalty_id, expected_version, actor, Permission.PENALTY_DECIDE)
        penalty.reverse(reason=reason, actor=actor, at=self.app.now())
        return self._access.save(penalty)

    def read_penalty(self, penalty_id: UUID, actor: Actor, version: int | None = None) -> Penalty:
        """The penalty now or at `version`, if `actor` may read it."""
        return self._access.read(
            Penalty, penalty_id, actor=actor, permission=Permission.PENALTY_READ, version=version
        )

    def get_penalty(self, penalty_id: UUID, version: int | None = None) -> Penalty:
        """The penalty now, or as it stood at `version`."""
        return self._access.get(Penalty, penalty_id, version)

    # -- passing the buck --------------------------------------------------------------

    def transfer_count(self, appeal_id: UUID) -> int:
        """How many times the appeal was transferred (the first transfer included)."""
        return len(self.app.get_appeal(appeal_id).transfers)

    def buck_check(self, appeal_id: UUID, actor: Actor) -> BuckCheck:
        """The appeal's transfers, flagged for its supervisor to judge at three or more."""
        appeal = self.app.read_appeal(appeal_id, actor)
        count = len(appeal.transfers)
        return BuckCheck(appeal.id, appeal.case_number, count, passing_the_buck_suspected(count))

    # -- plumbing ----------------------------------------------------------------------

    def _penalty(
        self, penalty_id: UUID, expected_version: int | None, actor: Actor, permission: Permission
    ) -> Penalty:
        return self._access.load(
            Penalty, penalty_id, expected_version, actor=actor, permission=permission
        )

    def _head(self, department: str | None) -> str | None:
        """The head the directory names for a department now (penalties fall on them)."""
        if not department:
            return None
        try:
            return self.app.directory.department(department).head
        except InvalidInput:
            return None
