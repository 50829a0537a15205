"""`Views`: every view as one process has it — the query side, the runners this process
starts, rebuilds through its open connections, and each view's status across processes.

Which database a read of a view goes to is decided here, in `reader`: a read replica's copy
when one is configured and answers (`infrastructure.read_replica`), else the primary's.
Everything else stays on the primary: the runners write there, a rebuild replays there, the
deadline watcher reads the board there (it acts on what it reads, so it must see the
newest), and `head` and `stopped` are read there (a position a command returned exists on
the primary first: on a replica behind, `?after=` would be refused as ahead of the head).

Reads that are not of views never reach a replica: token and session lookups (a revocation
holds from the next request), idempotency keys and case numbers (written), the aggregates a
command loads (optimistic concurrency needs the newest version), a case read now, at a
version or as of a time (a few rows of the event store, read by the application commands
use), the key table (an erasure holds from the next request) and the chain verification
(it checks the authoritative store)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeVar

import psycopg

from infrastructure import view_errors
from infrastructure.projection_runner import ViewRunner
from infrastructure.read_replica import ReadReplica
from infrastructure.view_errors import EventFailed, ViewError
from infrastructure.view_locks import lock_key
from infrastructure.view_rebuild import rebuild
from infrastructure.view_registry import (
    VIEWS,
    EventLog,
    ViewSpec,
    ViewStore,
    runner_env,
    spec_named,
)
from infrastructure.views import PostgresView

T = TypeVar("T")


class Views:
    """The query side of every view, and the runner this process starts."""

    def __init__(
        self,
        env: Mapping[str, str],
        conninfo: str,
        *,
        read_url: str | None = None,
        read_pool_size: int = 4,
    ) -> None:
        self._env = runner_env(env)
        self._conninfo = conninfo
        self._store = ViewStore(self._env, pool_size=1, overflow=3)
        self._replica = (
            ReadReplica(self._env, read_url, pool_size=read_pool_size) if read_url else None
        )
        self._views: dict[str, PostgresView] = {}
        self._runners: list[ViewRunner] = []
        self._events = EventLog(self._env)

    @property
    def env(self) -> dict[str, str]:
        """The settings views are opened with (a copy: what a rebuild's child is given)."""
        return dict(self._env)

    def get(self, name: str) -> PostgresView:
        """The view of that name (constructed once)."""
        if name not in self._views:
            self._views[name] = self._store.view(spec_named(name))
        return self._views[name]

    def reader(self, name: str) -> PostgresView:
        """The view of that name to read from: on the read replica, if one is configured and
        answers; else (none, or it cannot be reached) on the primary."""
        if self._replica is not None and self._replica.usable():
            return self._replica.get(name)
        return self.get(name)

    def reading(self, name: str, kind: type[T]) -> T:
        """The view of that name to read from (`reader`), checked to offer `kind`."""
        return _checked(self.reader(name), name, kind)

    def on_replica(self, view: PostgresView) -> bool:
        """Whether `view` is a read replica's copy."""
        return self._replica is not None and self._replica.holds(view)

    def replica_failed(self, error: BaseException) -> None:
        """The replica failed a read: reads go to the primary for a while."""
        if self._replica is not None:
            self._replica.failed(error)

    def replica_health(self) -> dict[str, Any] | None:
        """The read replica's state and lag (`ReadReplica.health`); None: none configured."""
        if self._replica is None:
            return None
        with self._store.datastore.get_connection() as conn:
            row = conn.execute("SELECT pg_current_wal_lsn()::text AS lsn").fetchone()
        return self._replica.health(row["lsn"] if row else None)

    def create_tables(self) -> None:
        """Creates every view's tables now (they are otherwise made on first use), and the
        table runners record their errors in."""
        for name in VIEWS:
            self.get(name)
        with psycopg.connect(self._conninfo, autocommit=True) as conn:
            view_errors.create_table(conn)

    def typed(self, name: str, kind: type[T]) -> T:
        """The view of that name, checked to offer the interface `kind`."""
        return _checked(self.get(name), name, kind)

    def start_runners(
        self, names: list[str] | None = None, *, also: Sequence[ViewSpec] = ()
    ) -> None:
        """Starts one runner for the named views (all by default), and for projections
        that are not views (`also`: the notice decider), on the same subscription."""
        specs = [spec_named(name) for name in names or list(VIEWS)]
        for spec in specs:
            self.get(spec.name)  # create the tables before anything queries them
        self._start([*specs, *also])

    def _start(self, specs: list[ViewSpec]) -> None:
        runner = ViewRunner(specs, self._env, self._conninfo)
        runner.start()
        self._runners.append(runner)

    def stop_runners(self, names: list[str]) -> None:
        """Stops running the named views here; the runners' other views keep running."""
        for runner in [r for r in self._runners if set(r.names) & set(names)]:
            runner.stop()
            self._runners.remove(runner)
            others = [spec for spec in runner.specs if spec.name not in names]
            if others:
                self._start(others)

    def wait_leading(self, name: str, timeout: float) -> bool:
        """Whether this process's runner leads the view within `timeout` seconds."""
        runner = next((r for r in self._runners if name in r.names), None)
        return runner is not None and runner.leading[name].wait(timeout)

    def rebuild(self, name: str, *, progress: Callable[[int, int], None] | None = None) -> int:
        """Empties the view and replays every event into it (see `rebuild`), through the
        process's open event log and view (no pool to open and close, no tables to check)."""
        return rebuild(
            spec_named(name),
            self._env,
            self._conninfo,
            progress=progress,
            events=self._events,
            view=self.get(name),
        )

    def head(self) -> int:
        """The position of the newest event in the store."""
        return self._events.recorder.max_notification_id() or 0

    def stopped(self, name: str) -> ViewError | None:
        """Why the named view's runner stopped, as a runner in any process recorded it."""
        with psycopg.connect(self._conninfo, autocommit=True) as conn:
            try:
                return view_errors.read(conn).get(name)
            except psycopg.errors.UndefinedTable:  # tables not created by this version yet
                return None

    def status(self) -> list[dict[str, Any]]:
        """Each view's position, the head, and how far behind the view is."""
        head = self.head()
        local = {name: runner for runner in self._runners for name in runner.names}
        led, errors = self._led_anywhere()
        result = []
        for name in VIEWS:
            position = self.get(name).position()
            runner = local.get(name)
            if runner is None:
                state = "elsewhere" if name in led else "none"
            else:
                state = "leading" if runner.leading[name].is_set() else "standing-by"
            result.append(
                {
                    "name": name,
                    "position": position,
                    "head": head,
                    "lag": max(head - position, 0),
                    "runner": state,
                    **self._error_of(errors.get(name), runner),
                }
            )
        return result

    @staticmethod
    def _error_of(recorded: ViewError | None, runner: ViewRunner | None) -> dict[str, Any]:
        """Why the view's runner stopped: as recorded by whichever process runs it, else
        as this process's runner last saw it (when it could not record it)."""
        if recorded is not None:
            return {
                "error": recorded.error,
                "error_position": recorded.position,
                "error_process": recorded.process,
                "error_at": recorded.at,
            }
        error = runner.error if runner is not None else None
        return {
            "error": view_errors.describe(error) if error is not None else None,
            "error_position": error.position if isinstance(error, EventFailed) else None,
            "error_process": None,
            "error_at": None,
        }

    def _led_anywhere(self) -> tuple[set[str], dict[str, ViewError]]:
        """The views whose advisory lock some session holds (some process runs them), and
        the errors runners recorded."""
        keys = {lock_key(name): name for name in VIEWS}
        with psycopg.connect(self._conninfo, autocommit=True) as conn:
            try:
                errors = view_errors.read(conn)
            except psycopg.errors.UndefinedTable:  # tables not created by this version yet
                errors = {}
            rows = conn.execute(
                "SELECT (classid::bigint << 32) | objid::bigint FROM pg_locks"
                " WHERE locktype = 'advisory' AND objsubid = 1 AND granted"
                " AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"
            ).fetchall()
        held = set()
        for (value,) in rows:
            signed = value - (1 << 64) if value >= (1 << 63) else value
            if signed in keys:
                held.add(keys[signed])
        return held, errors

    def close(self) -> None:
        """Stops the runners and closes the connections."""
        for runner in self._runners:
            runner.stop()
        self._runners.clear()
        self._store.close()
        if self._replica is not None:
            self._replica.close()
        self._events.close()


def _checked(view: PostgresView, name: str, kind: type[T]) -> T:
    if not isinstance(view, kind):
        raise TypeError(f"view {name} is a {type(view).__name__}, not a {kind.__name__}")
    return view
