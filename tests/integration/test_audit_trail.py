"""The audit trail on PostgreSQL: one flattened row per event, no personal data, rebuildable."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from uuid import UUID

import psycopg
import pytest

from api.bootstrap import Services
from application.casework import AppealDraft, Casework
from domain.actors import Actor, Role
from domain.appeal import Appellant
from domain.policy import Permission
from domain.terms import Channel, Kind, Outcome, Rating
from infrastructure.database import conninfo
from projections.audit_entries import PERSON_ACTOR
from projections.audit_trail import AuditQuery, AuditTrailView
from projections.scope import ReadScope
from projections.view import APPLICATION_NAME
from tests.conftest import open_department, scoped
from tests.integration.runners import run_to_head

CLERK = Actor("union-clerk-7", Role.UNION_STAFF)
HANDLER_ID = "logistics-handler-3"


def _unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


@dataclass(frozen=True)
class Lifecycle:
    """A named appeal taken from raising to closing, and what the test needs to know."""

    appeal_id: UUID
    case_number: str
    appellant: Appellant
    raised_in: str
    transferred_to: str
    handler: Actor  # the handler of `transferred_to`
    position: int


def _whole_lifecycle(casework: Casework) -> Lifecycle:
    appellant = Appellant("司马长风", _unique("E"), "13700009999")
    employee = Actor(appellant.employee_no, Role.EMPLOYEE)
    raised_in = open_department(casework, "综采一队")
    transferred_to = open_department(casework, "后勤服务中心")
    handler = scoped(casework, HANDLER_ID, Role.DEPARTMENT, departments=[transferred_to])
    draft = AppealDraft(
        Channel.GRID_LIAISON,
        Kind.COMPLAINT,
        "canteen",
        "夜班食堂供餐时间太短",
        "夜班下井前食堂只开放20分钟",
        department=raised_in,
        appellant=appellant,
    )
    raised = casework.raise_appeal(draft, employee)
    appeal_id = raised.id
    casework.transfer(
        appeal_id, department=transferred_to, supervisor="union-vice-chair", actor=CLERK
    )
    casework.acknowledge(appeal_id, note="已受理", actor=handler)
    casework.reply(appeal_id, answer="供餐延长至40分钟", basis="后勤管理办法第5条", actor=handler)
    casework.publish_reply(appeal_id, public_text="夜班供餐延长至40分钟", actor=CLERK)
    casework.rate(appeal_id, rating=Rating.SATISFIED, comment="满意", actor=employee)
    closed = casework.close_appeal(appeal_id, outcome=Outcome.RESOLVED, note="", actor=CLERK)
    return Lifecycle(
        appeal_id,
        raised.case_number,
        appellant,
        raised_in,
        transferred_to,
        handler,
        closed.position,
    )


def _trail(services: Services, position: int) -> AuditTrailView:
    view = services.views.typed("audit_trail", AuditTrailView)  # type: ignore[type-abstract]
    view.wait(APPLICATION_NAME, position, timeout=10)
    return view


def _raw(services: Services, sql: str, params: tuple[Any, ...] = ()) -> list[dict[str, Any]]:
    with psycopg.connect(conninfo(services.database_url)) as conn, conn.cursor() as curs:
        curs.execute(sql, params)
        names = [column.name for column in curs.description or ()]
        return [dict(zip(names, row, strict=True)) for row in curs.fetchall()]


def test_an_appeals_whole_life_is_flattened_into_one_row_per_event(
    services: Services, casework: Casework
) -> None:
    case = _whole_lifecycle(casework)

    rows = _trail(services, case.position).case_trail(case.appeal_id)

    assert [(r.version, r.event_type) for r in rows] == [
        (1, "Raised"),
        (2, "Transferred"),
        (3, "Acknowledged"),
        (4, "Replied"),
        (5, "ReplyPublished"),
        (6, "Rated"),
        (7, "Closed"),
    ]
    assert [r.position for r in rows] == sorted(r.position for r in rows)
    assert rows[-1].position == case.position
    assert {r.case_type for r in rows} == {"appeal"}
    assert {r.case_ref for r in rows} == {case.case_number}
    # The appellant acting in person is kept as their reference, with their id sealed.
    person = rows[0].actor_id
    assert person.startswith(PERSON_ACTOR)
    assert [(r.actor_id, r.actor_role) for r in rows] == [
        (person, "employee"),
        ("union-clerk-7", "union_staff"),
        ("logistics-handler-3", "department"),
        ("logistics-handler-3", "department"),
        ("union-clerk-7", "union_staff"),
        (person, "employee"),
        ("union-clerk-7", "union_staff"),
    ]
    in_person = [r.actor_token is not None for r in rows]
    assert in_person == [True, False, False, False, False, True, False]
    # The department an event names, else the one the case is with at that point.
    assert [r.department for r in rows] == [case.raised_in] + [case.transferred_to] * 6
    assert rows[0].summary == f"登记诉求 {case.case_number} (grid_liaison, complaint)"
    assert rows[1].summary.startswith(f"转办至 {case.transferred_to} (deadline 20")
    assert rows[3].summary == f"{case.transferred_to} 答复"
    assert rows[5].summary == "评价: satisfied"
    assert rows[6].summary == "办结 (resolved)"
    assert rows[1].data["department"] == case.transferred_to
    assert rows[1].data["reply_deadline"]["act"] == "reply"
    assert all(r.at.tzinfo is not None for r in rows)


def test_no_personal_data_reaches_the_view_tables(services: Services, casework: Casework) -> None:
    case = _whole_lifecycle(casework)
    _trail(services, case.position)

    trail = _raw(
        services, "SELECT t::text AS row FROM audit_trail t WHERE case_id = %s", (case.appeal_id,)
    )
    cases = _raw(
        services,
        "SELECT c::text AS row FROM audit_trail_cases c WHERE case_id = %s",
        (case.appeal_id,),
    )

    assert len(trail) == 7
    assert len(cases) == 1
    stored = "\n".join(r["row"] for r in trail + cases)
    for secret in (case.appellant.name, case.appellant.employee_no, case.appellant.contact):
        assert secret not in stored
    raised = _raw(
        services,
        "SELECT data->'appellant' AS appellant FROM audit_trail"
        " WHERE case_id = %s AND event_type = 'Raised'",
        (case.appeal_id,),
    )
    # Each field of the appellant is kept sealed: `{"sealed": "i.<their key>.<bytes>"}`.
    [row] = raised
    appellant = row["appellant"]
    assert set(appellant) == {"name", "employee_no", "contact"}
    tokens = [field["sealed"] for field in appellant.values()]
    assert {token.split(".")[0] for token in tokens} == {"i"}  # identity
    assert len({token.split(".")[1] for token in tokens}) == 1  # one person's key


def test_rows_are_found_by_department_actor_type_and_time(
    services: Services, casework: Casework
) -> None:
    case = _whole_lifecycle(casework)
    view = _trail(services, case.position)
    rows = view.case_trail(case.appeal_id)

    by_department = view.find(AuditQuery(department=case.transferred_to, limit=500)).rows
    assert [r.event_type for r in by_department] == [
        "Transferred",
        "Acknowledged",
        "Replied",
        "ReplyPublished",
        "Rated",
        "Closed",
    ]
    replies = view.find(AuditQuery(department=case.transferred_to, event_type="Replied")).rows
    assert [r.position for r in replies] == [rows[3].position]
    handled = view.find(AuditQuery(case_id=case.appeal_id, actor_id=HANDLER_ID)).rows
    assert [r.event_type for r in handled] == ["Acknowledged", "Replied"]
    window = view.find(
        AuditQuery(
            case_id=case.appeal_id,
            occurred_from=rows[2].at,
            occurred_before=rows[4].at,
        )
    ).rows
    assert [r.version for r in window] == [3, 4]

    # A department reads the rows of its own departments only.
    in_scope = ReadScope.of(case.handler, Permission.AUDIT_READ)
    scoped_rows = view.find(AuditQuery(case_id=case.appeal_id, scope=in_scope)).rows
    assert [r.version for r in scoped_rows] == [2, 3, 4, 5, 6, 7]
    assert view.case_trail(case.appeal_id, in_scope) == scoped_rows
    elsewhere = scoped(
        casework, "other-handler-3", Role.DEPARTMENT, departments=[open_department(casework)]
    )
    out_of_scope = ReadScope.of(elsewhere, Permission.AUDIT_READ)
    assert view.find(AuditQuery(case_id=case.appeal_id, scope=out_of_scope)).rows == []

    first = view.find(AuditQuery(case_id=case.appeal_id, limit=4))
    rest = view.find(AuditQuery(case_id=case.appeal_id, limit=4, after=first.next_after))
    assert first.next_after == rows[3].position
    assert [r.version for r in first.rows + rest.rows] == [1, 2, 3, 4, 5, 6, 7]
    assert rest.next_after is None


def test_an_export_reads_every_matching_row_in_chunks(
    services: Services, casework: Casework, monkeypatch: pytest.MonkeyPatch
) -> None:
    department = open_department(casework, "机电科")
    positions = [
        casework.raise_appeal(
            AppealDraft(
                Channel.DEPARTMENT_LIAISON,
                Kind.QUESTION,
                "pay",
                f"加班费 {n}",
                "十月加班费比往常少",
                department=department,
                appellant=Appellant("王五", _unique("E")),
            ),
            CLERK,
        ).position
        for n in range(5)
    ]
    view = _trail(services, positions[-1])
    monkeypatch.setattr("infrastructure.audit_trail_view.EXPORT_CHUNK", 2)

    exported = list(view.export_rows(AuditQuery(department=department)))

    assert [r.position for r in exported] == positions
    assert [r.data["title"]["sealed"].startswith("w.") for r in exported] == [True] * 5


@pytest.fixture
def paused_audit_trail(services: Services) -> Iterator[None]:
    """The session's audit-trail runner, stopped for the test and started again after it."""
    services.views.stop_runners(["audit_trail"])
    yield
    services.views.start_runners(["audit_trail"])


def test_a_rebuild_gives_the_same_rows_as_the_live_view(
    services: Services, casework: Casework, paused_audit_trail: None
) -> None:
    case = _whole_lifecycle(casework)
    head = run_to_head(services, "audit_trail")
    query = "SELECT * FROM {} ORDER BY 1"
    live = [_raw(services, query.format(t)) for t in ("audit_trail", "audit_trail_cases")]
    assert any(row["case_id"] == case.appeal_id for row in live[0])

    replayed = services.views.rebuild("audit_trail")

    assert 0 < replayed <= head  # positions may have gaps (rolled-back writes)
    assert [_raw(services, query.format(t)) for t in ("audit_trail", "audit_trail_cases")] == live
    assert services.views.get("audit_trail").position() == head
