"""Running views live: one runner per group of views, leading them while it holds their
advisory locks (`view_locks`) and standing by while another process does.

Each view's projection is an eventsourcing `Projection` (`projections.view.ViewProjection`),
but the runner is Huiyin's own, not the library's `ProjectionRunner`: one
`ApplicationSubscription` (the library's LISTEN/NOTIFY follower of the event sequence,
resumed from the lowest tracking position of the views led) is read in a thread of its own
(`Arrived`), and the events that have arrived are applied to every led view in one
transaction per batch (`infrastructure.view_commits.applied_together`): each view's rows and
tracking row commit together, so each event is applied exactly once per view. A view whose
lock another process holds is retried, and joins the group when its leader goes away.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Iterator, Mapping
from typing import Any, cast

import psycopg
from eventsourcing.persistence import Tracking
from eventsourcing.projection import ApplicationSubscription

from infrastructure import view_errors
from infrastructure.replay import without_nul
from infrastructure.retry_log import RetryLog
from infrastructure.view_commits import applied_together
from infrastructure.view_errors import EventFailed
from infrastructure.view_locks import try_lock
from infrastructure.view_registry import EventLog, ViewSpec, ViewStore, runner_env
from infrastructure.views import PostgresView
from projections.view import ViewProjection

log = logging.getLogger("huiyin.projections")


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
        #: Events applied and the batches they came in (one transaction each, unless one
        #: failed and was applied again one event at a time), since the runner started.
        self.applied = 0
        self.batches = 0
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
                            self.applied += len(batch)
                            self.batches += 1
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
