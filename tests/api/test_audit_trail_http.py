"""Reading and exporting the audit trail over HTTP; identity only for those allowed to see it."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from datetime import datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient

from application.casework import AppealDraft, Casework
from domain.actors import Actor, Role
from domain.appeal import Appellant
from domain.calendar import CHINA_TZ
from domain.terms import Channel, Kind
from tests.api.conftest import Headers, named_appeal
from tests.api.test_meetings_http import tier_talk
from tests.conftest import open_department
from tests.exports import csv_rows, xlsx_rows

PROBLEM = "application/problem+json"
APPELLANT = {"name": "王建国", "employee_no": "E10234", "contact": "13800001234"}


@pytest.fixture
def department(casework: Casework) -> str:
    """A department no other test uses, so queries see only this test's events (its code)."""
    return open_department(casework, "审计部门")


def _post(client: TestClient, path: str, headers: Headers, body: Any) -> dict[str, Any]:
    done = client.post(path, json=body, headers=headers)
    assert done.status_code in (200, 201), done.text
    result: dict[str, Any] = done.json()
    return result


def _transferred_appeal(client: TestClient, staff: Headers, department: str) -> dict[str, Any]:
    """A named appeal raised and transferred to `department`; the transfer's response."""
    raised = _post(client, "/appeals", staff, named_appeal(department=department))
    moved = _post(
        client,
        f"/appeals/{raised['id']}/transfer",
        staff,
        {"department": department, "supervisor": "union-vice-chair"},
    )
    return {**raised, "position": moved["position"]}


@pytest.fixture
def auditor(auth: Callable[..., Headers]) -> Headers:
    """An auditor: reads the whole trail, but may not see who raised a named appeal."""
    return auth("auditor-1", Role.AUDITOR)


def test_a_cases_trail_shows_identity_to_staff_and_hides_it_from_auditors(
    client: TestClient, staff: Headers, auditor: Headers, department: str
) -> None:
    appeal = _transferred_appeal(client, staff, department)
    path = f"/audit/cases/{appeal['id']}"

    for_staff = client.get(path, params={"after": appeal["position"]}, headers=staff)
    for_auditor = client.get(path, params={"after": appeal["position"]}, headers=auditor)

    assert for_staff.status_code == 200, for_staff.text
    trail = for_staff.json()
    assert trail["case_type"] == "appeal"
    assert trail["case_ref"] == appeal["case_number"]
    assert trail["position"] >= appeal["position"]
    assert [e["event_type"] for e in trail["events"]] == ["Raised", "Transferred"]
    assert trail["events"][0]["data"]["appellant"] == APPELLANT
    assert trail["events"][1]["actor"] == {"id": "union-clerk-1", "role": "union_staff"}
    hidden = for_auditor.json()["events"][0]["data"]
    assert hidden["appellant"] == dict.fromkeys(APPELLANT, "(hidden)")
    assert "王建国" not in for_auditor.text
    assert "E10234" not in for_auditor.text


def test_an_appellants_own_actions_name_them_only_for_identity_readers(
    client: TestClient,
    staff: Headers,
    auditor: Headers,
    auth: Callable[..., Headers],
    department: str,
) -> None:
    employee = auth(APPELLANT["employee_no"], Role.EMPLOYEE)
    created = _post(client, "/appeals", employee, named_appeal(department=department))
    path = f"/audit/cases/{created['id']}"

    for_auditor = client.get(path, params={"after": created["position"]}, headers=auditor).json()
    for_staff = client.get(path, params={"after": created["position"]}, headers=staff).json()

    assert for_auditor["events"][0]["actor"] == {"id": "appellant", "role": "employee"}
    assert for_staff["events"][0]["actor"]["id"] == APPELLANT["employee_no"]


def test_an_anonymous_appeal_has_no_identity_for_anyone(
    client: TestClient, staff: Headers, auditor: Headers, department: str
) -> None:
    body = named_appeal(channel="anonymous_box", department=department)
    del body["appellant"]
    raised = _post(client, "/appeals", staff, body)

    for headers in (staff, auditor):
        trail = client.get(
            f"/audit/cases/{raised['id']}", params={"after": raised["position"]}, headers=headers
        ).json()
        assert trail["events"][0]["data"]["appellant"] is None


def test_events_are_filtered_and_paged_by_cursor(
    client: TestClient, staff: Headers, department: str
) -> None:
    first = _transferred_appeal(client, staff, department)
    second = _transferred_appeal(client, staff, department)

    transfers = client.get(
        "/audit/events",
        params={"department": department, "event_type": "Transferred", "after": second["position"]},
        headers=staff,
    ).json()
    assert [e["case_id"] for e in transfers["items"]] == [first["id"], second["id"]]
    assert all(
        e["summary"].startswith(f"转办至 {department} (deadline ") for e in transfers["items"]
    )

    page = client.get(
        "/audit/events",
        params={"department": department, "case_type": "appeal", "limit": 3},
        headers=staff,
    ).json()
    rest = client.get(
        "/audit/events",
        params={"department": department, "cursor": page["next_cursor"], "limit": 3},
        headers=staff,
    ).json()
    assert len(page["items"]) == 3
    assert page["next_cursor"] == page["items"][-1]["position"]
    assert [e["version"] for e in rest["items"]] == [2]
    assert rest["next_cursor"] is None

    only_first = client.get(
        "/audit/events",
        params={"case_id": first["id"], "actor": "union-clerk-1", "case_type": "appeal"},
        headers=staff,
    ).json()
    assert [e["event_type"] for e in only_first["items"]] == ["Raised", "Transferred"]
    raised_at = only_first["items"][0]["time"]
    transferred_at = only_first["items"][1]["time"]
    window = client.get(
        "/audit/events",
        params={"case_id": first["id"], "from": raised_at, "to": transferred_at},
        headers=staff,
    ).json()
    assert [e["event_type"] for e in window["items"]] == ["Raised"]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"limit": 501}, "limit"),
        ({"cursor": -1}, "cursor"),
        ({"case_id": "not-a-uuid"}, "case_id"),
        ({"from": "2026-01-01T00:00:00"}, "from"),
    ],
)
def test_bad_query_values_are_named_in_the_problem(
    client: TestClient, staff: Headers, params: dict[str, Any], field: str
) -> None:
    response = client.get("/audit/events", params=params, headers=staff)

    assert response.status_code == 422
    assert response.headers["content-type"] == PROBLEM
    assert field in [e["field"].split(".")[-1] for e in response.json()["errors"]]


def test_an_empty_time_range_is_refused(client: TestClient, staff: Headers) -> None:
    response = client.get(
        "/audit/export.csv",
        params={"from": "2026-02-01T00:00:00+08:00", "to": "2026-01-01T00:00:00+08:00"},
        headers=staff,
    )

    assert response.status_code == 400
    assert response.headers["content-type"] == PROBLEM
    assert response.json()["detail"].startswith("from:")


def test_the_trail_needs_a_token_and_an_unknown_case_is_404(
    client: TestClient, staff: Headers
) -> None:
    assert client.get("/audit/events").status_code == 401
    assert client.get("/audit/export.jsonl").status_code == 401
    missing = client.get(f"/audit/cases/{uuid.uuid4()}", headers=staff)
    assert missing.status_code == 404
    assert missing.headers["content-type"] == PROBLEM


def test_csv_and_json_lines_exports_parse_back_to_the_queried_events(
    client: TestClient, staff: Headers, department: str
) -> None:
    _transferred_appeal(client, staff, department)
    last = _transferred_appeal(client, staff, department)
    filters = {"department": department, "after": last["position"]}
    events = client.get("/audit/events", params=filters, headers=staff).json()["items"]

    as_csv = client.get("/audit/export.csv", params=filters, headers=staff)
    as_jsonl = client.get("/audit/export.jsonl", params=filters, headers=staff)

    assert as_csv.status_code == 200, as_csv.text
    assert as_csv.headers["content-type"].startswith("text/csv")
    assert as_csv.headers["content-disposition"].startswith('attachment; filename="audit-trail-')
    assert as_csv.headers["content-disposition"].endswith('.csv"')
    assert as_jsonl.headers["content-type"].startswith("application/jsonl")
    assert as_jsonl.headers["content-disposition"].endswith('.jsonl"')
    expected = [
        {
            "position": e["position"],
            "case_id": e["case_id"],
            "event_type": e["event_type"],
            "actor_id": e["actor"]["id"],
            "department": e["department"],
            "summary": e["summary"],
            "data": e["data"],
        }
        for e in events
    ]
    assert len(expected) == 4
    rows = csv_rows(as_csv)
    assert list(rows[0]) == [
        "position",
        "case_id",
        "case_type",
        "case_ref",
        "version",
        "event_type",
        "time",
        "actor_id",
        "actor_role",
        "department",
        "summary",
        "data",
    ]
    assert [
        {
            k: int(r[k]) if k == "position" else json.loads(r[k]) if k == "data" else r[k]
            for k in expected[0]
        }
        for r in rows
    ] == expected
    lines = [json.loads(line) for line in as_jsonl.text.splitlines()]
    assert [{k: line[k] for k in expected[0]} for line in lines] == expected
    assert lines[0]["data"]["appellant"] == APPELLANT  # staff read identity in exports too


def test_the_xlsx_export_holds_the_csvs_rows_typed_with_the_chinese_intact(
    client: TestClient, staff: Headers, department: str
) -> None:
    last = _transferred_appeal(client, staff, department)
    filters = {"department": department, "after": last["position"]}

    as_csv = csv_rows(client.get("/audit/export.csv", params=filters, headers=staff))
    sheet = xlsx_rows(client.get("/audit/export.xlsx", params=filters, headers=staff))

    assert len(sheet) == len(as_csv) == 2
    assert [list(row) for row in sheet] == [list(row) for row in as_csv]
    for typed, text in zip(sheet, as_csv, strict=True):
        moment = datetime.fromisoformat(text["time"]).astimezone(CHINA_TZ)
        assert typed["time"] == moment.replace(tzinfo=None, microsecond=typed["time"].microsecond)
        assert (typed["position"], typed["version"]) == (
            int(text["position"]),
            int(text["version"]),
        )
        others = [k for k in text if k not in ("time", "position", "version")]
        assert {k: typed[k] or "" for k in others} == {k: text[k] for k in others}
    assert sheet[0]["department"] == department  # 审计部门-…, Chinese as typed
    assert json.loads(sheet[0]["data"])["title"] == "夜班食堂供餐时间太短"


def test_text_a_spreadsheet_would_run_as_a_formula_is_quoted_in_spreadsheets_only(
    client: TestClient, staff: Headers, casework: Casework, department: str
) -> None:
    """CSV injection: an auditor opening the export in Excel or WPS must not run a formula
    recorded as a person's id (the CSV quotes it, the .xlsx keeps it as quoted text); JSON
    Lines keeps the value exactly. The directory refuses
    such an id now (and department codes cannot start with `=`), so the actor here is one a
    store kept from before, recorded through the use cases directly."""
    actor_id = f'=HYPERLINK("http://evil.example","点此")-{uuid.uuid4().hex[:6]}'
    earlier = Actor(actor_id, Role.UNION_STAFF)
    raised = casework.raise_appeal(AppealDraft(**DRAFT, department=department), earlier)
    moved = casework.transfer(raised.id, department=department, supervisor="S-zhao", actor=earlier)
    filters = {"department": department, "after": moved.position}

    rows = csv_rows(client.get("/audit/export.csv", params=filters, headers=staff))
    lines = client.get("/audit/export.jsonl", params=filters, headers=staff).text.splitlines()
    sheet = xlsx_rows(client.get("/audit/export.xlsx", params=filters, headers=staff))

    assert [row["actor_id"] for row in rows] == ["'" + actor_id] * 2
    assert [json.loads(line)["actor_id"] for line in lines] == [actor_id] * 2
    assert [row["actor_id"] for row in sheet] == [actor_id] * 2  # as text, marked quoted
    assert [row["department"] for row in rows] == [department] * 2
    assert all(row["position"].isdigit() for row in rows)


def test_the_directory_refuses_a_person_id_a_spreadsheet_would_run(
    client: TestClient, auth: Callable[..., Headers]
) -> None:
    refused = client.post(
        "/directory/roles",
        json={"person": '=HYPERLINK("http://evil.example")', "role": "union_staff"},
        headers=auth("audit-admin", Role.ADMIN),
    )

    assert refused.status_code == 422
    assert refused.json()["errors"][0]["field"] == "person"


#: A named appeal as the use cases take it.
DRAFT: dict[str, Any] = {
    "channel": Channel.GRID_LIAISON,
    "kind": Kind.COMPLAINT,
    "category": "canteen",
    "title": "夜班食堂供餐时间太短",
    "text": "夜班下井前食堂只开放20分钟。",
    "appellant": Appellant("王建国", "E10234", ""),
}


def test_other_aggregates_get_their_case_type_from_the_aggregate_class(
    client: TestClient, staff: Headers
) -> None:
    scheduled = _post(client, "/meetings", staff, tier_talk(topic="井下通勤班车"))

    trail = client.get(
        f"/audit/cases/{scheduled['id']}",
        params={"after": scheduled["position"]},
        headers=staff,
    ).json()

    assert trail["case_type"] == "meeting"
    assert [e["event_type"] for e in trail["events"]] == ["Scheduled"]
    assert trail["events"][0]["summary"].startswith("安排会议「井下通勤班车」(tier_talk) ")
    meetings = client.get(
        "/audit/events", params={"case_type": "meeting", "case_id": scheduled["id"]}, headers=staff
    ).json()
    assert [e["case_id"] for e in meetings["items"]] == [scheduled["id"]]
