"""The appeal (诉求): one employee's matter, from raising it to its closing.

One module although long: every appeal event is stored under its topic in this module
(`domain.appeal:Appeal.Raised`), so the events stay nested in the aggregate, and each command
stays beside the events it raises. What is not the aggregate lives beside it: who raised the
appeal, its transfers and reply (`domain.appeal_records`), its state table
(`domain.appeal_states`), and the checks of text and moments it shares (`domain.values`).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast
from uuid import UUID

from eventsourcing.domain import Aggregate

from domain import limits
from domain.access import Parties
from domain.actors import ANONYMOUS_ACTOR_ID, Actor, Role

# The appellant is what `Appeal.raise_appeal` is given: callers import it from here.
from domain.appeal_records import Appellant as Appellant
from domain.appeal_records import Reply, Transfer
from domain.appeal_states import APPEAL_STATES, AppealCommand

# Re-exported from the state sets' old home, where callers import them.
from domain.appeal_states import FINAL as FINAL
from domain.appeal_states import OPEN_FOR_WORK as OPEN_FOR_WORK
from domain.calendar import WorkingCalendar
from domain.deadlines import Deadline, DeadlineAct, policy_in_force
from domain.errors import ActionNotAllowed, InvalidInput, NotPermitted
from domain.personal_data import CASE, identity, words
from domain.publication import NO_ONE, check_public
from domain.terms import FACE_TO_FACE, Channel, Kind, Outcome, Rating, Status, Tier, Urgency
from domain.values import check_aware, clean_text


class Appeal(Aggregate):
    """An appeal and its whole lifecycle; every rule about it is checked here."""

    class Event(Aggregate.Event):
        """Every appeal event records who acted, in which role."""

        actor_id: str
        actor_role: str

        def apply(self, aggregate: Any) -> None:
            """Mutates the appeal; subclasses override `apply_to`. The state an event
            leads to is the state table's (`domain.appeal_states`). The first of the events
            that answer the appellant (`FIRST_RESPONSES`) is the appeal's first response."""
            appeal = cast(Appeal, aggregate)
            status = APPEAL_STATES.status_after(self)
            if status is not None:
                appeal.status = status
            self.apply_to(appeal)
            if appeal.first_response_at is None and isinstance(self, FIRST_RESPONSES):
                appeal.first_response_at = self.timestamp

        def apply_to(self, appeal: Appeal) -> None:
            """Changes the appeal's state as this event says."""

    class Raised(Aggregate.Created):
        """The appeal was registered; the channel's first-response clock starts now."""

        #: 2: the first-response deadline is set at raising (version 1 set it on transfer).
        class_version = 2
        #: A named appeal is about its appellant: their identity and their own words are
        #: theirs (`domain.personal_data`), sealed under their key, erased with it.
        case_subject = "appellant.employee_no"
        personal = (
            identity("appellant.name", CASE),
            identity("appellant.employee_no", CASE),
            identity("appellant.contact", CASE),
            words("title"),
            words("text"),
        )

        actor_id: str
        actor_role: str
        case_number: str
        channel: str
        kind: str
        category: str
        title: str
        text: str
        department: str
        tier: str | None
        urgency: str
        appellant: dict[str, str] | None
        receipt_hash: str | None
        meeting_id: UUID | None
        response_deadline: dict[str, Any] | None

        def apply(self, aggregate: Any) -> None:
            """Sets up the new appeal."""
            cast(Appeal, aggregate).start(self)

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            """An appeal raised before its clock started at raising gets the deadline
            raising gives it now (the channel's rule in force, counted from its raising),
            so old and new appeals are measured alike."""
            deadline = policy_in_force().response_deadline(
                Channel(state["channel"]), state["timestamp"], WorkingCalendar()
            )
            state["response_deadline"] = deadline.to_record() if deadline else None

    class AnsweredOnSpot(Event):
        """Answered on the spot (现场答复)."""

        answer: str
        basis: str

        def apply_to(self, appeal: Appeal) -> None:
            appeal.on_spot_answer = self.answer
            appeal.on_spot_basis = self.basis

    class Transferred(Event):
        """Recorded and transferred to a responsible department (转办), with its reply
        deadline. The first-response deadline runs from raising: a transfer keeps it
        (releases before recorded it here again; `None` leaves it as it is)."""

        department: str
        supervisor: str
        reason: str
        reply_deadline: dict[str, Any]
        response_deadline: dict[str, Any] | None
        #: Why a talk's appeal is supervised by someone other than its tier's lead.
        supervisor_reason: str = ""

        def apply_to(self, appeal: Appeal) -> None:
            appeal.responsible_department = self.department
            appeal.supervisor = self.supervisor
            appeal.reply_deadline = Deadline.from_record(self.reply_deadline)
            if self.response_deadline:
                appeal.response_deadline = Deadline.from_record(self.response_deadline)
            appeal.transfers.append(
                Transfer(
                    self.department,
                    self.supervisor,
                    self.timestamp,
                    self.actor_id,
                    self.reason,
                    self.supervisor_reason,
                )
            )

    class Retransferred(Transferred):
        """Handed on to another department, with the reason."""

    class Acknowledged(Event):
        """The department responded for the first time and took the case on."""

        note: str

    class Contacted(Event):
        """Union staff (or the supervisor) reached the appellant about the appeal, and say
        how: a first response when nothing answered the appellant before."""

        personal = (identity("note", CASE),)  # how they were reached: a number, a visit

        note: str

        def apply_to(self, appeal: Appeal) -> None:
            appeal.contacts += 1

    class DeadlineExtended(Event):
        """The reply deadline was moved, with a reason and who approved it."""

        reply_deadline: dict[str, Any]
        reason: str
        approved_by: str

        def apply_to(self, appeal: Appeal) -> None:
            appeal.reply_deadline = Deadline.from_record(self.reply_deadline)
            appeal.extensions += 1

    class DeadlineMissed(Event):
        """A deadline passed without its act (first response or reply); recorded once."""

        deadline: dict[str, Any]

        def apply_to(self, appeal: Appeal) -> None:
            appeal.missed_deadlines.append(Deadline.from_record(self.deadline))

    class Replied(Event):
        """The department replied, citing its basis (依据)."""

        answer: str
        basis: str
        department: str

        def apply_to(self, appeal: Appeal) -> None:
            appeal.reply = Reply(
                self.answer, self.basis, self.department, self.timestamp, self.actor_id
            )

    class ReplyPublished(Event):
        """The answer was published for employees to see (公示答复意见)."""

        public_text: str

        def apply_to(self, appeal: Appeal) -> None:
            appeal.public_text = self.public_text
            appeal.published_at = self.timestamp

    class Rated(Event):
        """The appellant rated the answer."""

        personal = (words("comment"),)

        rating: str
        comment: str

        def apply_to(self, appeal: Appeal) -> None:
            appeal.rating = Rating(self.rating)
            appeal.rating_comment = self.comment

    class Reopened(Event):
        """A dissatisfied rating sent the appeal back (to its department, with a new deadline)."""

        reason: str
        reply_deadline: dict[str, Any] | None

        @property
        def reopened_as(self) -> Status:
            """Back with its department (a new reply deadline), or with the union if no
            department ever had it (one of the state table's `varies`)."""
            return Status.RAISED if self.reply_deadline is None else Status.TRANSFERRED

        def apply_to(self, appeal: Appeal) -> None:
            appeal.reopen_count += 1
            appeal.reply = None
            appeal.public_text = None
            appeal.published_at = None
            appeal.status = self.reopened_as
            if self.reply_deadline is not None:
                appeal.reply_deadline = Deadline.from_record(self.reply_deadline)

    class Adopted(Event):
        """A suggestion was adopted and handed to a department to implement."""

        department: str
        plan: str

        def apply_to(self, appeal: Appeal) -> None:
            appeal.implementing_department = self.department
            appeal.adoption_plan = self.plan

    class Declined(Event):
        """A suggestion was declined with a reasoned explanation (论证说明)."""

        explanation: str

        def apply_to(self, appeal: Appeal) -> None:
            appeal.outcome = Outcome.DECLINED
            appeal.closing_note = self.explanation
            appeal.closed_at = self.timestamp

    class Closed(Event):
        """The appeal was closed (办结) as resolved or explained."""

        outcome: str
        note: str

        def apply_to(self, appeal: Appeal) -> None:
            appeal.outcome = Outcome(self.outcome)
            appeal.closing_note = self.note
            appeal.closed_at = self.timestamp

    class Withdrawn(Event):
        """The appellant withdrew the appeal."""

        personal = (words("reason"),)

        reason: str

        def apply_to(self, appeal: Appeal) -> None:
            appeal.closing_note = self.reason
            appeal.closed_at = self.timestamp

    # -- state -------------------------------------------------------------------------

    def start(self, raised: Appeal.Raised) -> None:
        """Initial state, from the Raised event."""
        self.case_number = raised.case_number
        self.channel = Channel(raised.channel)
        self.kind = Kind(raised.kind)
        self.category = raised.category
        self.title = raised.title
        self.text = raised.text
        self.department = raised.department
        self.tier = Tier(raised.tier) if raised.tier else None
        self.urgency = Urgency(raised.urgency)
        self.appellant = Appellant.from_record(raised.appellant) if raised.appellant else None
        self.receipt_hash = raised.receipt_hash
        self.meeting_id = raised.meeting_id
        self.raised_by = raised.actor_id
        self.status = APPEAL_STATES.initial
        self.responsible_department: str | None = None
        self.supervisor: str | None = None
        self.transfers: list[Transfer] = []
        self.reply_deadline: Deadline | None = None
        self.response_deadline: Deadline | None = (
            Deadline.from_record(raised.response_deadline) if raised.response_deadline else None
        )
        self.contacts = 0
        self.extensions = 0
        self.missed_deadlines: list[Deadline] = []
        self.first_response_at: datetime | None = None
        self.on_spot_answer: str | None = None
        self.on_spot_basis: str | None = None
        self.reply: Reply | None = None
        self.public_text: str | None = None
        self.published_at: datetime | None = None
        self.rating: Rating | None = None
        self.rating_comment: str | None = None
        self.reopen_count = 0
        self.implementing_department: str | None = None
        self.adoption_plan: str | None = None
        self.outcome: Outcome | None = None
        self.closing_note: str | None = None
        self.closed_at: datetime | None = None

    @property
    def anonymous(self) -> bool:
        """An anonymous appeal holds no identity at all."""
        return self.appellant is None

    @property
    def parties(self) -> Parties:
        """Who the appeal concerns, for access (`domain.access`): its appellant, who raised
        it for them, the departments it was sent to (not the one merely named when it was
        raised: the union decides where it goes), the one holding it now, its tier and its
        supervisor."""
        handled = {t.department for t in self.transfers}
        holding = {self.responsible_department} if self.responsible_department else set()
        if self.implementing_department:
            handled.add(self.implementing_department)
            holding = {self.implementing_department}
        return Parties(
            people=frozenset({self.appellant.employee_no} if self.appellant else ()),
            raised_by=None if self.raised_by == ANONYMOUS_ACTOR_ID else self.raised_by,
            departments=frozenset(handled),
            holding=frozenset(holding),
            tiers=frozenset({self.tier} if self.tier else ()),
            leads=frozenset({self.supervisor} if self.supervisor else ()),
        )

    def pending_deadlines(self) -> list[Deadline]:
        """The deadlines whose act has not been done yet: the first response from raising
        until something answers the appellant (`FIRST_RESPONSES`), whoever holds the
        appeal meanwhile; the reply while a department has it."""
        pending: list[Deadline] = []
        if self.status in FINAL:
            return pending
        if self.response_deadline is not None and self.first_response_at is None:
            pending.append(self.response_deadline)
        if self.reply_deadline is not None and self.status in OPEN_FOR_WORK:
            pending.append(self.reply_deadline)
        return pending

    def holder_at(self, moment: datetime) -> str | None:
        """The department the appeal was with at `moment` (None: the union still held it,
        untransferred); whoever held it answers for a deadline missed then."""
        holder = None
        for transfer in self.transfers:
            if transfer.at <= moment:
                holder = transfer.department
        return holder

    def missed_at(self, moment: datetime) -> list[Deadline]:
        """Deadlines passed by `moment` without their act and not yet recorded as missed."""
        return [
            deadline
            for deadline in self.pending_deadlines()
            if deadline.due < moment and deadline not in self.missed_deadlines
        ]

    @property
    def raised_at(self) -> datetime:
        """When the appeal was registered."""
        return self.created_on

    # -- commands ----------------------------------------------------------------------

    @classmethod
    def raise_appeal(
        cls,
        *,
        id: UUID,
        case_number: str,
        channel: Channel,
        kind: Kind,
        category: str,
        title: str,
        text: str,
        department: str,
        tier: Tier | None,
        urgency: Urgency,
        appellant: Appellant | None,
        receipt_hash: str | None,
        actor: Actor,
        at: datetime,
        meeting_id: UUID | None = None,
        response_deadline: Deadline | None = None,
    ) -> Appeal:
        """Registers a new appeal, with its channel's first-response deadline counted from
        now; an anonymous one records no identity, not even the actor's."""
        if channel is Channel.ANONYMOUS_BOX and appellant is not None:
            raise InvalidInput("appellant", "an anonymous-box appeal carries no identity")
        if appellant is None and receipt_hash is None:
            raise InvalidInput("receipt", "an anonymous appeal needs a receipt code")
        if appellant is not None and receipt_hash is not None:
            raise InvalidInput("receipt", "only anonymous appeals get a receipt code")
        if channel is Channel.TALK_SESSION and tier is None:
            raise InvalidInput("tier", "an appeal raised at a talk session names its tier")
        check_aware("time", at)
        recorded_actor = actor
        if appellant is None and actor.role is Role.EMPLOYEE:
            recorded_actor = Actor.anonymous_appellant()
        return cls._create(
            cls.Raised,
            id=id,
            timestamp=at,
            actor_id=recorded_actor.id,
            actor_role=recorded_actor.role.value,
            case_number=case_number,
            channel=channel.value,
            kind=kind.value,
            category=clean_text("category", category, limits.CATEGORY),
            title=clean_text("title", title, limits.TITLE),
            text=clean_text("text", text, limits.TEXT),
            department=clean_text("department", department, limits.DEPARTMENT, required=False),
            tier=tier.value if tier else None,
            urgency=urgency.value,
            appellant=appellant.to_record() if appellant else None,
            receipt_hash=receipt_hash,
            meeting_id=meeting_id,
            response_deadline=response_deadline.to_record() if response_deadline else None,
        )

    def answer_on_spot(
        self, *, answer: str, basis: str, close: bool, actor: Actor, at: datetime
    ) -> None:
        """Answers the appeal on the spot (现场答复); closes it at once if asked to."""
        self._require(AppealCommand.ANSWER_ON_SPOT)
        if self.channel not in FACE_TO_FACE:
            raise APPEAL_STATES.refuse(
                AppealCommand.ANSWER_ON_SPOT,
                self.status,
                f"appeals from the {self.channel.value} channel are not raised face to face",
            )
        self._trigger(
            self.AnsweredOnSpot,
            actor,
            at,
            answer=clean_text("answer", answer, limits.ANSWER),
            basis=clean_text("basis", basis, limits.BASIS, required=False),
        )
        if close:
            self._trigger(
                self.Closed, actor, at, outcome=Outcome.RESOLVED.value, note="answered on the spot"
            )

    def transfer(
        self,
        *,
        department: str,
        supervisor: str | None,
        reply_deadline: Deadline,
        actor: Actor,
        at: datetime,
        tier_lead: str | None = None,
        supervisor_reason: str = "",
    ) -> None:
        """Transfers the appeal to its responsible department (转办) with its reply deadline
        and its supervisor (see `choose_supervisor`); the first-response deadline keeps
        running from raising."""
        self._require(AppealCommand.TRANSFER)
        self._check_deadline_ahead(reply_deadline, at)
        chosen, why = self.choose_supervisor(supervisor, supervisor_reason, tier_lead)
        self._trigger(
            self.Transferred,
            actor,
            at,
            department=clean_text("department", department, limits.DEPARTMENT),
            supervisor=chosen,
            reason="",
            reply_deadline=reply_deadline.to_record(),
            response_deadline=None,
            supervisor_reason=why,
        )

    def choose_supervisor(
        self, named: str | None, reason: str, tier_lead: str | None
    ) -> tuple[str, str]:
        """The supervisor (督办员) and why: an appeal raised at a talk is supervised by the
        lead of its tier (DOMAIN §1, `tier_lead`, from the directory) unless another is
        named with a reason; any other appeal names its supervisor."""
        person = clean_text("supervisor", named, limits.ACTOR_ID, required=False)
        why = clean_text("supervisor_reason", reason, limits.REASON, required=False)
        if self.tier is not None and tier_lead is not None:
            if not person or person == tier_lead:
                return tier_lead, ""
            if not why:
                raise InvalidInput(
                    "supervisor_reason",
                    f"appeals raised at {self.tier.value} talks are supervised by the tier's "
                    f"lead ({tier_lead}); say why {person} supervises this one instead",
                )
            return person, why
        if not person:
            raise InvalidInput("supervisor", "name the appeal's supervisor (督办员)")
        return person, why

    def retransfer(
        self,
        *,
        department: str,
        reason: str,
        reply_deadline: Deadline,
        supervisor: str | None,
        actor: Actor,
        at: datetime,
        tier_lead: str | None = None,
        supervisor_reason: str = "",
    ) -> None:
        """Hands the appeal on to another department; every transfer is kept, with its
        reason. The supervisor stays unless another is named (see `choose_supervisor`)."""
        self._require(AppealCommand.RETRANSFER)
        new_department = clean_text("department", department, limits.DEPARTMENT)
        if new_department == self.responsible_department:
            raise InvalidInput("department", f"the appeal is already with {new_department}")
        self._check_deadline_ahead(reply_deadline, at)
        if supervisor and supervisor.strip() != self.supervisor:
            chosen, why = self.choose_supervisor(supervisor, supervisor_reason, tier_lead)
        else:
            chosen, why = self.supervisor or "", self.transfers[-1].supervisor_reason
        self._trigger(
            self.Retransferred,
            actor,
            at,
            department=new_department,
            supervisor=chosen,
            reason=clean_text("reason", reason, limits.REASON),
            reply_deadline=reply_deadline.to_record(),
            response_deadline=None,
            supervisor_reason=why,
        )

    def contact(self, *, note: str, actor: Actor, at: datetime) -> None:
        """Records that the appellant was reached (by phone, in person…) and how; the first
        response, if nothing answered them before. An anonymous appellant cannot be."""
        self._require(AppealCommand.CONTACT)
        if self.appellant is None:
            raise APPEAL_STATES.refuse(
                AppealCommand.CONTACT,
                self.status,
                "an anonymous appellant is known to nobody; they follow it by receipt code",
            )
        self._trigger(self.Contacted, actor, at, note=clean_text("note", note, limits.COMMENT))

    def acknowledge(self, *, note: str, actor: Actor, at: datetime) -> None:
        """The department's first response: it has the case and is working on it."""
        self._require(AppealCommand.ACKNOWLEDGE)
        self._trigger(
            self.Acknowledged,
            actor,
            at,
            note=clean_text("note", note, limits.COMMENT, required=False),
        )

    def extend_deadline(
        self,
        *,
        reply_deadline: Deadline,
        reason: str,
        approved_by: str,
        actor: Actor,
        at: datetime,
    ) -> None:
        """Moves the reply deadline later, with a reason and who approved it."""
        self._require(AppealCommand.EXTEND_DEADLINE)
        self._check_deadline_ahead(reply_deadline, at)
        if self.reply_deadline and reply_deadline.due <= self.reply_deadline.due:
            raise InvalidInput(
                "deadline",
                f"must be later than the current deadline {self.reply_deadline.due.isoformat()}",
            )
        self._trigger(
            self.DeadlineExtended,
            actor,
            at,
            reply_deadline=reply_deadline.to_record(),
            reason=clean_text("reason", reason, limits.REASON),
            approved_by=clean_text("approved_by", approved_by, limits.ACTOR_ID),
        )

    def record_missed_deadline(self, *, act: DeadlineAct, actor: Actor, at: datetime) -> Deadline:
        """Records that the deadline for `act` passed without it; once per deadline."""
        missed = [deadline for deadline in self.missed_at(at) if deadline.act is act]
        if not missed:
            raise ActionNotAllowed(
                f"record a missed {act.value} deadline on",
                self.status.value,
                f"no {act.value} deadline of {self.case_number} has passed unmet and "
                "unrecorded at that time",
            )
        self._trigger(self.DeadlineMissed, actor, at, deadline=missed[0].to_record())
        return missed[0]

    def reply_with(self, *, answer: str, basis: str, actor: Actor, at: datetime) -> None:
        """The department's reply: factual, and citing its basis (依据)."""
        self._require(AppealCommand.REPLY)
        self._trigger(
            self.Replied,
            actor,
            at,
            answer=clean_text("answer", answer, limits.ANSWER),
            basis=clean_text("basis", basis, limits.BASIS),
            department=self.responsible_department or "",
        )

    def publish_reply(self, *, public_text: str, actor: Actor, at: datetime) -> None:
        """Publishes the answer (公示); the public text must carry no personal data
        (`domain.publication`): not the appellant's, nor anyone's phone or ID number."""
        self._require(AppealCommand.PUBLISH)
        text = check_public(
            "public_text",
            clean_text("public_text", public_text, limits.PUBLIC_TEXT),
            self.appellant.withheld() if self.appellant else NO_ONE,
        )
        self._trigger(self.ReplyPublished, actor, at, public_text=text)

    def rate(
        self,
        *,
        rating: Rating,
        comment: str,
        reopen_deadline: Deadline | None,
        actor: Actor,
        at: datetime,
    ) -> None:
        """The appellant rates the answer; dissatisfied sends the appeal back."""
        self._require(AppealCommand.RATE)
        self._check_is_appellant(actor, "rate")
        # Every check comes before the first event: a refused rating must record nothing.
        deadline = None
        if rating is Rating.DISSATISFIED and self.responsible_department is not None:
            if reopen_deadline is None:
                raise InvalidInput("deadline", "a reopened appeal needs a new reply deadline")
            self._check_deadline_ahead(reopen_deadline, at)
            deadline = reopen_deadline.to_record()
        self._trigger(
            self.Rated,
            actor,
            at,
            rating=rating.value,
            comment=clean_text("comment", comment, limits.COMMENT, required=False),
        )
        if rating is Rating.DISSATISFIED:
            self._trigger(
                self.Reopened, actor, at, reason="appellant dissatisfied", reply_deadline=deadline
            )

    def adopt(self, *, department: str, plan: str, actor: Actor, at: datetime) -> None:
        """Adopts a suggestion and hands it to a department to implement."""
        self._require_suggestion(AppealCommand.ADOPT)
        self._require(AppealCommand.ADOPT)
        self._trigger(
            self.Adopted,
            actor,
            at,
            department=clean_text("department", department, limits.DEPARTMENT),
            plan=clean_text("plan", plan, limits.ANSWER),
        )

    def decline(self, *, explanation: str, actor: Actor, at: datetime) -> None:
        """Declines a suggestion with a reasoned explanation (论证说明)."""
        self._require_suggestion(AppealCommand.DECLINE)
        self._require(AppealCommand.DECLINE)
        self._trigger(
            self.Declined,
            actor,
            at,
            explanation=clean_text("explanation", explanation, limits.ANSWER),
        )

    def close(self, *, outcome: Outcome, note: str, actor: Actor, at: datetime) -> None:
        """Closes the appeal (办结) as resolved or explained."""
        self._require(AppealCommand.CLOSE)
        if outcome is Outcome.DECLINED:
            raise InvalidInput("outcome", "a suggestion is declined with 'decline', not 'close'")
        self._trigger(
            self.Closed,
            actor,
            at,
            outcome=outcome.value,
            note=clean_text("note", note, limits.COMMENT, required=False),
        )

    def withdraw(self, *, reason: str, actor: Actor, at: datetime) -> None:
        """The appellant withdraws the appeal."""
        self._require(AppealCommand.WITHDRAW)
        self._check_is_appellant(actor, "withdraw")
        self._trigger(
            self.Withdrawn,
            actor,
            at,
            reason=clean_text("reason", reason, limits.REASON, required=False),
        )

    # -- guards ------------------------------------------------------------------------

    def _require(self, command: AppealCommand) -> None:
        """Refuses `command` unless the appeal's state table allows it now."""
        APPEAL_STATES.require(command, self.status)

    def _require_suggestion(self, command: AppealCommand) -> None:
        if self.kind is not Kind.SUGGESTION:
            raise APPEAL_STATES.refuse(
                command,
                self.status,
                f"only suggestions can be adopted or declined, this is a {self.kind.value}",
            )

    def _check_is_appellant(self, actor: Actor, action: str) -> None:
        # Who may rate or withdraw a named appeal is the access policy's (appeal.rate,
        # appeal.withdraw); an anonymous one has nobody to act for it but the code's holder.
        if self.appellant is None and actor.id != ANONYMOUS_ACTOR_ID:
            raise NotPermitted(
                f"only the holder of the receipt code can {action} an anonymous appeal"
            )

    @staticmethod
    def _check_deadline_ahead(deadline: Deadline, at: datetime) -> None:
        check_aware("time", at)
        check_aware("time", deadline.due)
        if deadline.due <= at:
            raise InvalidInput("deadline", f"{deadline.due.isoformat()} is in the past")

    def _trigger(
        self, event_class: type[Appeal.Event], actor: Actor, at: datetime, **data: Any
    ) -> None:
        check_aware("time", at)
        self.trigger_event(
            event_class, timestamp=at, actor_id=actor.id, actor_role=actor.role.value, **data
        )


#: The events that answer the appellant: the first of them is the appeal's first response
#: (首次响应), which the first-response deadline asks for. Forwarding the appeal (a transfer)
#: is not one; the department taking it on, any answer, and the union reaching the
#: appellant are. The deadline board, the watcher and the metrics read this one tuple.
FIRST_RESPONSES: tuple[type[Appeal.Event], ...] = (
    Appeal.AnsweredOnSpot,
    Appeal.Acknowledged,
    Appeal.Contacted,
    Appeal.Replied,
    Appeal.Adopted,
    Appeal.Declined,
)
