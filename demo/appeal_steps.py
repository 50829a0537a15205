"""The steps of a demo appeal as commands: who gives each one, and what they write.

`demo.appeals` plans each appeal's story (`AppealRun`) and runs the steps of all of them in
time order through `AppealSteps`, which gives each command as the person who would.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from uuid import UUID

from application.casework import AppealDraft, Casework, CommandResult
from application.clock import ManualClock
from demo.organisation import (
    LEGAL_ADVISER,
    PROPOSAL_COMMITTEE,
    TIER_LEADS,
    UNION_STAFF,
    Person,
    handler_of,
    supervisor,
)
from demo.scenarios import Scenario, Step
from demo.topics import Topic
from domain.actors import Actor, Role
from domain.appeal import Appellant
from domain.terms import Channel, Outcome, Rating, Status, Tier, Urgency

#: Told (steps done, all steps) as the appeals' steps run.
Progress = Callable[[int, int], None]

ON_SPOT_PREFIX = "现场答复："
RATING_COMMENTS = {
    "satisfied": ("办得快，满意", "问题解决了，谢谢", "答复清楚，按时落实", ""),
    "basically_satisfied": ("基本解决，希望长期坚持", "答复清楚，落实还要再看", ""),
    "dissatisfied": ("答复没解决实际问题", "只解释没整改", "现场情况没有变化"),
}
EXTENSION_REASONS = (
    "需调取近三个月考勤和产量数据核算，经督办员同意延期",
    "涉及跨部门协调，需提交矿务会研究，经督办员同意延期",
    "需待设备厂家技术人员到矿检测，经督办员同意延期",
)
WITHDRAW_REASONS = (
    "问题已与班组当面沟通解决",
    "本人已调岗，不再需要办理",
    "已自行了解到相关政策",
    "",
)
ACK_NOTES = ("已收到承办单，正在核实", "已安排专人办理", "已联系相关班组调查情况")
REACK_NOTES = ("已按不满意意见重新核查", "由部门负责人牵头复查")
REVIEW_PREFIX = "经督办复查，原答复落实不到位，现补充答复："
CLOSING_NOTES = {
    "close_resolved": "诉求已解决，职工评价后办结归档",
    "close_explained": "已解释说明，职工基本认可，办结归档",
    "close_implemented": "建议已落实到位，经提案人确认办结",
}


@dataclass
class AppealRun:
    """One appeal's plan, and what happened to it as the steps ran."""

    no: int
    scenario: Scenario
    topic: Topic
    channel: Channel
    tier: Tier | None
    appellant: Appellant | None
    home: str
    title: str
    supervisor: Person
    misroute_to: str
    times: list[datetime]
    id: UUID | None = None
    case_number: str = ""
    receipt_code: str | None = None
    department: str = ""
    status: Status = Status.RAISED
    events: int = 0
    transfers: int = 0
    reopened: int = 0
    extensions: int = 0
    ratings: list[Rating] = field(default_factory=list)
    outcome: Outcome | None = None

    @property
    def steps(self) -> tuple[Step, ...]:
        return (Step.RAISE, *(step for step, _, _ in self.scenario.steps))


class AppealSteps:
    """Runs every step of every appeal in time order, the clock set to each step's moment."""

    def __init__(
        self,
        casework: Casework,
        clock: ManualClock,
        rng: random.Random,
        *,
        first_key: str | None = None,
    ) -> None:
        self.casework = casework
        self.clock = clock
        self.rng = rng
        self.first_key = first_key  # the idempotency key the first planned appeal is raised with

    def run(self, runs: Sequence[AppealRun], progress: Progress | None = None) -> None:
        """Every step of every run in time order; `progress` is told (steps done, all steps)
        after each."""
        agenda = sorted((at, run.no, i) for run in runs for i, at in enumerate(run.times))
        for done, (at, no, i) in enumerate(agenda, start=1):
            self.clock.set(at)
            run = runs[no]
            result = self.do(run, run.steps[i])
            run.events = result.version
            if progress is not None:
                progress(done, len(agenda))

    def do(self, run: AppealRun, step: Step) -> CommandResult:
        """One step: the command, as the person who would give it."""
        cw, topic, rng = self.casework, run.topic, self.rng
        match step:
            case Step.RAISE:
                return self.raise_appeal(run)
            case Step.ANSWER | Step.ANSWER_AND_CLOSE:
                close = step is Step.ANSWER_AND_CLOSE
                run.status = Status.CLOSED if close else Status.ANSWERED
                run.outcome = Outcome.RESOLVED if close else None
                return cw.answer_on_spot(
                    self.id(run),
                    answer=ON_SPOT_PREFIX + topic.answer,
                    basis=topic.basis,
                    close=close,
                    actor=self.on_spot_answerer(run),
                )
            case Step.TRANSFER | Step.MISROUTE:
                run.department = topic.department if step is Step.TRANSFER else run.misroute_to
                run.status, run.transfers = Status.TRANSFERRED, run.transfers + 1
                return cw.transfer(
                    self.id(run),
                    department=run.department,
                    supervisor=run.supervisor.id,
                    actor=self.staff(run),
                )
            case Step.RETRANSFER:
                wrong, run.department = run.department, topic.department
                reason = f"经{wrong}核实，该事项属{run.department}职责范围，经督办员同意改转办理"
                run.status, run.transfers = Status.TRANSFERRED, run.transfers + 1
                return cw.retransfer(
                    self.id(run), department=run.department, reason=reason, actor=self.staff(run)
                )
            case Step.ACK | Step.REACK:
                notes = ACK_NOTES if step is Step.ACK else REACK_NOTES
                run.status = Status.ACKNOWLEDGED
                return cw.acknowledge(self.id(run), note=rng.choice(notes), actor=self.handler(run))
            case Step.EXTEND:
                current = cw.get_appeal(self.id(run)).reply_deadline
                base = max(current.due, cw.now()) if current else cw.now()
                run.extensions += 1
                return cw.extend_deadline(
                    self.id(run),
                    deadline=cw.calendar.add_working_days(base, rng.randint(3, 5)),
                    reason=rng.choice(EXTENSION_REASONS),
                    approved_by=run.supervisor.id,
                    actor=supervisor(run.supervisor.id),
                )
            case Step.REPLY | Step.REPLY_AGAIN:
                answer = topic.answer if step is Step.REPLY else REVIEW_PREFIX + topic.answer
                run.status = Status.REPLIED
                return cw.reply(
                    self.id(run), answer=answer, basis=topic.basis, actor=self.handler(run)
                )
            case Step.PUBLISH:
                heading = "复查答复公示" if run.reopened else "答复公示"
                run.status = Status.PUBLISHED
                return cw.publish_reply(
                    self.id(run),
                    public_text=f"【{heading}】{run.title}：{topic.public}",
                    actor=self.staff(run),
                )
            case Step.RATE_SATISFIED | Step.RATE_BASIC | Step.RATE_DISSATISFIED:
                return self.rate(run, _RATINGS[step])
            case Step.CLOSE_RESOLVED | Step.CLOSE_EXPLAINED | Step.CLOSE_IMPLEMENTED:
                run.status, run.outcome = Status.CLOSED, _OUTCOMES[step]
                return cw.close_appeal(
                    self.id(run),
                    outcome=run.outcome,
                    note=CLOSING_NOTES[step.value],
                    actor=self.staff(run),
                )
            case Step.ADOPT:
                run.status = Status.ADOPTED
                return cw.adopt(
                    self.id(run),
                    department=topic.department,
                    plan=topic.plan,
                    actor=self.committee(),
                )
            case Step.DECLINE:
                run.status, run.outcome = Status.CLOSED, Outcome.DECLINED
                return cw.decline(self.id(run), explanation=topic.decline, actor=self.committee())
            case Step.WITHDRAW:
                run.status = Status.WITHDRAWN
                reason = rng.choice(WITHDRAW_REASONS)
                if run.receipt_code is not None:
                    return cw.withdraw_by_receipt(run.receipt_code, reason=reason)
                return cw.withdraw(self.id(run), reason=reason, actor=self.appellant(run))
        raise ValueError(f"no such step: {step}")

    def raise_appeal(self, run: AppealRun) -> CommandResult:
        topic = run.topic
        anonymous = run.appellant is None
        draft = AppealDraft(
            channel=run.channel,
            kind=topic.kind,
            category=topic.category,
            title=run.title,
            text=topic.text.format(dept=run.home),
            department="" if anonymous else run.home,
            tier=run.tier,
            urgency=topic.urgency if run.channel is Channel.URGENT else Urgency.NORMAL,
            appellant=run.appellant,
        )
        actor = Actor.anonymous_appellant() if anonymous else self.staff(run)
        key = self.first_key if run.no == 0 else None
        result = self.casework.raise_appeal(draft, actor, key=key)
        run.id, run.case_number, run.receipt_code = (
            result.id,
            result.case_number,
            result.receipt_code,
        )
        return result

    def rate(self, run: AppealRun, rating: Rating) -> CommandResult:
        run.ratings.append(rating)
        if rating is Rating.DISSATISFIED:
            run.reopened += 1
            run.status = Status.TRANSFERRED
        else:
            run.status = Status.RATED
        comment = self.rng.choice(RATING_COMMENTS[rating.value])
        if run.receipt_code is not None:  # the anonymous appellant, by their receipt code
            return self.casework.rate_by_receipt(run.receipt_code, rating=rating, comment=comment)
        return self.casework.rate(
            self.id(run), rating=rating, comment=comment, actor=self.appellant(run)
        )

    @staticmethod
    def id(run: AppealRun) -> UUID:
        if run.id is None:
            raise RuntimeError("the appeal has not been raised yet")
        return run.id

    @staticmethod
    def appellant(run: AppealRun) -> Actor:
        if run.appellant is None:
            return Actor.anonymous_appellant()
        return Actor(run.appellant.employee_no, Role.EMPLOYEE)

    @staticmethod
    def staff(run: AppealRun) -> Actor:
        """The union staff member who registers, transfers, publishes and closes."""
        return staff_for(run.channel, run.no)

    @classmethod
    def on_spot_answerer(cls, run: AppealRun) -> Actor:
        """Who records an answer given face to face: at a talk, the tier's lead; elsewhere
        (the secretary's reception day, the legal clinic, a liaison's round) union staff."""
        if run.tier is not None:
            return supervisor(TIER_LEADS[run.tier].id)
        return cls.staff(run)

    @staticmethod
    def handler(run: AppealRun) -> Actor:
        return handler_of(run.department)

    @staticmethod
    def committee() -> Actor:
        return Actor(PROPOSAL_COMMITTEE.id, Role.COMMITTEE)


def staff_for(channel: Channel, no: int) -> Actor:
    """The union staff member who registers the `no`-th planned appeal coming through
    `channel`, and transfers, publishes and closes it."""
    if channel is Channel.LEGAL_CLINIC:
        person = LEGAL_ADVISER
    elif channel is Channel.GRID_LIAISON:
        person = UNION_STAFF[2]
    else:
        person = UNION_STAFF[no % 2]
    return Actor(person.id, Role.UNION_STAFF)


_RATINGS = {
    Step.RATE_SATISFIED: Rating.SATISFIED,
    Step.RATE_BASIC: Rating.BASICALLY_SATISFIED,
    Step.RATE_DISSATISFIED: Rating.DISSATISFIED,
}
_OUTCOMES = {
    Step.CLOSE_RESOLVED: Outcome.RESOLVED,
    Step.CLOSE_EXPLAINED: Outcome.EXPLAINED,
    Step.CLOSE_IMPLEMENTED: Outcome.RESOLVED,
}
