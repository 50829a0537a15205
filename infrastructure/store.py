"""Huiyin's own tables beside the event store: API tokens, case-number sequences, and the
digests of requests sent with an idempotency key."""

from __future__ import annotations

import hashlib
import secrets
import time
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from psycopg import sql

from domain.actors import Actor, Role
from infrastructure.pools import connection_pool

SCHEMA = """
CREATE TABLE IF NOT EXISTS huiyin_tokens (
    token_hash  text PRIMARY KEY,
    actor_id    text NOT NULL,
    role        text NOT NULL,
    label       text NOT NULL DEFAULT '',
    issued_at   timestamptz NOT NULL DEFAULT now(),
    revoked_at  timestamptz
);
CREATE TABLE IF NOT EXISTS huiyin_request_keys (
    scope       uuid PRIMARY KEY,
    digest      text NOT NULL,
    first_seen  timestamptz NOT NULL DEFAULT now()
);
"""

TOKEN_CACHE_LIMIT = 10_000

TOKEN_PREFIX = "hy_"  # noqa: S105  # a marker, not a secret


def token_hash(token: str) -> str:
    """Tokens are kept only as their SHA-256 digest."""
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class IssuedToken:
    """A token as printed once at issue; only its hash is stored."""

    token: str
    actor: Actor
    issued_at: datetime


class SupportStore:
    """Tokens, case numbers and request keys, in the same PostgreSQL database as the events."""

    def __init__(
        self,
        conninfo: str,
        *,
        pool_size: int = 2,
        token_cache_seconds: float = 0.0,
        wait_seconds: float = 0.5,
    ) -> None:
        self.pool = connection_pool(conninfo, max_size=pool_size, wait=wait_seconds)
        self.token_cache_seconds = token_cache_seconds
        self._token_cache: dict[str, tuple[float, Actor]] = {}
        self._years: set[int] = set()

    def open(self) -> None:
        """Connects and creates the tables this store needs."""
        self.pool.open(wait=True, timeout=30)
        with self.pool.connection() as conn:
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
            with self.pool.connection() as conn:
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

    def issue_token(self, actor: Actor, label: str = "") -> IssuedToken:
        """Creates a bearer token for the actor; the token itself is shown only now."""
        token = TOKEN_PREFIX + secrets.token_urlsafe(32)
        with self.pool.connection() as conn:
            row = conn.execute(
                "INSERT INTO huiyin_tokens (token_hash, actor_id, role, label) "
                "VALUES (%s, %s, %s, %s) RETURNING issued_at",
                (token_hash(token), actor.id, actor.role.value, label),
            ).fetchone()
        assert row is not None  # noqa: S101  # INSERT … RETURNING returns the row
        return IssuedToken(token, actor, row[0])

    def revoke_token(self, token: str) -> bool:
        """Ends a token; False if no live token matched."""
        self._token_cache.pop(token_hash(token), None)
        with self.pool.connection() as conn:
            cur = conn.execute(
                "UPDATE huiyin_tokens SET revoked_at = now() "
                "WHERE token_hash = %s AND revoked_at IS NULL",
                (token_hash(token),),
            )
            return cur.rowcount == 1

    def authenticate(self, token: str) -> Actor | None:
        """The actor a live token stands for, or None.

        A positive answer may be reused for `token_cache_seconds`, so a token revoked by
        another process stops working within that time (at once when it is 0).
        """
        digest = token_hash(token)
        now = time.monotonic()
        cached = self._token_cache.get(digest)
        if cached is not None and cached[0] > now:
            return cached[1]
        with self.pool.connection() as conn:
            row = conn.execute(
                "SELECT actor_id, role FROM huiyin_tokens "
                "WHERE token_hash = %s AND revoked_at IS NULL",
                (digest,),
            ).fetchone()
        if row is None:
            self._token_cache.pop(digest, None)
            return None
        actor = Actor(row[0], Role(row[1]))
        if self.token_cache_seconds > 0:
            if len(self._token_cache) >= TOKEN_CACHE_LIMIT:
                self._token_cache.clear()
            self._token_cache[digest] = (now + self.token_cache_seconds, actor)
        return actor

    def ping(self) -> bool:
        """Whether the database answers."""
        with self.pool.connection() as conn:
            return conn.execute("SELECT 1").fetchone() is not None
