"""The HTTP phase: a real `huiyin serve` process and one keep-alive client driving lifecycles."""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx

from api.bootstrap import build_services
from domain.actors import Role
from infrastructure.settings import Settings

Headers = dict[str, str]

#: The project's folder (the one holding `api` and `bench`).
PROJECT = Path(__file__).resolve().parent.parent

STARTUP_TIMEOUT = 60.0
STOP_TIMEOUT = 15.0
REQUEST_TIMEOUT = 30.0

RAISE_BODY: dict[str, Any] = {
    "channel": "grid_liaison",
    "kind": "complaint",
    "category": "canteen",
    "title": "夜班食堂供餐时间太短",
    "text": "夜班下井前食堂只开放20分钟，来不及吃饭。",
    "department": "后勤服务中心",
    "appellant": {"name": "王建国", "employee_no": "E10234", "contact": "13800001234"},
}

#: The steps after raising, in order: (command, body, who sends it).
STEPS: tuple[tuple[str, dict[str, Any], str], ...] = (
    ("transfer", {"department": "后勤服务中心", "supervisor": "union-vice-chair"}, "staff"),
    ("acknowledge", {"note": "已收到"}, "department"),
    ("reply", {"answer": "供餐延长至40分钟", "basis": "《后勤服务管理办法》第12条"}, "department"),
    ("publish", {"public_text": "夜班供餐时间自12月1日起延长至40分钟"}, "staff"),
    ("rate", {"rating": "satisfied", "comment": "谢谢"}, "appellant"),
    ("close", {"outcome": "resolved"}, "staff"),
)
COMMANDS = ("raise", *(command for command, _, _ in STEPS))
COMMANDS_PER_LIFECYCLE = len(COMMANDS)


class ServerFailed(RuntimeError):
    """The server process did not start, or a command did not succeed."""


@dataclass
class Server:
    """A running `huiyin serve` process."""

    process: subprocess.Popen[bytes]
    base_url: str
    log_path: Path

    def memory(self) -> dict[str, int]:
        """VmHWM (peak) and VmRSS (now) of the process in KiB, from /proc; empty elsewhere."""
        status = Path(f"/proc/{self.process.pid}/status")
        values: dict[str, int] = {}
        with contextlib.suppress(OSError):
            for line in status.read_text().splitlines():
                key, _, rest = line.partition(":")
                if key in ("VmHWM", "VmRSS"):
                    values[key] = int(rest.split()[0])
        return values

    def log_tail(self, lines: int = 30) -> str:
        """The end of the server's output, for error messages."""
        with contextlib.suppress(OSError):
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        return ""


def free_port() -> int:
    """A TCP port on loopback that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def huiyin_executable() -> str:
    """The `huiyin` script beside this interpreter, else the one on PATH."""
    beside = Path(sys.executable).parent / "huiyin"
    if beside.exists():
        return str(beside)
    found = shutil.which("huiyin")
    if found is None:
        raise ServerFailed("the `huiyin` script is not installed (pip install -e .)")
    return found


def issue_tokens(settings: Settings) -> dict[str, Headers]:
    """Bearer headers for the three actors of a lifecycle, for roles the directory gives
    them (`bench.organisation`), as `huiyin token issue` makes them."""
    people = {
        "staff": ("bench-clerk", Role.UNION_STAFF),
        "department": ("logistics-head", Role.DEPARTMENT),
        "appellant": ("E10234", Role.EMPLOYEE),
    }
    with build_services(settings) as services:
        return {
            who: {"Authorization": f"Bearer {services.credentials.issue(*person).token}"}
            for who, person in people.items()
        }


#: The settings of the rate limit, turned off while the benchmark drives the server.
RATE_LIMITS = ("HUIYIN_REQUESTS_PER_MINUTE_PER_TOKEN", "HUIYIN_REQUESTS_PER_MINUTE_PER_ADDRESS")


@contextlib.contextmanager
def running_server(
    server_env: dict[str, str], *, command: list[str] | None = None, workers: int = 1
) -> Iterator[Server]:
    """Starts `huiyin serve` (or this interpreter with `command`, given `--host`, `--port`
    and `--workers` after it) on a free loopback port, waits for /health, stops it on exit.

    One HTTP process unless `workers` says more: the one-client phases measure that, and
    their memory figure reads the one process (`Server.memory`)."""
    port = free_port()
    env = {key: value for key, value in os.environ.items() if not key.startswith("HUIYIN_")}
    # One client drives hundreds of commands a second with one token: the service's
    # throughput is measured here, not its rate limit (which would answer 429).
    env.update(dict.fromkeys(RATE_LIMITS, "0"))
    env.update(server_env)
    env["PYTHONPATH"] = str(PROJECT)  # `bench` is not installed: found beside `api`
    argv = [sys.executable, *command] if command else [huiyin_executable(), "serve"]
    with tempfile.TemporaryDirectory(prefix="huiyin-bench-") as workdir:
        env["HUIYIN_DATA_DIR"] = workdir
        log_path = Path(workdir) / "server.log"
        with log_path.open("wb") as log:
            process = subprocess.Popen(  # noqa: S603  # fixed argv, our own script
                [*argv, "--host", "127.0.0.1", "--port", str(port), "--workers", str(workers)],
                env=env,
                cwd=workdir,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        server = Server(process, f"http://127.0.0.1:{port}", log_path)
        try:
            wait_until_healthy(server)
            yield server
        finally:
            stop(server)


def wait_until_healthy(server: Server) -> None:
    """Polls GET /health until it answers 200, the process dies, or time runs out."""
    deadline = time.monotonic() + STARTUP_TIMEOUT
    with httpx.Client(base_url=server.base_url, timeout=2.0, trust_env=False) as client:
        while time.monotonic() < deadline:
            if server.process.poll() is not None:
                raise ServerFailed(f"the server exited at start:\n{server.log_tail()}")
            with contextlib.suppress(httpx.TransportError):
                if client.get("/health").status_code == 200:
                    return
            time.sleep(0.1)
    raise ServerFailed(f"no healthy server within {STARTUP_TIMEOUT:.0f} s:\n{server.log_tail()}")


def stop(server: Server) -> None:
    """SIGTERM to the process we started (uvicorn shuts down cleanly); SIGKILL if it hangs."""
    process = server.process
    if process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=STOP_TIMEOUT)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=STOP_TIMEOUT)


class KeepAliveClient:
    """A lean HTTP/1.1 client on one keep-alive connection (the standard library's).

    The load generator shares the machine's cores with the server and PostgreSQL, so it
    should cost as little as it can; httpx takes several times the CPU per request.
    """

    def __init__(self, base_url: str, timeout: float) -> None:
        split = urlsplit(base_url)
        self.connection = http.client.HTTPConnection(
            split.hostname or "127.0.0.1", split.port, timeout=timeout
        )

    def post(self, path: str, body: dict[str, Any], headers: Headers) -> tuple[int, bytes]:
        """POSTs JSON; returns the status and the body."""
        payload = json.dumps(body).encode()
        self.connection.request(
            "POST", path, body=payload, headers={**headers, "Content-Type": "application/json"}
        )
        response = self.connection.getresponse()
        return response.status, response.read()

    def reconnect(self) -> None:
        """Closes the connection; the next request opens a new one."""
        self.connection.close()

    def close(self) -> None:
        """Closes the connection."""
        self.connection.close()


@dataclass
class LifecycleDriver:
    """Drives whole appeal lifecycles over one keep-alive connection."""

    client: KeepAliveClient
    headers: dict[str, Headers]
    latencies: dict[str, list[float]] = field(
        default_factory=lambda: {command: [] for command in COMMANDS}
    )

    def run(self, lifecycles: int, *, record: bool) -> float:
        """Runs `lifecycles` appeals from raised to closed; returns the seconds it took.
        Starts on a fresh connection: the server closes one idle past its keep-alive time
        (while another server's run goes on, say)."""
        self.client.reconnect()
        started = time.perf_counter()
        for _ in range(lifecycles):
            self._lifecycle(record)
        return time.perf_counter() - started

    def _lifecycle(self, record: bool) -> None:
        appeal_id = self._command("raise", "/appeals", RAISE_BODY, "staff", 201, record)["id"]
        for command, body, who in STEPS:
            path = f"/appeals/{appeal_id}/{command}"
            self._command(command, path, body, who, 200, record)

    def _command(
        self, command: str, path: str, body: dict[str, Any], who: str, expect: int, record: bool
    ) -> dict[str, Any]:
        started = time.perf_counter()
        status, payload = self.client.post(path, body, self.headers[who])
        elapsed = time.perf_counter() - started
        if status != expect:
            raise ServerFailed(f"{command} answered {status}, not {expect}: {payload!r}")
        if record:
            self.latencies[command].append(elapsed)
        result: dict[str, Any] = json.loads(payload)
        return result


@contextlib.contextmanager
def lifecycle_driver(server: Server, headers: dict[str, Headers]) -> Iterator[LifecycleDriver]:
    """One lean client with keep-alive (a single connection) to the server."""
    client = KeepAliveClient(server.base_url, REQUEST_TIMEOUT)
    try:
        yield LifecycleDriver(client, headers)
    finally:
        client.close()
