"""The event store's recorder: the library's, with its database-function insert made safe
for readers that follow the log.

eventsourcing's default insert path locks the events table (EXCLUSIVE) before inserting, so
that notification ids are committed in the order they are issued: a reader following the
log (`notification_id > position`) must never pass over an id that another transaction
commits later. Its database-function path (`es_insert_events_uuid`, one round trip, twice
as fast, the service's default) inserts without that lock, so two commands saved at once
could commit ids 101 before 100; a view runner that read 101 then never applied 100. This
recorder installs the same function with the lock taken first, as the default path does.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from eventsourcing.postgres import PostgresApplicationRecorder
from psycopg.sql import SQL, Identifier

from infrastructure.schema_digest import RecordedSchema

#: The environment setting that has the library build this recorder.
RECORDER_TOPIC = "infrastructure.recorder:OrderedApplicationRecorder"


class OrderedApplicationRecorder(RecordedSchema, PostgresApplicationRecorder):
    """`PostgresApplicationRecorder` whose insert function locks the table first, and whose
    statements run only when they changed (`RecordedSchema`)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.sql_create_pg_function_insert_events = SQL(
            "CREATE OR REPLACE FUNCTION "
            "{schema}.{insert_events}(events {schema}.{event}[]) "
            "RETURNS SETOF bigint "
            "LANGUAGE plpgsql "
            "AS "
            "$BODY$"
            "BEGIN"
            "    SET LOCAL lock_timeout = '{lock_timeout}s';"
            # Held until the calling statement's transaction commits: ids are issued and
            # committed by one transaction at a time. Reads are not blocked.
            "    LOCK TABLE {schema}.{table} IN EXCLUSIVE MODE;"
            "    NOTIFY {channel};"
            "    RETURN QUERY"
            "    INSERT INTO {schema}.{table} AS t ("
            "    originator_id, originator_version, topic, state)"
            "    SELECT originator_id, originator_version, topic, state"
            "    FROM unnest(events)"
            "    RETURNING notification_id;"
            "END;"
            "$BODY$"
        ).format(
            insert_events=Identifier(self.pg_function_name_insert_events),
            lock_timeout=self.datastore.lock_timeout,
            channel=Identifier(self.channel_name),
            event=Identifier(self.stored_event_type_name),
            schema=Identifier(self.datastore.schema),
            table=Identifier(self.events_table_name),
        )
        index = self.create_insert_function_statement_index
        self.sql_create_statements[index] = self.sql_create_pg_function_insert_events

    def schema_name(self) -> str:
        return self.events_table_name

    def schema_relations(self) -> Sequence[str]:
        return (self.events_table_name, self.stored_event_type_name)
