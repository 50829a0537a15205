"""Making the tables: a process starting next to running ones leaves their tables be.

Every process makes the tables it needs when it starts (`huiyin serve`, `huiyin project`, a
CLI command such as `huiyin token issue`). `CREATE INDEX IF NOT EXISTS` and `ALTER TABLE …
ADD COLUMN IF NOT EXISTS` lock their table even when there is nothing to do, so such a start
queued behind a runner's transaction or a whole rebuild, and could deadlock with a runner
(`infrastructure/schema_digest.py`).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import psycopg
import pytest
from eventsourcing.persistence import InfrastructureFactory
from eventsourcing.utils import Environment

from api.bootstrap import Services
from infrastructure.database import conninfo, eventsourcing_env
from infrastructure.schema_digest import DIGESTS_TABLE
from infrastructure.view_host import Views
from infrastructure.view_registry import VIEWS

#: How long a statement of the starting process may wait for a lock before it fails.
NO_WAITING = "-c lock_timeout=2000"


@pytest.fixture
def impatient(monkeypatch: pytest.MonkeyPatch) -> None:
    """Connections opened from here on fail after two seconds waiting for a lock, instead of
    waiting as long as the lock is held."""
    monkeypatch.setenv("PGOPTIONS", NO_WAITING)


def _start_another_process(services: Services) -> None:
    """What a process starting now does with the views' tables (as `build_services` does)."""
    views = Views(services.views._env, conninfo(services.database_url))
    try:
        views.create_tables()
    finally:
        views.close()


@pytest.fixture
def view_tables_held(services: Services) -> Iterator[psycopg.Connection]:
    """Every view table locked as a rebuild's TRUNCATE locks it, until the test ends."""
    tables = [table for spec in VIEWS.values() for table in spec.view.tables]
    with psycopg.connect(conninfo(services.database_url)) as holder:
        holder.execute(f"LOCK TABLE {', '.join(tables)} IN ACCESS EXCLUSIVE MODE")
        yield holder
        holder.rollback()


def _indexes(services: Services, table: str) -> set[str]:
    with psycopg.connect(conninfo(services.database_url)) as conn:
        rows = conn.execute("SELECT indexname FROM pg_indexes WHERE tablename = %s", (table,))
        return {row[0] for row in rows}


def test_a_process_starting_during_a_rebuild_does_not_wait_for_the_view_tables(
    services: Services, view_tables_held: psycopg.Connection, impatient: None
) -> None:
    _start_another_process(services)  # fails with a lock timeout if it touches a table


def test_a_process_starting_while_a_command_is_saved_does_not_wait_for_the_events_table(
    services: Services, impatient: None
) -> None:
    recorder = services.casework.recorder
    with psycopg.connect(conninfo(services.database_url)) as writer:
        # Every insert holds this lock until its transaction commits.
        writer.execute(
            f"LOCK TABLE {recorder.events_table_name} IN EXCLUSIVE MODE"  # type: ignore[attr-defined]
        )
        env = eventsourcing_env(
            services.database_url, pool_size=1, db_functions=services.settings.db_functions
        )
        factory = InfrastructureFactory[Any].construct(env=Environment(services.casework.name, env))
        try:
            factory.application_recorder()  # fails with a lock timeout if it touches the table
        finally:
            factory.close()
        writer.rollback()


def test_changed_statements_are_applied_when_the_next_process_starts(
    services: Services,
) -> None:
    before = _indexes(services, "audit_trail")
    with psycopg.connect(conninfo(services.database_url)) as conn:
        conn.execute("DROP INDEX audit_trail_actor")
        # As a release that adds this index finds the tables of the release before it:
        conn.execute(
            f"UPDATE {DIGESTS_TABLE} SET digest = 'an earlier release'"  # noqa: S608
            " WHERE name = 'audit_trail_tracking'"
        )

    _start_another_process(services)

    assert _indexes(services, "audit_trail") == before


def test_tables_are_made_again_where_one_is_missing_though_the_statements_are_the_same(
    services: Services,
) -> None:
    with psycopg.connect(conninfo(services.database_url), autocommit=True) as conn:
        conn.execute("ALTER TABLE penalty_ledger RENAME TO penalty_ledger_aside")
        try:
            _start_another_process(services)

            made = conn.execute("SELECT to_regclass('penalty_ledger') IS NOT NULL").fetchone()
            assert made == (True,)
        finally:
            conn.execute("DROP TABLE IF EXISTS penalty_ledger")
            conn.execute("ALTER TABLE penalty_ledger_aside RENAME TO penalty_ledger")


def test_a_store_made_before_statements_were_recorded_gets_its_record(
    services: Services,
) -> None:
    with psycopg.connect(conninfo(services.database_url), autocommit=True) as conn:
        conn.execute(f"DROP TABLE {DIGESTS_TABLE}")

        _start_another_process(services)

        recorded = conn.execute(f"SELECT name FROM {DIGESTS_TABLE}").fetchall()  # noqa: S608
    assert {row[0] for row in recorded} >= {f"{name}_tracking" for name in VIEWS}
