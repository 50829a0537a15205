"""The key table's tables, and how a store gets its store key when it is first opened.

A store opened for the first time gets the key table with a fresh store key. A store whose
events were written before the key table existed keeps, as its store key, the key they were
written with: the master key given, once it has been checked against the newest event. A
store that has the table gives its store key only to the master key that wrapped it. Every
check comes before anything is written (`infrastructure.keyring.Keyring.open`).
"""

from __future__ import annotations

import secrets
from typing import Any
from uuid import uuid4

import psycopg
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from psycopg import sql

from infrastructure.keys import KeyDoesNotOpen, fingerprint, unwrap, wrap

SCHEMA = """
CREATE TABLE IF NOT EXISTS huiyin_keyring (
    id          boolean PRIMARY KEY DEFAULT true CHECK (id),
    master_id   text NOT NULL,
    generation  bigint NOT NULL DEFAULT 0,
    created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE IF NOT EXISTS huiyin_keys (
    key_id        uuid PRIMARY KEY,
    purpose       text NOT NULL CHECK (purpose IN ('store', 'person')),
    subject       text,
    wrapped       bytea,
    created_at    timestamptz NOT NULL DEFAULT now(),
    destroyed_at  timestamptz,
    erasure_id    uuid
);
CREATE UNIQUE INDEX IF NOT EXISTS huiyin_keys_one_store ON huiyin_keys (purpose)
    WHERE purpose = 'store';
CREATE UNIQUE INDEX IF NOT EXISTS huiyin_keys_subject ON huiyin_keys (subject)
    WHERE subject IS NOT NULL;
CREATE TABLE IF NOT EXISTS huiyin_erasures_pending (
    erasure_id  uuid PRIMARY KEY,
    marked_at   timestamptz NOT NULL DEFAULT now()
);
"""

#: For a transaction that must be on disk when it returns (the pool's sessions need not be).
DURABLE = "SET LOCAL synchronous_commit TO on"

#: The AES-GCM layout of the library's cipher: nonce (12 bytes), tag (16), ciphertext.
_EVENT_NONCE, _EVENT_TAG = 12, 16


def existing_store_key(conn: psycopg.Connection[Any], master: bytes) -> bytes | None:
    """The store key, unwrapped by `master`, if the store has a key table."""
    if conn.execute("SELECT to_regclass('huiyin_keyring')").fetchone() == (None,):
        return None
    row = conn.execute(
        "SELECT r.master_id, k.key_id, k.wrapped FROM huiyin_keyring r"
        " JOIN huiyin_keys k ON k.purpose = 'store'"
    ).fetchone()
    if row is None:
        return None
    master_id, key_id, wrapped = row
    try:
        return unwrap(master, key_id, wrapped)
    except KeyDoesNotOpen:
        raise KeyDoesNotOpen(
            f"HUIYIN_CIPHER_KEY does not open this store: its keys are wrapped by master key"
            f" {master_id}, and this key is {fingerprint(master)}. Use the key the store was"
            " made with (or the one it was last rotated to)."
        ) from None


def first_store_key(conn: psycopg.Connection[Any], master: bytes, events_table: str) -> bytes:
    """Creates the key table: with a fresh store key for a new store, or with the key the
    events were written with (`master`, checked against the newest) for an older store."""
    store_key = secrets.token_bytes(32)
    if conn.execute("SELECT to_regclass(%s)", (events_table,)).fetchone() != (None,):
        newest = conn.execute(
            sql.SQL("SELECT state FROM {} ORDER BY notification_id DESC LIMIT 1").format(
                sql.Identifier(events_table)
            )
        ).fetchone()
        if newest is not None:
            _check_opens(master, bytes(newest[0]))
            store_key = master
    conn.execute(SCHEMA)
    store_id = uuid4()
    conn.execute(
        "INSERT INTO huiyin_keys (key_id, purpose, wrapped) VALUES (%s, 'store', %s)",
        (store_id, wrap(master, store_id, store_key)),
    )
    conn.execute("INSERT INTO huiyin_keyring (master_id) VALUES (%s)", (fingerprint(master),))
    return store_key


def _check_opens(master: bytes, state: bytes) -> None:
    try:
        AESGCM(master).decrypt(
            state[:_EVENT_NONCE],
            state[_EVENT_NONCE + _EVENT_TAG :] + state[_EVENT_NONCE : _EVENT_NONCE + _EVENT_TAG],
            None,
        )
    except Exception:
        raise KeyDoesNotOpen(
            "HUIYIN_CIPHER_KEY does not decrypt the events already in this store: use the key"
            " they were written with"
        ) from None
