"""Fills the store with a year of meetings, through the `Meetings` application only.

Talks with every one of the eight tiers, the four quarterly joint meetings of HR and the
union with their item lists (action items taken from the decisions, accepted, rejected and
accepted, marked overdue), and a workers' congress with its proposals (assignments published,
one late; completion reported for some). Every step runs at its own historical moment, in
time order, the manual clock set to it first; office hours are working days in Asia/Shanghai.
The same seed gives the same meetings, times and texts.
"""

from __future__ import annotations

import heapq
import itertools
import random
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from uuid import UUID

from application.clock import ManualClock
from application.meetings import Meetings
from demo import data
from domain.actors import Actor, Role
from domain.appeal import Appellant
from domain.calendar import CHINA_TZ
from domain.meeting_policy import Quarter
from domain.meeting_records import Attendee
from domain.meeting_terms import MeetingKind
from domain.terms import Channel, Tier

HR_HEAD = data.TIER_LEADS[Tier.FUNCTIONAL_OFFICES]
UNION_CHAIR = data.UNION_CHAIR
SECRETARY = data.UNION_STAFF[0]
PLACE = "工会职工之家二楼会议室"
REMOTE_PLACE = "https://meet.huiyin.example/talk"

TALK_TOPICS: Mapping[Tier, str] = {
    Tier.WORKERS: "一线职工慧谈：井下作业环境与班中餐",
    Tier.PARTY_MEMBERS: "党员慧谈：党员先锋岗与群众诉求办理",
    Tier.SAFETY_MONITORS: "群监员慧谈：隐患排查与劳动保护用品",
    Tier.TEAM_LEADERS: "班组长慧谈：班组管理与绩效分配",
    Tier.SAFETY_INSPECTORS: "安检员慧谈：安全检查标准与考核",
    Tier.DEPUTY_HEADS: "区队副职慧谈：生产组织与技术难题",
    Tier.DISTRICT_HEADS: "区队长慧谈：区队管理与职工队伍建设",
    Tier.FUNCTIONAL_OFFICES: "机关科室慧谈：服务基层与作风建设",
}
OVERRIDE_REASON = "上次反映的问题需当面反馈办理结果，特邀再次参加"

JOINT_DECISIONS = (
    ("井下班中餐增加热食品种，保温送餐到采掘工作面", "后勤服务中心", "送餐记录与职工满意度抽查"),
    ("夜班通勤车增加一个班次，发车时刻表上墙公示", "运输队", "新时刻表公示并连续运行一个月"),
    ("劳动防护用品按新标准更换，发放台账签字确认", "安监处", "发放台账与抽查记录齐全"),
    ("绩效工资分配办法征求职工意见后在班组公示", "人力资源部", "征求意见汇总及公示照片"),
    ("更衣室、浴室维修改造，增加烘干设备", "后勤服务中心", "维修完工验收单"),
    ("井下通风设施检修计划向班组公开", "通风科", "检修计划公示及执行记录"),
    ("机电设备检修加班按规定核发加班费", "财务部", "加班费核发明细"),
    ("新入职职工岗前培训增加实操课时", "生产技术科", "培训课表与考核成绩"),
)
SUBMIT_NOTES = ("已按决议完成，提交验收材料", "整改完毕，附照片与台账，请验收")
REJECT_REASON = "验收材料不全，缺少职工签字确认，请补充后重新提交"
PROGRESS_NOTE = "已制定实施方案，正在组织落实"

PROPOSALS = (
    (
        "井口候车区冬季无取暖设施，职工候车受冻",
        "在井口候车区加装暖风机并设置挡风门帘",
        "后勤服务中心",
    ),
    ("夜班职工下班后无热饭供应", "延长职工食堂夜间供餐时间至凌晨一点", "后勤服务中心"),
    ("部分岗位津贴标准多年未调整", "对照同行业水平重新测算并调整岗位津贴", "人力资源部"),
    ("井下通讯信号存在盲区，影响应急联络", "在盲区巷道补装无线基站", "机电科"),
    ("职工疗休养名额分配不透明", "疗休养名额按工龄和贡献排序并公示", "工会办公室"),
    ("运输大巷照明不足存在安全隐患", "更换大巷照明灯具并纳入日常巡检", "机电科"),
)


@dataclass(frozen=True)
class MeetingsSummary:
    """What the meetings demo put in the store."""

    start: datetime
    end: datetime
    meeting_ids: tuple[UUID, ...]
    item_ids: tuple[UUID, ...]
    proposal_ids: tuple[UUID, ...]
    talks_by_tier: Mapping[Tier, int]
    joint_meetings: int
    congresses: int
    action_items: int
    items_accepted: int
    items_rejected: int
    items_overdue: int
    proposals: int
    assignments_published: int
    assignments_late: int
    completions: int
    late_publications: int
    absent_departments: int
    coverage_overrides: int
    appeals_raised: int

    @property
    def talks(self) -> int:
        """Tier talks held."""
        return sum(self.talks_by_tier.values())

    def lines(self) -> list[str]:
        """A short human summary."""
        span = (
            f"{self.start.astimezone(CHINA_TZ):%Y-%m-%d} – {self.end.astimezone(CHINA_TZ):%Y-%m-%d}"
        )
        tiers = ", ".join(f"{t.value} {n}" for t, n in self.talks_by_tier.items())
        return [
            f"Meetings: {len(self.meeting_ids)} ({span}): {self.talks} tier talks, "
            f"{self.joint_meetings} joint meetings, {self.congresses} workers' congress",
            f"Talks by tier: {tiers}; {self.appeals_raised} appeals raised at talks; "
            f"{self.coverage_overrides} coverage overrides",
            f"Action items: {self.action_items} ({self.items_accepted} accepted, "
            f"{self.items_rejected} rejected once, {self.items_overdue} marked overdue)",
            f"Proposals: {self.proposals} ({self.assignments_published} assignments published, "
            f"{self.assignments_late} late; {self.completions} completions reported)",
            f"Published late: {self.late_publications} meetings; "
            f"meetings with absent departments: {self.absent_departments}",
        ]


@dataclass
class _Tally:
    meetings: list[UUID] = field(default_factory=list)
    items: list[UUID] = field(default_factory=list)
    proposals: list[UUID] = field(default_factory=list)
    talks: Counter[Tier] = field(default_factory=Counter)
    joint: int = 0
    congress: int = 0
    accepted: int = 0
    rejected: int = 0
    overdue: int = 0
    assigned: int = 0
    assigned_late: int = 0
    completed: int = 0
    overrides: int = 0
    appeals: int = 0


Step = Callable[[], object]


def populate_meetings(
    meetings: Meetings,
    clock: ManualClock,
    *,
    months: int = 12,
    seed: int = 2026,
    end: datetime | None = None,
) -> MeetingsSummary:
    """Holds the `months` months of meetings before `end` (default: now); the clock follows
    real time again afterwards."""
    if months < 1:
        raise ValueError("the meetings demo needs at least one month")
    end = clock() if end is None else end
    if end.tzinfo is None:
        raise ValueError("the demo's end needs a time zone")
    start = end - timedelta(days=round(months * 30.44))
    runner = _Runner(meetings, clock, random.Random(seed), start, end)  # noqa: S311
    try:
        runner.plan(months)
        runner.run()
    finally:
        clock.follow_real_time()
    return runner.summary()


class _Runner:
    """Plans the meetings, then runs every step in time order."""

    def __init__(
        self,
        meetings: Meetings,
        clock: ManualClock,
        rng: random.Random,
        start: datetime,
        end: datetime,
    ) -> None:
        self.m = meetings
        self.clock = clock
        self.rng = rng
        self.start = start
        self.end = end
        self.cal = meetings.app.calendar
        self.tally = _Tally()
        self._queue: list[tuple[datetime, int, Step]] = []
        self._seq = itertools.count()
        numbers = rng.sample(range(40000, 70000), len(data.APPELLANT_NAMES))
        homes, weights = zip(*data.HOME_DEPARTMENTS, strict=True)
        self.people = [
            (Appellant(name, f"E{number}"), rng.choices(homes, weights)[0])
            for name, number in zip(data.APPELLANT_NAMES, numbers, strict=True)
        ]
        self.attended: dict[Tier, list[tuple[Appellant, str]]] = {tier: [] for tier in Tier}
        self.talk_topics = [t for t in data.TOPICS if Channel.TALK_SESSION in t.channels]
        self.item_no = 0
        self.late_joint_done = False

    # -- time --------------------------------------------------------------------------

    def at(self, moment: datetime, step: Step) -> None:
        """Runs `step` at `moment`, if that is within the demo's span."""
        if self.start < moment <= self.end:
            heapq.heappush(self._queue, (moment, next(self._seq), step))

    def run(self) -> None:
        while self._queue:
            moment, _, step = heapq.heappop(self._queue)
            self.clock.set(moment)
            step()

    def tick(self) -> None:
        """A few minutes pass between commands of one step."""
        self.clock.advance(timedelta(minutes=self.rng.randint(2, 15)))

    def working_day(self, day: date) -> date:
        """`day`, or the next working day."""
        while not self.cal.is_working_day(day):
            day += timedelta(days=1)
        return day

    def office(self, day: date, hour: int, minute: int = 0) -> datetime:
        return datetime.combine(day, time(hour, minute), tzinfo=self.cal.tz)

    def before(self, moment: datetime, days: int) -> datetime:
        """Nine in the morning of the working day on or before `days` days before `moment`."""
        day = self.cal.local_date(moment) - timedelta(days=days)
        while not self.cal.is_working_day(day):
            day -= timedelta(days=1)
        return self.office(day, 9, self.rng.randint(0, 40))

    def later(self, moment: datetime, working_days: int, hour: int = 10) -> datetime:
        day = self.cal.local_date(self.cal.add_working_days(moment, working_days))
        return self.office(self.working_day(day), hour, self.rng.randint(0, 50))

    # -- planning ----------------------------------------------------------------------

    def plan(self, months: int) -> None:
        first = self.cal.local_date(self.start)
        tiers = list(Tier)
        talks = max(len(tiers), 2 * months)
        for i in range(talks):
            month = i % months
            day = first + timedelta(days=round(month * 30.44) + 8 + (i // months) * 12)
            held = self.office(self.working_day(day), 14, 30)
            self.plan_talk(i, tiers[i % len(tiers)], held)
        quarters = sorted(
            {Quarter.of(first + timedelta(days=d)) for d in range(0, (self.end - self.start).days)}
        )
        joint = 0
        for quarter in quarters:
            opens = date(quarter.year, quarter.first_month, 1)
            held_day = self.working_day(opens)
            if held_day.day > 4:  # holidays fill the first days: hold it before the quarter
                held_day = opens - timedelta(days=1)
                while not self.cal.is_working_day(held_day):
                    held_day -= timedelta(days=1)
            held = self.office(held_day, 9, 30)
            if self.start + timedelta(days=7) < held <= self.end:
                self.plan_joint(joint, quarter, held)
                joint += 1
        congress_day = self.working_day(first + timedelta(days=min(60, 5 * months)))
        self.plan_congress(self.office(congress_day, 9, 0))

    # -- tier talks --------------------------------------------------------------------

    def plan_talk(self, no: int, tier: Tier, held: datetime) -> None:
        lead = data.supervisor(data.TIER_LEADS[tier].id)
        state: dict[str, UUID] = {}
        chosen: list[tuple[Appellant, str]] = []

        def schedule() -> None:
            result = self.m.schedule(
                kind=MeetingKind.TIER_TALK,
                topic=TALK_TOPICS[tier],
                scheduled_for=held,
                place=PLACE,
                tier=tier,
                actor=lead,
            )
            state["id"] = result.id
            self.tally.meetings.append(result.id)
            self.tick()
            fresh = [p for p in self.people if p not in self.attended[tier]]
            chosen.extend(self.rng.sample(fresh, min(len(fresh), self.rng.randint(6, 8))))
            if no % 6 == 5 and self.attended[tier]:
                chosen.append(self.rng.choice(self.attended[tier]))
            ids = [p.employee_no for p, _ in chosen]
            recent = self.m.recent_attendees(tier).people
            reason = OVERRIDE_REASON if recent & set(ids) else None
            self.tally.overrides += reason is not None
            departments = sorted({home for _, home in chosen})
            self.m.invite(
                result.id,
                participants=ids,
                departments=departments,
                override_reason=reason,
                actor=lead,
            )
            self.at(held, hold)

        def hold() -> None:
            meeting_id = state["id"]
            came = list(chosen)
            if no % 4 == 1 and len(came) > 2:
                came = [p for p in came if p[1] != came[0][1]]  # a department did not come
            elif no % 3 == 0:
                came = came[:-1]  # one invitee was on shift
            self.m.hold(
                meeting_id,
                attendance=[Attendee(p.employee_no, home) for p, home in came],
                actor=lead,
            )
            self.tally.talks[tier] += 1
            self.attended[tier].extend(p for p in came if p not in self.attended[tier])
            if no % 3 == 1:
                self.tick()
                person, home = self.rng.choice(came)
                topic = self.rng.choice(self.talk_topics)
                self.m.raise_appeal(
                    meeting_id,
                    kind=topic.kind,
                    category=topic.category,
                    title=self.rng.choice(topic.titles),
                    text=topic.text.format(dept=home),
                    department=home,
                    appellant=person,
                    actor=Actor(SECRETARY.id, Role.UNION_STAFF),
                )
                self.tally.appeals += 1
            self.tick()
            self.m.record_minutes(
                meeting_id,
                minutes=(
                    f"{data.TIER_LEADS[tier].name}主持{TALK_TOPICS[tier]}，{len(came)}名职工参加，"
                    "逐一听取意见建议，现场能答复的当场答复，其余按程序转办督办。"
                ),
                actor=lead,
            )
            self.tick()
            self.m.publish(meeting_id, actor=lead)

        self.at(self.before(held, 4), schedule)

    # -- quarterly joint meetings ------------------------------------------------------

    def plan_joint(self, no: int, quarter: Quarter, held: datetime) -> None:
        hr = Actor(HR_HEAD.id, Role.HR)
        chair = Actor(UNION_CHAIR.id, Role.UNION_STAFF)
        decisions = [JOINT_DECISIONS[(2 * no + k) % len(JOINT_DECISIONS)] for k in range(3)]
        departments = sorted(
            {"人力资源部", "工会办公室"} | {dept for _, dept, _ in decisions} | {"安监处"}
        )
        absent = departments[-1] if no % 2 == 1 else None
        state: dict[str, UUID] = {}

        def schedule() -> None:
            result = self.m.schedule(
                kind=MeetingKind.JOINT_MEETING,
                topic=f"{quarter} 人力资源部与工会季度联席会",
                scheduled_for=held,
                place="机关三楼会议室",
                quarter=quarter,
                actor=hr,
            )
            state["id"] = result.id
            self.tally.meetings.append(result.id)
            self.tick()
            self.m.invite(
                result.id,
                participants=[HR_HEAD.id, UNION_CHAIR.id],
                departments=departments,
                actor=hr,
            )
            self.at(held, hold)

        def hold() -> None:
            meeting_id = state["id"]
            attendance = [
                Attendee(HR_HEAD.id, "人力资源部"),
                Attendee(UNION_CHAIR.id, "工会办公室"),
            ]
            attendance += [
                Attendee(data.DEPARTMENT_BY_NAME[d].handler.id, d)
                for d in departments
                if d not in ("人力资源部", "工会办公室", absent)
            ]
            self.m.hold(meeting_id, attendance=attendance, actor=hr)
            self.tally.joint += 1
            self.tick()
            self.m.record_minutes(
                meeting_id,
                minutes=(
                    f"{quarter}季度联席会由人力资源部部长{HR_HEAD.name}、工会主席{UNION_CHAIR.name}"
                    "共同主持，通报上季度事项办理情况，研究职工集中反映的问题，形成事项清单。"
                ),
                actor=hr,
            )
            self.tick()
            self.m.record_decisions(
                meeting_id, decisions=[text for text, _, _ in decisions], actor=hr
            )
            for k, (text, dept, criteria) in enumerate(decisions, start=1):
                self.tick()
                deadline = self.office(
                    self.cal.local_date(held + timedelta(days=self.rng.randint(20, 40))), 17, 30
                )
                item = self.m.create_action_item(
                    meeting_id,
                    decision_ref=f"D{k}",
                    task=text,
                    department=dept,
                    deadline=deadline,
                    acceptance_criteria=criteria,
                    actor=hr,
                )
                self.tally.items.append(item.id)
                self.plan_item(item.id, dept, deadline, chair)
            late = no == 1 or (no > 1 and not self.late_joint_done)
            self.late_joint_done |= late
            self.at(self.later(held, 5 if late else 2, 15), lambda: publish(meeting_id))

        def publish(meeting_id: UUID) -> None:
            self.m.publish(meeting_id, actor=hr)

        self.at(self.before(held, 7), schedule)

    def plan_item(self, item_id: UUID, dept: str, deadline: datetime, chair: Actor) -> None:
        """Takes an action item through one of its stories."""
        handler = data.handler_of(dept)
        story = ("accepted", "rejected", "overdue", "accepted", "progress")[self.item_no % 5]
        self.item_no += 1
        submit_at = deadline - timedelta(days=self.rng.randint(4, 8))

        def submit(note: str) -> Step:
            return lambda: self.m.submit_for_acceptance(item_id, note=note, actor=handler)

        def accept() -> None:
            self.m.accept_item(item_id, actor=chair, note="经验收符合标准")
            self.tally.accepted += 1

        def reject() -> None:
            self.m.reject_item(item_id, reason=REJECT_REASON, actor=chair)
            self.tally.rejected += 1

        def overdue() -> None:
            self.m.mark_item_overdue(item_id, actor=chair)
            self.tally.overdue += 1

        def progress() -> None:
            self.m.report_progress(item_id, note=PROGRESS_NOTE, actor=handler)

        self.at(submit_at - timedelta(days=10), progress)
        if story == "accepted":
            self.at(submit_at, submit(SUBMIT_NOTES[0]))
            self.at(self.later(submit_at, 1, 15), accept)
        elif story == "rejected":
            self.at(submit_at, submit(SUBMIT_NOTES[0]))
            self.at(self.later(submit_at, 1, 15), reject)
            self.at(self.later(submit_at, 3, 10), submit(SUBMIT_NOTES[1]))
            self.at(self.later(submit_at, 4, 15), accept)
        elif story == "overdue":
            marked = self.later(deadline, 1, 9)
            self.at(marked, overdue)
            self.at(self.later(marked, 5, 10), submit(SUBMIT_NOTES[1]))
            self.at(self.later(marked, 6, 15), accept)

    # -- the workers' congress ---------------------------------------------------------

    def plan_congress(self, held: datetime) -> None:
        committee = Actor(data.PROPOSAL_COMMITTEE.id, Role.COMMITTEE)
        chair = Actor(UNION_CHAIR.id, Role.UNION_STAFF)
        departments = [d.name for d in data.DEPARTMENTS]
        absent = "财务部"
        state: dict[str, UUID] = {}

        def schedule() -> None:
            result = self.m.schedule(
                kind=MeetingKind.CONGRESS,
                topic=f"{held.year}年职工代表大会",
                scheduled_for=held,
                place="职工文体中心大礼堂",
                actor=chair,
            )
            state["id"] = result.id
            self.tally.meetings.append(result.id)
            self.tick()
            self.m.invite(result.id, departments=departments, actor=chair)
            self.at(held, hold)

        def hold() -> None:
            meeting_id = state["id"]
            attendance = [Attendee(UNION_CHAIR.id, "工会办公室")] + [
                Attendee(f"rep.{d.handler.id}", d.name)
                for d in data.DEPARTMENTS
                if d.name not in (absent, "工会办公室")
            ]
            self.m.hold(meeting_id, attendance=attendance, actor=chair)
            self.tally.congress += 1
            self.tick()
            self.m.record_minutes(
                meeting_id,
                minutes=(
                    "大会听取审议行政工作报告和工会工作报告，提案审查委员会报告提案征集情况，"
                    f"共收到职工代表提案{len(PROPOSALS)}件，全部立案。"
                ),
                actor=chair,
            )
            for k, (problem, solution, dept) in enumerate(PROPOSALS):
                self.tick()
                proposer, _ = self.people[k]
                deadline = self.office(
                    self.cal.local_date(held + timedelta(days=self.rng.randint(45, 120))), 17, 30
                )
                proposal = self.m.register_proposal(
                    meeting_id,
                    problem=problem,
                    solution=solution,
                    department=dept,
                    deadline=deadline,
                    proposer=proposer.employee_no,
                    actor=committee,
                )
                self.tally.proposals.append(proposal.id)
                self.plan_proposal(k, proposal.id, dept, held, deadline, committee)
            self.tick()
            self.m.record_decisions(
                meeting_id,
                decisions=[
                    "通过行政工作报告和工会工作报告",
                    "通过提案审查委员会关于提案处理意见的报告，提案交有关部门办理",
                ],
                actor=chair,
            )
            self.at(self.later(held, 4, 16), lambda: self.m.publish(meeting_id, actor=chair))

        self.at(self.before(held, 14), schedule)

    def plan_proposal(
        self,
        k: int,
        proposal_id: UUID,
        dept: str,
        held: datetime,
        deadline: datetime,
        committee: Actor,
    ) -> None:
        handler = data.handler_of(dept)
        late = k == 2

        def assign() -> None:
            self.m.publish_assignment(
                proposal_id,
                result=f"交{dept}牵头办理，{deadline.astimezone(CHINA_TZ):%Y年%m月%d日}前办结并反馈。",
                actor=committee,
            )
            self.tally.assigned += 1
            self.tally.assigned_late += late

        def complete() -> None:
            self.m.report_completion(
                proposal_id,
                text="提案已办理完毕，经提案人确认满意。",
                evidence_links=[f"https://huiyin.example/evidence/proposal-{k + 1}"],
                actor=handler,
            )
            self.tally.completed += 1

        assigned_at = self.later(held, 9 if late else 3, 11)
        self.at(assigned_at, assign)
        if k % 2 == 0:
            self.at(self.before(deadline, 7), complete)

    # -- summary -----------------------------------------------------------------------

    def summary(self) -> MeetingsSummary:
        t = self.tally
        meetings = [self.m.get_meeting(i) for i in t.meetings]
        held = [m for m in meetings if m.held_at is not None]
        return MeetingsSummary(
            start=self.start,
            end=self.end,
            meeting_ids=tuple(t.meetings),
            item_ids=tuple(t.items),
            proposal_ids=tuple(t.proposals),
            talks_by_tier={tier: t.talks[tier] for tier in Tier if t.talks[tier]},
            joint_meetings=t.joint,
            congresses=t.congress,
            action_items=len(t.items),
            items_accepted=t.accepted,
            items_rejected=t.rejected,
            items_overdue=t.overdue,
            proposals=len(t.proposals),
            assignments_published=t.assigned,
            assignments_late=t.assigned_late,
            completions=t.completed,
            late_publications=sum(m.published_late for m in held),
            absent_departments=sum(bool(m.absent_departments) for m in held),
            coverage_overrides=t.overrides,
            appeals_raised=t.appeals,
        )
