"""Loading and saving aggregates: versions, as-of, stale and concurrent writes, one place."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Generic, TypeVar
from uuid import UUID, uuid4

from eventsourcing.application import AggregateNotFoundError, Application
from eventsourcing.domain import Aggregate
from eventsourcing.persistence import IntegrityError, Recording

from application.idempotency import Claim
from domain.access import NOBODY, Parties
from domain.actors import Actor
from domain.errors import ConcurrentWrite, InvalidInput, NotFound, StaleVersion
from domain.policy import Permission, authorise, check_role

A = TypeVar("A", bound=Aggregate)


@dataclass(frozen=True)
class ItemResult:
    """What a command did: the aggregate's id, its new version, the last event's position."""

    id: UUID
    version: int
    position: int
    #: True when an earlier attempt with the same idempotency key made what this answers.
    replayed: bool = False


@dataclass(frozen=True)
class Created(Generic[A]):
    """What a creating command made or — sent again with its idempotency key — found."""

    aggregate: A
    result: ItemResult


def parties_of(aggregate: Aggregate) -> Parties:
    """Whom a case concerns (its `parties`), or nobody in particular if it names none."""
    parties = getattr(aggregate, "parties", None)
    return parties if isinstance(parties, Parties) else NOBODY


class AggregateAccess:
    """Gets and saves aggregates of the given classes, naming each by its noun in errors;
    a command's load and an outside read check the access policy first."""

    def __init__(self, app: Application[UUID], nouns: Mapping[type[Aggregate], str]) -> None:
        self.app = app
        self.nouns = nouns

    def get(self, cls: type[A], aggregate_id: UUID, version: int | None = None) -> A:
        """The aggregate now, or as it stood at `version`; NotFound if it is not a `cls`."""
        noun = self.nouns[cls]
        if version is not None and version < 1:
            raise InvalidInput("version", "versions start at 1")
        try:
            aggregate: Aggregate = self.app.repository.get(aggregate_id, version=version)
        except AggregateNotFoundError:
            raise NotFound(f"no {noun} {aggregate_id}") from None
        if not isinstance(aggregate, cls):
            raise NotFound(f"no {noun} {aggregate_id}")
        if version is not None and aggregate.version < version:
            raise NotFound(
                f"{noun} {aggregate_id} has no version {version}; "
                f"it is at version {aggregate.version}"
            )
        return aggregate

    def history(self, aggregate_id: UUID, created: tuple[type[Any], ...]) -> Sequence[Any]:
        """Every event of the aggregate, in order, if its first event is one of `created`."""
        events = list(self.app.events.get(aggregate_id))
        if not events or not isinstance(events[0], created):
            raise NotFound(f"no {' or '.join(self.nouns.values())} {aggregate_id}")
        return events

    def as_of(self, cls: type[A], aggregate_id: UUID, moment: datetime) -> A:
        """The aggregate as it stood at `moment` (the last event at or before it)."""
        if moment.tzinfo is None:
            raise InvalidInput("as_of", "needs a time zone, e.g. 2026-03-01T09:00:00+08:00")
        self.get(cls, aggregate_id)
        version = None
        events: list[Any] = list(self.app.events.get(aggregate_id))
        for event in events:
            if event.timestamp > moment:
                break
            version = event.originator_version
        if version is None:
            raise NotFound(
                f"{self.nouns[cls]} {aggregate_id} did not exist yet at {moment.isoformat()}"
            )
        return self.get(cls, aggregate_id, version)

    def load(
        self,
        cls: type[A],
        aggregate_id: UUID,
        expected_version: int | None,
        *,
        actor: Actor,
        permission: Permission,
    ) -> A:
        """The aggregate `actor` acts on with `permission`: Forbidden (403) if the policy
        does not let them, StaleVersion if it is not at the expected version."""
        check_role(actor, permission)  # before any read: most refusals cost no query
        aggregate = self.get(cls, aggregate_id)
        authorise(actor, permission, parties_of(aggregate))
        if expected_version is not None and expected_version != aggregate.version:
            raise StaleVersion(expected_version, aggregate.version, subject=self.nouns[cls])
        return aggregate

    def read(
        self,
        cls: type[A],
        aggregate_id: UUID,
        *,
        actor: Actor,
        permission: Permission,
        version: int | None = None,
        as_of: datetime | None = None,
    ) -> A:
        """The aggregate now, at `version` or as of a moment, for `actor` to read; who may
        read it is decided by the case as it stands now (a department sent a case later
        reads its earlier versions too)."""
        check_role(actor, permission)
        current = self.get(cls, aggregate_id)
        authorise(actor, permission, parties_of(current))
        if as_of is not None:
            return self.as_of(cls, aggregate_id, as_of)
        if version is not None:
            return self.get(cls, aggregate_id, version)
        return current

    def create(
        self,
        cls: type[A],
        build: Callable[[UUID], A],
        claim: Claim | None,
        *,
        aggregate_id: UUID | None = None,
    ) -> Created[A]:
        """Builds the new aggregate and saves it.

        Its id is `aggregate_id` if given, else the claim's (an idempotency key's), else a
        new random one. With a claim, an aggregate that an earlier attempt of the same
        request already created is returned instead (`replayed`), also when the two save at
        the same moment: the store refuses the second version 1. The position given for it
        is then the head of the sequence, at or after its own events. The claim is confirmed
        (KeyReused if the key is another request's) after `build` passed the domain's rules
        and before anything is saved.
        """
        if aggregate_id is None:
            aggregate_id = claim.id if claim is not None else uuid4()
        if claim is not None:
            found = self._found(cls, aggregate_id)
            if found is not None:
                claim.confirm()  # the same request, or KeyReused
                return found
        aggregate = build(aggregate_id)  # the domain's rules first: a refusal claims no key
        if claim is not None:
            claim.confirm()
        try:
            return Created(aggregate, self.save(aggregate))
        except ConcurrentWrite:
            found = self._found(cls, aggregate_id) if claim is not None else None
            if found is None:
                raise
            return found

    def _found(self, cls: type[A], aggregate_id: UUID) -> Created[A] | None:
        try:
            aggregate = self.get(cls, aggregate_id)
        except NotFound:
            return None
        head = self.app.recorder.max_notification_id() or 0
        return Created(aggregate, ItemResult(aggregate.id, aggregate.version, head, replayed=True))

    def save(self, aggregate: Aggregate) -> ItemResult:
        """Saves the aggregate's new events; a concurrent write on its version is refused."""
        try:
            recordings: list[Recording[UUID]] = self.app.save(aggregate)
        except IntegrityError:
            raise ConcurrentWrite(
                f"{self.nouns[type(aggregate)]} {aggregate.id} was changed by another request "
                "at the same time",
                aggregate.id,
            ) from None
        position = max((r.notification.id for r in recordings), default=0)
        return ItemResult(aggregate.id, aggregate.version, position)
