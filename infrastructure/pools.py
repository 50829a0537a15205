"""Connections that outlive a database restart; requests that fail fast while it is down.

A PostgreSQL restart or failover ends every session. Three things keep that from reaching
clients as errors, or from keeping them waiting:
- every pool checks a connection as it hands it out (`check_connection`), so a connection
  that died while idle is replaced, never given to a request. A server that ends a session
  says so, or at least closes the socket, so the check looks whether anything arrived
  while the connection was idle (one `poll`, no round trip); only then does it ask the
  server. (psycopg_pool's own check, an empty query every time, cost 14% of the commands
  a single client could send);
- a request waits at most `wait` seconds for a connection (`HUIYIN_DATABASE_WAIT_SECONDS`).
  The library retries its reads and writes of events up to ten times, so those give up
  after about ten such waits; then the API answers 503 (`api.errors`);
- a pool that cannot reconnect gives up after `RECONNECT_SECONDS` and starts again when
  asked: left to psycopg_pool's default (five minutes of attempts, each twice as far
  apart as the last), a pool could go on refusing for a minute or more after the server
  came back.
"""

from __future__ import annotations

import select
from typing import Any

import psycopg
from eventsourcing import persistence
from eventsourcing.postgres import PostgresFactory
from eventsourcing.utils import Environment
from psycopg_pool import ConnectionPool

#: Seconds a pool keeps trying to replace a lost connection before it gives up; the next
#: request that needs one starts a fresh attempt at once.
RECONNECT_SECONDS = 5.0

#: Seconds a new connection may take (libpq's connect_timeout): an unreachable host fails
#: in this time rather than after the operating system's TCP timeout of minutes.
CONNECT_TIMEOUT = 5

#: What says "the database cannot be reached now" (connection lost or refused, no
#: connection free in time, a lock or statement timeout), as psycopg and eventsourcing
#: raise it. A retry later may succeed; the request itself was not wrong.
UNAVAILABLE: tuple[type[Exception], ...] = (
    psycopg.OperationalError,
    psycopg.InterfaceError,
    persistence.OperationalError,
    persistence.InterfaceError,
)


#: The environment setting of how long the library's pool lets a request wait for a
#: connection, in seconds (a fraction allowed: the library's own setting takes whole ones).
POOL_WAIT = "HUIYIN_POOL_WAIT_SECONDS"


def check_connection(conn: psycopg.Connection[Any]) -> None:
    """Raises if `conn`, idle in a pool, can no longer be used.

    An idle connection receives nothing unless its server ends the session (an error
    message, then the socket closes) or the network drops it (the socket closes): only if
    something arrived is the server asked, with psycopg_pool's empty query.
    """
    if conn.broken or conn.closed:
        raise psycopg.OperationalError("the connection is closed")
    arrivals = select.poll()  # not select(): it fails on descriptors past 1024
    arrivals.register(conn.fileno(), select.POLLIN)
    if arrivals.poll(0):  # something to read, or the socket hung up or failed
        ConnectionPool.check_connection(conn)


class ReconnectingPostgresFactory(PostgresFactory):
    """eventsourcing's PostgreSQL factory with its pool checking connections as it hands
    them out (`check_connection`), waiting `POOL_WAIT` seconds for one, and giving up a
    failing reconnection after `RECONNECT_SECONDS`."""

    def __init__(self, env: Environment | dict[str, Any]) -> None:
        super().__init__(env)
        pool = self.datastore.pool
        # The library sets a check only as its pre-ping (psycopg_pool's query every time).
        if not hasattr(pool, "_check"):  # pragma: no cover - a psycopg_pool that changed
            raise RuntimeError("psycopg_pool keeps its check elsewhere: update pools.py")
        pool._check = check_connection
        pool.reconnect_timeout = RECONNECT_SECONDS
        wait = self.env.get(POOL_WAIT)
        if wait:
            pool.timeout = float(wait)


#: The environment setting that has the library build its infrastructure with this factory.
FACTORY_TOPIC = "infrastructure.pools:ReconnectingPostgresFactory"


def connection_pool(
    conninfo: str,
    *,
    max_size: int,
    wait: float,
    autocommit: bool = False,
    options: str | None = None,
) -> ConnectionPool:
    """A pool (not yet open) of one to `max_size` connections, checked as they are handed
    out, handing none out after `wait` seconds. With `autocommit`, a statement is its own
    transaction (no COMMIT round trip after a lone query); group statements with
    `conn.transaction()`. `options` are the server settings of its sessions (`-c name=v`)."""
    kwargs: dict[str, Any] = {}
    if autocommit:
        kwargs["autocommit"] = True
    if options:
        kwargs["options"] = options
    return ConnectionPool(
        conninfo,
        min_size=1,
        max_size=max_size,
        open=False,
        check=check_connection,
        timeout=wait,
        reconnect_timeout=RECONNECT_SECONDS,
        kwargs=kwargs or None,
    )
