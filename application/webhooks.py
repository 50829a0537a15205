"""Webhook endpoints and their deliveries: the admin's use cases (docs/webhooks.md).

Each use case authorises first (`webhook.manage` to change, `webhook.read` to look), then
checks the endpoint's rules (`domain/webhook_endpoint.py`) and keeps it in the store. A
department filter may be given by code or name; it is kept as the directory's code.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Protocol
from uuid import UUID, uuid4

from application.webhook_records import (
    ChangeRecord,
    DeliveryPage,
    DeliveryRecord,
    EndpointRecord,
    EndpointStore,
    EndpointTested,
    OutboxHealth,
    WithSecret,
)
from domain.access import NOBODY
from domain.actors import Actor, Role
from domain.errors import ActionNotAllowed
from domain.notices import DeliveryStatus, EndpointFormat, Notice, NoticeKind, SystemNoticeKind
from domain.policy import Permission, authorise
from domain.terms import Tier
from domain.webhook_endpoint import EndpointSpec, check_secret


class DepartmentCodes(Protocol):
    """The directory, as far as a department filter goes."""

    def codes(self, references: list[str] | tuple[str, ...], field: str) -> list[str]:
        """The codes of open departments a code or name refers to (InvalidInput if not)."""


class Webhooks:
    """Registering, changing and removing endpoints; reading and replaying deliveries."""

    def __init__(self, store: EndpointStore, departments: DepartmentCodes) -> None:
        self.store = store
        self.departments = departments

    def register(
        self,
        *,
        name: str,
        format: EndpointFormat,
        target: str,
        kinds: Sequence[NoticeKind],
        departments: Sequence[str] = (),
        tiers: Sequence[Tier] = (),
        audience: Role = Role.UNION_STAFF,
        personal_data: bool = False,
        secret: str | None = None,
        actor: Actor,
    ) -> WithSecret:
        """Registers an endpoint; the answer holds its secret, the only time it shows."""
        authorise(actor, Permission.WEBHOOK_MANAGE, NOBODY)
        spec = EndpointSpec(
            name=name,
            format=format,
            target=target,
            kinds=tuple(kinds),
            departments=self._codes(departments),
            tiers=tuple(tiers),
            audience=audience,
            personal_data=personal_data,
        ).checked()
        kept = check_secret(format, secret)
        return WithSecret(self.store.register(spec, kept, actor), kept)

    def change(
        self,
        endpoint_id: UUID,
        *,
        actor: Actor,
        expected_version: int | None = None,
        name: str | None = None,
        target: str | None = None,
        kinds: Sequence[NoticeKind] | None = None,
        departments: Sequence[str] | None = None,
        tiers: Sequence[Tier] | None = None,
        audience: Role | None = None,
        personal_data: bool | None = None,
    ) -> EndpointRecord:
        """Changes what is given (None: as it was); the whole is checked again."""
        authorise(actor, Permission.WEBHOOK_MANAGE, NOBODY)
        self._live(endpoint_id, "change")
        spec = self.store.spec_with_target(endpoint_id).changed(
            name=name,
            target=target,
            kinds=None if kinds is None else tuple(kinds),
            departments=None if departments is None else self._codes(departments),
            tiers=None if tiers is None else tuple(tiers),
            audience=audience,
            personal_data=personal_data,
        )
        return self.store.change(endpoint_id, spec, expected_version, actor)

    def rotate_secret(
        self,
        endpoint_id: UUID,
        *,
        actor: Actor,
        secret: str | None = None,
        expected_version: int | None = None,
    ) -> WithSecret:
        """A new secret (a standard endpoint's made here unless given; a DingTalk robot's
        as its settings show it); the answer holds it, the only time it shows."""
        authorise(actor, Permission.WEBHOOK_MANAGE, NOBODY)
        endpoint = self._live(endpoint_id, "rotate the secret of")
        kept = check_secret(endpoint.spec.format, secret)
        if kept is None and endpoint.spec.format is not EndpointFormat.DINGTALK:
            raise ActionNotAllowed(
                "rotate the secret of",
                f"of the {endpoint.spec.format.value} format",
                "it has no secret",
                subject="endpoint",
            )
        record = self.store.set_secret(endpoint_id, kept, expected_version, actor)
        return WithSecret(record, kept)

    def pause(
        self, endpoint_id: UUID, *, actor: Actor, expected_version: int | None = None
    ) -> EndpointRecord:
        """Stops sending to it; deliveries decided meanwhile wait for it to resume."""
        authorise(actor, Permission.WEBHOOK_MANAGE, NOBODY)
        self._live(endpoint_id, "pause")
        return self.store.set_active(endpoint_id, False, expected_version, actor)

    def resume(
        self, endpoint_id: UUID, *, actor: Actor, expected_version: int | None = None
    ) -> EndpointRecord:
        """Sends to it again."""
        authorise(actor, Permission.WEBHOOK_MANAGE, NOBODY)
        self._live(endpoint_id, "resume")
        return self.store.set_active(endpoint_id, True, expected_version, actor)

    def remove(
        self, endpoint_id: UUID, *, actor: Actor, expected_version: int | None = None
    ) -> EndpointRecord:
        """Removes it: nothing more is decided for or sent to it, its pending deliveries
        are dropped, and its history stays readable."""
        authorise(actor, Permission.WEBHOOK_MANAGE, NOBODY)
        self._live(endpoint_id, "remove")
        return self.store.remove(endpoint_id, expected_version, actor)

    def get(self, endpoint_id: UUID, actor: Actor) -> EndpointRecord:
        """One endpoint, without its secret."""
        authorise(actor, Permission.WEBHOOK_READ, NOBODY)
        return self.store.get(endpoint_id)

    def list_endpoints(
        self, actor: Actor, *, include_removed: bool = False
    ) -> list[EndpointRecord]:
        """Every endpoint, without secrets, by name."""
        authorise(actor, Permission.WEBHOOK_READ, NOBODY)
        return self.store.list_endpoints(include_removed=include_removed)

    def changes(self, endpoint_id: UUID, actor: Actor) -> list[ChangeRecord]:
        """Who changed the endpoint, when, and which fields."""
        authorise(actor, Permission.WEBHOOK_READ, NOBODY)
        return self.store.changes(endpoint_id)

    def deliveries(
        self,
        actor: Actor,
        *,
        endpoint_id: UUID | None = None,
        statuses: Sequence[DeliveryStatus] = (),
        after: tuple[datetime, UUID] | None = None,
        limit: int = 50,
    ) -> DeliveryPage:
        """Deliveries, newest first: one endpoint's, or every one's, by status."""
        authorise(actor, Permission.WEBHOOK_READ, NOBODY)
        if endpoint_id is not None:
            self.store.get(endpoint_id)  # NotFound for an unknown one
        return self.store.deliveries(
            endpoint_id=endpoint_id, statuses=tuple(statuses), after=after, limit=limit
        )

    def delivery(self, delivery_id: UUID, actor: Actor) -> DeliveryRecord:
        """One delivery with every attempt made."""
        authorise(actor, Permission.WEBHOOK_READ, NOBODY)
        return self.store.delivery(delivery_id)

    def health(self) -> OutboxHealth:
        """The outbox at a glance, for anyone who may ask whether the service is healthy:
        counts and ages, never an endpoint's or a delivery's content."""
        return self.store.health()

    def retry(self, delivery_id: UUID, actor: Actor) -> DeliveryRecord:
        """Sends a dead delivery (or a dropped one, if its endpoint is still live) again,
        now, with a fresh retry window; receivers see the same `webhook-id`."""
        authorise(actor, Permission.WEBHOOK_MANAGE, NOBODY)
        return self.store.retry(delivery_id, actor)

    def send_test(self, endpoint_id: UUID, actor: Actor) -> EndpointTested:
        """Records a test notice (key `test:<new uuid>`: a new one each time) with one
        delivery, to this endpoint alone whatever its kinds and filters, as every notice is
        recorded; the sender sends it, signed like any other. Its payload says who asked
        and when, nothing more. A removed endpoint is 409; a paused one's delivery is held
        until it resumes."""
        authorise(actor, Permission.WEBHOOK_MANAGE, NOBODY)
        endpoint = self.store.get(endpoint_id)  # NotFound for an unknown one
        now = datetime.now(UTC)
        notice = Notice(
            key=f"test:{uuid4()}",
            kind=SystemNoticeKind.TEST,
            occurred_at=now,
            payload={
                "requested_by": {"id": actor.id, "role": actor.role.value},
                "requested_at": now.isoformat(),
            },
            endpoint_id=endpoint_id,
        )
        sent = self.store.send_test(endpoint_id, notice)
        return EndpointTested(endpoint_id, sent, held=not endpoint.active)

    def _live(self, endpoint_id: UUID, action: str) -> EndpointRecord:
        endpoint = self.store.get(endpoint_id)
        if endpoint.removed_at is not None:
            raise ActionNotAllowed(action, "removed", subject="endpoint")
        return endpoint

    def _codes(self, departments: Sequence[str]) -> tuple[str, ...]:
        return tuple(self.departments.codes(tuple(departments), "departments"))
