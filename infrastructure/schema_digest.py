"""Making a recorder's tables only when its statements changed: a digest kept with the tables.

Every process makes the tables it needs when it starts (`serve`, `project`, `rebuild`, a CLI
command such as `token issue`), by the library's `create_table`, which runs every statement
again. Several of them lock what they name even when there is nothing to do:
`CREATE INDEX IF NOT EXISTS` and `ALTER TABLE … ADD COLUMN IF NOT EXISTS` lock their table,
so a start queued behind a view runner's transaction or a whole rebuild (holding up the
readers queued behind it) and could deadlock with a runner; and `CREATE TYPE` fails when the
type is there, leaving an ERROR in the server's log at every start.

`RecordedSchema` records a digest of the statements, as they are sent, in one small table
when they have run. A start that finds the same digest and the tables it names runs none of
them. Statements that changed (a new release) run once, one process at a time; a deadlock
with a view still running the release before is tried again.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Sequence
from typing import Any

from eventsourcing.persistence import OperationalError
from eventsourcing.postgres import PostgresRecorder
from psycopg import Connection, Cursor, errors
from psycopg.rows import DictRow
from psycopg.sql import SQL, Identifier

#: The table of digests: one row per recorder (its main table's name).
DIGESTS_TABLE = "huiyin_schema_digests"

CREATE_DIGESTS_TABLE = (
    "CREATE TABLE IF NOT EXISTS {0} ("
    " name text PRIMARY KEY,"
    " digest text NOT NULL,"
    " made_at timestamptz NOT NULL DEFAULT now())"
)

RECORD_DIGEST = (
    "INSERT INTO {0} (name, digest) VALUES (%s, %s)"
    " ON CONFLICT (name) DO UPDATE SET digest = EXCLUDED.digest, made_at = now()"
)

#: Times a process tries to make the tables when a running view's transaction deadlocks
#: with it (a release whose statements changed, started next to the one before).
CREATE_ATTEMPTS = 5


class RecordedSchema(PostgresRecorder):
    """A PostgreSQL recorder whose statements run only when they changed or something they
    make is missing. Put it before the library's recorder class among the bases."""

    def schema_name(self) -> str:
        """The recorder's row in the digests table."""
        raise NotImplementedError

    def schema_relations(self) -> Sequence[str]:
        """The tables (and composite types) the statements make, unqualified."""
        raise NotImplementedError

    def create_table(self) -> None:
        if self._schema_is_current():
            self.datastore.register_type_adapters()  # as the library's create_table ends
            return
        for attempt in range(1, CREATE_ATTEMPTS + 1):
            try:
                super().create_table()
                return
            except OperationalError as error:
                retry = isinstance(error.__cause__, errors.DeadlockDetected)
                if not retry or attempt == CREATE_ATTEMPTS:
                    raise
                time.sleep(0.1 * attempt)

    def _create_table(self, curs: Cursor[DictRow]) -> None:
        # One process at a time, as every table of Huiyin's is made.
        curs.execute("SELECT pg_advisory_xact_lock(hashtext('huiyin_schema'))")
        super()._create_table(curs)
        digests = self._digests_table()
        curs.execute(SQL(CREATE_DIGESTS_TABLE).format(digests))
        curs.execute(
            SQL(RECORD_DIGEST).format(digests),
            (self.schema_name(), self._schema_digest(curs.connection)),
        )

    def _schema_is_current(self) -> bool:
        """Whether what the statements make is there, made by these very statements."""
        names = [
            Identifier(self.datastore.schema, relation)
            for relation in (*self.schema_relations(), DIGESTS_TABLE)
        ]
        with self.datastore.get_connection() as conn:
            found = conn.execute(
                "SELECT bool_and(to_regclass(name) IS NOT NULL) AS found"
                " FROM unnest(%s::text[]) AS name",
                ([name.as_string(conn) for name in names],),
            ).fetchone()
            if not found or not found["found"]:
                return False
            recorded = conn.execute(
                SQL("SELECT digest FROM {0} WHERE name = %s").format(self._digests_table()),
                (self.schema_name(),),
            ).fetchone()
            return recorded is not None and recorded["digest"] == self._schema_digest(conn)

    def _schema_digest(self, conn: Connection[Any]) -> str:
        """A digest of the statements that make the tables, as they are sent."""
        text = "\n".join(statement.as_string(conn) for statement in self.sql_create_statements)
        return hashlib.sha256(text.encode()).hexdigest()

    def _digests_table(self) -> Identifier:
        return Identifier(self.datastore.schema, DIGESTS_TABLE)
