"""The disclosure (公示): what goes public, after the union committee's review.

A disclosure is proposed, then approved or returned with a reason by a committee member who
did not write it; a returned one may be revised and proposed again. An approved disclosure
is published, which is its own recorded act with a time, so that "published within 3 / 7
working days" can be checked. Withdrawing a published one is recorded too; nothing is deleted.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any, cast
from uuid import UUID

from eventsourcing.domain import Aggregate

from domain import limits
from domain.actors import Actor
from domain.appeal import Appeal
from domain.disclosure_states import DISCLOSURE_STATES, DisclosureCommand

# Re-exported from the states' old home, where callers import them.
from domain.disclosure_states import PUBLIC_STATUSES as PUBLIC_STATUSES
from domain.disclosure_states import DisclosureStatus as DisclosureStatus
from domain.errors import ActionNotAllowed, InvalidInput, NotPermitted
from domain.meeting import Meeting
from domain.meeting_states import MEETING_STATES, MeetingCommand
from domain.publication import NO_ONE, Withheld, check_public
from domain.values import check_aware, clean_ids, clean_text

#: Longest public text: a congress's minutes with its decisions fit.
BODY_LIMIT = limits.MINUTES + 20 * limits.DECISION
SUBJECT_LIMIT = 100
HEX_LINK = re.compile(r"[0-9a-f]{64}")


class SubjectType(StrEnum):
    """What a disclosure makes public."""

    APPEAL_ANSWER = "appeal_answer"  # 诉求答复意见
    MEETING_MINUTES = "meeting_minutes"  # 会议纪要与决议
    ACTION_ITEMS = "action_items"  # 协作事项清单及完成情况
    PROPOSAL_ASSIGNMENT = "proposal_assignment"  # 职代会提案交办
    GOLDEN_IDEA_AWARDS = "golden_idea_awards"  # 金点子奖励
    MONTHLY_REPORT = "monthly_report"  # 月度报告
    PENALTIES_AND_CARDS = "penalties_and_cards"  # 考核扣分与红黄牌
    FUND_STATEMENT = "fund_statement"  # 工会经费收支明细 (a finished month's)
    AWARD_PROCEDURE = "award_procedure"  # 评优评先流程


@dataclass(frozen=True)
class ChainMark:
    """The hash chain's head when a disclosure was approved: position and link (hex)."""

    position: int
    link: str

    def __post_init__(self) -> None:
        if self.position < 0:
            raise InvalidInput("chain_head.position", "must not be negative")
        if not HEX_LINK.fullmatch(self.link):
            raise InvalidInput("chain_head.link", "must be 64 lower-case hex digits (SHA-256)")


@dataclass(frozen=True)
class Source:
    """What a subject offers to disclose: its text, departments, and whose identity to keep out."""

    body: str
    departments: tuple[str, ...] = ()
    withheld: Withheld = NO_ONE


def appeal_source(appeal: Appeal) -> Source:
    """An appeal's published answer; refused while its reply is not published (公示答复意见)."""
    if appeal.public_text is None:
        raise ActionNotAllowed(
            "disclose the answer of",
            appeal.status.value,
            "its reply has not been published",
        )
    department = appeal.responsible_department or appeal.department
    withheld = appeal.appellant.withheld() if appeal.appellant else NO_ONE
    return Source(appeal.public_text, (department,) if department else (), withheld)


def meeting_source(meeting: Meeting, appellants: Withheld) -> Source:
    """A meeting's published minutes and decisions; refused before the meeting publishes them.
    Withholds the people it names and `appellants` (of named appeals raised at it)."""
    MEETING_STATES.require(
        MeetingCommand.DISCLOSE_MINUTES,
        meeting.status,
        "its minutes and decisions have not been published",
    )
    return Source(
        meeting.public_text,
        tuple(dict.fromkeys(meeting.invited_departments)),
        meeting.withheld(appellants),
    )


class Disclosure(Aggregate):
    """One entry for the disclosure board, from proposal to publication (or withdrawal)."""

    class Event(Aggregate.Event):
        """Every disclosure event records who acted, in which role."""

        actor_id: str
        actor_role: str

        def apply(self, aggregate: Any) -> None:
            """Mutates the disclosure; subclasses override `apply_to`. The state an event
            leads to is the state table's (`domain.disclosure_states`)."""
            disclosure = cast(Disclosure, aggregate)
            status = DISCLOSURE_STATES.status_after(self)
            if status is not None:
                disclosure.status = status
            self.apply_to(disclosure)

        def apply_to(self, disclosure: Disclosure) -> None:
            """Changes the disclosure's state as this event says."""

    class Proposed(Aggregate.Created):
        """Someone proposed making a subject public, with its title and public text."""

        actor_id: str
        actor_role: str
        subject_type: str
        subject: str
        departments: list[str]
        title: str
        body: str

        def apply(self, aggregate: Any) -> None:
            """Sets up the new disclosure."""
            cast(Disclosure, aggregate).start(self)

    class Approved(Event):
        """A committee member approved it; the chain head at that moment is recorded."""

        chain_position: int
        chain_link: str

        def apply_to(self, disclosure: Disclosure) -> None:
            disclosure.approved_by = self.actor_id
            disclosure.approved_at = self.timestamp
            disclosure.chain_head = ChainMark(self.chain_position, self.chain_link)

    class Returned(Event):
        """A committee member sent it back with a reason."""

        reason: str

        def apply_to(self, disclosure: Disclosure) -> None:
            disclosure.returned_reason = self.reason

    class Revised(Event):
        """A returned disclosure was revised and proposed again."""

        departments: list[str]
        title: str
        body: str

        def apply_to(self, disclosure: Disclosure) -> None:
            disclosure.departments = list(self.departments)
            disclosure.title = self.title
            disclosure.body = self.body
            disclosure.authors.add(self.actor_id)

    class Published(Event):
        """It went public at this event's time, with the hash chain's head at that moment."""

        chain_position: int | None
        chain_link: str | None

        def apply_to(self, disclosure: Disclosure) -> None:
            disclosure.published_at = self.timestamp
            position = getattr(self, "chain_position", None)  # absent before it was recorded
            link = getattr(self, "chain_link", None)
            if position is not None and link is not None:
                disclosure.published_chain_head = ChainMark(position, link)

    class Withdrawn(Event):
        """It was taken down, with a reason; the feed shows it as withdrawn."""

        reason: str

        def apply_to(self, disclosure: Disclosure) -> None:
            disclosure.withdrawn_at = self.timestamp
            disclosure.withdrawal_reason = self.reason

    # -- state -------------------------------------------------------------------------

    def start(self, proposed: Disclosure.Proposed) -> None:
        """Initial state, from the Proposed event."""
        self.subject_type = SubjectType(proposed.subject_type)
        self.subject = proposed.subject
        self.departments = list(proposed.departments)
        self.title = proposed.title
        self.body = proposed.body
        self.proposed_by = proposed.actor_id
        self.authors = {proposed.actor_id}
        self.status = DISCLOSURE_STATES.initial
        self.returned_reason: str | None = None
        self.approved_by: str | None = None
        self.approved_at: datetime | None = None
        self.chain_head: ChainMark | None = None
        self.published_at: datetime | None = None
        self.published_chain_head: ChainMark | None = None
        self.withdrawn_at: datetime | None = None
        self.withdrawal_reason: str | None = None

    @property
    def public(self) -> bool:
        """Whether it has gone public (withdrawn ones stay on the board, marked withdrawn)."""
        return self.status in PUBLIC_STATUSES

    # -- commands ----------------------------------------------------------------------

    @classmethod
    def propose(
        cls,
        *,
        id: UUID,
        subject_type: SubjectType,
        subject: str,
        departments: Sequence[str],
        title: str,
        source: Source,
        actor: Actor,
        at: datetime,
    ) -> Disclosure:
        """Proposes a disclosure; its title and text must carry no personal data."""
        check_aware("time", at)
        text = _public(source, title)
        return cls._create(
            cls.Proposed,
            id=id,
            timestamp=at,
            actor_id=actor.id,
            actor_role=actor.role.value,
            subject_type=subject_type.value,
            subject=clean_text("subject", subject, SUBJECT_LIMIT),
            departments=_departments(departments, source.departments),
            title=text[0],
            body=text[1],
        )

    def approve(self, *, chain_head: ChainMark, actor: Actor, at: datetime) -> None:
        """A committee member who did not write it approves it, recording the chain head."""
        self._require(DisclosureCommand.APPROVE)
        self._check_reviewer(actor, "approve")
        self._trigger(
            self.Approved,
            actor,
            at,
            chain_position=chain_head.position,
            chain_link=chain_head.link,
        )

    def return_(self, *, reason: str, actor: Actor, at: datetime) -> None:
        """A committee member who did not write it sends it back with a reason."""
        self._require(DisclosureCommand.RETURN)
        self._check_reviewer(actor, "return")
        self._trigger(self.Returned, actor, at, reason=clean_text("reason", reason, limits.REASON))

    def revise(
        self,
        *,
        title: str,
        source: Source,
        departments: Sequence[str],
        actor: Actor,
        at: datetime,
    ) -> None:
        """Revises a returned disclosure and proposes it again; no departments keeps them."""
        self._require(DisclosureCommand.REVISE)
        new_title, body = _public(source, title)
        self._trigger(
            self.Revised,
            actor,
            at,
            departments=_departments(departments, source.departments, self.departments),
            title=new_title,
            body=body,
        )

    def publish(self, *, actor: Actor, at: datetime, chain_head: ChainMark | None = None) -> None:
        """Publishes an approved disclosure: the time of this act is its publication time,
        and the chain head then is printed with it (a notice can be checked against it)."""
        self._require(DisclosureCommand.PUBLISH)
        check_aware("time", at)
        if self.approved_at is not None and at < self.approved_at:
            raise InvalidInput("time", "publication cannot precede the approval")
        self._trigger(
            self.Published,
            actor,
            at,
            chain_position=chain_head.position if chain_head else None,
            chain_link=chain_head.link if chain_head else None,
        )

    def withdraw(self, *, reason: str, actor: Actor, at: datetime) -> None:
        """A committee member withdraws a published disclosure with a reason; it stays listed."""
        self._require(DisclosureCommand.WITHDRAW)
        self._trigger(self.Withdrawn, actor, at, reason=clean_text("reason", reason, limits.REASON))

    # -- guards ------------------------------------------------------------------------

    def _check_reviewer(self, actor: Actor, action: str) -> None:
        if actor.id in self.authors:
            raise NotPermitted(
                f"a committee member cannot {action} a disclosure they proposed or revised; "
                "another member reviews it"
            )

    def _require(self, command: DisclosureCommand) -> None:
        """Refuses `command` unless the disclosure's state table allows it now."""
        DISCLOSURE_STATES.require(command, self.status)

    def _trigger(
        self, event_class: type[Disclosure.Event], actor: Actor, at: datetime, **data: Any
    ) -> None:
        check_aware("time", at)
        self.trigger_event(
            event_class, timestamp=at, actor_id=actor.id, actor_role=actor.role.value, **data
        )


def _public(source: Source, title: str) -> tuple[str, str]:
    """The title and body, checked to carry no personal data (`domain.publication`)."""
    return (
        check_public("title", clean_text("title", title, limits.TITLE), source.withheld),
        check_public("body", clean_text("body", source.body, BODY_LIMIT), source.withheld),
    )


def _departments(*choices: Sequence[str]) -> list[str]:
    """The first non-empty choice of departments, cleaned."""
    given = next((choice for choice in choices if choice), ())
    departments = clean_ids("departments", given, limits.DEPARTMENT)
    if not departments:
        raise InvalidInput("departments", "name at least one department the disclosure concerns")
    return departments
