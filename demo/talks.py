"""Tier talks (慧谈) in the meetings demo: each tier's lead invites, holds and publishes."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import TYPE_CHECKING
from uuid import UUID

from demo.organisation import TIER_LEADS, UNION_STAFF, supervisor
from domain.actors import Actor, Role
from domain.appeal import Appellant
from domain.meeting_records import Attendee
from domain.meeting_terms import MeetingKind
from domain.terms import Tier

if TYPE_CHECKING:
    from demo.meetings import MeetingsRun

SECRETARY = UNION_STAFF[0]
PLACE = "工会职工之家二楼会议室"


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


def plan_talk(run: MeetingsRun, no: int, tier: Tier, held: datetime) -> None:
    lead = supervisor(TIER_LEADS[tier].id)
    state: dict[str, UUID] = {}
    chosen: list[tuple[Appellant, str]] = []

    def schedule() -> None:
        result = run.m.schedule(
            kind=MeetingKind.TIER_TALK,
            topic=TALK_TOPICS[tier],
            scheduled_for=held,
            place=PLACE,
            tier=tier,
            actor=lead,
        )
        state["id"] = result.id
        run.tally.meetings.append(result.id)
        run.tick()
        fresh = [p for p in run.people if p not in run.attended[tier]]
        chosen.extend(run.rng.sample(fresh, min(len(fresh), run.rng.randint(6, 8))))
        if no % 6 == 5 and run.attended[tier]:
            chosen.append(run.rng.choice(run.attended[tier]))
        ids = [p.employee_no for p, _ in chosen]
        recent = run.m.recent_attendees(tier).people
        reason = OVERRIDE_REASON if recent & set(ids) else None
        run.tally.overrides += reason is not None
        departments = sorted({home for _, home in chosen})
        run.m.invite(
            result.id,
            participants=ids,
            departments=departments,
            override_reason=reason,
            actor=lead,
        )
        run.at(held, hold)

    def hold() -> None:
        meeting_id = state["id"]
        came = list(chosen)
        if no % 4 == 1 and len(came) > 2:
            came = [p for p in came if p[1] != came[0][1]]  # a department did not come
        elif no % 3 == 0:
            came = came[:-1]  # one invitee was on shift
        run.m.hold(
            meeting_id,
            attendance=[Attendee(p.employee_no, home) for p, home in came],
            actor=lead,
        )
        run.tally.talks[tier] += 1
        run.attended[tier].extend(p for p in came if p not in run.attended[tier])
        if no % 3 == 1:
            run.tick()
            person, home = run.rng.choice(came)
            topic = run.rng.choice(run.talk_topics)
            run.m.raise_appeal(
                meeting_id,
                kind=topic.kind,
                category=topic.category,
                title=run.rng.choice(topic.titles),
                text=topic.text.format(dept=home),
                department=home,
                appellant=person,
                actor=Actor(SECRETARY.id, Role.UNION_STAFF),
            )
            run.tally.appeals += 1
        run.tick()
        run.m.record_minutes(
            meeting_id,
            minutes=(
                f"{TIER_LEADS[tier].name}主持{TALK_TOPICS[tier]}，{len(came)}名职工参加，"
                "逐一听取意见建议，现场能答复的当场答复，其余按程序转办督办。"
            ),
            actor=lead,
        )
        run.tick()
        run.m.publish(meeting_id, actor=lead)

    run.at(run.before(held, 4), schedule)
