"""Huiyin's own tables beside the event store: API tokens, case-number sequences, and the
digests of requests sent with an idempotency key."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from psycopg import sql

from application.credentials import IssuedToken, TokenRecord
from domain.actors import Role
from infrastructure.pools import connection_pool

_TOKEN_COLUMNS = "token_hash, actor_id, role, label, issued_at, expires_at, revoked_at"  # noqa: S105


def _record(
    row: Sequence[Any], directory_version: int | None = None, keys_generation: int | None = None
) -> TokenRecord:
    digest, actor_id, role, label, issued_at, expires_at, revoked_at = row
    return TokenRecord(
        digest[:TOKEN_ID_LENGTH],
        actor_id,
        Role(role),
        label,
        issued_at,
        expires_at,
        revoked_at,
        directory_version,
        keys_generation,
    )


SCHEMA = """
CREATE TABLE IF NOT EXISTS huiyin_tokens (
    token_hash  text PRIMARY KEY,
    actor_id    text NOT NULL,
    role        text NOT NULL,
    label       text NOT NULL DEFAULT '',
    issued_at   timestamptz NOT NULL DEFAULT now(),
    revoked_at  timestamptz
);
ALTER TABLE huiyin_tokens ADD COLUMN IF NOT EXISTS expires_at timestamptz;
-- Tokens issued before tokens expired: they end 90 days after their issue.
UPDATE huiyin_tokens SET expires_at = issued_at + interval '90 days' WHERE expires_at IS NULL;
ALTER TABLE huiyin_tokens ALTER COLUMN expires_at SET NOT NULL;
CREATE TABLE IF NOT EXISTS huiyin_request_keys (
    scope       uuid PRIMARY KEY,
    digest      text NOT NULL,
    first_seen  timestamptz NOT NULL DEFAULT now()
);
"""

#: Bad tokens remembered, so that guessing costs no query (a bad token never turns good).
REFUSED_LIMIT = 10_000

TOKEN_PREFIX = "hy_"  # noqa: S105  # a marker, not a secret

#: How many hex digits of a token's hash name it in lists and revocations.
TOKEN_ID_LENGTH = 12


def token_hash(token: str) -> str:
    """Tokens are kept only as their SHA-256 digest."""
    return hashlib.sha256(token.encode()).hexdigest()


class SupportStore:
    """Tokens, case numbers and request keys, in the same PostgreSQL database as the events."""

    def __init__(
        self,
        conninfo: str,
        *,
        pool_size: int = 2,
        wait_seconds: float = 0.5,
        events_table: str = "huiyin_events",
    ) -> None:
        # Autocommit: most of what is asked here is one statement (a token looked up on every
        # request), and a transaction around it cost a second round trip to commit it.
        self.pool = connection_pool(
            conninfo, max_size=pool_size, wait=wait_seconds, autocommit=True
        )
        self.events_table = events_table
        self._refused: set[str] = set()
        self._years: set[int] = set()

    def open(self) -> None:
        """Connects and creates the tables this store needs."""
        self.pool.open(wait=True, timeout=30)
        with self.pool.connection() as conn, conn.transaction():
            conn.execute("SELECT pg_advisory_xact_lock(hashtext('huiyin_schema'))")
            conn.execute(SCHEMA)

    def close(self) -> None:
        """Closes the pool."""
        self.pool.close()

    # -- case numbers --------------------------------------------------------------------

    def next_case_number(self, year: int) -> int:
        """The next number of the year's sequence (gaps are possible; numbers never repeat)."""
        name = f"huiyin_case_no_{year}"
        if year not in self._years:
            # Committed before any thread takes a number from it, and created by one session
            # at a time: the first appeals of a year raised at once (two threads, or the
            # API and the CLI) found the sequence another had created but not yet committed.
            with self.pool.connection() as conn, conn.transaction():
                conn.execute("SELECT pg_advisory_xact_lock(hashtext('huiyin_schema'))")
                conn.execute(
                    sql.SQL("CREATE SEQUENCE IF NOT EXISTS {}").format(sql.Identifier(name))
                )
            self._years.add(year)
        with self.pool.connection() as conn:
            row = conn.execute("SELECT nextval(%s::regclass)", (name,)).fetchone()
        assert row is not None  # noqa: S101  # nextval always returns a row
        return int(row[0])

    # -- idempotency keys ----------------------------------------------------------------

    def claim_key(self, scope: UUID, digest: str) -> bool:
        """True if `digest` is now the scope's (it was free, or held it already); False if
        another digest holds it. Committed at once, before the command writes anything."""
        with self.pool.connection() as conn:
            inserted = conn.execute(
                "INSERT INTO huiyin_request_keys (scope, digest) VALUES (%s, %s)"
                " ON CONFLICT (scope) DO NOTHING RETURNING digest",
                (scope, digest),
            ).fetchone()
            if inserted is not None:
                return True
            # A new statement, so it sees the row a concurrent claim has just committed.
            held = conn.execute(
                "SELECT digest FROM huiyin_request_keys WHERE scope = %s", (scope,)
            ).fetchone()
        return held is not None and held[0] == digest

    # -- tokens --------------------------------------------------------------------------

    def issue_token(
        self, actor_id: str, role: Role, expires_at: datetime, label: str = ""
    ) -> IssuedToken:
        """Creates a bearer token; the token itself is shown only now."""
        token = TOKEN_PREFIX + secrets.token_urlsafe(32)
        digest = token_hash(token)
        with self.pool.connection() as conn:
            row = conn.execute(
                "INSERT INTO huiyin_tokens (token_hash, actor_id, role, label, expires_at) "
                "VALUES (%s, %s, %s, %s, %s) RETURNING issued_at",
                (digest, actor_id, role.value, label, expires_at),
            ).fetchone()
        assert row is not None  # noqa: S101  # INSERT … RETURNING returns the row
        record = TokenRecord(digest[:TOKEN_ID_LENGTH], actor_id, role, label, row[0], expires_at)
        return IssuedToken(token, record)

    def revoke_token(self, token_or_id: str) -> TokenRecord | None:
        """Ends a live token, given itself or its id (a prefix of its hash, from the list);
        None if no live token matched (or an id matched several)."""
        value = token_or_id.strip()
        args: tuple[Any, ...]
        if value.startswith(TOKEN_PREFIX):
            match, args = "token_hash = %s", (token_hash(value),)
        else:
            match, args = "left(token_hash, %s) = %s", (len(value), value.lower())
        if not value.startswith(TOKEN_PREFIX) and len(value) < TOKEN_ID_LENGTH // 2:
            return None
        with self.pool.connection() as conn, conn.transaction():
            rows = conn.execute(
                f"SELECT {_TOKEN_COLUMNS} FROM huiyin_tokens"  # noqa: S608  # fixed text
                f" WHERE {match} AND revoked_at IS NULL FOR UPDATE",
                args,
            ).fetchall()
            if len(rows) != 1:
                return None
            revoked = conn.execute(
                f"UPDATE huiyin_tokens SET revoked_at = now() WHERE token_hash = %s"  # noqa: S608
                f" RETURNING {_TOKEN_COLUMNS}",
                (rows[0][0],),
            ).fetchone()
        assert revoked is not None  # noqa: S101  # the row is locked: the UPDATE found it
        self._remember_refused(revoked[0])
        return _record(revoked)

    def list_tokens(
        self, *, include_ended: bool = False, now: datetime | None = None
    ) -> list[TokenRecord]:
        """Tokens without their secrets, newest first: live ones (not revoked, expiring after
        `now`, default the database's clock) unless `include_ended`."""
        where = "" if include_ended else " WHERE revoked_at IS NULL AND expires_at > %(now)s"
        with self.pool.connection() as conn:
            rows = conn.execute(
                f"SELECT {_TOKEN_COLUMNS} FROM huiyin_tokens{where}"  # noqa: S608  # fixed text
                " ORDER BY issued_at DESC",
                {"now": now or datetime.now(UTC)},
            ).fetchall()
        return [_record(row) for row in rows]

    def lookup_token(self, token: str, *, version_of: UUID | None = None) -> TokenRecord | None:
        """The token's record (revoked and expired ones too), or None for a token never
        issued. Every live token is looked up afresh, so a revocation made by any process
        holds from the next request; a refused one is remembered and costs no query again.

        With `version_of`, the record also carries that aggregate's version in the event
        store (the directory's), read in the same query, and so does the key table's
        generation (how many erasures and rotations it has seen: cached keys go stale).
        """
        digest = token_hash(token)
        if digest in self._refused:
            return None
        version = (
            sql.SQL("(SELECT max(originator_version) FROM {} WHERE originator_id = %(of)s)").format(
                sql.Identifier(self.events_table)
            )
            if version_of is not None
            else sql.SQL("NULL::int")
        )
        generation = sql.SQL(
            "(SELECT generation FROM huiyin_keyring)" if version_of is not None else "NULL::bigint"
        )
        query = sql.SQL(
            "SELECT {}, {}, {} FROM huiyin_tokens WHERE token_hash = %(digest)s"
        ).format(sql.SQL(_TOKEN_COLUMNS), version, generation)
        with self.pool.connection() as conn:
            row = conn.execute(query, {"digest": digest, "of": version_of}).fetchone()
        if row is None:
            self._remember_refused(digest)
            return None
        record = _record(row[:-2], directory_version=row[-2], keys_generation=row[-1])
        if record.revoked_at is not None:
            self._remember_refused(digest)  # it never turns good again
        return record

    def delete_tokens_of(self, person: str) -> int:
        """Deletes every token of a person, live or ended (erasure: the rows name them in
        clear); how many. They are refused from the next request, in every process."""
        with self.pool.connection() as conn:
            rows = conn.execute(
                "DELETE FROM huiyin_tokens WHERE actor_id = %s RETURNING token_hash", (person,)
            ).fetchall()
        for (digest,) in rows:
            self._remember_refused(digest)
        return len(rows)

    def _remember_refused(self, digest: str) -> None:
        if len(self._refused) >= REFUSED_LIMIT:
            self._refused.clear()
        self._refused.add(digest)

    def ping(self) -> bool:
        """Whether the database answers."""
        with self.pool.connection() as conn:
            return conn.execute("SELECT 1").fetchone() is not None
