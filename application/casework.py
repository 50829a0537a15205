"""Casework: the appeal use cases, each one load → call → save.

One module although long: `Casework` is the use cases of one aggregate, the appeal, one
short method for each of its commands and reads, and they read best together as one class.
What is not a use case lives elsewhere: receipt codes (`application.receipts`), loading and
saving with versions (`application.aggregates`), idempotency keys (`application.idempotency`).
"""

from __future__ import annotations

from base64 import b64decode
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol
from uuid import UUID

from eventsourcing.application import Application
from eventsourcing.domain import datetime_now_with_tzinfo
from eventsourcing.utils import EnvType

from application.aggregates import AggregateAccess
from application.directory import Directory
from application.idempotency import Claim, Idempotency, KeyLedger
from application.receipts import (
    appeal_id_for_receipt,
    new_receipt_code,
    receipt_code_from,
    receipt_hash,
)
from domain.access import Parties
from domain.actors import Actor, Role
from domain.appeal import Appeal, Appellant
from domain.calendar import WorkingCalendar
from domain.deadlines import Deadline, DeadlineAct, DeadlinePolicy, policy_in_force
from domain.errors import NotFound, StaleVersion
from domain.policy import Permission, authorise
from domain.terms import Channel, Kind, Outcome, Rating, Tier, Urgency

Clock = Callable[[], datetime]


class CaseNumbers(Protocol):
    """Hands out the readable case numbers of a year without repeating one."""

    def next_case_number(self, year: int) -> int:
        """The next number in the year's sequence."""


@dataclass(frozen=True)
class AppealDraft:
    """What someone raising an appeal tells us."""

    channel: Channel
    kind: Kind
    category: str
    title: str
    text: str
    department: str = ""
    tier: Tier | None = None
    urgency: Urgency = Urgency.NORMAL
    appellant: Appellant | None = None
    meeting_id: UUID | None = None

    def parties(self, raiser: Actor) -> Parties:
        """Whom the new appeal concerns: its appellant (an anonymous one raised by an
        employee is that employee's own), and its tier."""
        if self.appellant is not None:
            people = {self.appellant.employee_no}
        else:
            people = {raiser.id} if raiser.role is Role.EMPLOYEE else set()
        return Parties(people=frozenset(people), tiers=frozenset({self.tier} if self.tier else ()))


@dataclass(frozen=True)
class CommandResult:
    """What a command did: the appeal's new version and the last event's global position."""

    id: UUID
    case_number: str
    version: int
    position: int
    receipt_code: str | None = None
    #: True when an earlier attempt with the same idempotency key made what this answers.
    replayed: bool = False


class Casework(Application[UUID]):
    """The appeal use cases over one global, encrypted event sequence."""

    name = "Huiyin"

    def __init__(
        self,
        env: EnvType | None = None,
        *,
        clock: Clock | None = None,
        calendar: WorkingCalendar | None = None,
        policy: DeadlinePolicy | None = None,
        case_numbers: CaseNumbers | None = None,
        request_keys: KeyLedger | None = None,
    ) -> None:
        super().__init__(env)
        self.clock: Clock = clock or datetime_now_with_tzinfo
        self.calendar = calendar or WorkingCalendar()
        self.policy = policy or policy_in_force()
        self.case_numbers = case_numbers
        self.access = AggregateAccess(self, {Appeal: "appeal"})
        self.directory = Directory(self, self.now)
        cipher_key = self.env.get("CIPHER_KEY")
        self._idempotency = (
            Idempotency(b64decode(cipher_key), request_keys)
            if request_keys is not None and cipher_key
            else None
        )

    # -- commands ----------------------------------------------------------------------

    def raise_appeal(
        self, draft: AppealDraft, actor: Actor, *, key: str | None = None
    ) -> CommandResult:
        """Registers an appeal; an anonymous one gets a receipt code to follow it with.

        With an idempotency `key`, the same request sent again answers with the appeal (and
        receipt code) the first one created; the key sent with another request is refused.
        """
        authorise(actor, Permission.APPEAL_RAISE, draft.parties(actor))
        department = self.directory.code(draft.department) if draft.department.strip() else ""
        claim = self.claim(key, actor, "raise_appeal", {"draft": draft})
        code: str | None = None
        if draft.appellant is None:
            code = receipt_code_from(claim.derived("receipt code")) if claim else new_receipt_code()

        def build(appeal_id: UUID) -> Appeal:
            at = self.now()
            return Appeal.raise_appeal(
                id=appeal_id,
                case_number=self._next_case_number(at),
                channel=draft.channel,
                kind=draft.kind,
                category=draft.category,
                title=draft.title,
                text=draft.text,
                department=department,
                tier=draft.tier,
                urgency=draft.urgency,
                appellant=draft.appellant,
                receipt_hash=receipt_hash(code) if code else None,
                meeting_id=draft.meeting_id,
                response_deadline=self.policy.response_deadline(draft.channel, at, self.calendar),
                actor=actor,
                at=at,
            )

        made = self.access.create(
            Appeal, build, claim, aggregate_id=appeal_id_for_receipt(code) if code else None
        )
        saved = made.result
        return CommandResult(
            saved.id,
            made.aggregate.case_number,
            saved.version,
            saved.position,
            code,
            saved.replayed,
        )

    def claim(
        self, key: str | None, actor: Actor, operation: str, request: Mapping[str, Any]
    ) -> Claim | None:
        """The claim of an idempotency key for a creating command (None without a key)."""
        if key is None:
            return None
        if self._idempotency is None:
            raise RuntimeError("Casework needs a cipher key and a KeyLedger for idempotency keys")
        return self._idempotency.claim(key, actor, operation, request)

    def answer_on_spot(
        self,
        appeal_id: UUID,
        *,
        answer: str,
        basis: str,
        close: bool,
        actor: Actor,
        expected_version: int | None = None,
    ) -> CommandResult:
        """Records an answer given on the spot (现场答复)."""
        appeal = self._load(appeal_id, expected_version, actor, Permission.APPEAL_ANSWER_ON_SPOT)
        appeal.answer_on_spot(answer=answer, basis=basis, close=close, actor=actor, at=self.now())
        return self._save(appeal)

    def transfer(
        self,
        appeal_id: UUID,
        *,
        department: str,
        actor: Actor,
        supervisor: str | None = None,
        supervisor_reason: str = "",
        deadline: datetime | None = None,
        expected_version: int | None = None,
    ) -> CommandResult:
        """Transfers to a responsible department (from the directory) with a reply deadline
        by the rule (the first-response deadline runs on from raising); a talk's appeal is
        supervised by its tier's lead unless another supervisor is named with a reason."""
        appeal = self._load(appeal_id, expected_version, actor, Permission.APPEAL_TRANSFER)
        code = self.directory.code(department)
        lead = self._tier_lead(appeal)
        at = self.now()
        reply = self.transfer_deadline(appeal, at=at, deadline=deadline)
        appeal.transfer(
            department=code,
            supervisor=supervisor,
            supervisor_reason=supervisor_reason,
            tier_lead=lead,
            reply_deadline=reply,
            actor=actor,
            at=at,
        )
        return self._save(appeal)

    def retransfer(
        self,
        appeal_id: UUID,
        *,
        department: str,
        reason: str,
        actor: Actor,
        supervisor: str | None = None,
        supervisor_reason: str = "",
        deadline: datetime | None = None,
        expected_version: int | None = None,
    ) -> CommandResult:
        """Hands the appeal on to another department, with a fresh reply deadline."""
        appeal = self._load(appeal_id, expected_version, actor, Permission.APPEAL_TRANSFER)
        code = self.directory.code(department)
        lead = self._tier_lead(appeal)
        at = self.now()
        reply = self.transfer_deadline(appeal, at=at, deadline=deadline, again=True)
        self._check_supervisor(supervisor, lead)
        appeal.retransfer(
            department=code,
            reason=reason,
            reply_deadline=reply,
            supervisor=supervisor,
            supervisor_reason=supervisor_reason,
            tier_lead=lead,
            actor=actor,
            at=at,
        )
        return self._save(appeal)

    def transfer_deadline(
        self,
        appeal: Appeal,
        *,
        at: datetime,
        deadline: datetime | None = None,
        again: bool = False,
    ) -> Deadline:
        """The reply deadline a transfer (`again`: a re-transfer) of `appeal` at `at` gives
        it: by the rule, or the date given. The transfer uses it, and the web shows it
        before the transfer is confirmed."""
        return self.policy.reply_deadline(
            self.calendar,
            raised_at=appeal.raised_at,
            transferred_at=at,
            explicit=deadline,
            how="set when re-transferring" if again else "set when transferring",
        )

    def contact(
        self, appeal_id: UUID, *, note: str, actor: Actor, expected_version: int | None = None
    ) -> CommandResult:
        """Records that the appellant was reached, and how (a first response if the first)."""
        appeal = self._load(appeal_id, expected_version, actor, Permission.APPEAL_CONTACT)
        appeal.contact(note=note, actor=actor, at=self.now())
        return self._save(appeal)

    def acknowledge(
        self, appeal_id: UUID, *, note: str, actor: Actor, expected_version: int | None = None
    ) -> CommandResult:
        """Records the department's first response."""
        appeal = self._load(appeal_id, expected_version, actor, Permission.APPEAL_RESPOND)
        appeal.acknowledge(note=note, actor=actor, at=self.now())
        return self._save(appeal)

    def record_missed_deadline(
        self, appeal_id: UUID, *, act: DeadlineAct, actor: Actor
    ) -> CommandResult:
        """Records that the `act` deadline passed unmet (the deadline watcher's command)."""
        appeal = self._load(appeal_id, None, actor, Permission.DEADLINE_RECORD_MISSED)
        appeal.record_missed_deadline(act=act, actor=actor, at=self.now())
        return self._save(appeal)

    def extend_deadline(
        self,
        appeal_id: UUID,
        *,
        deadline: datetime,
        reason: str,
        approved_by: str,
        actor: Actor,
        expected_version: int | None = None,
    ) -> CommandResult:
        """Moves the reply deadline later, recording the reason and the approver."""
        appeal = self._load(appeal_id, expected_version, actor, Permission.APPEAL_EXTEND_DEADLINE)
        appeal.extend_deadline(
            reply_deadline=self.policy.extended_reply_deadline(deadline, approved_by),
            reason=reason,
            approved_by=approved_by,
            actor=actor,
            at=self.now(),
        )
        return self._save(appeal)

    def reply(
        self,
        appeal_id: UUID,
        *,
        answer: str,
        basis: str,
        actor: Actor,
        expected_version: int | None = None,
    ) -> CommandResult:
        """Records the department's reply and its basis."""
        appeal = self._load(appeal_id, expected_version, actor, Permission.APPEAL_RESPOND)
        appeal.reply_with(answer=answer, basis=basis, actor=actor, at=self.now())
        return self._save(appeal)

    def publish_reply(
        self,
        appeal_id: UUID,
        *,
        public_text: str,
        actor: Actor,
        expected_version: int | None = None,
    ) -> CommandResult:
        """Publishes the answer for employees to see (公示)."""
        appeal = self._load(appeal_id, expected_version, actor, Permission.APPEAL_PUBLISH)
        appeal.publish_reply(public_text=public_text, actor=actor, at=self.now())
        return self._save(appeal)

    def rate(
        self,
        appeal_id: UUID,
        *,
        rating: Rating,
        comment: str,
        actor: Actor,
        expected_version: int | None = None,
    ) -> CommandResult:
        """Records the appellant's rating; dissatisfied reopens with a new reply deadline."""
        appeal = self._load(appeal_id, expected_version, actor, Permission.APPEAL_RATE)
        return self._rate(appeal, rating, comment, actor)

    def rate_by_receipt(
        self, code: str, *, rating: Rating, comment: str, expected_version: int | None = None
    ) -> CommandResult:
        """The anonymous appellant rates, proving it is theirs with the receipt code (their
        only credential); nothing about them is recorded."""
        appeal = self._by_receipt(code, expected_version)
        return self._rate(appeal, rating, comment, Actor.anonymous_appellant())

    def _rate(self, appeal: Appeal, rating: Rating, comment: str, actor: Actor) -> CommandResult:
        at = self.now()
        reopen = None
        if rating is Rating.DISSATISFIED and appeal.responsible_department:
            reopen = self.policy.reply_deadline(
                self.calendar, raised_at=appeal.raised_at, transferred_at=at
            )
        appeal.rate(rating=rating, comment=comment, reopen_deadline=reopen, actor=actor, at=at)
        return self._save(appeal)

    def adopt(
        self,
        appeal_id: UUID,
        *,
        department: str,
        plan: str,
        actor: Actor,
        expected_version: int | None = None,
    ) -> CommandResult:
        """Adopts a suggestion and hands it to a department (from the directory)."""
        appeal = self._load(appeal_id, expected_version, actor, Permission.APPEAL_DECIDE)
        code = self.directory.code(department)
        appeal.adopt(department=code, plan=plan, actor=actor, at=self.now())
        return self._save(appeal)

    def decline(
        self,
        appeal_id: UUID,
        *,
        explanation: str,
        actor: Actor,
        expected_version: int | None = None,
    ) -> CommandResult:
        """Declines a suggestion with a reasoned explanation."""
        appeal = self._load(appeal_id, expected_version, actor, Permission.APPEAL_DECIDE)
        appeal.decline(explanation=explanation, actor=actor, at=self.now())
        return self._save(appeal)

    def close_appeal(
        self,
        appeal_id: UUID,
        *,
        outcome: Outcome,
        note: str,
        actor: Actor,
        expected_version: int | None = None,
    ) -> CommandResult:
        """Closes the appeal as resolved or explained."""
        appeal = self._load(appeal_id, expected_version, actor, Permission.APPEAL_CLOSE)
        appeal.close(outcome=outcome, note=note, actor=actor, at=self.now())
        return self._save(appeal)

    def withdraw(
        self, appeal_id: UUID, *, reason: str, actor: Actor, expected_version: int | None = None
    ) -> CommandResult:
        """The appellant (or union staff for them) withdraws the appeal."""
        appeal = self._load(appeal_id, expected_version, actor, Permission.APPEAL_WITHDRAW)
        appeal.withdraw(reason=reason, actor=actor, at=self.now())
        return self._save(appeal)

    def withdraw_by_receipt(
        self, code: str, *, reason: str, expected_version: int | None = None
    ) -> CommandResult:
        """The anonymous appellant withdraws, proving it is theirs with the receipt code."""
        appeal = self._by_receipt(code, expected_version)
        actor = Actor.anonymous_appellant()
        appeal.withdraw(reason=reason, actor=actor, at=self.now())
        return self._save(appeal)

    # -- queries -----------------------------------------------------------------------

    def read_appeal(
        self,
        appeal_id: UUID,
        actor: Actor,
        *,
        version: int | None = None,
        as_of: datetime | None = None,
    ) -> Appeal:
        """The appeal now, at `version` or as of a moment, if `actor` may read it."""
        return self.access.read(
            Appeal,
            appeal_id,
            actor=actor,
            permission=Permission.APPEAL_READ,
            version=version,
            as_of=as_of,
        )

    def get_appeal(self, appeal_id: UUID, version: int | None = None) -> Appeal:
        """The appeal now, or as it stood at `version` (for the use cases themselves)."""
        return self.access.get(Appeal, appeal_id, version)

    def appeal_as_of(self, appeal_id: UUID, moment: datetime) -> Appeal:
        """The appeal as it stood at `moment` (the last event at or before it)."""
        return self.access.as_of(Appeal, appeal_id, moment)

    def history(self, appeal_id: UUID) -> Sequence[Appeal.Event | Appeal.Raised]:
        """Every event of the appeal, in order."""
        return self.access.history(appeal_id, (Appeal.Raised,))

    def find_by_receipt(self, code: str) -> Appeal:
        """The anonymous appeal a receipt code belongs to."""
        appeal_id = appeal_id_for_receipt(code)
        try:
            appeal = self.get_appeal(appeal_id)
        except NotFound:
            raise NotFound("no appeal has this receipt code") from None
        if appeal.receipt_hash != receipt_hash(code):
            raise NotFound("no appeal has this receipt code")
        return appeal

    def head_position(self) -> int:
        """The position of the newest event in the global sequence (0 when empty)."""
        return self.recorder.max_notification_id() or 0

    # -- plumbing ----------------------------------------------------------------------

    def now(self) -> datetime:
        """The application clock's time; must be time-zone aware."""
        moment = self.clock()
        if moment.tzinfo is None:
            raise ValueError("the clock must give time-zone-aware times")
        return moment

    def _next_case_number(self, at: datetime) -> str:
        year = self.calendar.local_date(at).year
        if self.case_numbers is None:
            raise RuntimeError("Casework needs a CaseNumbers allocator to raise appeals")
        return f"HY-{year}-{self.case_numbers.next_case_number(year):06d}"

    def _load(
        self,
        appeal_id: UUID,
        expected_version: int | None,
        actor: Actor,
        permission: Permission,
    ) -> Appeal:
        return self.access.load(
            Appeal, appeal_id, expected_version, actor=actor, permission=permission
        )

    def _by_receipt(self, code: str, expected_version: int | None) -> Appeal:
        appeal = self.find_by_receipt(code)
        if expected_version is not None and expected_version != appeal.version:
            raise StaleVersion(expected_version, appeal.version)
        return appeal

    def _tier_lead(self, appeal: Appeal) -> str | None:
        """The lead of the tier an appeal was raised at (None for other appeals)."""
        if appeal.tier is None:
            return None
        return self.directory.tier_leads().lead_for(appeal.tier).actor_id

    def _check_supervisor(self, named: str | None, lead: str | None) -> None:
        """A supervisor named instead of the tier's lead must be one the directory knows."""
        if named and named.strip() and named.strip() != lead:
            self.directory.check_supervisor(named)

    def _save(self, appeal: Appeal) -> CommandResult:
        saved = self.access.save(appeal)
        return CommandResult(saved.id, appeal.case_number, saved.version, saved.position)
