"""The advisory locks that elect each view's one runner across processes."""

from __future__ import annotations

import contextlib
import hashlib
from collections.abc import Iterator
from typing import Any

import psycopg


def lock_key(name: str) -> int:
    """The advisory lock key that elects a view's one runner."""
    digest = hashlib.sha256(f"huiyin.view.{name}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


def try_lock(conn: psycopg.Connection[Any], name: str) -> bool:
    """Takes the view's advisory lock on `conn` if no other session holds it."""
    row = conn.execute("SELECT pg_try_advisory_lock(%s)", (lock_key(name),)).fetchone()
    return bool(row and row[0])


@contextlib.contextmanager
def view_lock(conninfo: str, name: str) -> Iterator[psycopg.Connection[Any] | None]:
    """A connection holding the view's advisory lock, or None when another process holds it."""
    with psycopg.connect(conninfo, autocommit=True) as conn:
        if not try_lock(conn, name):
            yield None
            return
        try:
            yield conn
        finally:
            # Released before returning: a closed session's locks go only when its server
            # process has finished exiting, which a rebuild that follows could beat.
            with contextlib.suppress(psycopg.Error):  # a broken connection frees it anyway
                conn.execute("SELECT pg_advisory_unlock(%s)", (lock_key(name),))
