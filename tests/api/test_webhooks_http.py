"""Webhook endpoints over HTTP: registered by the admin with their secret shown once, never
listed with a secret or a robot's key, changed with a log of who changed what, paused,
resumed and removed (what was pending to them dropped). Their deliveries:
test_webhook_deliveries_http.py."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.bootstrap import Services
from domain.actors import Role
from tests.api.conftest import Headers
from tests.conftest import open_department
from tests.outbox import put_delivery

PROBLEM = "application/problem+json"
WECOM = "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=robot-key-4711"


@pytest.fixture
def admin(auth: Callable[..., Headers]) -> Headers:
    """The admin, who keeps the endpoints."""
    return auth("wh-admin", Role.ADMIN)


def register(client: TestClient, admin: Headers, **overrides: Any) -> dict[str, Any]:
    body = {"name": "值班群", "target": "https://hooks.example.cn/huiyin", "kinds": ["reminder"]}
    answer = client.post("/webhooks", json={**body, **overrides}, headers=admin)
    assert answer.status_code == 201, answer.text
    made: dict[str, Any] = answer.json()
    return made


def outbox(services: Services, endpoint: str | None, status: str, tries: int = 0) -> str:
    """A delivery to `endpoint` in `status` (see `tests.outbox`)."""
    return put_delivery(services.database_url, endpoint, status, tries)


def test_registration_shows_the_secret_once_and_no_read_shows_it_again(
    client: TestClient, admin: Headers, auth: Callable[..., Headers]
) -> None:
    answer = client.post(
        "/webhooks",
        json={"name": "审计接收", "target": "https://hooks.example.cn/a", "kinds": ["card"]},
        headers=admin,
    )
    made = answer.json()
    auditor = auth("wh-auditor", Role.AUDITOR)
    one = client.get(f"/webhooks/{made['id']}", headers=auditor)
    listed = client.get("/webhooks", headers=auditor)

    assert answer.status_code == 201
    assert answer.headers["Location"] == f"/webhooks/{made['id']}"
    assert answer.headers["Cache-Control"] == "no-store"
    assert made["secret"].startswith("whsec_")
    assert (made["has_secret"], made["active"], made["version"]) == (True, True, 1)
    assert one.status_code == 200
    assert one.headers["ETag"] == '"1"'
    assert "secret" not in one.json()
    assert made["id"] in {e["id"] for e in listed.json()["items"]}
    assert made["secret"] not in one.text + listed.text


def test_a_robots_key_in_its_url_query_is_never_shown(client: TestClient, admin: Headers) -> None:
    made = register(client, admin, name="企业微信群", format="wecom", target=WECOM)
    listed = client.get("/webhooks", headers=admin)
    one = client.get(f"/webhooks/{made['id']}", headers=admin)

    assert made["secret"] is None
    assert made["target"] == "https://qyapi.weixin.qq.com/cgi-bin/webhook/send"
    assert "robot-key-4711" not in made["target"] + listed.text + one.text


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        ({"target": "ftp://hooks.example.cn/x"}, 422, "target"),
        ({"target": "https://me:pw@hooks.example.cn/x"}, 422, "target"),
        ({"kinds": []}, 422, "kinds"),
        ({"kinds": ["gossip"]}, 422, "kinds.0"),
        ({"format": "email", "target": "not-an-address"}, 422, "target"),
        ({"format": "wecom", "target": WECOM, "secret": "SECx"}, 422, "secret"),
        ({"audience": "employee"}, 422, "audience"),
        ({"audience": "auditor", "personal_data": True}, 422, "personal_data"),
        ({"departments": ["no-such-department"]}, 422, "departments"),
        ({"colour": "red"}, 422, "colour"),
        ({"personal_data": 0}, 422, "personal_data"),
    ],
)
def test_an_endpoint_breaking_a_rule_is_refused_naming_the_field(
    client: TestClient, admin: Headers, body: dict[str, Any], status: int, field: str
) -> None:
    valid = {"name": "x", "target": "https://hooks.example.cn/x", "kinds": ["reminder"]}
    answer = client.post("/webhooks", json={**valid, **body}, headers=admin)

    assert (answer.status_code, answer.headers["content-type"]) == (status, PROBLEM)
    assert field in {e["field"] for e in answer.json()["errors"]}, answer.text


def test_a_body_that_is_not_json_is_a_400_problem(client: TestClient, admin: Headers) -> None:
    answer = client.post(
        "/webhooks", content=b"{not json", headers={**admin, "Content-Type": "application/json"}
    )

    assert (answer.status_code, answer.headers["content-type"]) == (400, PROBLEM)


def test_a_department_filter_may_name_the_department_and_is_kept_as_its_code(
    client: TestClient, admin: Headers, services: Services
) -> None:
    code = open_department(services.casework, "webhook")
    name = services.casework.directory.department(code).name
    made = register(client, admin, departments=[name], tiers=["workers"])

    assert (made["departments"], made["tiers"]) == ([code], ["workers"])


def test_each_change_is_logged_with_who_when_and_the_fields_never_a_secret(
    client: TestClient, admin: Headers
) -> None:
    made = register(client, admin, format="wecom", target=WECOM)
    path = f"/webhooks/{made['id']}"
    changed = client.patch(
        path,
        json={"name": "新名字", "target": WECOM.replace("4711", "4712")},
        headers={**admin, "If-Match": '"1"'},
    )
    unchanged = client.patch(path, json={"name": "新名字"}, headers=admin)
    stale = client.patch(path, json={"name": "又一个"}, headers={**admin, "If-Match": '"1"'})
    client.post(f"{path}/pause", headers=admin)
    detail = client.get(path, headers=admin).json()

    assert changed.status_code == 200, changed.text
    assert (changed.json()["name"], changed.json()["version"]) == ("新名字", 2)
    assert unchanged.json()["version"] == 2
    assert stale.status_code == 412
    assert [c["change"] for c in detail["changes"]] == ["registered", "changed", "paused"]
    assert detail["changes"][1]["fields"] == {
        "name": "新名字",
        "target": "https://qyapi.weixin.qq.com/cgi-bin/webhook/send (its query changed)",
    }
    assert {(c["actor_id"], c["actor_role"]) for c in detail["changes"]} == {("wh-admin", "admin")}
    assert "robot-key" not in str(detail)


def test_a_secret_is_rotated_shown_once_and_a_format_without_one_has_none_to_rotate(
    client: TestClient, admin: Headers
) -> None:
    made = register(client, admin)
    rotated = client.post(f"/webhooks/{made['id']}/secret", headers=admin)
    wecom = register(client, admin, format="wecom", target=WECOM)
    refused = client.post(f"/webhooks/{wecom['id']}/secret", headers=admin)
    detail = client.get(f"/webhooks/{made['id']}", headers=admin).json()

    assert rotated.status_code == 200
    assert rotated.json()["secret"].startswith("whsec_")
    assert rotated.json()["secret"] != made["secret"]
    assert refused.status_code == 409
    assert detail["changes"][-1]["change"] == "secret rotated"
    assert detail["changes"][-1]["fields"] == {}


def test_pause_and_resume_and_removal_drops_what_was_pending(
    client: TestClient, admin: Headers, services: Services
) -> None:
    made = register(client, admin)
    path = f"/webhooks/{made['id']}"
    pending = outbox(services, made["id"], "pending")
    dead = outbox(services, made["id"], "dead", tries=3)

    paused = client.post(f"{path}/pause", headers=admin).json()
    resumed = client.post(f"{path}/resume", headers=admin).json()
    removed = client.delete(path, headers=admin)
    again = client.post(f"{path}/resume", headers=admin)
    listed = client.get("/webhooks", headers=admin).json()["items"]
    everything = client.get("/webhooks", params={"include_removed": "true"}, headers=admin)
    after = {
        d: client.get(f"/webhooks/deliveries/{d}", headers=admin).json() for d in (pending, dead)
    }

    assert (paused["active"], resumed["active"]) == (False, True)
    assert removed.status_code == 200
    assert removed.json()["removed_at"] is not None
    assert (removed.json()["active"], removed.json()["has_secret"]) == (False, False)
    assert again.status_code == 409
    assert made["id"] not in {e["id"] for e in listed}
    assert made["id"] in {e["id"] for e in everything.json()["items"]}
    assert after[pending]["status"] == "dropped"
    assert after[pending]["last_error"] == "the endpoint was removed"
    assert after[dead]["status"] == "dead"


def test_unknown_endpoints_and_deliveries_are_404_problems(
    client: TestClient, admin: Headers
) -> None:
    nobody = uuid.uuid4()
    answers = [
        client.get(f"/webhooks/{nobody}", headers=admin),
        client.patch(f"/webhooks/{nobody}", json={"name": "x"}, headers=admin),
        client.delete(f"/webhooks/{nobody}", headers=admin),
        client.post(f"/webhooks/{nobody}/pause", headers=admin),
        client.get(f"/webhooks/{nobody}/deliveries", headers=admin),
        client.get(f"/webhooks/deliveries/{nobody}", headers=admin),
        client.post(f"/webhooks/deliveries/{nobody}/retry", headers=admin),
    ]

    assert [(a.status_code, a.headers["content-type"]) for a in answers] == [(404, PROBLEM)] * 7


def test_an_auditor_reads_endpoints_but_may_not_change_them(
    client: TestClient, admin: Headers, auth: Callable[..., Headers]
) -> None:
    made = register(client, admin)
    auditor = auth("wh-auditor", Role.AUDITOR)
    read = client.get(f"/webhooks/{made['id']}/deliveries", headers=auditor)
    refused = client.post(f"/webhooks/{made['id']}/pause", headers=auditor)

    assert read.status_code == 200
    assert refused.status_code == 403
    assert refused.json()["permission"] == "webhook.manage"


def test_the_deliveries_path_is_not_taken_for_an_endpoint_id(
    client: TestClient, admin: Headers
) -> None:
    patched = client.patch("/webhooks/deliveries", json={"name": "x"}, headers=admin)
    not_an_id = client.get("/webhooks/not-an-id", headers=admin)

    assert (patched.status_code, patched.headers["Allow"]) == (405, "GET")
    assert (not_an_id.status_code, not_an_id.headers["content-type"]) == (404, PROBLEM)
