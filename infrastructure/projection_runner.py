"""Running views: one live runner per view (leader by advisory lock), rebuilds, status.

Each view is an eventsourcing `Projection` run by the library's `ProjectionRunner`, which
follows the event sequence through LISTEN/NOTIFY and resumes from the view's tracking row.
Only the process holding the view's PostgreSQL advisory lock runs it; others stand by and
take over when the leader's connection goes away, so two runners never both apply events.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import threading
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar
from uuid import UUID

import psycopg
from eventsourcing.application import Application
from eventsourcing.persistence import InfrastructureFactory, Tracking
from eventsourcing.projection import ProjectionRunner
from eventsourcing.utils import Environment

from infrastructure.audit_trail_view import PostgresAuditTrailView
from infrastructure.case_index import PostgresCaseIndexView
from infrastructure.deadline_board_view import PostgresDeadlineBoardView
from infrastructure.disclosure_view import PostgresDisclosureFeedView
from infrastructure.metrics_view import PostgresMetricsView
from infrastructure.views import PostgresView
from projections.audit_trail import AuditTrail
from projections.cases import CaseIndex
from projections.deadlines import DeadlineBoard
from projections.disclosure import DisclosureFeed
from projections.metrics import Metrics
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
    """The settings of a view's connections: one kept open, a few more on demand."""
    return {**env, "POSTGRES_POOL_SIZE": "1", "POSTGRES_MAX_OVERFLOW": "3"}


def construct_view(spec: ViewSpec, env: Mapping[str, str]) -> PostgresView:
    """The view's recorder (its tables are created if missing)."""
    factory = InfrastructureFactory[PostgresView].construct(env=Environment(spec.name, env))
    return factory.tracking_recorder(spec.view)


@contextlib.contextmanager
def view_lock(conninfo: str, name: str) -> Iterator[psycopg.Connection[Any] | None]:
    """A connection holding the view's advisory lock, or None when another process holds it."""
    with psycopg.connect(conninfo, autocommit=True) as conn:
        row = conn.execute("SELECT pg_try_advisory_lock(%s)", (lock_key(name),)).fetchone()
        yield conn if row and row[0] else None


class ViewRunner:
    """Keeps one view up to date while this process leads it; stands by otherwise."""

    def __init__(
        self,
        spec: ViewSpec,
        env: Mapping[str, str],
        conninfo: str,
        *,
        standby_seconds: float = 2.0,
    ) -> None:
        self.spec = spec
        self._env = runner_env(env)
        self._conninfo = conninfo
        self._standby_seconds = standby_seconds
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        self.leading = threading.Event()
        self.error: BaseException | None = None

    def start(self) -> None:
        """Starts leading (or standing by) in a background thread."""
        self._thread = threading.Thread(
            target=self._lead_or_stand_by, name=f"view-{self.spec.name}", daemon=True
        )
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        """Stops following events and releases the lock."""
        self._stopping.set()
        if self._thread is not None:
            self._thread.join(timeout)

    def run_forever(self) -> None:
        """Runs in the calling thread until `stop()` (or Ctrl-C)."""
        self._lead_or_stand_by()

    def _lead_or_stand_by(self) -> None:
        while not self._stopping.is_set():
            try:
                with view_lock(self._conninfo, self.spec.name) as lock:
                    if lock is None:
                        self._stopping.wait(self._standby_seconds)
                        continue
                    self._follow(lock)
            except Exception as error:
                self.error = error
                log.exception("view %s stopped; retrying", self.spec.name)
                self._stopping.wait(self._standby_seconds)
            finally:
                self.leading.clear()

    def _follow(self, lock: psycopg.Connection[Any]) -> None:
        runner = ProjectionRunner(
            application_class=EventLog,
            projection_class=self.spec.projection,
            view_class=self.spec.view,
            env=self._env,
        )
        with runner:
            self.leading.set()
            self.error = None
            while not self._stopping.is_set():
                runner.run_forever(timeout=1.0)  # re-raises the runner's error, if any
                if runner.is_interrupted.is_set():
                    msg = f"the runner of view {self.spec.name} stopped"
                    raise RuntimeError(msg)
                lock.execute("SELECT 1")  # still connected, so still holding the lock


class Views:
    """The query side of every view, and the runners this process starts."""

    def __init__(self, env: Mapping[str, str], conninfo: str) -> None:
        self._env = runner_env(env)
        self._conninfo = conninfo
        self._views: dict[str, PostgresView] = {}
        self._runners: list[ViewRunner] = []
        self._events = EventLog(self._env)

    def get(self, name: str) -> PostgresView:
        """The view of that name (constructed once)."""
        if name not in self._views:
            self._views[name] = construct_view(spec_named(name), self._env)
        return self._views[name]

    def typed(self, name: str, kind: type[T]) -> T:
        """The view of that name, checked to offer the interface `kind`."""
        view = self.get(name)
        if not isinstance(view, kind):
            raise TypeError(f"view {name} is a {type(view).__name__}, not a {kind.__name__}")
        return view

    def start_runners(self, names: list[str] | None = None) -> None:
        """Starts a runner for each named view (all by default)."""
        for name in names or list(VIEWS):
            self.get(name)  # create the tables before anything queries them
            runner = ViewRunner(spec_named(name), self._env, self._conninfo)
            runner.start()
            self._runners.append(runner)

    def stop_runners(self, names: list[str] | None = None) -> None:
        """Stops this process's runners of the named views (all by default)."""
        for runner in list(self._runners):
            if names is None or runner.spec.name in names:
                runner.stop()
                self._runners.remove(runner)

    def wait_leading(self, name: str, timeout: float) -> bool:
        """Whether this process's runner of the view leads within `timeout` seconds."""
        runner = next((r for r in self._runners if r.spec.name == name), None)
        return runner is not None and runner.leading.wait(timeout)

    def leaders(self) -> list[str]:
        """The views this process currently runs."""
        return [runner.spec.name for runner in self._runners if runner.leading.is_set()]

    def rebuild(self, name: str, *, progress: Callable[[int, int], None] | None = None) -> int:
        """Empties the view and replays every event into it (see `rebuild`)."""
        return rebuild(spec_named(name), self._env, self._conninfo, progress=progress)

    def head(self) -> int:
        """The position of the newest event in the store."""
        return self._events.recorder.max_notification_id() or 0

    def status(self) -> list[dict[str, Any]]:
        """Each view's position, the head, and how far behind the view is."""
        head = self.head()
        local = {runner.spec.name: runner for runner in self._runners}
        result = []
        for name in VIEWS:
            position = self.get(name).position()
            runner = local.get(name)
            result.append(
                {
                    "name": name,
                    "position": position,
                    "head": head,
                    "lag": max(head - position, 0),
                    "runner": "leading"
                    if runner is not None and runner.leading.is_set()
                    else ("standing-by" if runner is not None else "elsewhere"),
                    "error": repr(runner.error) if runner is not None and runner.error else None,
                }
            )
        return result

    def close(self) -> None:
        """Stops the runners and closes the connections."""
        for runner in self._runners:
            runner.stop()
        self._runners.clear()
        for view in self._views.values():
            view.close()
        self._events.close()


def rebuild(
    spec: ViewSpec,
    env: Mapping[str, str],
    conninfo: str,
    *,
    progress: Callable[[int, int], None] | None = None,
    batch: int = 1000,
) -> int:
    """Empties the view and replays every event into it in one transaction.

    Takes the view's lock, so a live runner elsewhere must be stopped first (ViewBusy).
    Returns the number of events replayed.
    """
    with view_lock(conninfo, spec.name) as lock:
        if lock is None:
            msg = (
                f"view {spec.name} is being run by another process (a `huiyin serve` or "
                "`huiyin project`); stop it first"
            )
            raise ViewBusy(msg)
        events = EventLog(runner_env(env))
        view = construct_view(spec, runner_env(env))
        try:
            projection = spec.projection(view=view)
            head = events.recorder.max_notification_id() or 0
            done = 0
            with view.rebuilding():
                start = 1
                while start <= head:
                    notifications = events.recorder.select_notifications(start, batch, stop=head)
                    if not notifications:
                        break
                    for notification in notifications:
                        event = events.mapper.to_domain_event(notification)
                        projection.process_event(event, Tracking(events.name, notification.id))
                    done += len(notifications)
                    start = notifications[-1].id + 1
                    if progress is not None:
                        progress(done, head)
            return done
        finally:
            view.close()
            events.close()
