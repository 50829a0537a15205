"""Metrics over HTTP: rates with their counts, as of, provenance, CSV export, bad input."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from fastapi.testclient import TestClient

from application.casework import Casework
from application.clock import ManualClock
from domain.actors import Role
from domain.calendar import CHINA_TZ
from tests.api.conftest import Headers, named_appeal
from tests.api.test_anonymous_http import anonymous_appeal
from tests.api.test_meetings_http import _held_talk_with_decision
from tests.conftest import open_department
from tests.exports import csv_rows, xlsx_rows

PROBLEM = "application/problem+json"
#: Monday 2032-05-10, 09:00 China time: a month no other test writes into.
MONDAY = datetime(2032, 5, 10, 9, 0, tzinfo=CHINA_TZ)
#: The supervisor named on the penalised appeal's transfer (a supervisor in the directory).
SUPERVISOR_ID = "union-vice-chair"


def _rated(
    client: TestClient,
    staff: Headers,
    handler: Headers,
    appellant: Headers,
    department: str,
    rating: str,
) -> dict[str, Any]:
    raised = client.post("/appeals", json=named_appeal(), headers=staff)
    assert raised.status_code == 201, raised.text
    appeal = raised.json()
    appeal_id = appeal["id"]
    transferred = client.post(
        f"/appeals/{appeal_id}/transfer",
        json={"department": department, "supervisor": "s"},
        headers=staff,
    )
    assert transferred.status_code == 200, transferred.text
    replied = client.post(
        f"/appeals/{appeal_id}/reply", json={"answer": "a", "basis": "b"}, headers=handler
    )
    assert replied.status_code == 200, replied.text
    client.post(f"/appeals/{appeal_id}/publish", json={"public_text": "公示"}, headers=staff)
    rated = client.post(f"/appeals/{appeal_id}/rate", json={"rating": rating}, headers=appellant)
    assert rated.status_code == 200, rated.text
    return {"id": appeal_id, "number": appeal["case_number"], "position": rated.json()["position"]}


def _transferred(client: TestClient, staff: Headers, department: str) -> str:
    raised = client.post("/appeals", json=named_appeal(department=department), headers=staff)
    assert raised.status_code == 201, raised.text
    appeal_id: str = raised.json()["id"]
    transferred = client.post(
        f"/appeals/{appeal_id}/transfer",
        json={"department": department, "supervisor": SUPERVISOR_ID},
        headers=staff,
    )
    assert transferred.status_code == 200, transferred.text
    return appeal_id


def _staff_at(clock: ManualClock, auth: Callable[..., Headers], moment: datetime) -> Headers:
    """Sets the clock to `moment` and issues union staff a token then: tokens expire, so one
    issued at the real present would have expired by 2032."""
    clock.set(moment)
    return auth("union-clerk-1", Role.UNION_STAFF)


def _scenario(
    client: TestClient, casework: Casework, auth: Callable[..., Headers], clock: ManualClock
) -> tuple[Headers, str, dict[str, Any], dict[str, Any]]:
    """Two appeals to a department of its own, rated on MONDAY and the day after; the
    union staff's headers (issued on MONDAY), the department and the two appeals."""
    staff = _staff_at(clock, auth, MONDAY)
    department = open_department(casework, "指标部门")
    handler = auth("metrics-handler", Role.DEPARTMENT, departments=[department])
    appellant = auth("E10234", Role.EMPLOYEE)
    happy = _rated(client, staff, handler, appellant, department, "satisfied")
    clock.set(MONDAY + timedelta(days=1))
    unhappy = _rated(client, staff, handler, appellant, department, "dissatisfied")
    return staff, department, happy, unhappy


def _row(body: dict[str, Any], department: str) -> dict[str, Any]:
    rows: list[dict[str, Any]] = [row for row in body["rows"] if row["key"] == department]
    assert len(rows) == 1
    return rows[0]


def test_rates_come_with_their_numerator_and_denominator(
    client: TestClient, casework: Casework, auth: Callable[..., Headers], clock: ManualClock
) -> None:
    staff, department, _, unhappy = _scenario(client, casework, auth, clock)

    response = client.get(
        "/metrics/appeals",
        params={"group_by": "department", "period": "2032-Q2", "after": unhappy["position"]},
        headers=staff,
    )

    assert response.status_code == 200, response.text
    body = response.json()
    assert body["period"] == "2032-Q2"
    assert body["position"] >= unhappy["position"]
    row = _row(body, department)
    assert row["counts"]["raised"] == row["counts"]["replied"] == row["counts"]["rated"] == 2
    assert row["counts"]["reopened"] == 1
    assert row["rates"]["satisfaction_rate"] == {
        "value": "0.5000",
        "numerator": 1,
        "denominator": 2,
    }
    assert row["rates"]["response_rate"]["value"] == "1.0000"
    assert row["hours"]["reply_hours_p50"] is not None


def test_as_of_before_a_rating_leaves_it_out(
    client: TestClient, casework: Casework, auth: Callable[..., Headers], clock: ManualClock
) -> None:
    staff, department, _, unhappy = _scenario(client, casework, auth, clock)
    params = {"period": "2032-05", "after": unhappy["position"]}

    then = client.get(
        "/metrics/appeals",
        params={**params, "as_of": (MONDAY + timedelta(hours=12)).isoformat()},
        headers=staff,
    )

    row = _row(then.json(), department)
    assert row["counts"]["raised"] == row["counts"]["rated"] == 1
    assert row["rates"]["satisfaction_rate"]["value"] == "1.0000"


def test_provenance_lists_exactly_the_cases_of_a_rates_numerator(
    client: TestClient, casework: Casework, auth: Callable[..., Headers], clock: ManualClock
) -> None:
    staff, department, happy, unhappy = _scenario(client, casework, auth, clock)
    params = {
        "department": department,
        "period": "2032-05",
        "figure": "satisfaction_rate",
        "after": unhappy["position"],
    }

    numerator = client.get(
        "/metrics/appeals/cases", params={**params, "part": "numerator"}, headers=staff
    ).json()
    denominator = client.get(
        "/metrics/appeals/cases", params={**params, "part": "denominator"}, headers=staff
    ).json()

    assert numerator["counted"] == "satisfied"
    assert numerator["cases"] == [{"id": happy["id"], "case_number": happy["number"]}]
    assert {case["id"] for case in denominator["cases"]} == {happy["id"], unhappy["id"]}


def test_the_rows_of_appeals_with_no_tier_or_no_department_list_their_cases_by_their_key(
    client: TestClient, auth: Callable[..., Headers], clock: ManualClock
) -> None:
    staff = _staff_at(clock, auth, MONDAY)
    # Dropped in the anonymous box naming no department, and not raised at a talk (no tier).
    body = {**anonymous_appeal(), "department": ""}
    created = client.post("/appeals", json=body, headers=staff)
    assert created.status_code == 201, created.text
    raised = created.json()
    params = {"period": "2032-05", "after": raised["position"]}

    for group_by in ("tier", "department"):
        table = client.get(
            "/metrics/appeals", params={**params, "group_by": group_by}, headers=staff
        ).json()
        row = _row(table, "")
        listed = client.get(
            "/metrics/appeals/cases",
            params={**params, "figure": "raised", group_by: row["key"]},
            headers=staff,
        )

        assert listed.status_code == 200, listed.text
        cases = listed.json()["cases"]
        assert len(cases) == row["counts"]["raised"]
        assert {"id": raised["id"], "case_number": raised["case_number"]} in cases


def test_provenance_lists_the_action_items_and_penalties_behind_their_figures(
    client: TestClient, casework: Casework, auth: Callable[..., Headers], clock: ManualClock
) -> None:
    held_by = auth("union-clerk-1", Role.UNION_STAFF)
    meeting_id = _held_talk_with_decision(client, held_by)  # held now; its items are due in May
    staff = _staff_at(clock, auth, MONDAY)
    department = open_department(casework, "指标部门")
    head = auth("metrics-items-handler", Role.DEPARTMENT, departments=[department])
    items = [
        client.post(
            f"/meetings/{meeting_id}/action-items",
            json={
                "decision_ref": "D1",
                "task": f"夜班供餐时间延长 {n}",
                "department": department,
                "deadline": (MONDAY + timedelta(days=7)).isoformat(),
                "acceptance_criteria": "连续两周夜班供餐不少于40分钟",
            },
            headers=staff,
        ).json()["id"]
        for n in range(2)
    ]
    for item_id in items:
        client.post(f"/action-items/{item_id}/submit", json={"note": "已执行"}, headers=head)
    client.post(f"/action-items/{items[0]}/accept", json={"note": "符合标准"}, headers=staff)
    recorded = client.post(
        "/penalties",
        json={"appeal_id": _transferred(client, staff, department), "reason": "答复未说明依据"},
        headers=auth(SUPERVISOR_ID, Role.SUPERVISOR),
    ).json()
    penalty, position = recorded["id"], recorded["position"]
    params = {"period": "2032-05", "department": department, "after": position}

    def listed(path: str, **more: str) -> dict[str, Any]:
        response = client.get(path, params={**params, **more}, headers=staff)
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    on_time = listed("/metrics/action-items/cases", figure="on_time_rate", part="numerator")
    due = listed("/metrics/action-items/cases", figure="on_time_rate", part="denominator")
    points = listed("/metrics/penalties/cases", figure="points")

    assert (on_time["counted"], on_time["part"]) == ("accepted_on_time", "numerator")
    assert [item["id"] for item in on_time["cases"]] == [items[0]]
    assert on_time["cases"][0]["accepted_at"] is not None
    assert due["counted"] == "due"
    assert {item["id"] for item in due["cases"]} == set(items)
    [row] = [r for r in listed("/metrics/action-items")["rows"] if r["department"] == department]
    assert row["on_time_rate"] == {"value": "0.5000", "numerator": 1, "denominator": 2}
    assert [case["id"] for case in points["cases"]] == [penalty]
    assert points["cases"][0]["case_type"] == "penalty"
    assert listed("/metrics/penalties/cases", figure="yellow_cards")["cases"] == []


def test_tables_export_as_csv(
    client: TestClient, casework: Casework, auth: Callable[..., Headers], clock: ManualClock
) -> None:
    staff, department, _, unhappy = _scenario(client, casework, auth, clock)
    params = {"period": "2032-05", "after": unhappy["position"]}

    by_path = client.get("/metrics/appeals.csv", params=params, headers=staff)
    by_format = client.get("/metrics/appeals", params={**params, "format": "csv"}, headers=staff)
    items = client.get("/metrics/action-items.csv", params=params, headers=staff)
    penalties = client.get("/metrics/penalties", params={**params, "format": "csv"}, headers=staff)

    assert by_path.content == by_format.content
    [row] = [r for r in csv_rows(by_path) if r["key"] == department]
    assert (row["raised"], row["satisfied"], row["satisfaction_rate"]) == ("2", "1", "0.5000")
    assert by_path.headers["content-disposition"] == (
        'attachment; filename="appeals-department-2032-05.csv"'
    )
    assert items.content.decode("utf-8-sig").startswith("department,due,")
    assert "points" in penalties.content.decode("utf-8-sig").splitlines()[0].split(",")


def test_tables_export_as_xlsx_with_the_csvs_rows_and_numbers_as_numbers(
    client: TestClient, casework: Casework, auth: Callable[..., Headers], clock: ManualClock
) -> None:
    staff, department, _, unhappy = _scenario(client, casework, auth, clock)
    params = {"period": "2032-05", "after": unhappy["position"]}

    for table in ("appeals", "action-items", "penalties"):
        as_csv = csv_rows(client.get(f"/metrics/{table}.csv", params=params, headers=staff))
        by_path = client.get(f"/metrics/{table}.xlsx", params=params, headers=staff)
        by_format = client.get(
            f"/metrics/{table}", params={**params, "format": "xlsx"}, headers=staff
        )

        sheet = xlsx_rows(by_path)
        assert sheet == xlsx_rows(by_format), table
        assert [list(row) for row in sheet] == [list(row) for row in as_csv], table
        assert all(map(_same_row, sheet, as_csv)), table
    [row] = [
        r
        for r in xlsx_rows(client.get("/metrics/appeals.xlsx", params=params, headers=staff))
        if r["key"] == department
    ]
    assert (row["raised"], row["satisfied"], row["satisfaction_rate"]) == (2, 1, 0.5)


def _same_row(typed: dict[str, Any], text: dict[str, str]) -> bool:
    """Whether a workbook's row holds the CSV's values: None where the CSV is empty, the
    same number where it has a number, the same text elsewhere."""
    for key, value in typed.items():
        if value is None:
            same = text[key] == ""
        elif isinstance(value, int | float):
            same = float(text[key]) == value
        else:
            same = text[key] == value
        if not same:
            return False
    return True


def test_bad_parameters_are_problems_naming_the_field(client: TestClient, staff: Headers) -> None:
    period = client.get("/metrics/appeals", params={"period": "2032-13"}, headers=staff)
    figure = client.get("/metrics/appeals/cases", params={"figure": "happiness"}, headers=staff)
    part = client.get("/metrics/appeals/cases", params={"figure": "timely_rate"}, headers=staff)
    naive = client.get("/metrics/appeals", params={"as_of": "2032-05-01T00:00:00"}, headers=staff)
    item_figure = client.get(
        "/metrics/action-items/cases", params={"figure": "timely_rate"}, headers=staff
    )
    item_part = client.get(
        "/metrics/action-items/cases", params={"figure": "acceptance_rate"}, headers=staff
    )
    penalty_figure = client.get(
        "/metrics/penalties/cases", params={"figure": "satisfied"}, headers=staff
    )

    for response, field in (
        (period, "period"),
        (figure, "figure"),
        (part, "part"),
        (item_figure, "figure"),
        (item_part, "part"),
        (penalty_figure, "figure"),
    ):
        assert response.status_code == 400, response.text
        assert response.headers["content-type"] == PROBLEM
        assert response.json()["detail"].startswith(f"{field}:")
    assert naive.status_code in (400, 422)
    assert naive.headers["content-type"] == PROBLEM


def test_figures_as_of_a_moment_still_to_come_are_refused_not_guessed(
    client: TestClient, casework: Casework, auth: Callable[..., Headers], clock: ManualClock
) -> None:
    # A day later, the open appeal's reply deadline would not have passed; a year later it
    # would have, and its department would be counted overdue for a reply it may yet give.
    staff, *_ = _scenario(client, casework, auth, clock)
    later = (clock() + timedelta(days=365)).isoformat()
    tables = {
        "/metrics/appeals": {"period": "2032-05"},
        "/metrics/appeals/cases": {"period": "2032-05", "figure": "overdue_open"},
        "/metrics/action-items": {"period": "2032"},
        "/metrics/action-items/cases": {"period": "2032", "figure": "due"},
        "/metrics/penalties": {"period": "2032"},
        "/metrics/penalties/cases": {"period": "2032", "figure": "points"},
        "/metrics/appeals.csv": {"period": "2032-05"},
    }

    for path, params in tables.items():
        response = client.get(path, params={**params, "as_of": later}, headers=staff)

        assert response.status_code == 422, (path, response.text)
        assert response.headers["content-type"] == PROBLEM
        assert response.json()["errors"][0]["field"] == "as_of"
        assert "after the present" in response.json()["detail"]
    now = client.get(
        "/metrics/appeals",
        params={"period": "2032-05", "as_of": clock().isoformat()},
        headers=staff,
    )
    assert now.status_code == 200, now.text


def test_metrics_need_a_token(client: TestClient) -> None:
    response = client.get("/metrics/appeals")

    assert response.status_code == 401
