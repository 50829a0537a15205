"""Congress proposals (职代会提案): registered at a held congress, their assignment
published and their completion reported back; each use case load → call → save."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from functools import partial
from uuid import UUID

from application.aggregates import ItemResult
from application.meeting_cases import MeetingCases
from domain.access import Parties
from domain.actors import Actor
from domain.policy import Permission, authorise
from domain.proposal import Proposal


class Proposals(MeetingCases):
    """The proposals registered at a workers' congress."""

    def register_proposal(
        self,
        meeting_id: UUID,
        *,
        problem: str,
        solution: str,
        department: str,
        deadline: datetime,
        actor: Actor,
        proposer: str = "",
        key: str | None = None,
    ) -> ItemResult:
        """Registers a proposal of a held congress; its assignment is due with the congress's
        (with an idempotency `key`, once)."""
        authorise(actor, Permission.PROPOSAL_REGISTER, Parties())
        due = self.get_meeting(meeting_id).check_takes_proposals()
        code = self.app.directory.code(department)
        request = {
            "meeting_id": meeting_id,
            "proposer": proposer,
            "problem": problem,
            "solution": solution,
            "department": department,
            "deadline": deadline,
        }
        claim = self.app.claim(key, actor, "register_proposal", request)
        build = partial(
            Proposal.register,
            meeting_id=meeting_id,
            proposer=proposer,
            problem=problem,
            solution=solution,
            department=code,
            deadline=deadline,
            assignment_deadline=due,
            actor=actor,
            at=self.app.now(),
        )
        return self._access.create(Proposal, lambda new_id: build(id=new_id), claim).result

    def publish_assignment(
        self, proposal_id: UUID, *, result: str, actor: Actor, expected_version: int | None = None
    ) -> ItemResult:
        """Publishes a proposal's assignment result."""
        proposal = self._access.load(
            Proposal,
            proposal_id,
            expected_version,
            actor=actor,
            permission=Permission.PROPOSAL_ASSIGN,
        )
        proposal.publish_assignment(result=result, actor=actor, at=self.app.now())
        return self._save(proposal)

    def report_completion(
        self,
        proposal_id: UUID,
        *,
        text: str,
        evidence_links: Sequence[str],
        actor: Actor,
        expected_version: int | None = None,
    ) -> ItemResult:
        """Reports a proposal's completion back to the congress, with evidence links."""
        proposal = self._access.load(
            Proposal,
            proposal_id,
            expected_version,
            actor=actor,
            permission=Permission.PROPOSAL_REPORT,
        )
        proposal.report_completion(
            text=text, evidence_links=evidence_links, actor=actor, at=self.app.now()
        )
        return self._save(proposal)

    def record_missed_assignment(self, proposal_id: UUID, *, actor: Actor) -> ItemResult:
        """Records that a proposal's assignment result was not published in time (the watcher)."""
        proposal = self._access.load(
            Proposal, proposal_id, None, actor=actor, permission=Permission.DEADLINE_RECORD_MISSED
        )
        proposal.record_missed_assignment(actor=actor, at=self.app.now())
        return self._save(proposal)

    def get_proposal(self, proposal_id: UUID, version: int | None = None) -> Proposal:
        """The proposal now, or as it stood at `version`."""
        return self._access.get(Proposal, proposal_id, version)

    def proposal_as_of(self, proposal_id: UUID, moment: datetime) -> Proposal:
        """The proposal as it stood at `moment`."""
        return self._access.as_of(Proposal, proposal_id, moment)
