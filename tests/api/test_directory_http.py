"""The organisation directory over HTTP: departments by code, leads, roles, and what they do
to tokens and to the cases that name them."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from typing import Any

from fastapi.testclient import TestClient

from api.bootstrap import Services
from domain.actors import Role
from tests.api.conftest import Headers, named_appeal


def code() -> str:
    """A department code no other test uses."""
    return f"dir-{secrets.token_hex(4)}"


def admin(auth: Callable[..., Headers]) -> Headers:
    """An admin, who keeps the directory."""
    return auth("dir-admin", Role.ADMIN)


def open_department(client: TestClient, headers: Headers, **body: Any) -> str:
    """Opens a department (code, name, head) and returns its code."""
    made = client.post("/directory/departments", json=body, headers=headers)
    assert made.status_code == 201, made.text
    return str(body["code"])


def test_a_department_is_opened_and_cases_name_it_by_code_or_name(
    client: TestClient, auth: Callable[..., Headers], staff: Headers
) -> None:
    dept = code()
    open_department(client, admin(auth), code=dept, name=f"通风科{dept}", head="dir-head")
    appeal_id = client.post("/appeals", json=named_appeal(), headers=staff).json()["id"]

    moved = client.post(
        f"/appeals/{appeal_id}/transfer",
        json={"department": f"通风科{dept}", "supervisor": "S-zhao"},
        headers=staff,
    )

    assert moved.status_code == 200, moved.text
    state = client.get(f"/appeals/{appeal_id}", headers=staff).json()
    assert state["responsible_department"] == dept
    listed = client.get("/directory", headers=staff).json()
    assert {"code": dept, "name": f"通风科{dept}", "head": "dir-head", "open": True} in [
        {k: d[k] for k in ("code", "name", "head", "open")} for d in listed["departments"]
    ]


def test_an_unknown_department_is_a_422_naming_the_field(
    client: TestClient, staff: Headers
) -> None:
    appeal_id = client.post("/appeals", json=named_appeal(), headers=staff).json()["id"]

    refused = client.post(
        f"/appeals/{appeal_id}/transfer",
        json={"department": "后勤服务中心👍", "supervisor": "S-zhao"},
        headers=staff,
    )

    assert refused.status_code == 422
    assert refused.json()["errors"] == [
        {
            "field": "department",
            "message": "no department '后勤服务中心👍' in the directory (a code or a name)",
        }
    ]
    assert client.get(f"/appeals/{appeal_id}", headers=staff).json()["version"] == 1


def test_renaming_keeps_the_code_so_cases_and_figures_stay_together(
    client: TestClient, auth: Callable[..., Headers], staff: Headers
) -> None:
    dept = code()
    keeper = admin(auth)
    open_department(client, keeper, code=dept, name=f"旧名{dept}")
    appeal_id = client.post("/appeals", json=named_appeal(), headers=staff).json()["id"]
    client.post(
        f"/appeals/{appeal_id}/transfer",
        json={"department": dept, "supervisor": "S-zhao"},
        headers=staff,
    )

    renamed = client.post(
        f"/directory/departments/{dept}/rename", json={"name": f"新名{dept}"}, headers=keeper
    )
    again = client.post(
        f"/appeals/{appeal_id}/retransfer",
        json={"department": f"旧名{dept}", "reason": "x"},
        headers=staff,
    )

    assert renamed.status_code == 200
    assert again.status_code == 422
    assert f"it is '新名{dept}' now (code {dept})" in again.json()["detail"]
    after = renamed.json()["position"]
    listed = client.get(f"/appeals?department=新名{dept}&after={after}", headers=staff)
    assert [row["id"] for row in listed.json()["items"]] == [appeal_id]


def test_a_closed_department_takes_no_new_work(
    client: TestClient, auth: Callable[..., Headers], staff: Headers
) -> None:
    dept = code()
    keeper = admin(auth)
    open_department(client, keeper, code=dept, name=dept)
    closed = client.post(
        f"/directory/departments/{dept}/close", json={"reason": "并入机电科"}, headers=keeper
    )
    appeal_id = client.post("/appeals", json=named_appeal(), headers=staff).json()["id"]

    refused = client.post(
        f"/appeals/{appeal_id}/transfer",
        json={"department": dept, "supervisor": "S-zhao"},
        headers=staff,
    )

    assert closed.status_code == 200
    assert refused.status_code == 422
    assert "is closed" in refused.json()["detail"]


def test_only_admin_and_hr_keep_departments_and_only_admin_grants_roles(
    client: TestClient, auth: Callable[..., Headers], staff: Headers
) -> None:
    hr = auth("dir-hr", Role.HR)
    body = {"code": code(), "name": "人事新设"}

    assert client.post("/directory/departments", json=body, headers=hr).status_code == 201
    clerk_tries = client.post(
        "/directory/departments", json={**body, "code": code()}, headers=staff
    )
    hr_grants = client.post(
        "/directory/roles", json={"person": "x", "role": "union_staff"}, headers=hr
    )
    assert clerk_tries.status_code == 403
    assert clerk_tries.json()["permission"] == "directory.manage"
    assert hr_grants.status_code == 403
    assert hr_grants.json()["permission"] == "directory.roles"


def test_a_role_revoked_in_the_directory_stops_its_tokens_at_the_next_request(
    client: TestClient, auth: Callable[..., Headers]
) -> None:
    person = f"dir-clerk-{secrets.token_hex(3)}"
    token = auth(person, Role.UNION_STAFF)
    assert client.get("/appeals", headers=token).status_code == 200

    revoked = client.post(
        "/directory/roles/revoke",
        json={"person": person, "role": "union_staff"},
        headers=admin(auth),
    )

    assert revoked.status_code == 200
    refused = client.get("/appeals", headers=token)
    assert refused.status_code == 401
    assert "no longer holds the union_staff role" in refused.json()["detail"]


def test_a_department_handlers_scope_follows_the_directory(
    client: TestClient, auth: Callable[..., Headers]
) -> None:
    first, second = code(), code()
    keeper = admin(auth)
    for dept in (first, second):
        open_department(client, keeper, code=dept, name=dept)
    person = f"dir-handler-{secrets.token_hex(3)}"
    token = auth(person, Role.DEPARTMENT, departments=[first])
    assert client.get("/me", headers=token).json()["departments"] == [first]

    client.post(
        "/directory/roles",
        json={"person": person, "role": "department", "departments": [first, second]},
        headers=keeper,
    )

    assert client.get("/me", headers=token).json()["departments"] == sorted([first, second])


def test_a_grant_with_the_wrong_scope_is_refused_naming_the_field(
    client: TestClient, auth: Callable[..., Headers]
) -> None:
    keeper = admin(auth)
    for body, field in [
        ({"person": "p", "role": "department"}, "departments"),
        ({"person": "p", "role": "union_staff", "departments": ["财务部"]}, "departments"),
        ({"person": "p", "role": "employee"}, "role"),
        ({"person": "p", "role": "system"}, "role"),
        ({"person": "p", "role": "department", "departments": ["没有的部门"]}, "departments"),
    ]:
        refused = client.post("/directory/roles", json=body, headers=keeper)
        assert refused.status_code == 422, body
        assert refused.json()["errors"][0]["field"] == field


def test_a_stale_if_match_on_the_directory_is_412_and_changes_nothing(
    client: TestClient, auth: Callable[..., Headers]
) -> None:
    keeper = admin(auth)
    version = client.get("/directory", headers=keeper).json()["version"]
    dept = code()

    stale = client.post(
        "/directory/departments",
        json={"code": dept, "name": dept},
        headers={**keeper, "If-Match": f'"{version - 1}"'},
    )
    fresh = client.post(
        "/directory/departments",
        json={"code": dept, "name": dept},
        headers={**keeper, "If-Match": f'"{version}"'},
    )

    assert stale.status_code == 412
    assert fresh.status_code == 201


def test_an_import_says_what_it_would_change_and_then_changes_it_once(
    client: TestClient, auth: Callable[..., Headers], services: Services
) -> None:
    dept = code()
    body = {
        "departments": [{"code": dept, "name": f"导入{dept}", "head": "imp-head"}],
        "roles": [{"person": f"imp-{dept}", "role": "department", "departments": [dept]}],
    }
    keeper = admin(auth)

    dry = client.post("/directory/import?dry_run=true", json=body, headers=keeper).json()
    assert dry["dry_run"] is True
    assert dry["changes"] == [f"open {dept} 导入{dept}", f"grant imp-{dept} department ({dept})"]
    assert services.casework.directory.current().departments.get(dept) is None

    done = client.post("/directory/import", json=body, headers=keeper).json()
    again = client.post("/directory/import", json=body, headers=keeper).json()
    assert done["changes"] == dry["changes"]
    assert done["version"] is not None
    assert again["changes"] == []
    handler = services.casework.directory.actor(f"imp-{dept}", Role.DEPARTMENT)
    assert handler is not None
    assert handler.departments == {dept}


def test_roles_are_listed_to_the_admin_with_their_scope(
    client: TestClient, auth: Callable[..., Headers]
) -> None:
    person = f"dir-list-{secrets.token_hex(3)}"
    auth(person, Role.DEPARTMENT, departments=["财务部"])

    held = client.get("/directory/roles", headers=admin(auth)).json()

    assert {"person": person, "role": "department", "departments": ["财务部"], "tiers": []} in held
