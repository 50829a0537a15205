"""Where the PostgreSQL server is: a configured URL, or an embedded one (pgserver)."""

from __future__ import annotations

import contextlib
import logging
import math
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

import psycopg
from psycopg import sql

from infrastructure.pools import CONNECT_TIMEOUT, FACTORY_TOPIC, POOL_WAIT
from infrastructure.recorder import RECORDER_TOPIC

log = logging.getLogger(__name__)

EMBEDDED_DATABASE = "huiyin"


@contextlib.contextmanager
def embedded_server(data_dir: Path) -> Iterator[str]:
    """Starts (or joins) an embedded PostgreSQL whose data lives in `data_dir`/pg.

    Yields the URL of its `huiyin` database; stops the server on exit if this
    process started it.
    """
    import pgserver  # imported lazily: it is only needed without a URL

    pgdata = (Path(data_dir) / "pg").resolve()
    pgdata.mkdir(parents=True, exist_ok=True)
    server = pgserver.get_server(pgdata, cleanup_mode="stop")  # type: ignore[attr-defined]
    try:
        url = str(server.get_uri(EMBEDDED_DATABASE))
        ensure_database(url)
        yield url
    finally:
        server.cleanup()


def ensure_database(url: str) -> None:
    """Creates the database named in `url` if the server does not have it yet."""
    parts = connection_parts(url)
    admin = {**parts, "dbname": "postgres"}
    with psycopg.connect(**admin, autocommit=True) as conn:  # type: ignore[arg-type]
        exists = conn.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", (parts["dbname"],)
        ).fetchone()
        if not exists:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(parts["dbname"])))


def connection_parts(url: str) -> dict[str, str]:
    """Splits a postgresql:// URL into host, port, user, password and database name."""
    split = urlsplit(url)
    if split.scheme not in ("postgresql", "postgres"):
        raise ValueError(f"not a postgresql:// URL: {url!r}")
    query = parse_qs(split.query)
    host = query.get("host", [split.hostname or "127.0.0.1"])[0]
    return {
        "host": host,
        "port": str(query.get("port", [split.port or 5432])[0]),
        "user": unquote(split.username or "postgres"),
        "password": unquote(split.password or ""),
        "dbname": unquote(split.path.lstrip("/")) or "postgres",
    }


def conninfo(url: str) -> str:
    """A libpq connection string for `url` (which may name a socket directory as host),
    giving up on a connection attempt after `CONNECT_TIMEOUT` seconds."""
    return psycopg.conninfo.make_conninfo(
        **connection_parts(url), connect_timeout=str(CONNECT_TIMEOUT)
    )


def eventsourcing_env(
    url: str, *, pool_size: int, db_functions: bool, wait_seconds: float = 0.5
) -> dict[str, str]:
    """The eventsourcing library's PostgreSQL settings for `url`: its connections checked as
    they are handed out, and waited for at most `wait_seconds` (see `infrastructure.pools`)."""
    parts = connection_parts(url)
    return {
        "PERSISTENCE_MODULE": FACTORY_TOPIC,
        "POSTGRES_CONNECT_TIMEOUT": str(max(1, math.ceil(wait_seconds))),  # whole seconds
        POOL_WAIT: str(wait_seconds),  # the exact wait, set by the factory
        "POSTGRES_HOST": parts["host"],
        "POSTGRES_PORT": parts["port"],
        "POSTGRES_USER": parts["user"],
        "POSTGRES_PASSWORD": parts["password"],
        "POSTGRES_DBNAME": parts["dbname"],
        "POSTGRES_POOL_SIZE": str(pool_size),
        "POSTGRES_MAX_OVERFLOW": str(pool_size),
        "POSTGRES_ENABLE_DB_FUNCTIONS": "y" if db_functions else "n",
        "POSTGRES_LOCK_TIMEOUT": "5",
        # The library's recorder with its insert function taking the table lock: see there.
        "APPLICATION_RECORDER_TOPIC": RECORDER_TOPIC,
    }
