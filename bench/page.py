"""The benchmark figures page, docs/benchmarks.md, written from what a run printed.

`make bench` prints its report as it goes; `recording()` keeps a copy of everything printed,
and `write_page` turns it into markdown: when and on what the run was made, the summary
table (printed already as markdown), and each phase's lines as a block of text. The page is
never edited by hand: the next run writes it again.
"""

from __future__ import annotations

import contextlib
import io
import os
import platform
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from importlib.metadata import version
from pathlib import Path
from typing import TextIO

#: Where `make bench` writes the page.
PAGE = Path(__file__).parents[1] / "docs" / "benchmarks.md"
#: The report's phase headings, as `heading()` prints them.
HEADING = re.compile(r"^== (.+)$", flags=re.MULTILINE)
#: The heading of the section that is markdown already.
MARKDOWN_SECTION = "markdown"


@dataclass(frozen=True)
class Machine:
    """What the figures were measured on."""

    system: str
    cpu: str
    cpus: int
    memory: str
    software: str

    @classmethod
    def this_one(cls) -> Machine:
        """The machine this process runs on."""
        return cls(
            system=f"{platform.system()} {platform.release()} {platform.machine()}",
            cpu=_proc_value("/proc/cpuinfo", "model name") or platform.processor() or "unknown",
            cpus=os.cpu_count() or 0,
            memory=_memory(),
            software=(
                f"Python {platform.python_version()}, eventsourcing {version('eventsourcing')}, "
                f"psycopg {version('psycopg')}"
            ),
        )


def _proc_value(path: str, key: str) -> str | None:
    """The first `key: value` line of a /proc file, or None where there is none."""
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except OSError:
        return None
    for line in lines:
        name, _, value = line.partition(":")
        if name.strip() == key:
            return value.strip()
    return None


def _memory() -> str:
    """Total memory in GiB, or unknown."""
    total = _proc_value("/proc/meminfo", "MemTotal")  # e.g. "8039912 kB"
    if not total or not total.split()[0].isdigit():
        return "unknown"
    return f"{int(total.split()[0]) / 1024**2:.1f} GiB"


class _Tee(io.TextIOBase):
    """Writes to the terminal and keeps a copy."""

    def __init__(self, terminal: TextIO) -> None:
        self.terminal = terminal
        self.copy = io.StringIO()

    def write(self, text: str) -> int:
        self.copy.write(text)
        return self.terminal.write(text)

    def flush(self) -> None:
        self.terminal.flush()


@contextlib.contextmanager
def recording() -> Iterator[io.StringIO]:
    """Everything printed inside the block still reaches the terminal, and is kept in the
    StringIO yielded (read it after the block)."""
    tee = _Tee(sys.stdout)
    with contextlib.redirect_stdout(tee):
        yield tee.copy


def render(report: str, *, started: datetime, seconds: float, machine: Machine) -> str:
    """The page for one run's printed `report`."""
    parts = HEADING.split(report)
    preamble, sections = parts[0].strip(), list(zip(parts[1::2], parts[2::2], strict=True))
    summary = [body.strip() for title, body in sections if title.strip() == MARKDOWN_SECTION]
    minutes, rest = divmod(round(seconds), 60)
    lines = [
        "# Benchmark figures",
        "",
        "<!-- written by `make bench` (bench/page.py): run it again rather than edit this page -->",
        "",
        f"The last run of `make bench`: {started:%Y-%m-%d %H:%M %Z}, {minutes} min {rest} s.",
        "What each phase measures: `python -m bench.benchmark --help`; why the code is as it",
        "is, and the measurements that decided it: [performance.md](performance.md).",
        "",
        "## Machine",
        "",
        f"- {machine.system}; {machine.cpu}, {machine.cpus} CPUs; {machine.memory} memory",
        f"- {machine.software}",
        "",
    ]
    if preamble:
        lines += ["```text", preamble, "```", ""]
    if summary:
        lines += ["## Summary", "", summary[0], ""]
    shown = [{line.strip() for line in body.splitlines() if line.strip()} for _, body in sections]
    for index, (title, body) in enumerate(sections):
        later = set().union(*shown[index + 1 :])
        # Phases with nothing of their own, and phases whose lines the report prints again
        # together at its end (the read path, personal data), are shown there, once.
        if title.strip() == MARKDOWN_SECTION or not shown[index] or shown[index] <= later:
            continue
        lines += [f"## {title.strip()}", "", "```text", body.strip("\n"), "```", ""]
    return "\n".join(lines)


def write_page(path: Path, report: str, *, started: datetime, seconds: float) -> None:
    """Writes the page for this machine and `report` to `path`."""
    page = render(report, started=started, seconds=seconds, machine=Machine.this_one())
    path.write_text(page, encoding="utf-8")
