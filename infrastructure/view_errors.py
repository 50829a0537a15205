"""Why a view runner stopped, kept in PostgreSQL so that any process can report it.

`huiyin serve` runs the views in its worker process and `huiyin project` in processes of
their own, so the API process cannot see a runner's exception. A runner records it here
(per view, the newest replacing the last) and clears it once the view applies an event
again; `GET /projections` reads it.
"""

from __future__ import annotations

import logging
import os
import socket
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import psycopg

log = logging.getLogger("huiyin.views")

TABLE = "huiyin_view_errors"

CREATE = f"""
CREATE TABLE IF NOT EXISTS {TABLE} (
    view      text PRIMARY KEY,
    error     text NOT NULL,
    position  bigint,
    process   text NOT NULL,
    at        timestamptz NOT NULL DEFAULT now()
)
"""

#: The longest error text kept (a driver's message can quote a whole statement).
MAX_ERROR = 2_000


@dataclass(frozen=True)
class ViewError:
    """A view's runner stopped: why, at which event (when known), where and when."""

    error: str
    position: int | None
    process: str
    at: datetime


class EventFailed(Exception):
    """Applying the event at `position` failed; the view stays before it and retries."""

    def __init__(self, position: int, event_type: str, error: BaseException) -> None:
        super().__init__(f"event {position} ({event_type}) failed: {error!r}")
        self.position = position


def create_table(conn: psycopg.Connection[Any]) -> None:
    """Creates the table if it is missing (one process at a time, as the other tables)."""
    with conn.transaction():
        conn.execute("SELECT pg_advisory_xact_lock(hashtext('huiyin_schema'))")
        conn.execute(CREATE)


def describe(error: BaseException) -> str:
    """An error as the status shows it."""
    return str(error) if isinstance(error, EventFailed) else repr(error)


def record(conninfo: str, views: Sequence[str], error: BaseException) -> None:
    """Records that the runner of `views` stopped with `error`; a store it cannot reach is
    logged, not raised (the runner retries either way)."""
    position = error.position if isinstance(error, EventFailed) else None
    text = describe(error)
    process = f"{socket.gethostname()}:{os.getpid()}"
    try:
        with psycopg.connect(conninfo, autocommit=True, connect_timeout=5) as conn:
            create_table(conn)
            with conn.cursor() as curs:
                curs.executemany(
                    f"INSERT INTO {TABLE} (view, error, position, process)"  # noqa: S608
                    " VALUES (%s, %s, %s, %s) ON CONFLICT (view) DO UPDATE SET"
                    " error = EXCLUDED.error, position = EXCLUDED.position,"
                    " process = EXCLUDED.process, at = now()",
                    [(view, text[:MAX_ERROR], position, process) for view in views],
                )
    except psycopg.OperationalError as failure:  # the database is out of reach: the
        # runner's own log already says it failed, and says so once per outage
        log.debug("could not record the error of views %s: %s", ", ".join(views), failure)
    except psycopg.Error:
        log.warning("could not record the error of views %s", ", ".join(views), exc_info=True)


def clear(conn: psycopg.Connection[Any], views: Sequence[str]) -> None:
    """Forgets the views' errors: they apply events again."""
    try:
        with conn.transaction():
            conn.execute(f"DELETE FROM {TABLE} WHERE view = ANY(%s)", (list(views),))  # noqa: S608
    except psycopg.errors.UndefinedTable:  # no runner has recorded an error in this store
        pass


def read(conn: psycopg.Connection[Any]) -> dict[str, ViewError]:
    """Each stopped view's error."""
    sql = f"SELECT view, error, position, process, at FROM {TABLE}"  # noqa: S608
    return {view: ViewError(*rest) for view, *rest in conn.execute(sql).fetchall()}
