"""Erasure over HTTP (PIPL art. 47): a person asked to be forgotten reads as erased in every
place that showed them, while every count, every other person's data and the hash chain
stay exactly as they were."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import psycopg
import pytest
from fastapi.testclient import TestClient

from api.bootstrap import Services
from application.casework import Casework
from application.clock import ManualClock
from domain.actors import Role
from domain.calendar import CHINA_TZ
from domain.personal_data import is_erased
from infrastructure.database import conninfo
from infrastructure.view_registry import VIEWS
from tests.api.conftest import Headers, named_appeal
from tests.api.test_meetings_http import tier_talk
from tests.conftest import open_department

PROBLEM = "application/problem+json"
NAME, PHONE = "林晓燕", "13655554444"
TITLE = "林晓燕的夜班补贴少发"
TEXT = "我是林晓燕，十月夜班补贴少发三百元，电话13655554444。"
COMMENT = "林晓燕：基本满意"


@dataclass
class World:
    """One employee's footprint: a named appeal they raised and rated themselves, and a
    talk they were invited to and attended; another employee's appeal beside it."""

    person: str
    stays: str  # another employee at the same talk
    department: str
    appeal: dict[str, Any]
    other: dict[str, Any]
    meeting: str
    employee: Headers
    staff: Headers
    position: int


def _post(client: TestClient, path: str, headers: Headers, body: Any = None) -> dict[str, Any]:
    done = client.post(path, json=body, headers=headers)
    assert done.status_code in (200, 201), done.text
    result: dict[str, Any] = done.json()
    return result


@pytest.fixture
def world(
    client: TestClient, casework: Casework, staff: Headers, auth: Callable[..., Headers]
) -> World:
    person, stays = f"E{uuid.uuid4().hex[:8]}", f"E{uuid.uuid4().hex[:8]}"
    department = open_department(casework, "删除测试")
    employee = auth(person, Role.EMPLOYEE)
    handler = auth("erasure-handler", Role.DEPARTMENT, departments=[department])
    appeal = _post(
        client,
        "/appeals",
        employee,
        named_appeal(
            title=TITLE,
            text=TEXT,
            department=department,
            appellant={"name": NAME, "employee_no": person, "contact": PHONE},
        ),
    )
    path = f"/appeals/{appeal['id']}"
    _post(client, f"{path}/transfer", staff, {"department": department, "supervisor": "s"})
    _post(client, f"{path}/reply", handler, {"answer": "补发三百元", "basis": "薪酬制度第7条"})
    _post(client, f"{path}/publish", staff, {"public_text": "十月夜班补贴已补发"})
    _post(client, f"{path}/rate", employee, {"rating": "satisfied", "comment": COMMENT})
    other = _post(client, "/appeals", staff, named_appeal(department=department))
    meeting = _post(client, "/meetings", staff, tier_talk())["id"]
    _post(client, f"/meetings/{meeting}/invite", staff, {"participants": [person, stays]})
    held = _post(
        client,
        f"/meetings/{meeting}/hold",
        staff,
        {"attendance": [{"person_id": person}, {"person_id": stays}]},
    )
    return World(
        person, stays, department, appeal, other, meeting, employee, staff, held["position"]
    )


@pytest.fixture
def members(auth: Callable[..., Headers]) -> tuple[Headers, Headers]:
    """Two union committee members: one asks, the other confirms."""
    return auth("committee-ask", Role.COMMITTEE), auth("committee-check", Role.COMMITTEE)


def _erase(client: TestClient, members: tuple[Headers, Headers], person: str) -> dict[str, Any]:
    asker, checker = members
    requested = _post(
        client,
        f"/people/{person}/erasure",
        asker,
        {"reason": "本人申请：已调离", "legal_basis": "purpose_fulfilled"},
    )
    return _post(client, f"/erasures/{requested['id']}/confirm", checker)


def _counts(client: TestClient, world: World, after: int) -> dict[str, Any]:
    """Every figure the department's appeals give, and the cases behind one."""
    params = {"group_by": "department", "period": "2026", "after": str(after)}
    table = client.get("/metrics/appeals", params=params, headers=world.staff).json()
    row = next(r for r in table["rows"] if r["key"] == world.department)
    cases = client.get(
        "/metrics/appeals/cases",
        params={
            "department": world.department,
            "period": "2026",
            "figure": "raised",
            "after": str(after),
        },
        headers=world.staff,
    ).json()
    return {"row": row, "cases": sorted(c["case_number"] for c in cases["cases"])}


def _view_rows(services: Services) -> str:
    """Every row of every view table, as text, in order."""
    with psycopg.connect(conninfo(services.database_url)) as conn:
        return "\n".join(
            row[0]
            for spec in VIEWS.values()
            for table in spec.view.tables
            for row in conn.execute(f"SELECT t::text FROM {table} t ORDER BY 1")  # noqa: S608
        )


def _published_answer(client: TestClient, world: World, member: Headers) -> list[Any]:
    """The appeal's answer, proposed, approved and published; the department's public feed."""
    created = _post(
        client,
        "/disclosures",
        world.staff,
        {"subject_type": "appeal_answer", "subject": world.appeal["id"], "title": "补贴答复"},
    )
    path = f"/disclosures/{created['id']}"
    _post(client, f"{path}/approve", member)
    published = _post(client, f"{path}/publish", world.staff)
    public = client.get(
        "/public/disclosures",
        params={"department": world.department, "after": published["position"]},
    ).json()
    entries: list[Any] = public["items"]
    return entries


def test_an_erased_person_reads_as_erased_everywhere_and_nothing_else_changes(
    client: TestClient,
    services: Services,
    world: World,
    members: tuple[Headers, Headers],
    clock: ManualClock,
) -> None:
    public = _published_answer(client, world, members[1])
    clock.set(datetime(2027, 1, 4, 10, 0, tzinfo=CHINA_TZ))  # December is over
    report = _post(client, "/monthly-reports", world.staff, {"month": "2026-12"})
    report_before = client.get("/monthly-reports/2026-12", headers=world.staff).json()
    before = _counts(client, world, report["position"])
    other_before = client.get(f"/appeals/{world.other['id']}", headers=world.staff).json()
    assert client.get("/me", headers=world.employee).status_code == 200

    erasure = _erase(client, members, world.person)

    assert erasure["status"] == "completed"
    assert erasure["keys_destroyed"] == 1
    assert erasure["tokens_deleted"] == 1
    assert erasure["subject_erased"] is True
    staff = world.staff
    # The case: identity and their own words read as erased; the union's work stays.
    appeal = client.get(f"/appeals/{world.appeal['id']}", headers=staff).json()
    assert appeal["appellant_erased"] is True
    assert all(is_erased(value) for value in appeal["appellant"].values() if value)
    assert is_erased(appeal["title"])
    assert is_erased(appeal["text"])
    assert is_erased(appeal["rating_comment"])
    assert appeal["reply"]["answer"] == "补发三百元"
    assert appeal["status"] == "rated"
    # Its history: the same events, the person erased in each.
    history = client.get(f"/appeals/{world.appeal['id']}/history", headers=staff).json()
    assert [e["type"] for e in history["events"]] == [
        "Raised",
        "Transferred",
        "Replied",
        "ReplyPublished",
        "Rated",
    ]
    assert is_erased(history["events"][0]["actor"]["id"])
    # Lists, the audit trail and its exports, the talk they attended.
    listed = client.get(
        "/appeals",
        params={"department": world.department, "after": erasure["position"]},
        headers=staff,
    ).json()["items"]
    assert {row["id"]: row["title"] for row in listed}[world.appeal["id"]].startswith("[erased")
    trail = client.get(f"/audit/cases/{world.appeal['id']}", headers=staff).text
    exported = client.get(
        "/audit/export.jsonl", params={"case_id": world.appeal["id"]}, headers=staff
    ).text
    meeting = client.get(f"/meetings/{world.meeting}", headers=staff).json()
    meeting_history = client.get(f"/meetings/{world.meeting}/history", headers=staff).text
    for shown in (
        json.dumps(appeal, ensure_ascii=False),
        str(history),
        trail,
        exported,
        json.dumps(meeting, ensure_ascii=False),
        meeting_history,
    ):
        for secret in (NAME, PHONE, world.person, "夜班补贴少发"):
            assert secret not in shown
    assert [is_erased(p) for p in meeting["participants"]] == [True, False]
    assert meeting["attendance"][1]["person_id"] == world.stays
    # Their token is gone; everyone else's data is untouched; every figure is the same.
    assert client.get("/me", headers=world.employee).status_code == 401
    assert client.get(f"/appeals/{world.other['id']}", headers=staff).json() == other_before
    assert _counts(client, world, erasure["position"]) == before
    # What was published carried no personal data, and stays as it was; so does the report.
    after = {"department": world.department, "after": erasure["position"]}
    assert client.get("/public/disclosures", params=after).json()["items"] == public
    assert client.get("/monthly-reports/2026-12", headers=staff).json() == report_before


def test_views_rebuilt_after_an_erasure_give_the_same_rows_and_the_chain_still_verifies(
    client: TestClient,
    services: Services,
    world: World,
    members: tuple[Headers, Headers],
) -> None:
    _erase(client, members, world.person)
    head = services.views.head()
    for name in VIEWS:
        services.views.get(name).wait("Huiyin", head, timeout=10)
    live = _view_rows(services)

    services.views.stop_runners(list(VIEWS))
    try:
        for name in VIEWS:
            services.views.rebuild(name)
    finally:
        services.views.start_runners(list(VIEWS))

    assert _view_rows(services) == live
    for secret in (NAME, PHONE, world.person):
        assert secret not in live
    services.chain.catch_up()
    assert services.chain.verify().passed


def test_the_store_key_alone_opens_no_ones_personal_data(services: Services, world: World) -> None:
    """Each person's data is sealed under their own key inside the encrypted event: the
    key that opens the events as a whole shows none of it, before or after erasure."""
    with psycopg.connect(conninfo(services.database_url)) as conn:
        states = [
            bytes(row[0])
            for row in conn.execute(
                "SELECT state FROM huiyin_events WHERE originator_id = ANY(%s)",
                ([uuid.UUID(world.appeal["id"]), uuid.UUID(world.meeting)],),
            )
        ]
    opened = [services.casework.mapper.cipher.decrypt(state).decode() for state in states]  # type: ignore[union-attr]

    assert len(opened) >= 5
    for secret in (NAME, PHONE, world.person, "夜班补贴少发"):
        assert all(secret not in text for text in opened)
    assert any('"_type_":"pd"' in text for text in opened)


def test_the_member_who_asked_may_not_confirm_and_a_request_can_be_withdrawn(
    client: TestClient, world: World, members: tuple[Headers, Headers]
) -> None:
    asker, checker = members
    requested = _post(
        client,
        f"/people/{world.person}/erasure",
        asker,
        {"reason": "本人申请", "legal_basis": "consent_withdrawn"},
    )

    own = client.post(f"/erasures/{requested['id']}/confirm", headers=asker)
    withdrawn = client.post(
        f"/erasures/{requested['id']}/cancel", json={"reason": "本人撤回申请"}, headers=asker
    )
    again = client.post(f"/erasures/{requested['id']}/confirm", headers=checker)

    assert (own.status_code, own.headers["content-type"]) == (403, PROBLEM)
    assert withdrawn.json()["status"] == "cancelled"
    assert again.status_code == 409
    appeal = client.get(f"/appeals/{world.appeal['id']}", headers=world.staff).json()
    assert appeal["appellant"]["name"] == NAME  # nothing was erased


def test_who_may_ask_confirm_and_read_an_erasure(
    client: TestClient,
    world: World,
    members: tuple[Headers, Headers],
    auth: Callable[..., Headers],
) -> None:
    body = {"reason": "本人申请", "legal_basis": "purpose_fulfilled"}
    refused = client.post(f"/people/{world.person}/erasure", json=body, headers=world.staff)
    officer = client.post("/people/union-clerk-1/erasure", json=body, headers=members[0])
    bad = client.post(
        f"/people/{world.person}/erasure",
        json={"reason": "", "legal_basis": "because"},
        headers=members[0],
    )
    erasure = _erase(client, members, world.person)
    auditor = auth("auditor-erasure", Role.AUDITOR)
    for_auditor = client.get(f"/erasures/{erasure['id']}", headers=auditor).json()

    assert refused.status_code == 403
    assert officer.status_code == 409  # holds a role: their work in office stays on record
    assert "revoke their roles first" in officer.json()["detail"]
    assert bad.status_code == 422
    assert for_auditor["status"] == "completed"
    assert for_auditor["legal_basis"] == "purpose_fulfilled"
    assert for_auditor["requested_by"] == "committee-ask"
    assert for_auditor["confirmed_by"] == "committee-check"
    assert world.person not in json.dumps(for_auditor)
