"""Destroying a person's keys for an erasure (`application.erasures`), in two steps that
survive a stop between them.

`mark` names the keys an erasure will destroy before its confirmation is saved; after it,
`destroy_marked` destroys exactly those, found without the person's id (which by then may
read as erased); `settle` says nothing of the erasure is pending. Every step is on disk
when it returns.
"""

from __future__ import annotations

from uuid import UUID

from infrastructure.key_table import DURABLE
from infrastructure.keyring import Keyring


class KeyErasure:
    """A key table's keys, as erasures destroy them."""

    def __init__(self, keyring: Keyring) -> None:
        self.keyring = keyring

    def mark(self, person: str, erasure_id: UUID) -> int:
        """Marks every live key of a person for an erasure (destroyed by `destroy_marked`),
        so that an erasure interrupted after it was confirmed finds its keys without the
        person's id; how many keys were marked."""
        with self.keyring.pool.connection() as conn, conn.transaction():
            conn.execute(DURABLE)
            rows = conn.execute(
                "UPDATE huiyin_keys SET erasure_id = %s"
                " WHERE subject = %s AND wrapped IS NOT NULL RETURNING key_id",
                (erasure_id, self.keyring.subject(person)),
            ).fetchall()
            conn.execute(
                "INSERT INTO huiyin_erasures_pending (erasure_id) VALUES (%s)"
                " ON CONFLICT (erasure_id) DO NOTHING",
                (erasure_id,),
            )
        return len(rows)

    def destroy_marked(self, erasure_id: UUID) -> int:
        """Destroys the keys marked for an erasure and forgets their person's digest; how
        many keys the erasure has destroyed (now or before)."""
        with self.keyring.pool.connection() as conn, conn.transaction():
            conn.execute(DURABLE)
            conn.execute(
                "UPDATE huiyin_keys SET wrapped = NULL, subject = NULL, destroyed_at = now()"
                " WHERE erasure_id = %s AND wrapped IS NOT NULL",
                (erasure_id,),
            )
            conn.execute("UPDATE huiyin_keyring SET generation = generation + 1")
            row = conn.execute(
                "SELECT count(*) FROM huiyin_keys WHERE erasure_id = %s", (erasure_id,)
            ).fetchone()
        self.keyring.forget_cached()
        return int(row[0]) if row else 0

    def settle(self, erasure_id: UUID) -> None:
        """The erasure is recorded as done (or was withdrawn): nothing of it is pending."""
        with self.keyring.pool.connection() as conn, conn.transaction():
            conn.execute(DURABLE)
            conn.execute(
                "UPDATE huiyin_keys SET erasure_id = NULL"
                " WHERE erasure_id = %s AND wrapped IS NOT NULL",
                (erasure_id,),
            )
            conn.execute("DELETE FROM huiyin_erasures_pending WHERE erasure_id = %s", (erasure_id,))

    def pending_erasures(self) -> list[UUID]:
        """Erasures that marked keys and are not settled yet, oldest first."""
        with self.keyring.pool.connection() as conn:
            rows = conn.execute(
                "SELECT erasure_id FROM huiyin_erasures_pending ORDER BY marked_at"
            ).fetchall()
        return [row[0] for row in rows]
