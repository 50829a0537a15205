"""A primary and a streaming standby of its own, started on loopback for these tests.

The machine's PostgreSQL binaries make a throwaway primary (`initdb`, `wal_level=replica`,
trust for replication from 127.0.0.1), copy it with `pg_basebackup -R -X stream` and start
the copy as a hot standby on a second port: the replica `HUIYIN_READ_DATABASE_URL` names in
production. PostgreSQL refuses to run as root, so the binaries run as the `postgres` user
when the tests run as root. Skipped, saying why, when the binaries are not installed.
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg
import pytest

from api.bootstrap import Services, build_services
from infrastructure.keys import new_key
from infrastructure.settings import Environment, Settings
from tests.conftest import SETUP
from tests.organisation import PLAN

#: The cluster's database the service uses (made on the primary, replayed on the standby).
DATABASE = "huiyin"

#: Seconds the standby may take to start accepting connections, or to replay a change.
STARTUP_SECONDS = 30


def postgres_bin() -> Path | None:
    """The directory of the server's binaries (`pg_config --bindir`, or Debian's)."""
    candidates = []
    with contextlib.suppress(OSError, subprocess.CalledProcessError):
        found = subprocess.run(
            ["pg_config", "--bindir"],  # noqa: S607 - found on PATH, as a shell would
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        candidates.append(Path(found))
    candidates += [Path(p) for p in sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True)]
    needed = ("initdb", "pg_ctl", "pg_basebackup", "postgres")
    for directory in candidates:
        if all((directory / name).is_file() for name in needed):
            return directory
    return None


def free_port() -> int:
    """A TCP port on loopback nobody listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@dataclass
class Cluster:
    """A primary and its standby, on loopback."""

    bindir: Path
    root: Path
    primary_port: int
    standby_port: int
    user: str | None

    @property
    def primary_dir(self) -> Path:
        return self.root / "primary"

    @property
    def standby_dir(self) -> Path:
        return self.root / "standby"

    def url(self, port: int) -> str:
        return f"postgresql://postgres@127.0.0.1:{port}/{DATABASE}"

    @property
    def primary_url(self) -> str:
        return self.url(self.primary_port)

    @property
    def standby_url(self) -> str:
        return self.url(self.standby_port)

    def run(self, program: str, *args: str) -> None:
        """Runs one of the server's programs (as `postgres` when we are root)."""
        extra: dict[str, Any] = {"user": self.user} if self.user else {}
        done = subprocess.run(  # noqa: S603 - the server's own programs, our arguments
            [str(self.bindir / program), *args], capture_output=True, text=True, **extra
        )
        if done.returncode != 0:
            raise RuntimeError(f"{program} {' '.join(args)} failed:\n{done.stdout}{done.stderr}")

    def start(self, data: Path, log: str) -> None:
        self.run("pg_ctl", "-D", str(data), "-l", str(self.root / log), "-w", "start")

    def stop(self, data: Path) -> None:
        self.run("pg_ctl", "-D", str(data), "-m", "immediate", "stop")

    def standby(self, **kwargs: Any) -> psycopg.Connection[Any]:
        """A connection to the standby's database (autocommit)."""
        return psycopg.connect(self.standby_url, autocommit=True, **kwargs)

    def primary(self) -> psycopg.Connection[Any]:
        """A connection to the primary's database (autocommit)."""
        return psycopg.connect(self.primary_url, autocommit=True)

    def wait_for_standby(self, timeout: float = STARTUP_SECONDS) -> None:
        """Returns once the standby accepts connections to the service's database."""
        deadline = time.monotonic() + timeout
        while True:
            try:
                with self.standby(connect_timeout=2) as conn:
                    conn.execute("SELECT 1")
                    return
            except psycopg.OperationalError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)


def _owned_by_postgres(path: Path, user: str | None) -> None:
    if user:
        shutil.chown(path, user, user)


@pytest.fixture(scope="session")
def cluster() -> Iterator[Cluster]:
    """A primary and a streaming standby of it, stopped and removed after the session."""
    bindir = postgres_bin()
    if bindir is None:
        pytest.skip("PostgreSQL's server binaries (initdb, pg_ctl, pg_basebackup) are absent")
    user = "postgres" if os.geteuid() == 0 else None
    if user:
        try:
            pwd.getpwnam(user)
        except KeyError:
            pytest.skip("running as root, and no postgres user to run PostgreSQL's server as")
    root = Path(tempfile.mkdtemp(prefix="huiyin-replica-"))
    root.chmod(0o755)
    _owned_by_postgres(root, user)
    sockets = root / "sockets"
    sockets.mkdir()
    _owned_by_postgres(sockets, user)
    cluster = Cluster(bindir, root, free_port(), free_port(), user)
    started: list[Path] = []
    try:
        cluster.run(
            "initdb", "-D", str(cluster.primary_dir), "-A", "trust", "-U", "postgres",
            "--no-sync", "-E", "UTF8", "--locale=C",
        )  # fmt: skip
        with (cluster.primary_dir / "postgresql.conf").open("a") as conf:
            conf.write(
                f"port = {cluster.primary_port}\n"
                "listen_addresses = '127.0.0.1'\n"
                f"unix_socket_directories = '{sockets}'\n"
                "wal_level = replica\nmax_wal_senders = 4\n"
                # A throwaway cluster: nothing needs to survive a crash.
                "fsync = off\nfull_page_writes = off\nshared_buffers = 32MB\n"
            )
        with (cluster.primary_dir / "pg_hba.conf").open("a") as hba:
            hba.write("host replication all 127.0.0.1/32 trust\n")
        cluster.start(cluster.primary_dir, "primary.log")
        started.append(cluster.primary_dir)
        with psycopg.connect(cluster.url(cluster.primary_port).rsplit("/", 1)[0] + "/postgres",
                             autocommit=True) as admin:  # fmt: skip
            admin.execute(f"CREATE DATABASE {DATABASE}")
        cluster.run(
            "pg_basebackup", "-D", str(cluster.standby_dir), "-h", "127.0.0.1",
            "-p", str(cluster.primary_port), "-U", "postgres", "-R", "-X", "stream",
            "-c", "fast",
        )  # fmt: skip
        with (cluster.standby_dir / "postgresql.conf").open("a") as conf:
            conf.write(f"port = {cluster.standby_port}\n")
        cluster.start(cluster.standby_dir, "standby.log")
        started.append(cluster.standby_dir)
        cluster.wait_for_standby()
        yield cluster
    finally:
        for data in reversed(started):
            with contextlib.suppress(RuntimeError):
                cluster.stop(data)
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="session")
def replica_services(
    cluster: Cluster, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Services]:
    """The service's wiring on the cluster: everything on the primary, the views' reads on
    the standby (`HUIYIN_READ_DATABASE_URL`); the tests' organisation in its directory."""
    settings = Settings(
        environment=Environment.TEST,
        database_url=cluster.primary_url,
        read_database_url=cluster.standby_url,
        data_dir=tmp_path_factory.mktemp("replica-data"),
        cipher_key=new_key(),  # type: ignore[arg-type]
        watcher=False,
        background_process=False,
        chain_follow=False,
        read_wait_seconds=1.0,  # the tests that let a wait run out wait this long
        requests_per_minute_per_token=0,
        requests_per_minute_per_address=0,
    )
    with build_services(settings) as built:
        built.casework.directory.apply_plan(PLAN, actor=SETUP)
        yield built
