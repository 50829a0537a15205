"""The quarterly joint meetings of HR and the union in the meetings demo, and the action items
taken from their decisions (accepted, rejected and accepted, marked overdue)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING
from uuid import UUID

from demo.agenda import Step
from demo.organisation import DEPARTMENT_BY_NAME, TIER_LEADS, UNION_CHAIR, handler_of
from domain.actors import Actor, Role
from domain.meeting_policy import Quarter
from domain.meeting_records import Attendee
from domain.meeting_terms import MeetingKind
from domain.terms import Tier

if TYPE_CHECKING:
    from demo.meetings import MeetingsRun

HR_HEAD = TIER_LEADS[Tier.FUNCTIONAL_OFFICES]


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


def plan_joint(run: MeetingsRun, no: int, quarter: Quarter, held: datetime) -> None:
    hr = Actor(HR_HEAD.id, Role.HR)
    chair = Actor(UNION_CHAIR.id, Role.UNION_STAFF)
    decisions = [JOINT_DECISIONS[(2 * no + k) % len(JOINT_DECISIONS)] for k in range(3)]
    departments = sorted(
        {"人力资源部", "工会办公室"} | {dept for _, dept, _ in decisions} | {"安监处"}
    )
    absent = departments[-1] if no % 2 == 1 else None
    state: dict[str, UUID] = {}

    def schedule() -> None:
        result = run.m.schedule(
            kind=MeetingKind.JOINT_MEETING,
            topic=f"{quarter} 人力资源部与工会季度联席会",
            scheduled_for=held,
            place="机关三楼会议室",
            quarter=quarter,
            actor=hr,
        )
        state["id"] = result.id
        run.tally.meetings.append(result.id)
        run.tick()
        run.m.invite(
            result.id,
            participants=[HR_HEAD.id, UNION_CHAIR.id],
            departments=departments,
            actor=hr,
        )
        run.at(held, hold)

    def hold() -> None:
        meeting_id = state["id"]
        attendance = [
            Attendee(HR_HEAD.id, "人力资源部"),
            Attendee(UNION_CHAIR.id, "工会办公室"),
        ]
        attendance += [
            Attendee(DEPARTMENT_BY_NAME[d].handler.id, d)
            for d in departments
            if d not in ("人力资源部", "工会办公室", absent)
        ]
        run.m.hold(meeting_id, attendance=attendance, actor=hr)
        run.tally.joint += 1
        run.tick()
        run.m.record_minutes(
            meeting_id,
            minutes=(
                f"{quarter}季度联席会由人力资源部部长{HR_HEAD.name}、工会主席{UNION_CHAIR.name}"
                "共同主持，通报上季度事项办理情况，研究职工集中反映的问题，形成事项清单。"
            ),
            actor=hr,
        )
        run.tick()
        run.m.record_decisions(meeting_id, decisions=[text for text, _, _ in decisions], actor=hr)
        for k, (text, dept, criteria) in enumerate(decisions, start=1):
            run.tick()
            deadline = run.office(
                run.cal.local_date(held + timedelta(days=run.rng.randint(20, 40))), 17, 30
            )
            item = run.m.create_action_item(
                meeting_id,
                decision_ref=f"D{k}",
                task=text,
                department=dept,
                deadline=deadline,
                acceptance_criteria=criteria,
                actor=hr,
            )
            run.tally.items.append(item.id)
            plan_item(run, item.id, dept, deadline, chair)
        late = no == 1 or (no > 1 and not run.late_joint_done)
        run.late_joint_done |= late
        run.at(run.later(held, 5 if late else 2, 15), lambda: publish(meeting_id))

    def publish(meeting_id: UUID) -> None:
        run.m.publish(meeting_id, actor=hr)

    run.at(run.before(held, 7), schedule)


def plan_item(run: MeetingsRun, item_id: UUID, dept: str, deadline: datetime, chair: Actor) -> None:
    """Takes an action item through one of its stories."""
    handler = handler_of(dept)
    story = ("accepted", "rejected", "overdue", "accepted", "progress")[run.item_no % 5]
    run.item_no += 1
    submit_at = deadline - timedelta(days=run.rng.randint(4, 8))

    def submit(note: str) -> Step:
        return lambda: run.m.submit_for_acceptance(item_id, note=note, actor=handler)

    def accept() -> None:
        run.m.accept_item(item_id, actor=chair, note="经验收符合标准")
        run.tally.accepted += 1

    def reject() -> None:
        run.m.reject_item(item_id, reason=REJECT_REASON, actor=chair)
        run.tally.rejected += 1

    def overdue() -> None:
        run.m.mark_item_overdue(item_id, actor=chair)
        run.tally.overdue += 1

    def progress() -> None:
        run.m.report_progress(item_id, note=PROGRESS_NOTE, actor=handler)

    run.at(submit_at - timedelta(days=10), progress)
    if story == "accepted":
        run.at(submit_at, submit(SUBMIT_NOTES[0]))
        run.at(run.later(submit_at, 1, 15), accept)
    elif story == "rejected":
        run.at(submit_at, submit(SUBMIT_NOTES[0]))
        run.at(run.later(submit_at, 1, 15), reject)
        run.at(run.later(submit_at, 3, 10), submit(SUBMIT_NOTES[1]))
        run.at(run.later(submit_at, 4, 15), accept)
    elif story == "overdue":
        marked = run.later(deadline, 1, 9)
        run.at(marked, overdue)
        run.at(run.later(marked, 5, 10), submit(SUBMIT_NOTES[1]))
        run.at(run.later(marked, 6, 15), accept)
