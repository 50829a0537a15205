"""A user's first session: issue a token, start the server, follow an appeal, revoke."""

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


def test_served_api_takes_commands_and_refuses_a_revoked_token(
    server_env: dict[str, str],
) -> None:
    token = huiyin("token", "issue", "--actor", "clerk", "--role", "union_staff", env=server_env)
    headers = {"Authorization": f"Bearer {token}"}

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
        assert "/appeals/{appeal_id}/transfer" in client.get("/openapi.json").json()["paths"]

        assert huiyin("token", "revoke", token, env=server_env) == "revoked"
        assert client.get(f"/appeals/{appeal_id}", headers=headers).status_code == 401


def test_embedded_database_keeps_its_data_across_restarts(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("HUIYIN_")}
    env.update(HUIYIN_DATA_DIR=str(tmp_path / "var"), HUIYIN_ENVIRONMENT="development")
    token = huiyin("token", "issue", "--actor", "clerk", "--role", "union_staff", env=env)
    headers = {"Authorization": f"Bearer {token}"}

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
    token = huiyin("token", "issue", "--actor", "clerk", "--role", "union_staff", env=env)
    headers = {"Authorization": f"Bearer {token}"}

    with running_server(env) as base, httpx.Client(base_url=base, timeout=10) as client:
        created = client.post("/appeals", json=APPEAL, headers=headers).json()
        listed = client.get(
            "/appeals", params={"after": created["position"]}, headers=headers
        ).json()
        progress = client.get("/projections", headers=headers).json()
        verified = client.get("/audit/verify", headers=headers).json()

    assert [item["id"] for item in listed["items"]] == [created["id"]]
    # The child process runs every view; the server itself runs none ("elsewhere").
    assert {view["runner"] for view in progress["views"]} == {"elsewhere"}
    assert all(
        view["position"] >= created["position"]
        for view in progress["views"]
        if view["name"] == "case_index"
    )
    assert verified["intact"] is True
