"""The views as a streaming replica has them: where the API's view queries go when
`HUIYIN_READ_DATABASE_URL` is set.

A streaming replica replays the primary's write-ahead log, so it holds the same view tables
and the same tracking rows, a little later. A read of a view there is as correct as on the
primary, as of the replica's tracking position, which is what the responses report; a
read that names `?after=N` waits until the replica's tracking row reaches N (read your own
writes), exactly as it would wait for the runner on the primary.

While the replica cannot be reached, reads go to the primary instead (they are correct
there too, and fresher): a line is logged when that starts and when it ends, `/health`
says so, and the replica is tried again every `RETRY_SECONDS` (one request then waits up to
`HUIYIN_DATABASE_WAIT_SECONDS` for a connection to it).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Mapping
from typing import Any

from infrastructure.database import connection_parts
from infrastructure.log_redaction import keep_out_of_logs
from infrastructure.pools import UNAVAILABLE
from infrastructure.view_registry import ViewStore, spec_named
from infrastructure.views import PostgresView

log = logging.getLogger(__name__)

#: Seconds reads stay on the primary after the replica failed, before it is tried again.
RETRY_SECONDS = 5.0


def replica_env(env: Mapping[str, str], url: str) -> dict[str, str]:
    """The views' connection settings `env`, pointed at the replica at `url`."""
    parts = connection_parts(url)
    keep_out_of_logs(parts["password"])
    return {
        **env,
        "POSTGRES_HOST": parts["host"],
        "POSTGRES_PORT": parts["port"],
        "POSTGRES_USER": parts["user"],
        "POSTGRES_PASSWORD": parts["password"],
        "POSTGRES_DBNAME": parts["dbname"],
    }


class ReadReplica:
    """Every view on one pool of connections to the replica, and whether it answers."""

    def __init__(self, env: Mapping[str, str], url: str, *, pool_size: int) -> None:
        self._store = ViewStore(replica_env(env, url), pool_size=1, overflow=pool_size)
        self._views: dict[str, PostgresView] = {}
        self._lock = threading.Lock()
        self._down_since: float | None = None  # monotonic time of the failure, None: up
        self._tried_at = 0.0
        self._error = ""

    def get(self, name: str) -> PostgresView:
        """The view of that name on the replica. Its tables are never made here: a replica
        refuses writes, and has them from the primary's log."""
        with self._lock:
            if name not in self._views:
                self._views[name] = self._store.view(spec_named(name), create=False)
            return self._views[name]

    def holds(self, view: PostgresView) -> bool:
        """Whether `view` is one of the replica's."""
        return any(view is mine for mine in self._views.values())

    def usable(self) -> bool:
        """Whether reads should go to the replica now: it is up, or it failed more than
        `RETRY_SECONDS` ago and a connection to it can be had again (a pool's connection is
        checked as it is handed out, without a round trip: `infrastructure.pools`)."""
        with self._lock:
            if self._down_since is not None and time.monotonic() - self._tried_at < RETRY_SECONDS:
                return False
            was_down = self._down_since is not None
            self._tried_at = time.monotonic()
        try:
            with self._store.datastore.get_connection():
                pass
        except UNAVAILABLE as error:
            self.failed(error)
            return False
        if was_down:
            with self._lock:
                down = self._down_since
                self._down_since = None
            if down is not None:
                log.warning(
                    "the read replica answers again after %.0f s: reads go to it",
                    time.monotonic() - down,
                )
        return True

    def failed(self, error: BaseException) -> None:
        """Sends reads to the primary for a while: the replica could not be reached."""
        with self._lock:
            self._tried_at = time.monotonic()
            self._error = type(error).__name__
            if self._down_since is not None:
                return
            self._down_since = self._tried_at
        log.warning(
            "the read replica cannot be reached (%s): reads go to the primary, the replica "
            "is tried again every %g s",
            self._error,
            RETRY_SECONDS,
        )

    def health(self, primary_lsn: str | None) -> dict[str, Any]:
        """Whether the replica answers, and how far it is behind the primary, whose log has
        reached `primary_lsn`: the bytes of log it has still to replay, and the seconds since
        the last transaction it replayed (which also grow while the primary is idle). Never
        its address."""
        if not self.usable():
            return {"status": "unreachable", "reads_on": "primary", "error": self._error}
        try:
            with self._store.datastore.get_connection() as conn:
                replica = conn.execute(
                    "SELECT pg_is_in_recovery() AS standby,"
                    " pg_wal_lsn_diff(%s::pg_lsn, pg_last_wal_replay_lsn())::bigint AS bytes,"
                    " extract(epoch FROM now() - pg_last_xact_replay_timestamp())::float"
                    " AS seconds",
                    (primary_lsn,),
                ).fetchone()
        except UNAVAILABLE as error:
            self.failed(error)
            return {"status": "unreachable", "reads_on": "primary", "error": self._error}
        if replica is None:  # pragma: no cover - a SELECT without FROM returns its row
            raise RuntimeError("the replica returned no row")
        return {
            "status": "ok" if replica["standby"] else "not-a-standby",
            "reads_on": "replica",
            "replay_lag_bytes": max(replica["bytes"] or 0, 0) if replica["standby"] else None,
            "last_replay_seconds_ago": replica["seconds"],
        }

    def close(self) -> None:
        """Closes the replica's connections."""
        self._store.close()
