"""`huiyin serve --workers 2`: two processes answer HTTP, the background work runs once (in
one child), a worker that dies is replaced, and SIGTERM stops every process.

Which process answered a request is read from the operating system, not from the response:
the server side of the client's still-open connection is a socket (/proc/net/tcp gives its
inode) that exactly one process holds open (/proc/PID/fd). Linux only.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.e2e.conftest import HUIYIN, free_port, own_store_env, wait_until_healthy
from tests.e2e.test_serve import APPEAL, issue, organise
from tests.polling import until

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc"),
]


def children(pid: int) -> dict[int, str]:
    """The live child processes of `pid`, with their command lines."""
    found: dict[int, str] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        with contextlib.suppress(OSError):
            stat = (entry / "stat").read_text()
            parent = int(stat.rsplit(")", 1)[1].split()[1])
            if parent == pid:
                command = (entry / "cmdline").read_bytes()
                found[int(entry.name)] = command.replace(b"\0", b" ").decode()
    return found


def http_workers(pid: int) -> set[int]:
    """uvicorn's worker processes among the children of `pid` (spawned by multiprocessing)."""
    return {child for child, line in children(pid).items() if "spawn_main" in line}


def socket_inode(local_port: int, remote_port: int) -> int | None:
    """The inode of the IPv4 TCP socket from `local_port` to `remote_port`, if any."""
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        local, remote = fields[1].split(":")[1], fields[2].split(":")[1]
        if int(local, 16) == local_port and int(remote, 16) == remote_port:
            return int(fields[9])
    return None


def holder(inode: int, pids: set[int]) -> int | None:
    """Which of `pids` holds the socket `inode` open."""
    target = f"socket:[{inode}]"
    for pid in pids:
        with contextlib.suppress(OSError):
            for fd in Path(f"/proc/{pid}/fd").iterdir():
                with contextlib.suppress(OSError):
                    if os.readlink(fd) == target:
                        return pid
    return None


def raise_on_new_connection(
    port: int, headers: dict[str, str], candidates: set[int]
) -> tuple[dict[str, object], int | None]:
    """Raises an appeal on a connection of its own; returns the answer and the process
    holding the server's side of that connection while it is still open."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request(
            "POST",
            "/appeals",
            body=json.dumps(APPEAL).encode(),
            headers={**headers, "Content-Type": "application/json"},
        )
        response = connection.getresponse()
        body = json.loads(response.read())
        assert response.status == 201, body
        assert connection.sock is not None
        inode = socket_inode(port, connection.sock.getsockname()[1])
        return body, holder(inode, candidates) if inode is not None else None
    finally:
        connection.close()


@contextlib.contextmanager
def serving(env: dict[str, str], port: int, workers: int) -> Iterator[subprocess.Popen[str]]:
    """`huiyin serve --workers N` until the block ends (then SIGTERM, as a supervisor stops it)."""
    proc = subprocess.Popen(  # noqa: S603  # our own command, fixed arguments
        [HUIYIN, "serve", "--port", str(port), "--workers", str(workers)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        wait_until_healthy(f"http://127.0.0.1:{port}", proc)
        yield proc
    finally:
        if proc.poll() is None:
            proc.terminate()
        try:
            proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def test_two_workers_answer_and_the_background_work_runs_once(tmp_path: Path) -> None:
    with own_store_env(tmp_path / "var", prefix="huiyin_e2e_workers") as env:
        organise(env, tmp_path)
        clerk = issue(env, "clerk", "union_staff")
        auditor = issue(env, "auditor-1", "auditor")
        port = free_port()
        with serving(env, port, workers=2) as proc:
            until("two HTTP workers", lambda: len(http_workers(proc.pid)) == 2, 60)
            workers = http_workers(proc.pid)
            background = {c for c, line in children(proc.pid).items() if "api.cli work" in line}
            assert len(background) == 1  # the views, chain and watcher: once

            raised, answered_by = [], set()
            for _ in range(200):  # the kernel picks a worker per connection
                body, pid = raise_on_new_connection(port, clerk, workers | background)
                raised.append(body)
                answered_by.add(pid)
                if len(answered_by) >= 2 and len(raised) >= 6:
                    break
            assert answered_by == workers  # both workers, never the background child

            base = f"http://127.0.0.1:{port}"
            with httpx.Client(base_url=base, timeout=30) as client:
                last = max(int(str(body["position"])) for body in raised)
                listed = client.get(
                    "/appeals", params={"after": last, "limit": 200}, headers=clerk
                ).json()
                progress = client.get("/projections", headers=auditor).json()
            assert {str(body["id"]) for body in raised} <= {item["id"] for item in listed["items"]}
            # No HTTP worker runs a view: the background child leads them all.
            assert {view["runner"] for view in progress["views"]} == {"elsewhere"}

            # A worker that dies is replaced; the service answers throughout.
            victim = next(iter(workers))
            os.kill(victim, signal.SIGKILL)
            until(
                "the killed worker replaced",
                lambda: len(http_workers(proc.pid) - {victim}) == 2,
                60,
            )
            assert httpx.get(f"{base}/health", timeout=30).status_code == 200

            everyone = set(children(proc.pid))
            proc.terminate()
            assert proc.wait(timeout=60) == 0
            # SIGTERM stopped the workers and the background child with the master.
            until(
                "every process gone", lambda: not any(Path(f"/proc/{p}").exists() for p in everyone)
            )
