"""The disclosure feed on PostgreSQL: only what the committee approved and published is public,
withdrawn entries stay listed as withdrawn, approval records the chain head, and a rebuild
gives the same rows as the live view."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import psycopg
import pytest

from api.bootstrap import Services
from application.casework import AppealDraft, Casework
from application.disclosures import Disclosures
from domain.actors import Actor, Role
from domain.appeal import Appellant
from domain.disclosure import DisclosureStatus, SubjectType
from domain.errors import ActionNotAllowed, InvalidInput
from domain.meeting_records import Attendee
from domain.meeting_terms import MeetingKind
from domain.terms import Channel, Kind
from infrastructure.database import conninfo
from projections.disclosure_feed import DisclosureFeedView, FeedQuery
from projections.view import APPLICATION_NAME
from tests.conftest import open_department, scoped
from tests.integration.runners import run_to_head

VIEW = "disclosure_feed"
CLERK = Actor("union-clerk-1", Role.UNION_STAFF)
MEMBER = Actor("committee-zhou", Role.COMMITTEE)
PUBLIC = (DisclosureStatus.PUBLISHED, DisclosureStatus.WITHDRAWN)


@pytest.fixture
def disclosures(services: Services, casework: Casework) -> Disclosures:
    """The disclosure use cases on the test database."""
    return services.disclosures


@pytest.fixture
def department(casework: Casework) -> str:
    """A department no other test uses, so the shared database's rows do not interfere."""
    return open_department(casework, "宣传部")


def _report(disclosures: Disclosures, department: str, title: str) -> uuid.UUID:
    return disclosures.propose(
        subject_type=SubjectType.PENALTIES_AND_CARDS,
        subject=department,
        title=title,
        body="本月召开慧谈6场，职工情绪平稳。",
        departments=[department],
        actor=CLERK,
    ).id


def _publish(disclosures: Disclosures, disclosure_id: uuid.UUID) -> int:
    disclosures.approve(disclosure_id, actor=MEMBER)
    return disclosures.publish(disclosure_id, actor=CLERK).position


def _feed(services: Services) -> DisclosureFeedView:
    return services.views.typed(VIEW, DisclosureFeedView)  # type: ignore[type-abstract]


def test_the_public_feed_lists_published_entries_newest_first_and_withdrawn_ones_marked(
    services: Services, disclosures: Disclosures, department: str
) -> None:
    first = _report(disclosures, department, "三月月报")
    _publish(disclosures, first)
    pending = _report(disclosures, department, "待审核月报")
    second = _report(disclosures, department, "四月月报")
    _publish(disclosures, second)
    position = disclosures.withdraw(second, reason="数字有误", actor=MEMBER).position
    feed = _feed(services)
    feed.wait(APPLICATION_NAME, position, timeout=10)

    page = feed.list_entries(FeedQuery(statuses=PUBLIC, department=department))
    queue = feed.list_entries(
        FeedQuery(statuses=(DisclosureStatus.PROPOSED,), department=department)
    )

    assert [e.id for e in page.entries] == [second, first]
    withdrawn, published = page.entries
    assert withdrawn.status is DisclosureStatus.WITHDRAWN
    assert withdrawn.withdrawal_reason == "数字有误"
    assert withdrawn.withdrawn_at is not None
    assert withdrawn.published_at is not None
    assert published.status is DisclosureStatus.PUBLISHED
    assert published.departments == [department]
    assert [e.id for e in queue.entries] == [pending]


def test_approval_records_the_chain_head_covering_the_proposal(
    services: Services, disclosures: Disclosures, department: str
) -> None:
    proposed = disclosures.propose(
        subject_type=SubjectType.PENALTIES_AND_CARDS,
        subject=department,  # penalties and cards name a department of the directory now
        title="2026年三月考核扣分",
        body=f"{department}：逾期未办理 -2分",
        departments=[department],
        actor=CLERK,
    )

    disclosures.approve(proposed.id, actor=MEMBER)

    head = disclosures.get(proposed.id).chain_head
    assert head is not None
    assert head.position >= proposed.position
    with psycopg.connect(conninfo(services.database_url)) as conn:
        row = conn.execute(
            "SELECT encode(link, 'hex') FROM huiyin_chain WHERE position = %s", (head.position,)
        ).fetchone()
    assert row is not None
    assert row[0] == head.link


def test_an_appeal_answer_discloses_its_published_reply_without_the_appellants_identity(
    services: Services, casework: Casework, disclosures: Disclosures, department: str
) -> None:
    appellant = Appellant(name="李秀英", employee_no="E77001", contact="13900007700")
    draft = AppealDraft(
        channel=Channel.DEPARTMENT_LIAISON,
        kind=Kind.COMPLAINT,
        category="canteen",
        title="夜班供餐",
        text="夜班食堂供餐时间太短",
        department=department,
        appellant=appellant,
    )
    appeal = casework.raise_appeal(draft, CLERK).id
    handler = scoped(casework, "publicity-handler-1", Role.DEPARTMENT, departments=[department])
    casework.transfer(appeal, department=department, supervisor="S-zhao", actor=CLERK)
    casework.reply(appeal, answer="延长至40分钟", basis="后勤管理办法第5条", actor=handler)
    with pytest.raises(ActionNotAllowed, match="reply has not been published"):
        disclosures.propose(
            subject_type=SubjectType.APPEAL_ANSWER, subject=str(appeal), title="答复", actor=CLERK
        )
    casework.publish_reply(appeal, public_text="夜班供餐时间自下月起延长至40分钟。", actor=CLERK)

    result = disclosures.propose(
        subject_type=SubjectType.APPEAL_ANSWER,
        subject=str(appeal),
        title="夜班供餐答复",
        actor=CLERK,
    )

    disclosure = disclosures.get(result.id)
    assert disclosure.body == "夜班供餐时间自下月起延长至40分钟。"
    assert disclosure.departments == [department]
    with pytest.raises(InvalidInput, match="appellant's name"):
        disclosures.propose(
            subject_type=SubjectType.APPEAL_ANSWER,
            subject=str(appeal),
            title="李秀英的诉求答复",
            actor=CLERK,
        )


def _rows(services: Services) -> list[dict[str, Any]]:
    with psycopg.connect(conninfo(services.database_url)) as conn, conn.cursor() as curs:
        curs.execute("SELECT * FROM disclosure_feed ORDER BY id")
        names = [column.name for column in curs.description or ()]
        return [dict(zip(names, row, strict=True)) for row in curs.fetchall()]


@pytest.fixture
def paused_feed(services: Services) -> Iterator[None]:
    """The session's disclosure feed runner, stopped for the test and started again after."""
    services.views.stop_runners([VIEW])
    yield
    services.views.start_runners([VIEW])


def test_a_rebuild_gives_the_same_rows_as_the_live_feed(
    services: Services, disclosures: Disclosures, department: str, paused_feed: None
) -> None:
    published = _report(disclosures, department, "五月月报")
    _publish(disclosures, published)
    returned = _report(disclosures, department, "退回月报")
    disclosures.return_(returned, reason="请补充措施", actor=MEMBER)
    disclosures.revise(returned, title="退回月报（修订）", body="补充了措施", actor=CLERK)
    disclosures.withdraw(published, reason="已更正", actor=MEMBER)
    head = run_to_head(services, VIEW)
    view = services.views.get(VIEW)
    live = _rows(services)
    assert any(row["id"] == returned and row["title"] == "退回月报（修订）" for row in live)

    replayed = services.views.rebuild(VIEW)

    assert 0 < replayed <= head  # positions may have gaps (rolled-back writes)
    assert _rows(services) == live
    assert view.position() == head


def test_a_proposal_assignment_is_disclosed_only_once_its_result_is_published(
    services: Services, disclosures: Disclosures, department: str
) -> None:
    meetings = services.meetings
    congress = meetings.schedule(
        kind=MeetingKind.CONGRESS,
        topic="Annual workers' congress",
        scheduled_for=datetime.now(UTC) + timedelta(minutes=5),
        place="Auditorium",
        actor=CLERK,
    ).id
    meetings.invite(congress, participants=["R1"], actor=CLERK)
    meetings.hold(congress, attendance=[Attendee("R1")], actor=CLERK)
    proposal_id = meetings.register_proposal(
        congress,
        problem="The bath house closes early.",
        solution="Open until 07:00.",
        department=department,
        deadline=datetime.now(UTC) + timedelta(days=60),
        actor=CLERK,
    ).id

    def propose() -> uuid.UUID:
        return disclosures.propose(
            subject_type=SubjectType.PROPOSAL_ASSIGNMENT,
            subject=str(proposal_id),
            title="提案交办结果",
            body="浴室开放时间延长至07:00，后勤负责，五月前完成。",
            departments=[department],
            actor=CLERK,
        ).id

    with pytest.raises(InvalidInput, match="assignment result is not published"):
        propose()
    meetings.publish_assignment(proposal_id, result="Logistics, by May", actor=CLERK)

    disclosure = disclosures.get(propose())
    assert disclosure.subject == str(proposal_id)
    assert disclosure.status is DisclosureStatus.PROPOSED
