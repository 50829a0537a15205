"""Disclosures over HTTP: committee review, then public JSON and Atom feeds anyone can read."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import datetime
from typing import Any
from urllib.parse import quote
from xml.etree import ElementTree as ET

import pytest
from fastapi.testclient import TestClient

from application.casework import Casework
from application.clock import ManualClock
from domain.actors import Role
from domain.calendar import CHINA_TZ
from tests.conftest import open_department

Headers = dict[str, str]
ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture
def member(auth: Callable[..., Headers]) -> Headers:
    """A union committee member (工会委员会), who reviews."""
    return auth("committee-zhou", Role.COMMITTEE)


@pytest.fixture
def department(casework: Casework) -> str:
    """A department no other test uses, opened in the directory (its code)."""
    return open_department(casework, "安全监察部")


def _propose(client: TestClient, headers: Headers, department: str, **extra: Any) -> Any:
    body = {
        "subject_type": "penalties_and_cards",
        "subject": department,  # the department whose penalties and cards these are
        "title": "三月考核扣分与红黄牌",
        "body": f"{department}：推诿扯皮 -1分；黄牌预警，限期整改。",
        "departments": [department],
        **extra,
    }
    response = client.post("/disclosures", json=body, headers=headers)
    assert response.status_code == 201, response.text
    return response.json()


def _published(client: TestClient, staff: Headers, member: Headers, department: str) -> str:
    return _publish(client, staff, member, department)[0]


def _publish(
    client: TestClient, staff: Headers, member: Headers, department: str
) -> tuple[str, int]:
    """Proposes, approves and publishes; the id and the publication's position."""
    created = _propose(client, staff, department)
    path = f"/disclosures/{created['id']}"
    approved = client.post(f"{path}/approve", headers={**member, "If-Match": '"1"'})
    assert approved.status_code == 200, approved.text
    assert approved.headers["ETag"] == '"2"'
    published = client.post(f"{path}/publish", headers=staff)
    assert published.status_code == 200, published.text
    return str(created["id"]), int(published.json()["position"])


def test_a_proposal_goes_public_only_after_approval_and_publication(
    client: TestClient, staff: Headers, member: Headers, department: str
) -> None:
    created = _propose(client, staff, department)
    feed = client.get(
        "/public/disclosures", params={"department": department, "after": created["position"]}
    )
    queue = client.get(
        "/disclosures",
        params={"department": department, "after": created["position"]},
        headers=member,
    )

    assert feed.status_code == 200
    assert feed.json()["items"] == []
    assert [i["id"] for i in queue.json()["items"]] == [created["id"]]

    path = f"/disclosures/{created['id']}"
    client.post(f"{path}/approve", headers=member)
    published = client.post(f"{path}/publish", headers=staff).json()
    page = client.get(
        "/public/disclosures", params={"department": department, "after": published["position"]}
    ).json()

    [entry] = page["items"]
    assert entry["status"] == "published"
    assert not entry["withdrawn"]
    assert entry["history"] == f"/disclosures/{created['id']}/history"
    assert entry["chain_head"]["position"] >= created["position"]
    assert len(entry["chain_head"]["link"]) == 64
    assert page["position"] >= published["position"]


def test_the_proposer_cannot_approve_and_nothing_publishes_before_approval(
    client: TestClient, auth: Callable[..., Headers], member: Headers, department: str
) -> None:
    created = _propose(client, member, department)
    path = f"/disclosures/{created['id']}"

    own = client.post(f"{path}/approve", headers=member)
    early = client.post(f"{path}/publish", headers=member)
    clerk = client.post(f"{path}/approve", headers=auth("union-clerk-1", Role.UNION_STAFF))

    assert own.status_code == 403
    assert own.headers["content-type"] == "application/problem+json"
    assert early.status_code == 409
    assert clerk.status_code == 403


def test_return_needs_a_reason_and_a_returned_disclosure_is_revised(
    client: TestClient, staff: Headers, member: Headers, department: str
) -> None:
    created = _propose(client, staff, department)
    path = f"/disclosures/{created['id']}"

    empty = client.post(f"{path}/return", json={"reason": " "}, headers=member)
    returned = client.post(f"{path}/return", json={"reason": "请写明整改期限"}, headers=member)
    revised = client.post(
        f"{path}/revise",
        json={"title": "三月考核（修订）", "body": "限期10个工作日整改"},
        headers={**staff, "If-Match": '"2"'},
    )
    shown = client.get(path, headers=member)

    assert empty.status_code == 422
    assert empty.json()["errors"][0]["field"] == "reason"
    assert returned.status_code == 200
    assert revised.status_code == 200, revised.text
    assert shown.json()["status"] == "proposed"
    assert shown.json()["body"] == "限期10个工作日整改"
    assert shown.json()["departments"] == [department]
    assert shown.headers["ETag"] == '"3"'


def test_withdrawn_entries_stay_in_the_feed_marked_withdrawn_and_withdrawing_twice_is_refused(
    client: TestClient, staff: Headers, member: Headers, department: str
) -> None:
    disclosure_id = _published(client, staff, member, department)
    path = f"/disclosures/{disclosure_id}"

    withdrawn = client.post(f"{path}/withdraw", json={"reason": "数字有误"}, headers=member)
    again = client.post(f"{path}/withdraw", json={"reason": "再次"}, headers=member)
    page = client.get(
        "/public/disclosures",
        params={"department": department, "after": withdrawn.json()["position"]},
    ).json()

    assert withdrawn.status_code == 200
    assert again.status_code == 409
    [entry] = page["items"]
    assert entry["withdrawn"] is True
    assert entry["withdrawal_reason"] == "数字有误"
    assert entry["withdrawn_at"] is not None


def test_the_department_atom_feed_is_valid_atom_with_its_entries_and_needs_no_token(
    client: TestClient, staff: Headers, member: Headers, department: str
) -> None:
    kept = _published(client, staff, member, department)
    gone = _published(client, staff, member, department)
    position = client.post(
        f"/disclosures/{gone}/withdraw", json={"reason": "已更正"}, headers=member
    ).json()["position"]
    _propose(client, staff, department)  # still under review: not in any feed

    response = client.get(
        f"/public/departments/{quote(department)}/disclosures.atom", params={"after": position}
    )

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/atom+xml")
    feed = ET.fromstring(response.content)  # noqa: S314  # our own output, not untrusted
    assert feed.tag == f"{ATOM}feed"
    assert feed.findtext(f"{ATOM}id", "").startswith("urn:uuid:")
    assert department in feed.findtext(f"{ATOM}title", "")
    assert feed.findtext(f"{ATOM}updated")
    assert feed.find(f"{ATOM}link[@rel='self']") is not None
    entries = feed.findall(f"{ATOM}entry")
    assert [e.findtext(f"{ATOM}id") for e in entries] == [f"urn:uuid:{gone}", f"urn:uuid:{kept}"]
    for entry in entries:
        assert entry.findtext(f"{ATOM}published")
        assert entry.findtext(f"{ATOM}updated")
        assert "Chain head: position" in entry.findtext(f"{ATOM}content", "")
        link = entry.find(f"{ATOM}link[@rel='alternate']")
        assert link is not None
        assert link.get("href", "").endswith("/history")
    assert entries[0].findtext(f"{ATOM}title", "").startswith("[已撤回 withdrawn]")
    assert "已更正" in entries[0].findtext(f"{ATOM}content", "")


def test_text_pasted_with_control_characters_leaves_the_atom_feed_well_formed(
    client: TestClient, casework: Casework, staff: Headers, member: Headers
) -> None:
    """Word's manual line break (U+000B) and page break (U+000C) are text the API takes,
    but XML cannot carry them: the feed shows U+FFFD in their place, and stays readable.
    (A department code cannot hold them, so the page break rides in the title.)"""
    department = open_department(casework, "工会办公室")
    created = _propose(
        client, staff, department, title="三月\x0b考核\x0c公示", body="第一段\x0b第二段\x01完"
    )
    path = f"/disclosures/{created['id']}"
    client.post(f"{path}/approve", headers={**member, "If-Match": '"1"'})
    position = client.post(f"{path}/publish", headers=staff).json()["position"]

    response = client.get(
        f"/public/departments/{quote(department)}/disclosures.atom", params={"after": position}
    )

    assert response.status_code == 200
    feed = ET.fromstring(response.content)  # noqa: S314  # our own output, not untrusted
    (entry,) = feed.findall(f"{ATOM}entry")
    assert entry.findtext(f"{ATOM}title") == "三月\ufffd考核\ufffd公示"
    assert entry.findtext(f"{ATOM}content", "").startswith("第一段\ufffd第二段\ufffd完")
    terms = [c.get("term") for c in entry.findall(f"{ATOM}category")]
    assert department in terms
    public = client.get("/public/disclosures", params={"department": department}).json()
    assert public["items"][0]["title"] == "三月\x0b考核\x0c公示"  # JSON carries it as it was


def test_the_overall_atom_feed_and_published_history_need_no_token(
    client: TestClient, staff: Headers, member: Headers, department: str
) -> None:
    disclosure_id, position = _publish(client, staff, member, department)
    draft = _propose(client, staff, department)

    overall = client.get("/public/disclosures.atom", params={"limit": 200, "after": position})
    history = client.get(f"/disclosures/{disclosure_id}/history")
    draft_history = client.get(f"/disclosures/{draft['id']}/history")

    assert overall.status_code == 200
    parsed = ET.fromstring(overall.content)  # noqa: S314  # our own output, not untrusted
    ids = [e.findtext(f"{ATOM}id") for e in parsed.iter(f"{ATOM}entry")]
    assert f"urn:uuid:{disclosure_id}" in ids
    assert f"urn:uuid:{draft['id']}" not in ids
    assert history.status_code == 200
    types = [e["type"] for e in history.json()["events"]]
    assert types == ["Proposed", "Approved", "Published"]
    assert history.json()["events"][1]["actor"]["role"] == "committee"
    assert draft_history.status_code == 401


def test_commands_and_the_queue_need_a_token(client: TestClient, department: str) -> None:
    body = {"subject_type": "monthly_report", "subject": "2026-03", "title": "t", "body": "b"}

    assert client.post("/disclosures", json=body).status_code == 401
    assert client.get("/disclosures").status_code == 401


def test_bad_input_is_a_problem_naming_the_field(
    client: TestClient, staff: Headers, department: str
) -> None:
    unknown = client.post(
        "/disclosures",
        json={"subject_type": "rumours", "subject": "x", "title": "t", "body": "b"},
        headers=staff,
    )
    no_department = client.post(
        "/disclosures",
        json={
            "subject_type": "penalties_and_cards",
            "subject": "后勤服务中心",
            "title": "t",
            "body": "b",
        },
        headers=staff,
    )
    unfiled_report = client.post(
        "/disclosures",
        json={
            "subject_type": "monthly_report",
            "subject": "2019-03",
            "title": "t",
            "body": "b",
            "departments": [department],
        },
        headers=staff,
    )
    unknown_proposal = client.post(
        "/disclosures",
        json={
            "subject_type": "proposal_assignment",
            "subject": str(uuid.uuid4()),
            "title": "t",
            "body": "b",
            "departments": [department],
        },
        headers=staff,
    )
    not_an_appeal = client.post(
        "/disclosures",
        json={"subject_type": "appeal_answer", "subject": "nope", "title": "t"},
        headers=staff,
    )
    bad_cursor = client.get("/public/disclosures", params={"cursor": "%%%"})

    assert unknown.status_code == 422
    assert unknown.json()["errors"][0]["field"] == "subject_type"
    assert no_department.status_code == 422
    assert unknown_proposal.status_code == 404
    assert unfiled_report.status_code == 404  # no report was ever drafted for 2019-03
    assert no_department.json()["errors"][0]["field"] == "departments"
    assert not_an_appeal.json()["errors"][0]["field"] == "subject"
    assert bad_cursor.status_code == 400


def test_a_finished_months_fund_statement_goes_public_after_review(
    client: TestClient,
    clock: ManualClock,
    staff: Headers,
    member: Headers,
    department: str,
) -> None:
    clock.set(datetime(2026, 11, 1, 9, 0, tzinfo=CHINA_TZ))
    statement = {
        "subject_type": "fund_statement",
        "title": "2026年10月工会经费收支明细",
        "body": "收入：会费 12,400 元；支出：困难帮扶 8,000 元，文体活动 3,150 元。",
        "departments": [department],
    }

    current = client.post("/disclosures", json={**statement, "subject": "2026-11"}, headers=staff)
    no_month = client.post("/disclosures", json={**statement, "subject": "十月"}, headers=staff)
    no_text = client.post(
        "/disclosures", json={**statement, "subject": "2026-10", "body": " "}, headers=staff
    )
    created = client.post("/disclosures", json={**statement, "subject": "2026-10"}, headers=staff)
    path = f"/disclosures/{created.json()['id']}"
    client.post(f"{path}/approve", headers=member)
    published = client.post(f"{path}/publish", headers=staff).json()
    feed = client.get(
        "/public/disclosures",
        params={"subject_type": "fund_statement", "after": published["position"]},
    ).json()

    assert current.status_code == 422
    assert current.json()["errors"][0]["field"] == "subject"
    assert "2026-11 is not over yet" in current.json()["detail"]
    assert no_month.status_code == 422
    assert no_month.json()["errors"][0]["field"] == "subject"
    assert no_text.status_code == 422
    assert no_text.json()["errors"][0]["field"] == "body"
    assert created.status_code == 201, created.text
    [entry] = [e for e in feed["items"] if e["id"] == created.json()["id"]]
    assert entry["subject"] == "2026-10"
    assert entry["body"] == statement["body"]


def test_an_award_procedure_names_its_award_and_goes_public_after_review(
    client: TestClient, staff: Headers, member: Headers, department: str
) -> None:
    procedure = {
        "subject_type": "award_procedure",
        "title": "2026年度先进个人评选流程",
        "body": "一、班组推荐；二、部门初审；三、职工代表评议；四、公示五个工作日。",
        "departments": [department],
    }

    unnamed = client.post("/disclosures", json={**procedure, "subject": " "}, headers=staff)
    created = client.post(
        "/disclosures", json={**procedure, "subject": "2026年度先进个人"}, headers=staff
    )
    path = f"/disclosures/{created.json()['id']}"
    client.post(f"{path}/approve", headers=member)
    published = client.post(f"{path}/publish", headers=staff).json()
    feed = client.get(
        "/public/disclosures", params={"department": department, "after": published["position"]}
    ).json()

    assert unnamed.status_code == 422
    assert unnamed.json()["errors"][0]["field"] == "subject"
    assert created.status_code == 201, created.text
    [entry] = feed["items"]
    assert (entry["subject_type"], entry["subject"]) == ("award_procedure", "2026年度先进个人")
    assert entry["status"] == "published"


def test_the_public_json_feed_pages_with_a_cursor(
    client: TestClient, staff: Headers, member: Headers, department: str
) -> None:
    done = [_publish(client, staff, member, department) for _ in range(3)]
    ids = [disclosure_id for disclosure_id, _ in done]

    first = client.get(
        "/public/disclosures", params={"department": department, "limit": 2, "after": done[-1][1]}
    ).json()
    second = client.get(
        "/public/disclosures",
        params={"department": department, "limit": 2, "cursor": first["next_cursor"]},
    ).json()

    assert [i["id"] for i in first["items"] + second["items"]] == ids[::-1]
    assert second["next_cursor"] is None
