"""The workers' congress (职代会) in the meetings demo: its proposals, their assignments
(one published late) and completions."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING
from uuid import UUID

from demo.organisation import DEPARTMENTS, PROPOSAL_COMMITTEE, UNION_CHAIR, handler_of
from domain.actors import Actor, Role
from domain.calendar import CHINA_TZ
from domain.meeting_records import Attendee
from domain.meeting_terms import MeetingKind

if TYPE_CHECKING:
    from demo.meetings import MeetingsRun


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


def plan_congress(run: MeetingsRun, held: datetime) -> None:
    committee = Actor(PROPOSAL_COMMITTEE.id, Role.COMMITTEE)
    chair = Actor(UNION_CHAIR.id, Role.UNION_STAFF)
    departments = [d.name for d in DEPARTMENTS]
    absent = "财务部"
    state: dict[str, UUID] = {}

    def schedule() -> None:
        result = run.m.schedule(
            kind=MeetingKind.CONGRESS,
            topic=f"{held.year}年职工代表大会",
            scheduled_for=held,
            place="职工文体中心大礼堂",
            actor=chair,
        )
        state["id"] = result.id
        run.tally.meetings.append(result.id)
        run.tick()
        run.m.invite(result.id, departments=departments, actor=chair)
        run.at(held, hold)

    def hold() -> None:
        meeting_id = state["id"]
        attendance = [Attendee(UNION_CHAIR.id, "工会办公室")] + [
            Attendee(f"rep.{d.handler.id}", d.name)
            for d in DEPARTMENTS
            if d.name not in (absent, "工会办公室")
        ]
        run.m.hold(meeting_id, attendance=attendance, actor=chair)
        run.tally.congress += 1
        run.tick()
        run.m.record_minutes(
            meeting_id,
            minutes=(
                "大会听取审议行政工作报告和工会工作报告，提案审查委员会报告提案征集情况，"
                f"共收到职工代表提案{len(PROPOSALS)}件，全部立案。"
            ),
            actor=chair,
        )
        for k, (problem, solution, dept) in enumerate(PROPOSALS):
            run.tick()
            proposer, _ = run.people[k]
            deadline = run.office(
                run.cal.local_date(held + timedelta(days=run.rng.randint(45, 120))), 17, 30
            )
            proposal = run.m.register_proposal(
                meeting_id,
                problem=problem,
                solution=solution,
                department=dept,
                deadline=deadline,
                proposer=proposer.employee_no,
                actor=committee,
            )
            run.tally.proposals.append(proposal.id)
            plan_proposal(run, k, proposal.id, dept, held, deadline, committee)
        run.tick()
        run.m.record_decisions(
            meeting_id,
            decisions=[
                "通过行政工作报告和工会工作报告",
                "通过提案审查委员会关于提案处理意见的报告，提案交有关部门办理",
            ],
            actor=chair,
        )
        run.at(run.later(held, 4, 16), lambda: run.m.publish(meeting_id, actor=chair))

    run.at(run.before(held, 14), schedule)


def plan_proposal(
    run: MeetingsRun,
    k: int,
    proposal_id: UUID,
    dept: str,
    held: datetime,
    deadline: datetime,
    committee: Actor,
) -> None:
    handler = handler_of(dept)
    late = k == 2

    def assign() -> None:
        run.m.publish_assignment(
            proposal_id,
            result=f"交{dept}牵头办理，{deadline.astimezone(CHINA_TZ):%Y年%m月%d日}前办结并反馈。",
            actor=committee,
        )
        run.tally.assigned += 1
        run.tally.assigned_late += late

    def complete() -> None:
        run.m.report_completion(
            proposal_id,
            text="提案已办理完毕，经提案人确认满意。",
            evidence_links=[f"https://huiyin.example/evidence/proposal-{k + 1}"],
            actor=handler,
        )
        run.tally.completed += 1

    assigned_at = run.later(held, 9 if late else 3, 11)
    run.at(assigned_at, assign)
    if k % 2 == 0:
        run.at(run.before(deadline, 7), complete)
