"""`make bench` writes docs/benchmarks.md from its own report, never by hand."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from bench.page import PAGE, Machine, recording, render, write_page
from bench.plan import parse_args

REPORT = """Huiyin write-path benchmark
  Python 3.11.7, eventsourcing 9.5.6, psycopg 3.2.3, 2 CPUs
  PostgreSQL 15.8 on 127.0.0.1:5432/postgres, scratch database huiyin_bench_1a2b3c4d

== 1. raw single-row INSERT, autocommit, 1 client (100 per run)
  raw INSERT commits, 1 client                     3,307 commits/s  (min–max 3,100–3,400)

== 6b. event → view lag, 200 raise_appeal commands at 100.0/s
  lag p50 / p99: 3.19 / 6.04 ms, every view

== 8a. erasing one person

== 6. read path
  lag p50 / p99: 3.19 / 6.04 ms, every view

== markdown
| figure | median | min–max | PERFORMANCE.md |
|---|---:|---:|---:|
| raw single-row INSERT commits/s, 1 client | 3,307 | 3,100–3,400 | 3,307 |

Settings: 3 runs per figure (median, min–max).
"""
MACHINE = Machine(
    system="Linux 6.1.0 x86_64",
    cpu="Intel(R) Xeon(R) CPU @ 2.20GHz",
    cpus=2,
    memory="7.8 GiB",
    software="Python 3.11.7, eventsourcing 9.5.6, psycopg 3.2.3",
)
STARTED = datetime(2026, 11, 22, 9, 30, tzinfo=UTC)


def page_lines() -> list[str]:
    return render(REPORT, started=STARTED, seconds=197, machine=MACHINE).splitlines()


def test_the_page_says_when_and_on_what_the_figures_were_measured() -> None:
    lines = page_lines()

    assert lines[0] == "# Benchmark figures"
    assert "The last run of `make bench`: 2026-11-22 09:30 UTC, 3 min 17 s." in lines
    assert "- Linux 6.1.0 x86_64; Intel(R) Xeon(R) CPU @ 2.20GHz, 2 CPUs; 7.8 GiB memory" in lines
    assert any(line.startswith("  PostgreSQL 15.8 on 127.0.0.1:5432") for line in lines)


def test_the_summary_table_is_markdown_and_each_phase_a_block_of_text() -> None:
    lines = page_lines()

    table = lines.index("| figure | median | min–max | PERFORMANCE.md |")
    assert lines[table - 2] == "## Summary"
    raw = lines.index("## 1. raw single-row INSERT, autocommit, 1 client (100 per run)")
    assert lines[raw + 2 : raw + 5] == [
        "```text",
        "  raw INSERT commits, 1 client                     3,307 commits/s  (min–max 3,100–3,400)",
        "```",
    ]


def test_lines_the_report_prints_again_at_its_end_appear_there_once() -> None:
    lines = page_lines()

    assert "## 6. read path" in lines
    assert "## 6b. event → view lag, 200 raise_appeal commands at 100.0/s" not in lines
    assert lines.count("  lag p50 / p99: 3.19 / 6.04 ms, every view") == 1
    assert "## 8a. erasing one person" not in lines  # a phase that printed nothing


def test_what_is_printed_reaches_the_terminal_and_the_page(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with recording() as report:
        print(REPORT, end="")

    write_page(tmp_path / "benchmarks.md", report.getvalue(), started=STARTED, seconds=61)

    assert capsys.readouterr().out == REPORT
    written = (tmp_path / "benchmarks.md").read_text(encoding="utf-8")
    assert "2026-11-22 09:30 UTC, 1 min 1 s" in written
    assert f"{Machine.this_one().cpus} CPUs" in written


@pytest.mark.parametrize(
    ("argv", "page"),
    [
        ([], PAGE),
        (["--quick"], None),
        (["--quick", "--page", "quick.md"], Path("quick.md")),
        (["--no-page"], None),
    ],
)
def test_a_full_run_writes_the_page_and_a_quick_one_only_when_asked(
    argv: list[str], page: Path | None
) -> None:
    assert parse_args(argv)[2] == page
