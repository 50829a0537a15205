"""Running views: one live runner per view (leader by advisory lock), rebuilds, status.

Each view is an eventsourcing `Projection` run by the library's `ProjectionRunner`, which
follows the event sequence through LISTEN/NOTIFY and resumes from the view's tracking row.
Only the process holding the view's PostgreSQL advisory lock runs it; others stand by and
take over when the leader's connection goes away, so two runners never both apply events.
"""

from __future__ import annotations

import contextlib
import gc
import hashlib
import logging
import queue
import threading
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar, cast
from uuid import UUID

import psycopg
from eventsourcing.application import Application
from eventsourcing.persistence import InfrastructureFactory, Tracking
from eventsourcing.projection import ApplicationSubscription
from eventsourcing.utils import Environment

from infrastructure import view_errors
from infrastructure.audit_trail_view import PostgresAuditTrailView
from infrastructure.case_index import PostgresCaseIndexView
from infrastructure.deadline_board_view import PostgresDeadlineBoardView
from infrastructure.disclosure_view import PostgresDisclosureFeedView
from infrastructure.metrics import PostgresMetricsView
from infrastructure.penalty_ledger_view import PostgresPenaltyLedgerView
from infrastructure.replay import REPLAY_BATCH, handler_of, replay, without_nul
from infrastructure.retry_log import RetryLog
from infrastructure.sealing import KEYRING, VIEWS_MAPPER
from infrastructure.view_errors import EventFailed, ViewError
from infrastructure.view_people import ViewPeople
from infrastructure.views import PostgresView, applied_together
from projections.audit_trail import AuditTrail
from projections.cases import CaseIndex
from projections.deadlines import DeadlineBoard
from projections.disclosure import DisclosureFeed
from projections.metrics import Metrics
from projections.penalty_ledger import PenaltyLedger
from projections.view import APPLICATION_NAME, ViewProjection

T = TypeVar("T")

log = logging.getLogger("huiyin.projections")


class EventLog(Application[UUID]):
    """The Huiyin event sequence as the runners read it (same name, same table)."""

    name = APPLICATION_NAME


@dataclass(frozen=True)
class ViewSpec:
    """A view: the projection that computes it and the PostgreSQL view that keeps it."""

    projection: type[ViewProjection]
    view: type[PostgresView]

    @property
    def name(self) -> str:
        """The view's name, also its tables' prefix."""
        return self.projection.name


#: Every view, by name. Runners start for all of them inside `huiyin serve`.
VIEWS: dict[str, ViewSpec] = {
    spec.name: spec
    for spec in (
        ViewSpec(CaseIndex, PostgresCaseIndexView),
        ViewSpec(AuditTrail, PostgresAuditTrailView),
        ViewSpec(DeadlineBoard, PostgresDeadlineBoardView),
        ViewSpec(DisclosureFeed, PostgresDisclosureFeedView),
        ViewSpec(PenaltyLedger, PostgresPenaltyLedgerView),
        ViewSpec(Metrics, PostgresMetricsView),
    )
}


class UnknownView(LookupError):
    """No view has that name."""


class ViewBusy(RuntimeError):
    """Another process is running the view (holds its lock)."""


def spec_named(name: str) -> ViewSpec:
    """The view of that name, or UnknownView listing the known ones."""
    try:
        return VIEWS[name]
    except KeyError:
        known = ", ".join(sorted(VIEWS))
        raise UnknownView(f"no view named {name!r}; known views: {known}") from None


def lock_key(name: str) -> int:
    """The advisory lock key that elects a view's one runner."""
    digest = hashlib.sha256(f"huiyin.view.{name}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


def runner_env(env: Mapping[str, str]) -> dict[str, str]:
    """The settings of a view's connections: one kept open, a few more on demand.

    Only the views create tables: the events table and its functions exist already (the
    Casework application made them), and runners starting together in several threads
    must not all `CREATE OR REPLACE` the same functions at once. Views read personal values
    still sealed (`infrastructure.sealing.TokenMapper`): they keep tokens, never values.
    """
    return {
        **env,
        **VIEWS_MAPPER,
        "POSTGRES_POOL_SIZE": "1",
        "POSTGRES_MAX_OVERFLOW": "1",
        "CREATE_TABLE": "false",
        **{f"{name.upper()}_CREATE_TABLE": "true" for name in VIEWS},
    }


class ViewStore:
    """One connection pool that every view of a process shares (they are small tables)."""

    def __init__(self, env: Mapping[str, str], *, pool_size: int = 1, overflow: int = 1) -> None:
        settings = {
            **env,
            "POSTGRES_POOL_SIZE": str(pool_size),
            "POSTGRES_MAX_OVERFLOW": str(overflow),
        }
        self._factory = InfrastructureFactory[PostgresView].construct(
            env=Environment("views", settings)
        )
        self._people = ViewPeople.from_env(env) if env.get(KEYRING) else None

    def view(self, spec: ViewSpec) -> PostgresView:
        """The view's recorder on the shared pool (its tables are created if missing)."""
        view = spec.view(datastore=self.datastore, tracking_table_name=f"{spec.name}_tracking")
        view.view_people = self._people
        view.create_table()
        return view

    @property
    def datastore(self) -> Any:
        """The shared pool's datastore."""
        return self._factory.datastore  # type: ignore[attr-defined]

    def close(self) -> None:
        """Closes the pool."""
        self._factory.close()


def construct_view(spec: ViewSpec, env: Mapping[str, str]) -> PostgresView:
    """The view's recorder with a pool of its own (its tables are created if missing)."""
    factory = InfrastructureFactory[PostgresView].construct(env=Environment(spec.name, env))
    return factory.tracking_recorder(spec.view)


def try_lock(conn: psycopg.Connection[Any], name: str) -> bool:
    """Takes the view's advisory lock on `conn` if no other session holds it."""
    row = conn.execute("SELECT pg_try_advisory_lock(%s)", (lock_key(name),)).fetchone()
    return bool(row and row[0])


@contextlib.contextmanager
def view_lock(conninfo: str, name: str) -> Iterator[psycopg.Connection[Any] | None]:
    """A connection holding the view's advisory lock, or None when another process holds it."""
    with psycopg.connect(conninfo, autocommit=True) as conn:
        if not try_lock(conn, name):
            yield None
            return
        try:
            yield conn
        finally:
            # Released before returning: a closed session's locks go only when its server
            # process has finished exiting, which a rebuild that follows could beat.
            with contextlib.suppress(psycopg.Error):  # a broken connection frees it anyway
                conn.execute("SELECT pg_advisory_unlock(%s)", (lock_key(name),))


#: Events a runner applies in one transaction at most, when that many have arrived and wait
#: (catching up after a stop, a burst of commands). One at a time, each is a commit of its
#: own: a runner catching up on the log made about 1,000 of them a second.
CATCH_UP_BATCH = 500

#: What the reading thread of `Arrived` hands over: an event, the end, or its error.
_Item = tuple[Any, Tracking] | BaseException | None


class Arrived:
    """A subscription's events, read (and decoded, by the subscription) in a thread of their
    own and taken in batches of whatever has arrived: one event when the runner keeps up,
    up to `limit` when it is behind. The reader runs at most two batches ahead."""

    def __init__(self, subscription: Iterator[tuple[Any, Tracking]], *, limit: int) -> None:
        self._limit = max(limit, 1)
        self._queue: queue.Queue[_Item] = queue.Queue(maxsize=2 * self._limit)
        self._stopping = threading.Event()
        self._thread = threading.Thread(
            target=self._read, args=(subscription,), name="views-read", daemon=True
        )
        self._thread.start()

    def _read(self, subscription: Iterator[tuple[Any, Tracking]]) -> None:
        try:
            for item in subscription:
                if not self._put(item):
                    return
            self._put(None)
        except BaseException as error:  # raised on the applying side
            self._put(error)

    def _put(self, item: _Item) -> bool:
        while not self._stopping.is_set():
            try:
                self._queue.put(item, timeout=0.1)
            except queue.Full:
                continue
            return True
        return False

    def batches(self) -> Iterator[list[tuple[Any, Tracking]]]:
        """Batches of events in order; waits for the first of each. Ends when the
        subscription ends; raises its error after the events that came before it."""
        while True:
            item = self._queue.get()
            batch: list[tuple[Any, Tracking]] = []
            while not (item is None or isinstance(item, BaseException)):
                batch.append(item)
                if len(batch) >= self._limit:
                    break
                try:
                    item = self._queue.get_nowait()
                except queue.Empty:
                    break
            if batch:
                yield batch
            if item is None:
                return
            if isinstance(item, BaseException):
                raise item

    def close(self) -> None:
        """Stops the reading thread (call after stopping the subscription it reads)."""
        self._stopping.set()
        self._thread.join()


def _apply(
    store: ViewStore,
    projections: Mapping[str, ViewProjection],
    positions: dict[str, int],
    batch: list[tuple[Any, Tracking]],
) -> None:
    """Applies a batch of events to every view not past them, in one transaction.

    If it fails, nothing of it is kept, and its events are applied again one per
    transaction: those before the failing event are kept, and the failing one is named
    (EventFailed), as when the runner applies one event at a time.
    """
    try:
        with applied_together(store.datastore):
            for stored, tracking in batch:
                event = without_nul(stored)  # as a rebuild's reader gives it
                for name, projection in projections.items():
                    if tracking.notification_id > positions[name]:
                        projection.process_event(event, tracking)
    except Exception as error:
        if len(batch) > 1:
            for one in batch:
                _apply(store, projections, positions, [one])
            return  # each passed alone: the fault has passed
        stored, tracking = batch[0]
        kind = type(stored).__qualname__
        raise EventFailed(tracking.notification_id, kind, error) from error
    last = batch[-1][1].notification_id
    for name in positions:
        positions[name] = max(positions[name], last)


class ViewRunner:
    """Keeps views up to date while this process leads them; stands by for the others.

    One subscription (one LISTEN connection, one decode per event) feeds every view this
    process leads; each view skips events at or below its own tracking position, so views
    that were behind catch up while the others wait. Events are applied in batches of what
    has arrived (`Arrived`, `_apply`): one per transaction while the runner keeps up, up to
    `batch` when it is behind. One connection holds the advisory
    locks; a view whose lock another process holds is retried every `standby_seconds` and
    joins the group when its leader goes away.
    """

    def __init__(
        self,
        specs: ViewSpec | list[ViewSpec],
        env: Mapping[str, str],
        conninfo: str,
        *,
        standby_seconds: float = 2.0,
        batch: int = CATCH_UP_BATCH,
    ) -> None:
        self.specs = [specs] if isinstance(specs, ViewSpec) else list(specs)
        self.batch = batch
        self._env = runner_env(env)
        self._conninfo = conninfo
        self._standby_seconds = standby_seconds
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        self.leading = {spec.name: threading.Event() for spec in self.specs}
        self.error: BaseException | None = None
        self._failures = RetryLog(log, f"views {', '.join(self.names)}")

    @property
    def names(self) -> list[str]:
        """The views this runner is for."""
        return [spec.name for spec in self.specs]

    def start(self) -> None:
        """Starts leading (or standing by) in a background thread."""
        self._thread = threading.Thread(
            target=self.run_forever, name=f"views-{'+'.join(self.names)}", daemon=True
        )
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        """Stops following events and releases the locks."""
        self._stopping.set()
        if self._thread is not None:
            self._thread.join(timeout)

    def run_forever(self) -> None:
        """Leads what it can until `stop()`; reconnects after errors."""
        while not self._stopping.is_set():
            try:
                with psycopg.connect(self._conninfo, autocommit=True) as locks:
                    led: list[ViewSpec] = []
                    while not self._stopping.is_set():
                        led += [s for s in self.specs if s not in led and try_lock(locks, s.name)]
                        if led:
                            self._follow(locks, led)
                        else:
                            self._stopping.wait(self._standby_seconds)
            except Exception as error:
                self.error = error
                self._failures.failed(error)
                view_errors.record(self._conninfo, self.names, error)
                self._stopping.wait(self._standby_seconds)
            finally:
                for flag in self.leading.values():
                    flag.clear()

    def _follow(self, locks: psycopg.Connection[Any], led: list[ViewSpec]) -> None:
        """Feeds the led views until stopped, or until another view's lock comes free."""
        app = EventLog(self._env)
        store = ViewStore(self._env)
        try:
            projections = {spec.name: spec.projection(view=store.view(spec)) for spec in led}
            positions = {
                name: cast(PostgresView, p.view).position() for name, p in projections.items()
            }
            subscription = ApplicationSubscription(app, gt=min(positions.values()))
            done = threading.Event()
            watcher = threading.Thread(
                target=self._watch, args=(locks, led, subscription, done), daemon=True
            )
            try:
                ahead = Arrived(subscription, limit=self.batch)
                try:
                    with subscription:
                        for spec in led:
                            self.leading[spec.name].set()
                        watcher.start()
                        cleared = False
                        for batch in ahead.batches():
                            _apply(store, projections, positions, batch)
                            if not cleared:  # the last error stays on show until one passes
                                view_errors.clear(locks, [spec.name for spec in led])
                                self.error = None
                                self._failures.succeeded()
                                cleared = True
                finally:
                    ahead.close()  # after the subscription stopped: its reader then ends
            finally:
                done.set()
                if watcher.is_alive():
                    watcher.join()
        finally:
            store.close()
            app.close()

    def _watch(
        self,
        locks: psycopg.Connection[Any],
        led: list[ViewSpec],
        subscription: ApplicationSubscription[Any],
        done: threading.Event,
    ) -> None:
        """Ends the subscription on stop, on a lost lock connection, or to take on a view."""
        try:
            while not self._stopping.wait(0.2) and not done.is_set():
                locks.execute("SELECT 1")  # still connected, so still holding the locks
                free = [s for s in self.specs if s not in led and try_lock(locks, s.name)]
                if free:
                    led += free
                    break
        except Exception as error:
            self.error = error
        finally:
            subscription.stop()


class Views:
    """The query side of every view, and the runner this process starts."""

    def __init__(self, env: Mapping[str, str], conninfo: str) -> None:
        self._env = runner_env(env)
        self._conninfo = conninfo
        self._store = ViewStore(self._env, pool_size=1, overflow=3)
        self._views: dict[str, PostgresView] = {}
        self._runners: list[ViewRunner] = []
        self._events = EventLog(self._env)

    def get(self, name: str) -> PostgresView:
        """The view of that name (constructed once)."""
        if name not in self._views:
            self._views[name] = self._store.view(spec_named(name))
        return self._views[name]

    def create_tables(self) -> None:
        """Creates every view's tables now (they are otherwise made on first use), and the
        table runners record their errors in."""
        for name in VIEWS:
            self.get(name)
        with psycopg.connect(self._conninfo, autocommit=True) as conn:
            view_errors.create_table(conn)

    def typed(self, name: str, kind: type[T]) -> T:
        """The view of that name, checked to offer the interface `kind`."""
        view = self.get(name)
        if not isinstance(view, kind):
            raise TypeError(f"view {name} is a {type(view).__name__}, not a {kind.__name__}")
        return view

    def start_runners(self, names: list[str] | None = None) -> None:
        """Starts one runner for the named views (all by default)."""
        specs = [spec_named(name) for name in names or list(VIEWS)]
        for spec in specs:
            self.get(spec.name)  # create the tables before anything queries them
        runner = ViewRunner(specs, self._env, self._conninfo)
        runner.start()
        self._runners.append(runner)

    def stop_runners(self, names: list[str]) -> None:
        """Stops running the named views here; the runners' other views keep running."""
        for runner in [r for r in self._runners if set(r.names) & set(names)]:
            runner.stop()
            self._runners.remove(runner)
            others = [name for name in runner.names if name not in names]
            if others:
                self.start_runners(others)

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
        self._events.close()


def rebuild(
    spec: ViewSpec,
    env: Mapping[str, str],
    conninfo: str,
    *,
    progress: Callable[[int, int], None] | None = None,
    batch: int = REPLAY_BATCH,
    events: EventLog | None = None,
    view: PostgresView | None = None,
) -> int:
    """Empties the view and replays every event into it in one transaction.

    Takes the view's lock, so a live runner elsewhere must be stopped first (ViewBusy).
    Reads only the events the projection has handlers for (`event_topics`), so views that
    care about a few kinds of event rebuild at close to the raw read rate; a thread reads
    and decodes the next batches while the view applies one (`replay`). Reports progress
    as (position reached, head); returns the number of events replayed. Reads through
    `events` and writes through `view` when given (a process's open event log and view:
    no pool to open and close per rebuild); otherwise opens its own and closes them.
    """
    with view_lock(conninfo, spec.name) as lock:
        if lock is None:
            msg = (
                f"view {spec.name} is being run by another process (a `huiyin serve` or "
                "`huiyin project`); stop it first"
            )
            raise ViewBusy(msg)
        own_log, own_view = events is None, view is None
        log = EventLog(runner_env(env)) if events is None else events
        if view is None:
            view = construct_view(spec, runner_env(env))
        try:
            process_event = handler_of(spec.projection(view=view))
            topics = spec.projection.event_topics()
            head = log.recorder.max_notification_id() or 0
            done = 0
            # A rebuild allocates millions of objects and frees them without cycles, and it
            # holds many rows in memory: the cyclic collector, walking them again and again,
            # took a quarter of the time. It runs again when the rebuild ends.
            collecting = gc.isenabled()
            gc.disable()
            try:
                with view.rebuilding():
                    batches = replay(log, head, topics, batch=batch)
                    try:
                        for decoded in batches:
                            for position, event in decoded:
                                process_event(event, Tracking(log.name, position))
                            done += len(decoded)
                            if progress is not None:
                                progress(decoded[-1][0], head)  # positions, not counts
                    finally:
                        batches.close()  # stops the reading thread, also after an error
                    if head:
                        # Every event up to the head is accounted for, read or not.
                        view.skip(Tracking(log.name, head))
                        if progress is not None:
                            progress(head, head)
            finally:
                if collecting:
                    gc.enable()
            return done
        finally:
            if own_view:
                view.close()
            if own_log:
                log.close()
