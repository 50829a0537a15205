"""Fills the disclosure board (公示栏), after the appeals, meetings and accountability demos.

What the union makes public, each through the committee's review at its own moment:
- the answers of one in ten appeals whose reply was published (those of general interest);
- the minutes and decisions of every meeting that published them;
- the golden-idea review's awards, once published;
- each finished month's fund statement (工会经费收支明细), and its monthly report (drafted
  and filed by the union office on the first working day after the month), which makes the
  month's department figures public on the board's ranking;
- the card period's cards, one notice per department that got one;
- the 工匠杯 selection procedure (评优评先流程), if the competition ran.

The union office proposes on the working day after the subject went public; a committee
member reviews the next working day and the office publishes what was approved half an hour
later. One proposal in eight is returned with a reason and revised before it is approved;
one published answer is withdrawn. A review that would fall after the demo's end has not
happened yet: those proposals wait in the committee's queue. Same seed, same board.
"""

from __future__ import annotations

import itertools
import random
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import partial
from typing import TYPE_CHECKING
from uuid import UUID

from application.clock import ManualClock
from demo.accountability import AccountabilitySummary
from demo.actors import COMMITTEE, UNION_CLERK
from demo.agenda import Agenda, Step
from demo.appeals import DemoSummary
from demo.meetings import MeetingsSummary
from domain import limits
from domain.disclosure import SubjectType
from domain.monthly_figures import ReportMonth

if TYPE_CHECKING:
    from api.bootstrap import Services

#: One published answer in this many is disclosed on the board.
ANSWER_SHARE = 10
#: One proposal in this many is returned once before approval.
RETURN_EVERY = 8
UNION_OFFICE = "工会办公室"
RETURN_REASON = "标题未写明事项和承办部门，请补充后再报"
WITHDRAWAL_REASON = "职工反映答复中的班组和岗位信息可识别到本人，撤下后重新处理"
CARD_NAMES = {"red": "红牌", "yellow": "黄牌"}


@dataclass
class DisclosuresSummary:
    """What the disclosure demo put on the board."""

    published: Counter[SubjectType] = field(default_factory=Counter)
    returned: int = 0
    withdrawn: list[UUID] = field(default_factory=list)
    waiting: list[UUID] = field(default_factory=list)
    ids: list[UUID] = field(default_factory=list)

    def lines(self) -> list[str]:
        """A short human summary."""
        kinds = ", ".join(f"{kind.value} {n}" for kind, n in sorted(self.published.items()))
        return [
            f"Disclosures: {sum(self.published.values())} published ({kinds or 'none'}); "
            f"{self.returned} returned once and revised, {len(self.withdrawn)} withdrawn, "
            f"{len(self.waiting)} awaiting the committee's review"
        ]


@dataclass(frozen=True)
class _Plan:
    """One disclosure to propose: its subject, title, text and departments."""

    subject_type: SubjectType
    subject: str
    title: str
    body: str = ""
    departments: tuple[str, ...] = ()
    withdraw: bool = False


def populate_disclosures(
    services: Services,
    clock: ManualClock,
    *,
    demo: DemoSummary,
    meetings: MeetingsSummary | None = None,
    accountability: AccountabilitySummary | None = None,
    seed: int = 2026,
) -> DisclosuresSummary:
    """Runs the board's story up to the appeals demo's end; the clock follows real time
    again afterwards."""
    board = _Board(services, clock, random.Random(seed), demo.end)  # noqa: S311
    try:
        board.plan_answers(demo)
        if meetings is not None:
            board.plan_minutes(meetings.meeting_ids)
        if accountability is not None:
            board.plan_accountability(accountability)
        board.plan_fund_statements(demo.start)
        board.plan_monthly_reports(demo.start)
        board.run()
    finally:
        clock.follow_real_time()
    return board.summary


class _Board(Agenda):
    """Plans each disclosure from its subject's public moment, then runs the steps in time
    order (each step schedules the next one of its disclosure)."""

    def __init__(
        self, services: Services, clock: ManualClock, rng: random.Random, end: datetime
    ) -> None:
        super().__init__(clock, rng, services.casework.calendar)
        self.s = services
        self.end = end
        self.summary = DisclosuresSummary()
        self._proposals = itertools.count(1)

    # -- time --------------------------------------------------------------------------

    def at(self, moment: datetime, step: Step) -> bool:
        """Schedules `step` at `moment`; False (and nothing scheduled) past the demo's end."""
        if moment >= self.end:
            return False
        self.push(moment, step)
        return True

    def next_working_day(self, moment: datetime, hour: int) -> datetime:
        """`hour` o'clock (and a few minutes) on the working day after `moment`'s day."""
        day: date = moment.astimezone(self.cal.tz).date() + timedelta(days=1)
        while not self.cal.is_working_day(day):
            day += timedelta(days=1)
        minute = self.rng.randint(0, 50)
        return datetime.combine(day, time(hour, minute), tzinfo=self.cal.tz)

    # -- what to disclose --------------------------------------------------------------

    def plan_answers(self, demo: DemoSummary) -> None:
        published = []
        for case in demo.cases:
            appeal = self.s.casework.get_appeal(case.id)
            if appeal.public_text is not None and appeal.published_at is not None:
                published.append((appeal.published_at, case.id, appeal.title))
        published.sort()
        chosen = published[::ANSWER_SHARE]
        for index, (at, appeal_id, title) in enumerate(chosen):
            self.propose_after(
                at,
                _Plan(
                    SubjectType.APPEAL_ANSWER,
                    str(appeal_id),
                    f"诉求答复公示：{title}"[: limits.TITLE - 20],
                    withdraw=index == len(chosen) // 2,
                ),
            )

    def plan_minutes(self, meeting_ids: Sequence[UUID]) -> None:
        for meeting_id in meeting_ids:
            meeting = self.s.meetings.get_meeting(meeting_id)
            if meeting.published_at is not None:
                self.propose_after(
                    meeting.published_at,
                    _Plan(
                        SubjectType.MEETING_MINUTES,
                        str(meeting_id),
                        f"会议纪要与决议公示：{meeting.topic}"[: limits.TITLE - 20],
                    ),
                )

    def plan_accountability(self, summary: AccountabilitySummary) -> None:
        if summary.idea_review is not None:
            review = self.s.reviews.get_idea_review(summary.idea_review)
            if review.published_at is not None:
                self.propose_after(
                    review.published_at,
                    _Plan(
                        SubjectType.GOLDEN_IDEA_AWARDS,
                        str(review.id),
                        f"{review.quarter} 金点子评审结果公示",
                        body=(
                            f"{review.quarter} 共评审采纳建议 {summary.ideas} 条，"
                            f"奖励合计 {summary.awarded} 元，获奖名单见附件。"
                        ),
                        departments=(UNION_OFFICE,),
                    ),
                )
        period = summary.card_period
        if period is not None:
            issued = datetime.combine(period.end, time(17), tzinfo=self.cal.tz)
            for card in summary.cards:
                name = CARD_NAMES.get(card.colour.value, card.colour.value)
                self.propose_after(
                    issued,
                    _Plan(
                        SubjectType.PENALTIES_AND_CARDS,
                        card.department,
                        f"{card.department} 考核{name}预警公示",
                        body=(
                            f"{card.department}在 {period.start} 至 {period.end} 考核期内"
                            f"扣分达到{name}标准，予以{name}预警，限期整改。"
                        ),
                        departments=(card.department,),
                    ),
                )
        if summary.competition is not None:
            self.propose_after(
                self.end - timedelta(days=20),
                _Plan(
                    SubjectType.AWARD_PROCEDURE,
                    "工匠杯职业技能竞赛",
                    "工匠杯评选流程公示",
                    body=(
                        "一、各单位推荐报名；二、理论与实操考核，三名评委独立评分；"
                        "三、按总分排名确定获奖名次；四、结果公示五个工作日，无异议后表彰。"
                    ),
                    departments=(UNION_OFFICE,),
                ),
            )

    def plan_fund_statements(self, start: datetime) -> None:
        month = ReportMonth.of(start)
        last = ReportMonth.of(self.end).previous()
        while (month.year, month.month) <= (last.year, last.month):
            income = 12_000 + self.rng.randint(0, 40) * 100
            spent = income - self.rng.randint(-20, 30) * 100
            self.propose_after(
                month.end,
                _Plan(
                    SubjectType.FUND_STATEMENT,
                    str(month),
                    f"{month.year}年{month.month}月工会经费收支明细",
                    body=(
                        f"收入：会费及上级拨付 {income} 元；支出：困难帮扶、文体活动、"
                        f"慰问 {spent} 元；结余 {income - spent} 元。"
                    ),
                    departments=(UNION_OFFICE,),
                ),
            )
            month = month.following()

    def plan_monthly_reports(self, start: datetime) -> None:
        month = ReportMonth.of(start)
        last = ReportMonth.of(self.end).previous()
        while (month.year, month.month) <= (last.year, last.month):
            self.at(self.next_working_day(month.end, 9), partial(self.file_report, month))
            month = month.following()

    def file_report(self, month: ReportMonth) -> None:
        """Drafts and files the month's report, then proposes it for the board."""
        self.s.monthly_reports.draft(month, actor=UNION_CLERK)
        self.s.monthly_reports.file(month, actor=UNION_CLERK)
        self.propose_after(
            self.clock(),
            _Plan(
                SubjectType.MONTHLY_REPORT,
                str(month),
                f"{month.year}年{month.month}月职工思想动态分析报告",
                body="本月职工诉求的响应率、办结率、满意率及各部门排名见公示栏“三率排名”。",
                departments=(UNION_OFFICE,),
            ),
        )

    # -- the review, step by step -------------------------------------------------------

    def propose_after(self, public_at: datetime, plan: _Plan) -> None:
        self.at(self.next_working_day(public_at, 10), lambda: self.propose(plan))

    def propose(self, plan: _Plan) -> None:
        proposed = self.s.disclosures.propose(
            subject_type=plan.subject_type,
            subject=plan.subject,
            title=plan.title,
            body=plan.body,
            departments=plan.departments,
            actor=UNION_CLERK,
        )
        self.summary.ids.append(proposed.id)
        returned = next(self._proposals) % RETURN_EVERY == 0
        review = self.return_ if returned else self.approve
        if not self.at(self.next_working_day(self.clock(), 15), lambda: review(proposed.id, plan)):
            self.summary.waiting.append(proposed.id)

    def return_(self, disclosure_id: UUID, plan: _Plan) -> None:
        self.s.disclosures.return_(disclosure_id, reason=RETURN_REASON, actor=COMMITTEE)
        self.summary.returned += 1
        if not self.at(
            self.next_working_day(self.clock(), 10), lambda: self.revise(disclosure_id, plan)
        ):
            self.summary.waiting.append(disclosure_id)

    def revise(self, disclosure_id: UUID, plan: _Plan) -> None:
        departments = "、".join(self.s.disclosures.get(disclosure_id).departments)
        title = f"{plan.title}（{departments}）"
        self.s.disclosures.revise(
            disclosure_id,
            title=title if len(title) <= limits.TITLE else plan.title,
            body=plan.body,
            actor=UNION_CLERK,
        )
        if not self.at(
            self.next_working_day(self.clock(), 15), lambda: self.approve(disclosure_id, plan)
        ):
            self.summary.waiting.append(disclosure_id)

    def approve(self, disclosure_id: UUID, plan: _Plan) -> None:
        self.s.disclosures.approve(disclosure_id, actor=COMMITTEE)
        self.clock.advance(timedelta(minutes=30))
        self.s.disclosures.publish(disclosure_id, actor=UNION_CLERK)
        self.summary.published[plan.subject_type] += 1
        if plan.withdraw:
            self.at(
                self.next_working_day(self.clock(), 11),
                lambda: self.withdraw(disclosure_id),
            )

    def withdraw(self, disclosure_id: UUID) -> None:
        self.s.disclosures.withdraw(disclosure_id, reason=WITHDRAWAL_REASON, actor=COMMITTEE)
        self.summary.withdrawn.append(disclosure_id)
