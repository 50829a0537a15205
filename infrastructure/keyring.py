"""The key table: the store key, and a data key per person, each wrapped by the master key.

Envelope encryption (docs/personal-data.md):
- the store key encrypts every event as a whole (the library's AES-GCM cipher). A store
  whose events were written before the key table existed keeps the key they were written
  with as its store key;
- a data key per person encrypts that person's data inside events (`infrastructure.sealing`).
  A person is found by a keyed digest of their id (`subject`), never the id itself; the key's
  random id is the person's reference in views. Erasure destroys the key and forgets the
  digest: what was sealed under it is unreadable, and the reference names nobody;
- the master key only wraps keys, so `rotate` re-wraps them and rewrites no event.

`open` checks the master key before anything is written: a key that cannot unwrap the store
key (or, in a store without a key table, decrypt the newest event) is refused with a message
naming the problem (`infrastructure.key_table`). Erasures destroy keys through
`infrastructure.key_erasure`.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from uuid import UUID, uuid4

import psycopg
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from psycopg import sql

from infrastructure.key_table import DURABLE, SCHEMA, existing_store_key, first_store_key
from infrastructure.keys import fingerprint, unwrap, wrap
from infrastructure.pools import connection_pool

#: How long a process trusts its cached keys before asking whether one was destroyed.
REFRESH_SECONDS = 1.0

#: The key tables open in this process, by their name: the cipher and mapper the
#: eventsourcing library builds from topics (with only the settings to go by) find theirs
#: by the name the settings carry (`infrastructure.sealing.sealed_events_env`).
_OPENED: dict[str, Keyring] = {}


def keyring_named(name: str) -> Keyring:
    """The key table open in this process under this name."""
    try:
        return _OPENED[name]
    except KeyError:
        raise RuntimeError(
            f"no key table {name!r} is open in this process: open it (Keyring.open) before"
            " building an application on it"
        ) from None


class MasterKeyRotated(RuntimeError):
    """Another process rotated the master key: this one must restart with the new key."""


@dataclass(frozen=True)
class DataKey:
    """A person's data key: its id (their reference in views), the cipher it opens, and a
    key derived from it for nonces that must be the same each time (`sealing.seal`)."""

    key_id: UUID
    cipher: AESGCM
    nonce_key: bytes

    @classmethod
    def of(cls, key_id: UUID, key: bytes) -> DataKey:
        """The data key with these bytes."""
        nonce_key = hmac.new(key, b"huiyin nonce v1", hashlib.sha256).digest()
        return cls(key_id, AESGCM(key), nonce_key)


class Keyring:
    """The key table of one store, opened with its master key."""

    def __init__(
        self,
        conninfo: str,
        master: bytes,
        store_key: bytes,
        *,
        pool_size: int = 2,
        events_table: str = "huiyin_events",
    ) -> None:
        self.events_table = events_table
        self.name = uuid4().hex  # how this process's applications find it
        self._master = master
        self.master_id = fingerprint(master)
        self.store_key = store_key
        self._subject_key = hmac.new(store_key, b"huiyin subject v1", hashlib.sha256).digest()
        # Keys and case links are made before the event that uses them is saved, and that
        # event's commit waits for the WAL to be flushed up to it, which is after theirs:
        # their own commits need not wait (a round trip, not a disk flush, per new person).
        # What must be durable when answered (destroying, marking, rotating) says so itself.
        self.pool = connection_pool(
            conninfo,
            max_size=pool_size,
            wait=5.0,
            autocommit=True,
            options="-c synchronous_commit=off",
        )
        self._lock = threading.Lock()
        self._keys: dict[UUID, DataKey | None] = {}  # None: destroyed
        self._by_subject: dict[str, DataKey] = {}
        self._generation = 0
        self._checked = 0.0
        self._listeners: list[Callable[[], None]] = []

    # -- opening -------------------------------------------------------------------------

    @classmethod
    def open(cls, conninfo: str, master: bytes, *, events_table: str = "huiyin_events") -> Keyring:
        """The store's key table, opened with `master`; created for a new store (or one
        whose events predate it). KeyDoesNotOpen, before anything is written, when the
        master key is not the store's."""
        with psycopg.connect(conninfo, autocommit=True) as conn:
            existing_store_key(conn, master)  # the check, before anything is written
            with conn.transaction():
                conn.execute("SELECT pg_advisory_xact_lock(hashtext('huiyin_keyring'))")
                store_key = existing_store_key(conn, master)
                if store_key is None:
                    store_key = first_store_key(conn, master, events_table)
                conn.execute(SCHEMA)  # tables added since the key table was made
        keyring = cls(conninfo, master, store_key, events_table=events_table)
        keyring.pool.open(wait=True, timeout=30)
        keyring._generation = keyring._read_generation()
        keyring._checked = time.monotonic()
        _OPENED[keyring.name] = keyring
        return keyring

    def close(self) -> None:
        """Closes the key table's connections (and forgets it as this process's)."""
        _OPENED.pop(self.name, None)
        self.pool.close()

    # -- people's keys -------------------------------------------------------------------

    def subject(self, person: str) -> str:
        """The keyed digest a person's keys are found by (never their id itself)."""
        return hmac.new(self._subject_key, person.strip().encode(), hashlib.sha256).hexdigest()

    def keys_for(self, people: Iterable[str]) -> dict[str, DataKey]:
        """Each person's live data key, made for those who have none yet."""
        self._refresh_if_due()
        wanted = {person: self.subject(person) for person in dict.fromkeys(people)}
        found = {p: self._by_subject[s] for p, s in wanted.items() if s in self._by_subject}
        missing = {p: s for p, s in wanted.items() if p not in found}
        if missing:
            found.update(self._make_keys(missing))
        return found

    def key_of(self, person: str) -> DataKey | None:
        """A person's live data key, if they have one (made by nothing: for reads)."""
        self._refresh_if_due()
        subject = self.subject(person)
        if subject in self._by_subject:
            return self._by_subject[subject]
        with self.pool.connection() as conn:
            row = conn.execute(
                "SELECT key_id, wrapped FROM huiyin_keys WHERE subject = %s", (subject,)
            ).fetchone()
        if row is None:
            return None
        key = self._remember(row[0], row[1])
        if key is not None:
            self._by_subject[subject] = key
        return key

    def key(self, key_id: UUID) -> DataKey | None:
        """The data key with this id; None once it was destroyed (or never existed)."""
        self._refresh_if_due()
        if key_id in self._keys:
            return self._keys[key_id]
        with self.pool.connection() as conn:
            row = conn.execute(
                "SELECT wrapped FROM huiyin_keys WHERE key_id = %s AND purpose = 'person'",
                (key_id,),
            ).fetchone()
        return self._remember(key_id, row[0] if row else None)

    def opening_event(self, case_id: UUID) -> tuple[str, bytes] | None:
        """The topic and stored state of the event that opened a case (to find whom the
        case is about: `sealing.Sealer`), or None if there is no such case."""
        with self.pool.connection() as conn:
            row = conn.execute(
                sql.SQL(
                    "SELECT topic, state FROM {} WHERE originator_id = %s"
                    " ORDER BY originator_version LIMIT 1"
                ).format(sql.Identifier(self.events_table)),
                (case_id,),
            ).fetchone()
        return None if row is None else (row[0], bytes(row[1]))

    # -- erasure and rotation ------------------------------------------------------------

    def rotate(self, new_master: bytes) -> int:
        """Re-wraps every key under `new_master` in one transaction; how many were. The
        events are not touched. Processes still running with the old key must restart."""
        new_id = fingerprint(new_master)
        with self.pool.connection() as conn, conn.transaction():
            conn.execute(DURABLE)
            row = conn.execute("SELECT master_id FROM huiyin_keyring FOR UPDATE").fetchone()
            if row is None or row[0] != self.master_id:
                raise MasterKeyRotated("the master key was rotated by another process")
            rows = conn.execute(
                "SELECT key_id, wrapped FROM huiyin_keys WHERE wrapped IS NOT NULL"
            ).fetchall()
            for key_id, wrapped in rows:
                key = unwrap(self._master, key_id, wrapped)
                conn.execute(
                    "UPDATE huiyin_keys SET wrapped = %s WHERE key_id = %s",
                    (wrap(new_master, key_id, key), key_id),
                )
            conn.execute(
                "UPDATE huiyin_keyring SET master_id = %s, generation = generation + 1",
                (new_id,),
            )
        self._master, self.master_id = new_master, new_id
        return len(rows)

    def on_forget(self, listener: Callable[[], None]) -> None:
        """Calls `listener` whenever keys may have been destroyed (to drop what it cached)."""
        self._listeners.append(listener)

    def observe(self, generation: int) -> None:
        """Learns the key table's generation (read with another query): drops the cached
        keys when a key was destroyed since."""
        if generation != self._generation:
            self._generation = generation
            self.forget_cached()
        self._checked = time.monotonic()

    def forget_cached(self) -> None:
        """Drops every cached key and case, and tells the listeners."""
        with self._lock:
            self._keys.clear()
            self._by_subject.clear()
        for listener in self._listeners:
            listener()

    # -- inside --------------------------------------------------------------------------

    def _refresh_if_due(self) -> None:
        if time.monotonic() - self._checked > REFRESH_SECONDS:
            self.observe(self._read_generation())

    def _read_generation(self) -> int:
        with self.pool.connection() as conn:
            row = conn.execute("SELECT generation, master_id FROM huiyin_keyring").fetchone()
        if row is None or row[1] != self.master_id:
            raise MasterKeyRotated(
                "the master key was rotated: restart this process with the new HUIYIN_CIPHER_KEY"
            )
        return int(row[0])

    def _remember(self, key_id: UUID, wrapped: bytes | None) -> DataKey | None:
        key = DataKey.of(key_id, unwrap(self._master, key_id, wrapped)) if wrapped else None
        with self._lock:
            self._keys[key_id] = key
        return key

    def _make_keys(self, missing: dict[str, str]) -> dict[str, DataKey]:
        """Creates keys for the subjects that have none (another process may race: the
        unique digest keeps one each), then reads them all back."""
        ids = [uuid4() for _ in missing]
        fresh = [secrets.token_bytes(32) for _ in missing]
        with self.pool.connection() as conn:
            conn.execute(
                "INSERT INTO huiyin_keys (key_id, purpose, subject, wrapped)"
                " SELECT k, 'person', s, w FROM unnest(%s::uuid[], %s::text[], %s::bytea[])"
                " AS t(k, s, w) WHERE (SELECT master_id FROM huiyin_keyring) = %s"
                " ON CONFLICT (subject) WHERE subject IS NOT NULL DO NOTHING",
                (
                    ids,
                    list(missing.values()),
                    [wrap(self._master, i, k) for i, k in zip(ids, fresh, strict=True)],
                    self.master_id,
                ),
            )
            rows = conn.execute(
                "SELECT subject, key_id, wrapped FROM huiyin_keys WHERE subject = ANY(%s)",
                (list(missing.values()),),
            ).fetchall()
        by_subject = {subject: (key_id, wrapped) for subject, key_id, wrapped in rows}
        made: dict[str, DataKey] = {}
        for person, subject in missing.items():
            if subject not in by_subject:
                self._read_generation()  # raises MasterKeyRotated, the only way to get here
                raise RuntimeError(f"no key could be made for subject {subject[:8]}")
            key = self._remember(*by_subject[subject])
            assert key is not None  # noqa: S101  # the subject column is cleared on destroying
            self._by_subject[subject] = made[person] = key
        return made
