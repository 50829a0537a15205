"""Two `huiyin serve` processes on one store, both under load, one of them killed: every
background job still runs exactly once.

Each server (and its background worker) connects with an application name of its own
(`PGAPPNAME`), so PostgreSQL's `pg_locks` tells which process leads each view. Appeals are
raised and transferred over HTTP at both servers at once, while the test itself writes
appeals backdated by three weeks (through the application layer, with a clock of its own),
whose deadlines have passed: both servers' deadline watchers sweep every 0.3 s and race to
charge them. Midway the leading server is killed with SIGKILL (its worker with it); the
other takes the views over and the load goes on against it alone. Then:
- each view had one leader at a time: the first server until it died, the second after;
- every view is exact: its rows equal a rebuild's, table for table;
- the hash chain linked every event once and verifies;
- every missed deadline was charged once: one `DeadlineMissed` and one penalty each;
- every appeal a server acknowledged is in the store and in the case index.
"""

from __future__ import annotations

import os
import signal
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from uuid import UUID

import pytest
from pydantic import SecretStr

from api.bootstrap import build_services
from application.clock import ManualClock
from infrastructure.database import conninfo
from infrastructure.keys import new_key
from infrastructure.settings import Environment, Settings
from tests.e2e.conftest import own_store_env
from tests.e2e.servers_on_one_store import (
    Clients,
    backdated_writer,
    column,
    head_still_for,
    leaders,
    positions,
    rows,
    scalar,
    serving,
    table_differences,
)
from tests.e2e.test_serve import issue, organise
from tests.polling import until

pytestmark = pytest.mark.e2e

LOAD_SECONDS = 6.0  # before the kill, and again after it against the survivor
CLIENTS_PER_SERVER = 2


def test_two_servers_on_one_store_run_every_background_job_once(tmp_path: Path) -> None:
    if not os.environ.get("HUIYIN_TEST_DATABASE_URL"):
        pytest.skip("two servers share a PostgreSQL server (HUIYIN_TEST_DATABASE_URL)")
    key = new_key()
    with own_store_env(tmp_path / "var", prefix="huiyin_e2e_two") as env:
        env.update(
            HUIYIN_CIPHER_KEY=key,
            HUIYIN_WATCH_INTERVAL_SECONDS="0.3",
            # Four processes' pools starting on two busy cores: more than the default 0.5 s.
            HUIYIN_DATABASE_WAIT_SECONDS="5",
            HUIYIN_POOL_SIZE="2",  # the test server's 100 connections are shared
            HUIYIN_REQUESTS_PER_MINUTE_PER_TOKEN="0",
            HUIYIN_REQUESTS_PER_MINUTE_PER_ADDRESS="0",
        )
        url = conninfo(env["HUIYIN_DATABASE_URL"])
        organise(env, tmp_path)
        clerk = issue(env, "clerk", "union_staff")
        here = Settings(
            environment=Environment.TEST,
            database_url=env["HUIYIN_DATABASE_URL"],
            data_dir=tmp_path / "here",
            cipher_key=SecretStr(key),
            projections=False,
            watcher=False,
            chain_follow=False,
            background_process=False,
        )
        three_weeks_ago = ManualClock(datetime.now(UTC) - timedelta(days=21))
        with (
            build_services(here, clock=three_weeks_ago) as services,
            serving(env, "huiyin-a", tmp_path / "a.log") as (base_a, pid_a),
        ):
            until(
                "a leads every view",
                lambda: all(held == ["huiyin-a"] for held in leaders(url).values()),
            )
            with serving(env, "huiyin-b", tmp_path / "b.log") as (base_b, _):
                # Each sample with when its query began and ended: one begun before the kill
                # may read the locks after it, so only what ended before the kill is "before".
                seen: list[tuple[float, float, dict[str, list[str]]]] = []
                sampling = threading.Event()

                def sample() -> None:
                    while not sampling.is_set():
                        began = time.monotonic()
                        held = leaders(url)
                        seen.append((began, time.monotonic(), held))
                        sampling.wait(0.2)

                sampler = threading.Thread(target=sample, daemon=True)
                sampler.start()
                stop_backdated = threading.Event()
                backdated: list[UUID] = []
                writer = threading.Thread(
                    target=backdated_writer, args=(services, stop_backdated, backdated)
                )
                writer.start()
                at_a = Clients(base_a, clerk, CLIENTS_PER_SERVER)
                at_b = Clients(base_b, clerk, CLIENTS_PER_SERVER)
                time.sleep(LOAD_SECONDS)
                connections = dict(
                    rows(
                        url,
                        "SELECT application_name, count(*) FROM pg_stat_activity"
                        " WHERE application_name LIKE 'huiyin-%' GROUP BY 1",
                    )
                )

                os.killpg(pid_a, signal.SIGKILL)  # the leader and its worker, mid-load
                killed = time.monotonic()
                until(
                    "b takes every view over",
                    lambda: all(held == ["huiyin-b"] for held in leaders(url).values()),
                    timeout=30,
                )
                took_over = time.monotonic() - killed
                time.sleep(LOAD_SECONDS)
                at_a.join()
                at_b.join()
                stop_backdated.set()
                writer.join(30)

                # Settle: every backdated deadline charged, then views and chain at the head.
                def charged() -> bool:
                    now = datetime.now(UTC)
                    return all(
                        not services.casework.get_appeal(i).missed_at(now) for i in backdated
                    )

                until("every passed deadline charged", charged)
                # A last sweep may still evaluate cards: quiet for three sweeps.
                until("the watchers have nothing left to write", head_still_for(url, 0.9))
                head = int(scalar(url, "SELECT max(notification_id) FROM huiyin_events"))
                until("views at the head", lambda: min(positions(url).values()) >= head)
                until(
                    "chain at the head",
                    lambda: (
                        int(scalar(url, "SELECT coalesce(max(position), 0) FROM huiyin_chain"))
                        >= head
                    ),
                )
                sampling.set()
                sampler.join()
            # Both servers stopped now (b cleanly): the rebuild takes the views' locks.
            acknowledged = at_a.acknowledged + at_b.acknowledged
            missed = [services.casework.get_appeal(i).missed_deadlines for i in backdated]
            verified = services.chain.verify()
            differences = table_differences(url, services.views.rebuild)
            events = int(scalar(url, "SELECT count(*) FROM huiyin_events"))
            unlinked = scalar(
                url,
                "SELECT count(*) FROM huiyin_events e FULL JOIN huiyin_chain c"
                " ON c.position = e.notification_id"
                " WHERE c.position IS NULL OR e.notification_id IS NULL",
            )
            links = int(scalar(url, "SELECT count(*) FROM huiyin_chain"))
            misses = int(
                scalar(
                    url,
                    "SELECT count(*) FROM huiyin_events WHERE topic LIKE '%Appeal.DeadlineMissed'",
                )
            )
            penalties = int(
                scalar(
                    url, "SELECT count(*) FROM huiyin_events WHERE topic LIKE '%Penalty.Recorded'"
                )
            )
            indexed = {UUID(str(row)) for row in column(url, "SELECT id FROM case_index")}

    print(  # shown with -s: what the run did
        f"backdated {len(backdated)}, misses {misses}, penalties {penalties}, acknowledged "
        f"{len(acknowledged)} (cut off {at_a.cut_off}), events {events}, took over in "
        f"{took_over:.1f} s, samples {len(seen)}, connections {connections}, "
        f"tables {differences}"
    )
    before = [held for _, ended, held in seen if ended < killed]
    after = [held for began, _, held in seen if began > killed + took_over]
    assert before
    assert after
    # One leader per view at a time: a until it died, b after; b stood by before.
    assert all(held == ["huiyin-a"] for snapshot in before for held in snapshot.values())
    assert all(held == ["huiyin-b"] for snapshot in after for held in snapshot.values())
    assert took_over < 15
    assert differences
    assert not any(differences.values()), differences
    assert verified.intact
    assert verified.unchained == 0
    assert links == events
    assert unlinked == 0
    assert len(backdated) > 10
    assert all(missed)
    assert all(len(set(deadlines)) == len(deadlines) for deadlines in missed)  # none twice
    assert misses == sum(len(deadlines) for deadlines in missed)
    assert penalties == misses  # one penalty per missed deadline, from either watcher
    assert len(acknowledged) > 20
    assert not at_a.refused
    assert not at_b.refused
    assert set(acknowledged) <= indexed
