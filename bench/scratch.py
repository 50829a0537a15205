"""A scratch database on a loopback PostgreSQL server, dropped again afterwards."""

from __future__ import annotations

import contextlib
import secrets
from collections.abc import Iterator
from urllib.parse import urlsplit

import psycopg
from psycopg import sql

from infrastructure.database import connection_parts

LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})


class NotLoopback(ValueError):
    """The benchmark only talks to a server on this machine."""


def check_loopback(url: str) -> None:
    """Refuses a URL whose host is not loopback (a Unix socket directory is fine)."""
    host = connection_parts(url)["host"]
    if host not in LOOPBACK_HOSTS and not host.startswith("/"):
        raise NotLoopback(f"the benchmark runs against a loopback server only, not {host!r}")


def with_database(url: str, dbname: str) -> str:
    """`url` with its database name replaced (query parameters such as host= are kept)."""
    return urlsplit(url)._replace(path=f"/{dbname}").geturl()


@contextlib.contextmanager
def scratch_database(server_url: str) -> Iterator[str]:
    """Creates `huiyin_bench_<random>` on the server of `server_url`; drops it on exit.

    The database named in `server_url` is only used to issue CREATE and DROP DATABASE.
    """
    check_loopback(server_url)
    admin = connection_parts(server_url)
    name = f"huiyin_bench_{secrets.token_hex(4)}"
    with psycopg.connect(**admin, autocommit=True) as conn:  # type: ignore[arg-type]
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield with_database(server_url, name)
    finally:
        with psycopg.connect(**admin, autocommit=True) as conn:  # type: ignore[arg-type]
            conn.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )


def server_facts(url: str) -> dict[str, str]:
    """The PostgreSQL version and the settings that bear on commit speed."""
    names = ("server_version", "synchronous_commit", "fsync", "wal_sync_method", "shared_buffers")
    facts: dict[str, str] = {}
    with psycopg.connect(**connection_parts(url), autocommit=True) as conn:  # type: ignore[arg-type]
        for name in names:
            row = conn.execute("SELECT current_setting(%s)", (name,)).fetchone()
            facts[name] = str(row[0]) if row else "?"
    return facts
