"""A full session against a real `huiyin serve`, and everything it and its background worker
logged scanned for every secret and personal value the session used (PIPL: logs carry none).

The server reaches PostgreSQL through a relay the test cuts for a moment, so the log also
holds errors: the API's 503 warnings and the worker's failing background loops.
"""

from __future__ import annotations

import re
import secrets
import time
from pathlib import Path
from urllib.parse import quote

import httpx
import pytest

from infrastructure.database import connection_parts
from tests.dbproxy import relay_to
from tests.e2e.conftest import running_server
from tests.e2e.test_serve import issue, organise

pytestmark = pytest.mark.e2e

#: Unique to this run, so that finding one in the log can only mean it leaked.
EMPLOYEE_NO = f"E{secrets.randbelow(900_000) + 100_000}"
NAME = "欧阳秀英"
PHONE = "13912345678"
#: The server's database password (trust authentication lets any password in).
PASSWORD = f"pw-{secrets.token_hex(8)}"

NAMED = {
    "channel": "urgent",
    "kind": "hardship",
    "category": "work injury",
    "title": "工伤认定材料不全",
    "text": "井下扭伤，工伤认定需要补充材料。",
    "department": "安监处",
    "appellant": {"name": NAME, "employee_no": EMPLOYEE_NO, "contact": PHONE},
}
ANONYMOUS = {
    "channel": "anonymous_box",
    "kind": "complaint",
    "category": "canteen",
    "title": "夜班食堂供餐时间太短",
    "text": "夜班下井前食堂只开放20分钟。",
    "department": "安监处",
}

#: How long the background work may take to say it failed while the database is away.
WORKER_NOTICE_S = 30.0


def with_password(url: str, password: str) -> str:
    """`url` with `password` as its user's password."""
    parts = connection_parts(url)
    user, dbname = quote(parts["user"], safe=""), quote(parts["dbname"], safe="")
    return f"postgresql://{user}:{password}@{parts['host']}:{parts['port']}/{dbname}"


def wait_for_line(log: Path, pattern: str) -> str:
    """The first line of `log` matching `pattern`, waiting for it (bounded)."""
    deadline = time.monotonic() + WORKER_NOTICE_S
    while time.monotonic() < deadline:
        if found := re.search(pattern, log.read_text(encoding="utf-8"), re.MULTILINE):
            return found[0]
        time.sleep(0.2)  # polling the file the worker writes to, not waiting for a guess
    raise AssertionError(f"no line matching {pattern!r} in:\n{log.read_text(encoding='utf-8')}")


def test_logs_of_a_full_session_carry_no_token_receipt_code_or_personal_value(
    server_env: dict[str, str], database_url: str, tmp_path: Path
) -> None:
    log = tmp_path / "server.log"
    with relay_to(database_url) as relay:
        env = {
            **server_env,
            "HUIYIN_DATABASE_URL": with_password(relay.url(database_url), PASSWORD),
        }
        organise(env, tmp_path)
        clerk = issue(env, "clerk", "union_staff")
        auditor = issue(env, "auditor-1", "auditor")
        employee = issue(env, EMPLOYEE_NO, "employee")
        forged = {"Authorization": f"Bearer hy_{secrets.token_urlsafe(32)}"}
        clerk_token = clerk["Authorization"].removeprefix("Bearer ")
        with (
            log.open("w", encoding="utf-8") as output,
            running_server(env, output) as base,
            httpx.Client(base_url=base, timeout=30) as client,
        ):
            assert client.post("/appeals", json=NAMED, headers=clerk).status_code == 201
            raised = client.post("/appeals", json=ANONYMOUS, headers=employee).json()
            code = raised["receipt_code"]
            typed = code.lower().replace("-", "")  # as an appellant may type it
            unknown = "ABCD-EFGH-JKLM-NPQR"
            statuses = [
                client.get(f"/receipts/{code}").status_code,
                client.get(f"/receipts/{typed}").status_code,
                client.post(f"/receipts/{code}/rate", json={"rating": "satisfied"}).status_code,
                client.get(f"/receipts/{unknown}").status_code,
                client.get(
                    "/audit/events",
                    params={"actor": EMPLOYEE_NO, "limit": 10, "after": raised["position"]},
                    headers=auditor,
                ).status_code,
                client.get(
                    "/appeals",
                    params={"status": "raised", "limit": 5, "token": clerk_token},
                    headers=clerk,
                ).status_code,
                client.get("/appeals", headers=forged).status_code,
            ]
            relay.refuse()  # the database goes away
            statuses += [
                client.get(f"/receipts/{code}").status_code,
                client.get(
                    "/audit/events", params={"actor": EMPLOYEE_NO}, headers=auditor
                ).status_code,
            ]
            # The background work notices: its loops fail and retry, or, caught starting
            # up (or standing by while another process's runners lead), it exits and the
            # server restarts it. Either way its lines are in the log before it is read.
            worker_line = wait_for_line(
                log,
                r"^ERROR: +(huiyin\.projections|infrastructure\.chain): .*failed; retrying$"
                r"|^ERROR: +huiyin\.worker: background worker exited with \d+; restarting$",
            )
            relay.restore()
        text = log.read_text(encoding="utf-8")

    assert statuses == [200, 200, 409, 404, 200, 200, 401, 503, 503]
    kept_out = {
        "clerk's token": clerk_token,
        "auditor's token": auditor["Authorization"].removeprefix("Bearer "),
        "employee's token": employee["Authorization"].removeprefix("Bearer "),
        "forged token": forged["Authorization"].removeprefix("Bearer "),
        "a token's random part": clerk_token.removeprefix("hy_"),
        "receipt code": code,
        "receipt code as typed": typed,
        "receipt code without dashes": code.replace("-", ""),
        "unknown receipt code": unknown,
        "employee number": EMPLOYEE_NO,
        "appellant's name": NAME,
        "appellant's phone": PHONE,
        "cipher key": server_env["HUIYIN_CIPHER_KEY"],
        "database password": PASSWORD,
    }
    assert {what for what, value in kept_out.items() if value.lower() in text.lower()} == set()
    # Logging still works, and says what was asked and answered.
    for line in [
        '"POST /appeals HTTP/1.1" 201',
        '"GET /receipts/[redacted] HTTP/1.1" 200',
        '"POST /receipts/[redacted]/rate HTTP/1.1" 409',
        '"GET /receipts/[redacted] HTTP/1.1" 404',
        f'"GET /audit/events?actor=[redacted]&limit=10&after={raised["position"]} HTTP/1.1" 200',
        '"GET /appeals?status=raised&limit=5&[redacted]=[redacted] HTTP/1.1" 200',
        '"GET /appeals HTTP/1.1" 401',
        '"GET /receipts/[redacted] HTTP/1.1" 503',
        '"GET /audit/events?actor=[redacted] HTTP/1.1" 503',
        "huiyin: GET /receipts/{code}: database unavailable",
    ]:
        assert line in text, f"{line!r} not logged:\n{text}"
    assert worker_line in text
