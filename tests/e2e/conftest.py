"""End-to-end: the `huiyin` command as a user runs it, a real server on a loopback port."""

from __future__ import annotations

import os
import secrets
import shutil
import socket
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

import httpx
import psycopg
import pytest
from psycopg import sql

from infrastructure.database import connection_parts
from infrastructure.settings import Settings

HUIYIN = shutil.which("huiyin", path=str(Path(sys.executable).parent)) or "huiyin"
START_TIMEOUT_S = 60.0


def free_port() -> int:
    """A loopback port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def huiyin(*args: str, env: dict[str, str]) -> str:
    """Runs a `huiyin` command to completion and returns what it printed."""
    done = subprocess.run(  # noqa: S603  # our own command, fixed arguments
        [HUIYIN, *args], env=env, capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


@contextmanager
def running_server(env: dict[str, str], output: IO[str] | None = None) -> Iterator[str]:
    """`huiyin serve` on a free port until the block ends; yields its base URL. What it
    and its background worker print (their logs) goes to `output` if given."""
    port = free_port()
    proc = subprocess.Popen(  # noqa: S603  # our own command, fixed arguments
        [HUIYIN, "serve", "--port", str(port)],
        env=env,
        stdout=output or subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_healthy(base, proc)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()


def wait_until_healthy(base: str, proc: subprocess.Popen[str]) -> None:
    """Polls /health (bounded) until the server answers or the process dies."""
    with httpx.Client(timeout=2.0) as client:
        for _ in range(int(START_TIMEOUT_S / 0.25)):
            if proc.poll() is not None:
                output = proc.stdout.read() if proc.stdout else ""
                raise AssertionError(f"server exited with {proc.returncode}:\n{output}")
            try:
                if client.get(f"{base}/health").status_code == 200:
                    return
            except httpx.TransportError:
                pass
            try:
                proc.wait(timeout=0.25)
            except subprocess.TimeoutExpired:
                continue
    raise AssertionError(f"server at {base} not healthy after {START_TIMEOUT_S}s")


@pytest.fixture
def server_env(database_url: str, settings: Settings, tmp_path: Path) -> dict[str, str]:
    """The environment a user would set to run against a PostgreSQL server.

    The server shares the session's cipher key: every process writing to one store must,
    or the others (the session's view runners here) cannot read its events.
    """
    return server_env_for(database_url, settings, tmp_path)


def server_env_for(database_url: str, settings: Settings, data_dir: Path) -> dict[str, str]:
    """`server_env` for any data folder (a module's servers share one)."""
    assert settings.cipher_key is not None
    env = {k: v for k, v in os.environ.items() if not k.startswith("HUIYIN_")}
    env.update(
        HUIYIN_DATABASE_URL=database_url,
        HUIYIN_DATA_DIR=str(data_dir),
        HUIYIN_ENVIRONMENT="test",
        HUIYIN_CIPHER_KEY=settings.cipher_key.get_secret_value(),
        # Servers on the session's PostgreSQL (100 connections on CI) leave notices off: their
        # connections (about six a server) tipped the e2e tests' peaks over the limit. A
        # served store with notices on: test_serve (embedded), test_webhook_sender_killed.
        HUIYIN_NOTICES="false",
    )
    return env


@contextmanager
def own_store_env(data_dir: Path, prefix: str = "huiyin_e2e") -> Iterator[dict[str, str]]:
    """The environment of an empty store of a module's own (a development store): a new
    database on the test server, dropped afterwards, or an embedded one in `data_dir`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("HUIYIN_")}
    env.update(HUIYIN_DATA_DIR=str(data_dir), HUIYIN_ENVIRONMENT="development")
    server = os.environ.get("HUIYIN_TEST_DATABASE_URL")
    if not server:
        yield env
        return
    name = f"{prefix}_{secrets.token_hex(4)}"
    env["HUIYIN_DATABASE_URL"] = f"{server.split('?')[0].rsplit('/', 1)[0]}/{name}"
    env["HUIYIN_NOTICES"] = "false"  # on the session's server: see `server_env_for`
    try:
        yield env
    finally:
        admin = {**connection_parts(server), "dbname": "postgres"}
        with psycopg.connect(**admin, autocommit=True) as conn:  # type: ignore[arg-type]
            conn.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )
