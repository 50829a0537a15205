"""The outbox's tables: endpoints, the notices decided, their deliveries and every attempt.

Written by three parties, each in its own transactions:
- admin, through the API or the CLI: `huiyin_webhook_endpoints` (and a row of
  `huiyin_webhook_endpoint_changes` per change: who, when, what; never a secret);
- the deciders: the notice decider (a runner over the events, its tracking row in the same
  transaction) and the reminder sweep (by the time, one row per deadline and lead: the
  notice's `key` is unique) write a notice and its deliveries together;
- the sender: claims due deliveries (`FOR UPDATE SKIP LOCKED`), records each attempt, and
  marks a delivery delivered, pending again (back-off) or dead.

Secrets (an endpoint's signing secret) and targets (a WeCom robot's URL holds its key) are
sealed with the store key (AES-GCM, bound to the endpoint's id): a database dump reveals
neither, and rotating the master key (which re-wraps the store key) leaves them readable.
Notices hold references only (case ids, departments): personal data is read from the events,
and only for an endpoint the policy lets see it, when the message is made.
"""

from __future__ import annotations

import secrets
from typing import Any
from uuid import UUID

import psycopg
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

SCHEMA = """
CREATE TABLE IF NOT EXISTS huiyin_webhook_endpoints (
    id              uuid PRIMARY KEY,
    name            text NOT NULL,
    format          text NOT NULL,
    target_sealed   bytea NOT NULL,
    target_shown    text NOT NULL,
    secret_sealed   bytea,
    kinds           text[] NOT NULL,
    departments     text[] NOT NULL DEFAULT '{}',
    tiers           text[] NOT NULL DEFAULT '{}',
    audience        text NOT NULL,
    personal_data   boolean NOT NULL DEFAULT false,
    active          boolean NOT NULL DEFAULT true,
    version         integer NOT NULL DEFAULT 1,
    created_at      timestamptz NOT NULL,
    created_by      text NOT NULL,
    changed_at      timestamptz NOT NULL,
    changed_by      text NOT NULL,
    removed_at      timestamptz
);
CREATE TABLE IF NOT EXISTS huiyin_webhook_endpoint_changes (
    endpoint_id     uuid NOT NULL REFERENCES huiyin_webhook_endpoints (id),
    version         integer NOT NULL,
    at              timestamptz NOT NULL,
    actor_id        text NOT NULL,
    actor_role      text NOT NULL,
    change          text NOT NULL,
    fields          jsonb NOT NULL DEFAULT '{}',
    PRIMARY KEY (endpoint_id, version)
);
CREATE TABLE IF NOT EXISTS huiyin_notices (
    id              uuid PRIMARY KEY,
    key             text NOT NULL UNIQUE,
    kind            text NOT NULL,
    case_id         uuid,
    case_type       text,
    department      text,
    tier            text,
    position        bigint,
    occurred_at     timestamptz NOT NULL,
    decided_at      timestamptz NOT NULL DEFAULT clock_timestamp(),
    payload         jsonb NOT NULL DEFAULT '{}'
);
CREATE INDEX IF NOT EXISTS huiyin_notices_case ON huiyin_notices (case_id);
CREATE TABLE IF NOT EXISTS huiyin_webhook_deliveries (
    id              uuid PRIMARY KEY,
    notice_id       uuid NOT NULL REFERENCES huiyin_notices (id),
    endpoint_id     uuid REFERENCES huiyin_webhook_endpoints (id),
    recipient       text NOT NULL DEFAULT 'endpoint',
    status          text NOT NULL DEFAULT 'pending',
    attempts        integer NOT NULL DEFAULT 0,
    created_at      timestamptz NOT NULL DEFAULT clock_timestamp(),
    since           timestamptz NOT NULL DEFAULT clock_timestamp(),
    next_attempt_at timestamptz NOT NULL DEFAULT clock_timestamp(),
    leased_until    timestamptz,
    delivered_at    timestamptz,
    dead_at         timestamptz,
    last_error      text
);
CREATE INDEX IF NOT EXISTS huiyin_webhook_deliveries_due
    ON huiyin_webhook_deliveries (next_attempt_at) WHERE status = 'pending';
CREATE INDEX IF NOT EXISTS huiyin_webhook_deliveries_endpoint
    ON huiyin_webhook_deliveries (endpoint_id, created_at);
CREATE INDEX IF NOT EXISTS huiyin_webhook_deliveries_dead
    ON huiyin_webhook_deliveries (dead_at) WHERE status = 'dead';
CREATE TABLE IF NOT EXISTS huiyin_webhook_attempts (
    delivery_id     uuid NOT NULL REFERENCES huiyin_webhook_deliveries (id),
    number          integer NOT NULL,
    started_at      timestamptz NOT NULL,
    duration_ms     integer NOT NULL,
    outcome         text NOT NULL,
    status_code     integer,
    error           text,
    PRIMARY KEY (delivery_id, number)
);
"""


def create_tables(conn: psycopg.Connection[Any]) -> None:
    """Creates the outbox's tables (idempotent; run under the schema lock at start-up)."""
    conn.execute(SCHEMA)


_NONCE = 12


def seal(store_key: bytes, endpoint_id: UUID, clear: str) -> bytes:
    """`clear` (a secret, a target) encrypted with the store key, bound to the endpoint."""
    nonce = secrets.token_bytes(_NONCE)
    return nonce + AESGCM(store_key).encrypt(nonce, clear.encode(), _bound(endpoint_id))


def unseal(store_key: bytes, endpoint_id: UUID, sealed: bytes) -> str:
    """What `seal` sealed (InvalidTag if it was sealed for another endpoint or key)."""
    data = bytes(sealed)
    return AESGCM(store_key).decrypt(data[:_NONCE], data[_NONCE:], _bound(endpoint_id)).decode()


def _bound(endpoint_id: UUID) -> bytes:
    return b"huiyin webhook " + endpoint_id.bytes
