"""A store of a million events for the rebuild benchmark, built in minutes, honestly.

Writing through `Casework.save` runs at about 2,000 events/s (phase 7), eight minutes for a
million. So the store is built in three parts, and the benchmark says so:
1. through the application, as a service writes them: penalties and published penalty
   notices (`bench.read_path.add_penalties_and_disclosures`; the penalty ledger and the
   disclosure feed replay these), then a slice of appeals saved 200 per transaction
   (`bench.queries.populate`);
2. the rest in bulk: more appeals made by the domain exactly as phase 7 makes them (raised,
   transferred, most acknowledged, many replied; each its own id and case number), each
   event encoded by the application's own mapper (personal values sealed under their
   person's key, the whole event encrypted under the store key: the bytes `save` would
   store), and the rows written with COPY in batches instead of the recorder's INSERT.

Nothing is copied, so no two events share an id, a case number or a sealed token. Bulk
appeals are raised by a pool of `PEOPLE` employees (several appeals each), whose keys are
made a batch at a time; the hash chain is not extended over them (the rebuilds do not read
it), and no NOTIFY is sent (no runner listens).
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass

from psycopg import sql

from api.bootstrap import Services
from bench.queries import _appeal, populate, vacuum_log
from bench.read_path import add_penalties_and_disclosures

#: Employees raising the bulk appeals (the people whose keys seal them).
PEOPLE = 20_000

#: Appeals encoded and written per COPY (one transaction each).
BULK_BATCH = 2_000


@dataclass(frozen=True)
class StoreFacts:
    """How the store was built: events through the application and in bulk, and seconds."""

    existing: int  # events in the store before (the organisation's directory)
    through_app: int
    app_seconds: float
    bulk: int
    bulk_seconds: float
    appeals: int

    @property
    def events(self) -> int:
        """Events in the store."""
        return self.existing + self.through_app + self.bulk

    def line(self) -> str:
        """What the output says of the store."""
        return (
            f"store: {self.events:,} events, {self.appeals:,} appeals: {self.existing:,} of the"
            f" directory, {self.through_app:,} written through the application in"
            f" {self.app_seconds:.0f} s ({self.through_app / self.app_seconds:,.0f}/s),"
            f" {self.bulk:,} made by the domain, "
            "encoded by the application's mapper (sealed, AES-GCM) and written with COPY in "
            f"{self.bulk_seconds:.0f} s ({self.bulk / max(self.bulk_seconds, 1e-9):,.0f}/s)"
        )


def build_store(
    services: Services, events: int, *, penalties: int, slice_appeals: int, seed: int = 11
) -> StoreFacts:
    """Fills the store up to about `events` events, as described above."""
    casework = services.casework
    existing = services.views.head()
    started = time.perf_counter()
    written = add_penalties_and_disclosures(services, penalties)
    slice_events, _ = populate(casework, slice_appeals, seed=seed)
    written += slice_events
    app_seconds = time.perf_counter() - started
    started = time.perf_counter()
    bulk, appeals = _bulk_appeals(
        services, events - existing - written, first=slice_appeals, seed=seed
    )
    bulk_seconds = time.perf_counter() - started
    vacuum_log(casework)
    return StoreFacts(existing, written, app_seconds, bulk, bulk_seconds, slice_appeals + appeals)


def _bulk_appeals(services: Services, events: int, *, first: int, seed: int) -> tuple[int, int]:
    """Appeals numbered from `first` until `events` events are written; (events, appeals)."""
    casework = services.casework
    mapper = casework.mapper
    recorder = casework.recorder
    datastore = recorder.datastore  # type: ignore[attr-defined]
    copy = sql.SQL(
        "COPY {0}.{1} (originator_id, originator_version, topic, state) FROM STDIN"
    ).format(
        sql.Identifier(datastore.schema),
        sql.Identifier(recorder.events_table_name),  # type: ignore[attr-defined]
    )
    rng = random.Random(seed + 1)
    index, written = first, 0
    while written < events:
        numbers = range(index, index + BULK_BATCH)
        # Each person's key made once, the batch's new ones in one round trip.
        services.keyring.keys_for(f"E{n % PEOPLE:07d}" for n in numbers)
        rows = []
        for number in numbers:
            appeal = _appeal(casework, rng, number, person=number % PEOPLE)
            for event in appeal.collect_events():
                stored = mapper.to_stored_event(event)
                rows.append(
                    (
                        stored.originator_id,
                        stored.originator_version,
                        stored.topic,
                        stored.state,
                    )
                )
            if written + len(rows) >= events:
                numbers = range(index, number + 1)
                break
        with (
            datastore.get_connection() as conn,
            conn.transaction(),
            conn.cursor() as curs,
            curs.copy(copy) as copying,
        ):
            for row in rows:
                copying.write_row(row)
        written += len(rows)
        index = numbers[-1] + 1
    return written, index - first
