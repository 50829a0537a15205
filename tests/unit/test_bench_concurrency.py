"""The many-clients benchmark's pure helpers: pgbench's output, the acknowledged-commands
check, the views' lag from polled positions, the split of clients over processes, the
percentiles, and the verdict lines (no timing asserted anywhere)."""

from __future__ import annotations

import pytest

from bench.concurrency import parse_args
from bench.concurrency_checks import (
    RawCommits,
    missing_acks,
    parse_pgbench_tps,
    stored_line,
    view_lags,
)
from bench.concurrency_report import Cell, WorkersOutcome, summary, verdict_lines
from bench.load_clients import ClientResult, split
from bench.measure import percentile
from bench.pg_activity import kind

PGBENCH_OUTPUT = """pgbench (15.8 (Debian 15.8-0+deb12u1))
transaction type: /tmp/tmpx.sql
scaling factor: 1
query mode: simple
number of clients: 16
number of threads: 2
maximum number of tries: 1
duration: 5 s
number of transactions actually processed: 22377
number of failed transactions: 0 (0.000%)
latency average = 3.570 ms
initial connection time = 31.424 ms
tps = 4481.873310 (without initial connection time)
"""


def test_pgbench_tps_is_the_figure_without_connection_time() -> None:
    assert parse_pgbench_tps(PGBENCH_OUTPUT) == pytest.approx(4481.873310)


def test_pgbench_output_without_a_tps_line_is_refused() -> None:
    with pytest.raises(ValueError, match="no tps line"):
        parse_pgbench_tps("pgbench: error: connection to server failed\n")


def test_every_acknowledged_command_found_is_none_missing() -> None:
    acked = [("a", 1), ("a", 2), ("b", 1)]
    stored = [("a", 1), ("a", 2), ("a", 3), ("b", 1)]  # more than acknowledged is fine

    assert missing_acks(acked, stored) == []
    assert stored_line(acked, []) == "all 3 acknowledged commands stored"


def test_an_acknowledged_command_not_stored_is_named() -> None:
    acked = [("a", 1), ("a", 2), ("b", 1), ("b", 1)]
    missing = missing_acks(acked, [("a", 1), ("b", 1)])

    assert missing == [("a", 2)]
    assert stored_line(acked, missing) == "MISSING 1 of 4 acknowledged commands: a v2"


def test_a_views_lag_is_from_the_answer_to_the_first_sample_past_its_position() -> None:
    samples = [(10.0, 0), (10.5, 3), (11.0, 5), (12.0, 9)]
    acks = [(3, 10.2), (4, 10.2), (5, 11.5), (2, 11.5), (10, 11.0)]

    lags, unreached = view_lags(acks, samples)

    # 3 at 10.5; 4 at 11.0; 5 and 2 were passed before their answers arrived; 10 never.
    assert lags == pytest.approx([0.3, 0.8, 0.0, 0.0])
    assert unreached == 1


def test_clients_are_spread_evenly_over_at_most_the_processes() -> None:
    assert split(1, 4) == [1]
    assert split(16, 4) == [4, 4, 4, 4]
    assert split(6, 4) == [2, 2, 1, 1]
    assert split(64, 4) == [16] * 4


def test_percentiles_are_nearest_rank() -> None:
    samples = [float(n) for n in range(1, 101)]
    assert percentile(samples, 50) == 50.0
    assert percentile(samples, 99) == 99.0
    assert percentile([7.0], 99) == 7.0


def _cell(clients: int, commands: int, latency: float) -> Cell:
    result = ClientResult(command_latencies=[latency] * commands, started=0.0, ended=1.0)
    return Cell(workers=2, workload="lifecycle", clients=clients, result=result)


def test_the_verdict_compares_16_clients_with_1_of_the_same_run() -> None:
    outcome = WorkersOutcome(workers=2, lags=[0.1, 0.2], lag_commands=300.0)
    outcome.cells = [_cell(1, 100, 0.005), _cell(16, 350, 0.030)]
    outcome.raw = {1: RawCommits(1, 1000.0, "pgbench"), 16: RawCommits(16, 4000.0, "pgbench")}

    line = verdict_lines(outcome)[0]

    assert "lifecycle 3.50×" in line
    assert "raw INSERT 4.00×" in line
    assert "→ PASS" in line
    assert "| 2 | 16 | 350 | 30.00 / 30.00 | 0 |" in "\n".join(summary([outcome]))


def test_a_p99_over_50_ms_fails_however_fast() -> None:
    outcome = WorkersOutcome(workers=1)
    outcome.cells = [_cell(1, 100, 0.005), _cell(16, 500, 0.060)]
    outcome.raw = {1: RawCommits(1, 1000.0, "pgbench"), 16: RawCommits(16, 4000.0, "pgbench")}

    assert "→ FAIL" in verdict_lines(outcome)[0]


def test_quick_options_shorten_every_window() -> None:
    _, options = parse_args(["--quick", "--clients", "1,16", "--workers", "1,2,2"])

    assert options.clients == (1, 16)
    assert options.workers == (1, 2)
    assert options.seconds < 10
    assert options.lag_seconds < 20


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        (("active", "Lock", "relation"), "lock"),
        (("active", "LWLock", "WALWrite"), "WAL"),
        (("active", "IO", "WALSync"), "WAL"),
        (("active", None, None), "running"),
        (("idle in transaction", "Client", "ClientRead"), "in transaction, client's turn"),
        (("idle", "Client", "ClientRead"), "idle"),
        (("active", "IPC", "SyncRep"), "other"),
    ],
)
def test_a_database_session_is_counted_by_what_it_waits_for(
    row: tuple[str, str | None, str | None], expected: str
) -> None:
    assert kind(*row) == expected
