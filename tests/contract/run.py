"""The API contract, fuzzed: schemathesis against a real `huiyin serve`, every operation, as
every role, with its default checks and stateful testing along the document's links.

Run by `.ci/run` (after the tests): `python -m tests.contract.run [--examples N]`. A scratch
database is made on `HUIYIN_TEST_DATABASE_URL` (an embedded PostgreSQL without it), given
the test organisation's directory, a token per role and a few cases of each kind, and
dropped afterwards. Exit status 0 only if every role's run found nothing.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import secrets
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import psycopg
from psycopg import sql

from api.bootstrap import build_services
from domain.actors import Role
from domain.terms import Tier
from infrastructure.database import connection_parts, embedded_server
from infrastructure.keys import new_key
from infrastructure.settings import Environment, Settings
from tests.conftest import SETUP
from tests.contract.seed import seed
from tests.e2e.conftest import HUIYIN, free_port, wait_until_healthy
from tests.organisation import PLAN

CONFIG = Path(__file__).with_name("schemathesis.toml")

#: Who the fuzzer acts as, per role: a person and the scope the directory gives them.
PEOPLE: dict[Role, tuple[str, dict[str, list[Any]]]] = {
    Role.EMPLOYEE: ("E-fuzz-1", {}),
    Role.LIAISON: ("fuzz-liaison", {}),
    Role.UNION_STAFF: ("fuzz-clerk", {}),
    Role.DEPARTMENT: ("fuzz-handler", {"departments": ["后勤服务中心"]}),
    Role.SUPERVISOR: ("fuzz-supervisor", {"tiers": [Tier.WORKERS]}),
    Role.HR: ("fuzz-hr", {}),
    Role.COMMITTEE: ("fuzz-committee", {}),
    Role.AUDITOR: ("fuzz-auditor", {}),
    Role.ADMIN: ("fuzz-admin", {}),
}


@contextlib.contextmanager
def scratch_database() -> Iterator[str]:
    """A database of the run's own: on the test server if one is named, else embedded."""
    server = os.environ.get("HUIYIN_TEST_DATABASE_URL")
    if not server:
        with tempfile.TemporaryDirectory() as folder, embedded_server(Path(folder)) as url:
            yield url
        return
    name = f"huiyin_contract_{secrets.token_hex(4)}"
    admin = {**connection_parts(server), "dbname": "postgres"}
    with psycopg.connect(**admin, autocommit=True) as conn:  # type: ignore[arg-type]
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield server.split("?")[0].rsplit("/", 1)[0] + f"/{name}"
    finally:
        with psycopg.connect(**admin, autocommit=True) as conn:  # type: ignore[arg-type]
            conn.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )


def prepared(settings: Settings) -> dict[Role, str]:
    """The directory, a few cases of each kind, and a token per role."""
    with build_services(settings) as services:
        services.casework.directory.apply_plan(PLAN, actor=SETUP)
        for role, (person, scope) in PEOPLE.items():
            if role is not Role.EMPLOYEE:
                directory = services.casework.directory
                directory.grant(
                    person,
                    role,
                    actor=SETUP,
                    departments=tuple(scope.get("departments", ())),
                    tiers=tuple(scope.get("tiers", ())),
                )
        seed(services, {role: person for role, (person, _) in PEOPLE.items()})
        return {
            role: services.credentials.issue(person, role).token
            for role, (person, _) in PEOPLE.items()
        }


@contextlib.contextmanager
def serving(env: dict[str, str]) -> Iterator[str]:
    """`huiyin serve` on a free port; its output goes to a file printed if it fails."""
    port = free_port()
    with tempfile.NamedTemporaryFile("w+", suffix=".log") as log:
        proc = subprocess.Popen(  # noqa: S603  # our own command, fixed arguments
            [HUIYIN, "serve", "--port", str(port)], env=env, stdout=log, stderr=subprocess.STDOUT
        )
        base = f"http://127.0.0.1:{port}"
        try:
            wait_until_healthy(base, proc)  # type: ignore[arg-type]
            yield base
        finally:
            proc.terminate()
            proc.wait(timeout=30)


def fuzz(base: str, role: Role, token: str, examples: int, seconds: int, report: Path) -> int:
    """One schemathesis run as `role`; its exit status."""
    command = [
        str(Path(sys.executable).parent / "schemathesis"),
        "--config-file",
        str(CONFIG),
        "run",
        f"{base}/openapi.json",
        "--header",
        f"Authorization: Bearer {token}",
        "--phases",
        "examples,coverage,fuzzing,stateful",
        "--max-examples",
        str(examples),
        "--max-time",
        str(seconds),
        "--seed",
        "2026",
        "--request-timeout",
        "30",
        # One worker: with two, hypothesis describes filters by parsing source in both threads
        # at once, and CPython 3.11's parser then fails ("AST constructor recursion depth
        # mismatch"), an error of the tool that fails the run whatever the service answers.
        "--workers",
        "1",
        "--report",
        "junit",
        "--report-junit-path",
        str(report / f"{role.value}.xml"),
        "--no-color",
    ]
    print(f"\n== schemathesis as {role.value}", flush=True)
    started = time.monotonic()
    done = subprocess.run(command, check=False)  # noqa: S603  # fixed arguments
    print(f"== {role.value}: exit {done.returncode} in {time.monotonic() - started:.0f} s")
    return done.returncode


def main(argv: list[str] | None = None) -> int:
    """Seeds a store, serves it, and fuzzes it as every role."""
    parser = argparse.ArgumentParser(prog="python -m tests.contract.run", description=__doc__)
    parser.add_argument("--examples", type=int, default=15, help="cases per operation")
    parser.add_argument("--seconds", type=int, default=100, help="time budget per role")
    parser.add_argument("--roles", default="", help="comma-separated roles (default: all)")
    parser.add_argument("--report", type=Path, default=Path("schemathesis-report"))
    args = parser.parse_args(argv)
    roles = [Role(r) for r in args.roles.split(",")] if args.roles else list(PEOPLE)
    args.report.mkdir(parents=True, exist_ok=True)
    key = new_key()
    with scratch_database() as url, tempfile.TemporaryDirectory() as data:
        settings = Settings(
            environment=Environment.TEST,
            database_url=url,
            data_dir=Path(data),
            cipher_key=key,  # type: ignore[arg-type]
            watcher=False,
            background_process=False,
        )
        tokens = prepared(settings)
        env = {k: v for k, v in os.environ.items() if not k.startswith("HUIYIN_")}
        env.update(
            HUIYIN_DATABASE_URL=url,
            HUIYIN_DATA_DIR=data,
            HUIYIN_ENVIRONMENT="test",
            HUIYIN_CIPHER_KEY=key,
            HUIYIN_WATCHER="false",
            # The fuzzer sends bad tokens on purpose, thousands of them: the throttle of
            # failed logins would answer everything after the twentieth with 429.
            HUIYIN_AUTH_FAILURES_PER_MINUTE="1000000",
            # It sends a thousand requests a minute per token, which a client may not.
            HUIYIN_REQUESTS_PER_MINUTE_PER_TOKEN="0",
            HUIYIN_REQUESTS_PER_MINUTE_PER_ADDRESS="0",
        )
        with serving(env) as base:
            httpx.get(f"{base}/openapi.json", timeout=10).raise_for_status()
            failed = [
                role
                for role in roles
                if fuzz(base, role, tokens[role], args.examples, args.seconds, args.report)
            ]
    if failed:
        print(f"\ncontract: failures as {', '.join(r.value for r in failed)}", file=sys.stderr)
        return 1
    print("\ncontract: no failures as any role")
    return 0


if __name__ == "__main__":
    sys.exit(main())
