"""Endpoints and their deliveries in the outbox's tables (`infrastructure/webhook_tables.py`).

Targets and secrets are sealed with the store key; reads return the shown target (a URL
without its query) and whether there is a secret, never the secret. Each change takes the
endpoint's row lock, checks the version a client saw, bumps it, and logs who changed which
fields in the same transaction. Times are the database's clock, as the rest of the outbox's.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from uuid import UUID, uuid4

import psycopg
from psycopg import sql
from psycopg.types.json import Jsonb
from psycopg_pool import ConnectionPool

from application.webhook_records import ChangeRecord, EndpointRecord
from domain.actors import Actor, Role
from domain.errors import ActionNotAllowed, NotFound, StaleVersion
from domain.notices import DeliveryStatus, EndpointFormat, NoticeKind
from domain.terms import Tier
from domain.webhook_endpoint import EndpointSpec
from infrastructure.webhook_deliveries import WebhookDeliveries
from infrastructure.webhook_tables import seal, unseal

_COLUMNS = (
    "id, name, format, target_shown, secret_sealed IS NOT NULL, kinds, departments, tiers,"
    " audience, personal_data, active, version, created_at, created_by, changed_at,"
    " changed_by, removed_at"
)


def _record(row: Sequence[Any]) -> EndpointRecord:
    (ident, name, fmt, shown, has_secret, kinds, departments, tiers, audience, personal) = row[:10]
    spec = EndpointSpec(
        name=name,
        format=EndpointFormat(fmt),
        target=shown,
        kinds=tuple(NoticeKind(k) for k in kinds),
        departments=tuple(departments),
        tiers=tuple(Tier(t) for t in tiers),
        audience=Role(audience),
        personal_data=personal,
    )
    return EndpointRecord(ident, spec, has_secret, *row[10:])


def _fields(spec: EndpointSpec) -> dict[str, Any]:
    """What the log says an endpoint holds: the shown target, never a secret."""
    return {
        "name": spec.name,
        "format": spec.format.value,
        "target": spec.shown_target(),
        "kinds": [k.value for k in spec.kinds],
        "departments": list(spec.departments),
        "tiers": [t.value for t in spec.tiers],
        "audience": spec.audience.value,
        "personal_data": spec.personal_data,
    }


class WebhookEndpoints(WebhookDeliveries):
    """Endpoints (register, change, rotate, pause, resume, remove, read) and deliveries
    (list, read, retry), over a pool of autocommit connections."""

    def __init__(self, pool: ConnectionPool, store_key: bytes) -> None:
        super().__init__(pool)
        self.store_key = store_key

    # -- endpoints ---------------------------------------------------------------------

    def register(self, spec: EndpointSpec, secret: str | None, actor: Actor) -> EndpointRecord:
        """Adds an endpoint (version 1) and logs its registration."""
        ident = uuid4()
        sealed = seal(self.store_key, ident, secret) if secret else None
        with self.pool.connection() as conn, conn.transaction():
            conn.execute(
                "INSERT INTO huiyin_webhook_endpoints (id, name, format, target_sealed,"
                " target_shown, secret_sealed, kinds, departments, tiers, audience,"
                " personal_data, created_at, created_by, changed_at, changed_by)"
                " VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s,"
                " statement_timestamp(), %s, statement_timestamp(), %s)",
                (
                    ident,
                    spec.name,
                    spec.format.value,
                    seal(self.store_key, ident, spec.target),
                    spec.shown_target(),
                    sealed,
                    [k.value for k in spec.kinds],
                    list(spec.departments),
                    [t.value for t in spec.tiers],
                    spec.audience.value,
                    spec.personal_data,
                    actor.id,
                    actor.id,
                ),
            )
            self._log(conn, ident, 1, actor, "registered", _fields(spec))
        return self.get(ident)

    def change(
        self, endpoint_id: UUID, spec: EndpointSpec, expected: int | None, actor: Actor
    ) -> EndpointRecord:
        """Replaces what it is registered with; logs only the fields that changed (none
        changed: nothing is written)."""
        with self.pool.connection() as conn, conn.transaction():
            version = self._lock(conn, endpoint_id, expected, "change")
            old = self._spec(conn, endpoint_id)
            before, after = _fields(old), _fields(spec)
            changed = {k: v for k, v in after.items() if before[k] != v}
            if spec.target != old.target:
                shown = after["target"]
                # The query (a robot's key) is never logged; say that it changed.
                same = shown == old.shown_target()
                changed["target"] = f"{shown} (its query changed)" if same else shown
            if not changed:
                return self._get(conn, endpoint_id)
            conn.execute(
                "UPDATE huiyin_webhook_endpoints SET name = %s, target_sealed = %s,"
                " target_shown = %s, kinds = %s, departments = %s, tiers = %s, audience = %s,"
                " personal_data = %s, version = version + 1, changed_at = statement_timestamp(),"
                " changed_by = %s WHERE id = %s",
                (
                    spec.name,
                    seal(self.store_key, endpoint_id, spec.target),
                    spec.shown_target(),
                    [k.value for k in spec.kinds],
                    list(spec.departments),
                    [t.value for t in spec.tiers],
                    spec.audience.value,
                    spec.personal_data,
                    actor.id,
                    endpoint_id,
                ),
            )
            self._log(conn, endpoint_id, version + 1, actor, "changed", changed)
        return self.get(endpoint_id)

    def set_secret(
        self, endpoint_id: UUID, secret: str | None, expected: int | None, actor: Actor
    ) -> EndpointRecord:
        """Replaces its secret (None: removes it); logs the rotation, not the secret."""
        sealed = seal(self.store_key, endpoint_id, secret) if secret else None
        change = "secret rotated" if secret else "secret removed"
        return self._update(endpoint_id, expected, actor, change, "secret_sealed = %s", (sealed,))

    def set_active(
        self, endpoint_id: UUID, active: bool, expected: int | None, actor: Actor
    ) -> EndpointRecord:
        """Pauses or resumes it (as it is already: nothing is written)."""
        change = "resumed" if active else "paused"
        return self._update(
            endpoint_id, expected, actor, change, "active = %s", (active,), unless=active
        )

    def remove(self, endpoint_id: UUID, expected: int | None, actor: Actor) -> EndpointRecord:
        """Removes it softly: no secret kept, no delivery pending (each becomes dropped)."""
        with self.pool.connection() as conn, conn.transaction():
            version = self._lock(conn, endpoint_id, expected, "remove")
            dropped = conn.execute(
                "UPDATE huiyin_webhook_deliveries SET status = %s, leased_until = NULL,"
                " last_error = 'the endpoint was removed'"
                " WHERE endpoint_id = %s AND status = %s",
                (DeliveryStatus.DROPPED.value, endpoint_id, DeliveryStatus.PENDING.value),
            ).rowcount
            conn.execute(
                "UPDATE huiyin_webhook_endpoints SET removed_at = statement_timestamp(),"
                " active = false, secret_sealed = NULL, version = version + 1,"
                " changed_at = statement_timestamp(), changed_by = %s WHERE id = %s",
                (actor.id, endpoint_id),
            )
            self._log(conn, endpoint_id, version + 1, actor, "removed", {"dropped": dropped})
        return self.get(endpoint_id)

    def get(self, endpoint_id: UUID) -> EndpointRecord:
        """One endpoint; NotFound if there is none."""
        with self.pool.connection() as conn:
            return self._get(conn, endpoint_id)

    def spec_with_target(self, endpoint_id: UUID) -> EndpointSpec:
        """What it is registered with, its target unsealed."""
        with self.pool.connection() as conn:
            return self._spec(conn, endpoint_id)

    def list_endpoints(self, *, include_removed: bool = False) -> list[EndpointRecord]:
        """Every endpoint (not removed ones, unless asked), by name."""
        where = "" if include_removed else " WHERE removed_at IS NULL"
        with self.pool.connection() as conn:
            rows = conn.execute(
                f"SELECT {_COLUMNS} FROM huiyin_webhook_endpoints{where}"  # noqa: S608
                " ORDER BY name, id"
            ).fetchall()
        return [_record(row) for row in rows]

    def changes(self, endpoint_id: UUID) -> list[ChangeRecord]:
        """Its change log, oldest first."""
        with self.pool.connection() as conn:
            self._get(conn, endpoint_id)
            rows = conn.execute(
                "SELECT version, at, actor_id, actor_role, change, fields"
                " FROM huiyin_webhook_endpoint_changes WHERE endpoint_id = %s ORDER BY version",
                (endpoint_id,),
            ).fetchall()
        return [ChangeRecord(*row) for row in rows]

    # -- within a transaction ------------------------------------------------------------

    def _get(self, conn: psycopg.Connection[Any], endpoint_id: UUID) -> EndpointRecord:
        row = conn.execute(
            f"SELECT {_COLUMNS} FROM huiyin_webhook_endpoints WHERE id = %s",  # noqa: S608
            (endpoint_id,),
        ).fetchone()
        if row is None:
            raise NotFound(f"no webhook endpoint {endpoint_id}")
        return _record(row)

    def _spec(self, conn: psycopg.Connection[Any], endpoint_id: UUID) -> EndpointSpec:
        record = self._get(conn, endpoint_id)
        row = conn.execute(
            "SELECT target_sealed FROM huiyin_webhook_endpoints WHERE id = %s", (endpoint_id,)
        ).fetchone()
        assert row is not None  # noqa: S101  # `_get` found it
        target = unseal(self.store_key, endpoint_id, row[0])
        return EndpointSpec(**{**record.spec.__dict__, "target": target})

    def _lock(
        self, conn: psycopg.Connection[Any], endpoint_id: UUID, expected: int | None, action: str
    ) -> int:
        """Locks the row; its version, if it is the one expected and not removed."""
        row = conn.execute(
            "SELECT version, removed_at FROM huiyin_webhook_endpoints WHERE id = %s FOR UPDATE",
            (endpoint_id,),
        ).fetchone()
        if row is None:
            raise NotFound(f"no webhook endpoint {endpoint_id}")
        version, removed_at = row
        if expected is not None and expected != version:
            raise StaleVersion(expected, version, subject="endpoint")
        if removed_at is not None:
            raise ActionNotAllowed(action, "removed", subject="endpoint")
        return int(version)

    def _update(
        self,
        endpoint_id: UUID,
        expected: int | None,
        actor: Actor,
        change: str,
        assignment: str,
        args: tuple[Any, ...],
        *,
        unless: bool | None = None,
    ) -> EndpointRecord:
        """Sets what `assignment` says and logs `change`; with `unless`, nothing is written
        when the endpoint's `active` is that already."""
        with self.pool.connection() as conn, conn.transaction():
            version = self._lock(conn, endpoint_id, expected, change)
            if unless is not None and self._get(conn, endpoint_id).active is unless:
                return self._get(conn, endpoint_id)
            conn.execute(
                sql.SQL(
                    "UPDATE huiyin_webhook_endpoints SET {}, version = version + 1,"
                    " changed_at = statement_timestamp(), changed_by = %s WHERE id = %s"
                ).format(sql.SQL(assignment)),
                (*args, actor.id, endpoint_id),
            )
            self._log(conn, endpoint_id, version + 1, actor, change, {})
        return self.get(endpoint_id)

    def _log(
        self,
        conn: psycopg.Connection[Any],
        endpoint_id: UUID,
        version: int,
        actor: Actor,
        change: str,
        fields: dict[str, Any],
    ) -> None:
        conn.execute(
            "INSERT INTO huiyin_webhook_endpoint_changes"
            " (endpoint_id, version, at, actor_id, actor_role, change, fields)"
            " VALUES (%s, %s, statement_timestamp(), %s, %s, %s, %s)",
            (endpoint_id, version, actor.id, actor.role.value, change, Jsonb(fields)),
        )
