"""Disclosures (公示): the use cases, each one load → call → save.

The public text of an appeal answer or a meeting's minutes comes from the subject itself
(its published reply, its published minutes and decisions), never typed in again; other
subjects disclose the text given. Approval records the hash chain's head, caught up first so
that it covers every event stored before the approval, the subject's included.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import partial
from typing import Any, Protocol
from uuid import UUID

from application.aggregates import AggregateAccess, ItemResult
from application.casework import Casework
from application.meetings import Meetings
from application.withheld import appellants
from domain.access import NOBODY
from domain.actors import Actor
from domain.disclosure import (
    ChainMark,
    Disclosure,
    Source,
    SubjectType,
    appeal_source,
    meeting_source,
)
from domain.errors import InvalidInput
from domain.golden_idea import IdeaReview
from domain.meeting import Meeting
from domain.monthly_figures import ReportMonth
from domain.monthly_report import MonthlyReport, report_id
from domain.policy import Permission, authorise
from domain.proposal import Proposal
from domain.publication import NO_ONE, Withheld

__all__ = ["ChainHeads", "Disclosures", "ItemResult"]


class ChainHeadLike(Protocol):
    """A hash chain head: the position of its last link and the link in hex."""

    @property
    def position(self) -> int:
        """The position of the last chained event."""

    @property
    def link(self) -> str:
        """The last link, hex."""


class ChainHeads(Protocol):
    """The tamper-evidence hash chain, as far as disclosures need it."""

    def catch_up(self) -> int:
        """Chains every committed event; returns how many links were appended."""

    def head(self) -> ChainHeadLike:
        """The chain's last link."""


class Disclosures:
    """Proposing, reviewing, publishing and withdrawing disclosures."""

    def __init__(self, app: Casework, meetings: Meetings, chain: ChainHeads) -> None:
        self.app = app
        self.meetings = meetings
        self.chain = chain
        self._access = AggregateAccess(app, {Disclosure: "disclosure"})
        self._subjects = AggregateAccess(
            app,
            {
                Meeting: "meeting",
                Proposal: "congress proposal",
                IdeaReview: "golden-idea review",
                MonthlyReport: "monthly report",
            },
        )

    def propose(
        self,
        *,
        subject_type: SubjectType,
        subject: str,
        title: str,
        actor: Actor,
        body: str = "",
        departments: Sequence[str] = (),
        key: str | None = None,
    ) -> ItemResult:
        """Proposes a disclosure for the committee to review (with an idempotency `key`,
        once)."""
        authorise(actor, Permission.DISCLOSURE_PROPOSE, NOBODY)
        departments = self.app.directory.codes(tuple(departments), "departments")
        if subject_type is SubjectType.PENALTIES_AND_CARDS and subject.strip():
            subject = self.app.directory.department(subject, "subject").code  # as recorded
        request = {
            "subject_type": subject_type,
            "subject": subject,
            "title": title,
            "body": body,
            "departments": list(departments),
        }
        claim = self.app.claim(key, actor, "propose_disclosure", request)
        build = partial(
            Disclosure.propose,
            subject_type=subject_type,
            subject=subject,
            departments=departments,
            title=title,
            source=self.source(subject_type, subject, body),
            actor=actor,
            at=self.app.now(),
        )
        return self._access.create(Disclosure, lambda new_id: build(id=new_id), claim).result

    def approve(
        self, disclosure_id: UUID, *, actor: Actor, expected_version: int | None = None
    ) -> ItemResult:
        """Approves a proposed disclosure, recording the hash chain's head at this moment."""
        disclosure = self._load(
            disclosure_id, expected_version, actor, Permission.DISCLOSURE_REVIEW
        )
        self.chain.catch_up()
        head = self.chain.head()
        disclosure.approve(
            chain_head=ChainMark(head.position, head.link), actor=actor, at=self.app.now()
        )
        return self._access.save(disclosure)

    def return_(
        self,
        disclosure_id: UUID,
        *,
        reason: str,
        actor: Actor,
        expected_version: int | None = None,
    ) -> ItemResult:
        """Returns a proposed disclosure to its proposer with a reason."""
        disclosure = self._load(
            disclosure_id, expected_version, actor, Permission.DISCLOSURE_REVIEW
        )
        disclosure.return_(reason=reason, actor=actor, at=self.app.now())
        return self._access.save(disclosure)

    def revise(
        self,
        disclosure_id: UUID,
        *,
        title: str,
        actor: Actor,
        body: str = "",
        departments: Sequence[str] = (),
        expected_version: int | None = None,
    ) -> ItemResult:
        """Revises a returned disclosure (the subject's text is read again) and re-proposes it."""
        disclosure = self._load(
            disclosure_id, expected_version, actor, Permission.DISCLOSURE_PROPOSE
        )
        disclosure.revise(
            title=title,
            source=self.source(disclosure.subject_type, disclosure.subject, body),
            departments=self.app.directory.codes(tuple(departments), "departments"),
            actor=actor,
            at=self.app.now(),
        )
        return self._access.save(disclosure)

    def publish(
        self, disclosure_id: UUID, *, actor: Actor, expected_version: int | None = None
    ) -> ItemResult:
        """Publishes an approved disclosure now, with the chain head at this moment."""
        disclosure = self._load(
            disclosure_id, expected_version, actor, Permission.DISCLOSURE_PUBLISH
        )
        self.chain.catch_up()
        head = self.chain.head()
        disclosure.publish(
            actor=actor, at=self.app.now(), chain_head=ChainMark(head.position, head.link)
        )
        return self._access.save(disclosure)

    def withdraw(
        self,
        disclosure_id: UUID,
        *,
        reason: str,
        actor: Actor,
        expected_version: int | None = None,
    ) -> ItemResult:
        """Withdraws a published disclosure with a reason; it stays listed as withdrawn."""
        disclosure = self._load(
            disclosure_id, expected_version, actor, Permission.DISCLOSURE_WITHDRAW
        )
        disclosure.withdraw(reason=reason, actor=actor, at=self.app.now())
        return self._access.save(disclosure)

    # -- queries -----------------------------------------------------------------------

    def _load(
        self,
        disclosure_id: UUID,
        expected_version: int | None,
        actor: Actor,
        permission: Permission,
    ) -> Disclosure:
        return self._access.load(
            Disclosure, disclosure_id, expected_version, actor=actor, permission=permission
        )

    def get(self, disclosure_id: UUID, version: int | None = None) -> Disclosure:
        """The disclosure now, or as it stood at `version`."""
        return self._access.get(Disclosure, disclosure_id, version)

    def read(self, disclosure_id: UUID, actor: Actor, version: int | None = None) -> Disclosure:
        """The disclosure now or at `version`, if `actor` may read the queue."""
        return self._access.read(
            Disclosure,
            disclosure_id,
            actor=actor,
            permission=Permission.DISCLOSURE_READ,
            version=version,
        )

    def read_history(self, disclosure_id: UUID, actor: Actor) -> Sequence[Any]:
        """Every event of the disclosure, if `actor` may read the queue."""
        self.read(disclosure_id, actor)
        return self.history(disclosure_id)

    def history(self, disclosure_id: UUID) -> Sequence[Any]:
        """Every event of the disclosure, in order."""
        return self._access.history(disclosure_id, (Disclosure.Proposed,))

    def source(self, subject_type: SubjectType, subject: str, body: str) -> Source:
        """The text a subject offers: read from the appeal or meeting, else the body given."""
        if (
            subject_type in (SubjectType.APPEAL_ANSWER, SubjectType.MEETING_MINUTES)
            and body.strip()
        ):
            raise InvalidInput(
                "body",
                f"a {subject_type.value} discloses the subject's own published text; leave it out",
            )
        if subject_type is SubjectType.APPEAL_ANSWER:
            return appeal_source(self.app.get_appeal(_subject_id(subject)))
        if subject_type is SubjectType.MEETING_MINUTES:
            meeting_id = _subject_id(subject)
            meeting = self.meetings.get_meeting(meeting_id)
            return meeting_source(meeting, self.meetings.appellants_at(meeting_id))
        return Source(body, withheld=self._check_subject_is_public(subject_type, subject))

    def _check_subject_is_public(self, subject_type: SubjectType, subject: str) -> Withheld:
        """The other subjects must exist and have been made public by their own act first:
        a joint meeting's item list published, a proposal's assignment published, a
        golden-idea review's awards published, a monthly report filed; a fund statement's
        month must be over. Penalties and cards name their department, an award procedure
        its award. Returns whom the text withholds: the people a meeting names and the
        appellants raised at it, a proposal's proposer, the appellants of a review's ideas."""
        unpublished: str | None = None
        withheld = NO_ONE
        if subject_type is SubjectType.ACTION_ITEMS:
            meeting_id = _subject_id(subject)
            meeting = self._subjects.get(Meeting, meeting_id)
            if meeting.published_at is None:
                unpublished = "its meeting has not published the item list"
            withheld = meeting.withheld(self.meetings.appellants_at(meeting_id))
        elif subject_type is SubjectType.PROPOSAL_ASSIGNMENT:
            proposal = self._subjects.get(Proposal, _subject_id(subject))
            if proposal.assignment_published_at is None:
                unpublished = "the proposal's assignment result is not published"
            withheld = proposal.withheld
        elif subject_type is SubjectType.GOLDEN_IDEA_AWARDS:
            review = self._subjects.get(IdeaReview, _subject_id(subject))
            if review.published_at is None:
                unpublished = "the review's awards are not published"
            withheld = appellants(self.app, review.ideas)
        elif subject_type is SubjectType.MONTHLY_REPORT:
            month = _subject_month(subject)
            report = self._subjects.get(MonthlyReport, report_id(month))
            if report.filed_at is None:
                unpublished = f"the report of {month} is not filed"
        elif subject_type is SubjectType.FUND_STATEMENT:
            month = _subject_month(subject)
            if self.app.now() < month.end:
                unpublished = (
                    f"{month} is not over yet; its income and expenditure are published once "
                    f"it is (from {month.end.date().isoformat()}, China time)"
                )
        elif subject_type is SubjectType.AWARD_PROCEDURE:
            if not subject.strip():
                raise InvalidInput("subject", "name the award whose selection procedure this is")
        elif not subject.strip():
            raise InvalidInput("subject", "name the department whose penalties and cards these are")
        else:
            self.app.directory.department(subject, "subject")
        if unpublished is not None:
            raise InvalidInput("subject", unpublished)
        return withheld


def _subject_month(subject: str) -> ReportMonth:
    """The month a monthly subject names (`2026-10`); a bad one is the `subject`'s error."""
    try:
        return ReportMonth.parse(subject)
    except InvalidInput as error:
        raise InvalidInput("subject", error.reason) from None


def _subject_id(subject: str) -> UUID:
    try:
        return UUID(subject.strip())
    except ValueError:
        raise InvalidInput("subject", f"{subject!r} is not the id of the subject") from None
