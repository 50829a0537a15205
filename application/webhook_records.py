"""What the outbox's tables read as: endpoints (never their secrets), their change log,
deliveries and their attempts — and the port the webhook use cases keep them through."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol
from uuid import UUID

from domain.actors import Actor
from domain.notices import DeliveryStatus, Notice
from domain.webhook_endpoint import EndpointSpec


@dataclass(frozen=True)
class EndpointRecord:
    """An endpoint as it may be shown: its target without a query, never its secret."""

    id: UUID
    spec: EndpointSpec  # its `target` is the shown target, not the sealed one
    has_secret: bool
    active: bool
    version: int
    created_at: datetime
    created_by: str
    changed_at: datetime
    changed_by: str
    removed_at: datetime | None


@dataclass(frozen=True)
class WithSecret:
    """An endpoint just registered or given a new secret: the one time the secret shows."""

    endpoint: EndpointRecord
    secret: str | None


@dataclass(frozen=True)
class ChangeRecord:
    """One change to an endpoint: who, when, which fields (never a secret or a query)."""

    version: int
    at: datetime
    actor_id: str
    actor_role: str
    change: str
    fields: dict[str, object]


@dataclass(frozen=True)
class AttemptRecord:
    """One try at a delivery."""

    number: int
    started_at: datetime
    duration_ms: int
    outcome: str
    status_code: int | None
    error: str | None


@dataclass(frozen=True)
class DeliveryRecord:
    """A delivery of a notice to an endpoint (or to an appellant), with its notice's
    references."""

    id: UUID
    notice_id: UUID
    kind: str
    case_id: UUID | None
    case_type: str | None
    endpoint_id: UUID | None
    endpoint_name: str | None
    recipient: str
    status: DeliveryStatus
    attempts: int
    created_at: datetime
    since: datetime
    next_attempt_at: datetime
    delivered_at: datetime | None
    dead_at: datetime | None
    last_error: str | None
    tried: tuple[AttemptRecord, ...] = ()

    @property
    def webhook_id(self) -> str:
        """The id receivers see (`webhook-id`): the notice's, the same on every retry."""
        return "msg_" + self.notice_id.hex


@dataclass(frozen=True)
class EndpointTested:
    """A test's delivery, and whether it is held: its endpoint is paused."""

    endpoint_id: UUID
    delivery: DeliveryRecord
    held: bool


@dataclass(frozen=True)
class OutboxHealth:
    """The outbox at a glance, for `GET /health`: figures, never a delivery's content."""

    pending: int
    due: int
    dead: int
    oldest_due_seconds: float
    decided_position: int | None


@dataclass(frozen=True)
class DeliveryPage:
    """Deliveries, newest first, and where the next page starts."""

    rows: list[DeliveryRecord]
    next_after: tuple[datetime, UUID] | None


class EndpointStore(Protocol):
    """Where endpoints and their deliveries are kept (infrastructure/webhook_endpoints.py)."""

    def register(self, spec: EndpointSpec, secret: str | None, actor: Actor) -> EndpointRecord:
        """Adds an endpoint; logs its registration."""

    def change(
        self, endpoint_id: UUID, spec: EndpointSpec, expected: int | None, actor: Actor
    ) -> EndpointRecord:
        """Replaces what the endpoint is registered with; logs the fields that changed."""

    def set_secret(
        self, endpoint_id: UUID, secret: str | None, expected: int | None, actor: Actor
    ) -> EndpointRecord:
        """Replaces its secret; logs that it was rotated (not the secret)."""

    def set_active(
        self, endpoint_id: UUID, active: bool, expected: int | None, actor: Actor
    ) -> EndpointRecord:
        """Pauses or resumes it."""

    def remove(self, endpoint_id: UUID, expected: int | None, actor: Actor) -> EndpointRecord:
        """Removes it (softly); its pending deliveries are dropped."""

    def get(self, endpoint_id: UUID) -> EndpointRecord:
        """One endpoint (NotFound if none)."""

    def spec_with_target(self, endpoint_id: UUID) -> EndpointSpec:
        """What it is registered with, its target unsealed (for a change to check)."""

    def list_endpoints(self, *, include_removed: bool = False) -> list[EndpointRecord]:
        """Every endpoint, by name."""

    def changes(self, endpoint_id: UUID) -> list[ChangeRecord]:
        """Its change log, oldest first."""

    def deliveries(
        self,
        *,
        endpoint_id: UUID | None,
        statuses: tuple[DeliveryStatus, ...],
        after: tuple[datetime, UUID] | None,
        limit: int,
    ) -> DeliveryPage:
        """A page of deliveries, newest first."""

    def delivery(self, delivery_id: UUID) -> DeliveryRecord:
        """One delivery with its attempts (NotFound if none)."""

    def retry(self, delivery_id: UUID, actor: Actor) -> DeliveryRecord:
        """A dead (or dropped) delivery made pending again, due now."""

    def send_test(self, endpoint_id: UUID, notice: Notice) -> DeliveryRecord:
        """A test notice and its one delivery, to that endpoint (409 if it is removed)."""

    def health(self) -> OutboxHealth:
        """The outbox at a glance (`OutboxHealth`)."""
