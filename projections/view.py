"""What every materialised view offers its projection and the runner, whatever stores it.

A view is an eventsourcing `TrackingRecorder`: its rows and the position of the last event
applied to them commit together, so each event is applied exactly once. The runner follows
the event sequence live; a rebuild replays it from the start inside one long transaction.
"""

from __future__ import annotations

import inspect
from abc import ABC, abstractmethod
from contextlib import AbstractContextManager
from typing import Any, TypeVar

from eventsourcing.domain import Aggregate, DomainEvent
from eventsourcing.persistence import Tracking, TrackingRecorder
from eventsourcing.projection import Projection
from eventsourcing.utils import get_topic

V = TypeVar("V", bound="View")

#: The eventsourcing application whose events every view follows (table `huiyin_events`).
APPLICATION_NAME = "Huiyin"


class View(TrackingRecorder, ABC):
    """A materialised view: rows plus the position of the last event applied to them."""

    #: Tables (besides the tracking table) that hold the view's rows.
    tables: tuple[str, ...] = ()

    @abstractmethod
    def skip(self, tracking: Tracking) -> None:
        """Moves past an event this view has nothing to do with."""

    @abstractmethod
    def rebuilding(self) -> AbstractContextManager[None]:
        """Empties the view and gathers every write until the context ends into one
        transaction, so readers see the old rows until the rebuilt ones replace them."""

    @abstractmethod
    def position(self) -> int:
        """The global position of the last event applied (0 before the first)."""


class ViewProjection(Projection[Any]):
    """A projection onto a `View`; events it has no handler for are skipped, not lost.

    Subclasses register handlers with `@process_event.register` and must call the view
    with the tracking object for every event they handle.
    """

    @classmethod
    def event_topics(cls) -> tuple[str, ...]:
        """The topics of every event class this projection has a handler for (with their
        subclasses), or () when a handler takes any aggregate event.

        A rebuild reads only these from the store: the others would only be skipped.
        """
        dispatcher = inspect.getattr_static(cls, "process_event").dispatcher
        handled = [c for c in dispatcher.registry if c is not object]
        if any(c in (Aggregate.Event, DomainEvent) for c in handled):
            return ()
        topics: set[str] = set()
        pending = list(handled)
        while pending:
            event_class = pending.pop()
            topics.add(get_topic(event_class))
            pending.extend(event_class.__subclasses__())
        return tuple(sorted(topics))

    def view_as(self, kind: type[V]) -> V:
        """The view, checked to offer the interface the projection writes through."""
        view = self.view
        if not isinstance(view, kind):
            raise TypeError(f"{self.name} needs a {kind.__name__}, not {type(view).__name__}")
        return view

    def ignore(self, tracking: Tracking) -> None:
        """Records that this view has seen an event it does not need."""
        self.view_as(View).skip(tracking)  # type: ignore[type-abstract]
