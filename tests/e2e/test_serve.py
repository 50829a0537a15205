"""A user's first session: fill the directory, issue a token, start the server, follow an
appeal, revoke."""

from __future__ import annotations

import os
from pathlib import Path

import httpx
import pytest

from tests.e2e.conftest import huiyin, running_server

pytestmark = pytest.mark.e2e

APPEAL = {
    "channel": "urgent",
    "kind": "hardship",
    "category": "work injury",
    "title": "工伤认定材料不全",
    "text": "井下扭伤，工伤认定需要补充材料。",
    "department": "安监处",
    "appellant": {"name": "孙立", "employee_no": "E50001"},
}

#: The organisation these sessions need, as `huiyin org import` reads it: the department
#: the appeal goes to, the clerk who registers it, the supervisor named on its transfer and
#: an auditor who reads the views' progress. An import only adds and updates, so it also
#: suits a database whose directory holds more (the test session's).
ORGANISATION = """
[[departments]]
code = "安监处"
name = "安监处"

[[roles]]
person = "clerk"
role = "union_staff"

[[roles]]
person = "safety-head"
role = "supervisor"

[[roles]]
person = "auditor-1"
role = "auditor"
"""


def organise(env: dict[str, str], folder: Path) -> None:
    """Fills the directory with `ORGANISATION` through the command line, as a user would."""
    plan = folder / "organisation.toml"
    plan.write_text(ORGANISATION, encoding="utf-8")
    huiyin("org", "import", str(plan), env=env)


def issue(env: dict[str, str], actor: str, role: str) -> dict[str, str]:
    """A token from `huiyin token issue`, as the Authorization header."""
    token = huiyin("token", "issue", "--actor", actor, "--role", role, env=env)
    return {"Authorization": f"Bearer {token}"}


def test_served_api_takes_commands_and_refuses_a_revoked_token(
    server_env: dict[str, str], tmp_path: Path
) -> None:
    organise(server_env, tmp_path)
    headers = issue(server_env, "clerk", "union_staff")
    token = headers["Authorization"].removeprefix("Bearer ")

    with running_server(server_env) as base, httpx.Client(base_url=base) as client:
        assert client.get("/health").json()["status"] == "ok"
        created = client.post("/appeals", json=APPEAL, headers=headers)
        assert created.status_code == 201
        appeal_id = created.json()["id"]
        transferred = client.post(
            f"/appeals/{appeal_id}/transfer",
            json={"department": "安监处", "supervisor": "safety-head"},
            headers=headers,
        )
        assert transferred.json()["version"] == 2
        state = client.get(f"/appeals/{appeal_id}", headers=headers).json()
        assert state["response_deadline"]["rule"] == "response.urgent-48h"
        assert client.get("/docs").status_code == 200
        # Building the OpenAPI document takes the server a second or two when idle.
        openapi = client.get("/openapi.json", timeout=30).json()
        assert "/appeals/{appeal_id}/transfer" in openapi["paths"]

        revoked = huiyin("token", "revoke", token, env=server_env)
        assert revoked.startswith("revoked ")
        assert revoked.endswith("(clerk, union_staff)")
        # No cache: the server refuses the revoked token from the very next request.
        assert client.get(f"/appeals/{appeal_id}", headers=headers).status_code == 401


def test_embedded_database_keeps_its_data_across_restarts(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("HUIYIN_")}
    env.update(HUIYIN_DATA_DIR=str(tmp_path / "var"), HUIYIN_ENVIRONMENT="development")
    organise(env, tmp_path)
    headers = issue(env, "clerk", "union_staff")

    with running_server(env) as base:
        created = httpx.post(f"{base}/appeals", json=APPEAL, headers=headers)
        assert created.status_code == 201
    with running_server(env) as base:
        again = httpx.get(f"{base}/appeals/{created.json()['id']}", headers=headers)

    assert again.status_code == 200
    assert again.json()["appellant"]["name"] == "孙立"
    assert (tmp_path / "var" / "cipher.key").exists()


def test_the_servers_background_worker_keeps_the_views_and_the_chain_up(
    tmp_path: Path,
) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("HUIYIN_")}
    env.update(HUIYIN_DATA_DIR=str(tmp_path / "var"), HUIYIN_ENVIRONMENT="development")
    organise(env, tmp_path)
    headers = issue(env, "clerk", "union_staff")
    auditor = issue(env, "auditor-1", "auditor")  # the views' progress is for auditors

    with running_server(env) as base, httpx.Client(base_url=base, timeout=10) as client:
        created = client.post("/appeals", json=APPEAL, headers=headers).json()
        listed = client.get(
            "/appeals", params={"after": created["position"]}, headers=headers
        ).json()
        progress = client.get("/projections", headers=auditor).json()
        verified = client.get("/audit/verify", headers=headers).json()
        outbox = client.get("/health").json()["outbox"]  # notices are on by default

    assert [item["id"] for item in listed["items"]] == [created["id"]]
    # The child process runs every view; the server itself runs none ("elsewhere").
    assert {view["runner"] for view in progress["views"]} == {"elsewhere"}
    assert all(
        view["position"] >= created["position"]
        for view in progress["views"]
        if view["name"] == "case_index"
    )
    assert verified["intact"] is True
    # The decider's starting point was recorded at start-up; nothing was given up.
    assert outbox["decided_position"] is not None
    assert outbox["dead"] == 0
