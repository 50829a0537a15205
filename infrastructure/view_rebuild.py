"""Rebuilding a view: empty it and replay every event into it, under the view's lock."""

from __future__ import annotations

import gc
from collections.abc import Callable, Mapping

from eventsourcing.persistence import Tracking

from infrastructure.replay import REPLAY_BATCH, handler_of, replay
from infrastructure.view_locks import view_lock
from infrastructure.view_registry import EventLog, ViewSpec, construct_view, runner_env
from infrastructure.views import PostgresView


class ViewBusy(RuntimeError):
    """Another process is running the view (holds its lock)."""


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
