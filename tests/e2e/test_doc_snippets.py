"""Every shell block of the README and docs/ runs, as written, against a real `huiyin serve`.

The blocks run in the order a reader meets them (`tests.doc_pages.reading_order`), one after
another in one bash process with `set -euo pipefail`, so the variables the walkthrough sets
(`$API`, `$CLERK`, `$ID`, `$POS` …) reach the pages that go on from it, an unset one fails, and
so does an HTTP error (the blocks call `curl --fail-with-body`). Only `$API` is given: the
walkthrough reads it to find this server. A block that cannot run as it stands is marked
`<!-- not run: why -->` in its page. The server has a database of its own, since the
walkthrough imports the example directory and drafts reports the session's store must not get.
"""

from __future__ import annotations

import contextlib
import os
import re
import secrets
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import psycopg
import pytest
from psycopg import sql

from infrastructure.database import connection_parts
from infrastructure.settings import Settings
from tests.doc_pages import README, ROOT, Block, reading_order, shell_blocks
from tests.e2e.conftest import running_server, server_env_for

pytestmark = pytest.mark.e2e

MARK = "@@doc-snippet"
MARKS = re.compile(
    rf"^{MARK} (?P<event>start|done) (?P<number>\d+) (?P<at>[\d.]+)$", flags=re.MULTILINE
)
TIMEOUT_S = 180


@contextlib.contextmanager
def sibling_database(url: str) -> Iterator[str]:
    """A fresh database on the server of `url`, dropped with everything in it afterwards."""
    name = f"huiyin_docs_{secrets.token_hex(4)}"
    admin = {**connection_parts(url), "dbname": "postgres"}
    with psycopg.connect(**admin, autocommit=True) as conn:  # type: ignore[arg-type]
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield urlsplit(url)._replace(path=f"/{name}").geturl()
    finally:
        with psycopg.connect(**admin, autocommit=True) as conn:  # type: ignore[arg-type]
            conn.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )


@pytest.fixture(scope="module")
def reader_env(
    database_url: str, settings: Settings, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[dict[str, str]]:
    """A reader's terminal: a server running on a store of its own, `huiyin` on the PATH
    pointed at the same store, and `API` naming the server."""
    with sibling_database(database_url) as url:
        env = server_env_for(url, settings, tmp_path_factory.mktemp("doc-snippets"))
        env["HUIYIN_POOL_SIZE"] = "2"  # a small server: the PostgreSQL server is shared
        with running_server(env) as base:
            bin_dir = str(Path(sys.executable).parent)
            yield {**env, "API": base, "PATH": f"{bin_dir}{os.pathsep}{env.get('PATH', '')}"}


def script(blocks: Sequence[Block]) -> str:
    """One bash script running `blocks` in order, marking where each starts and ends."""
    lines = ["set -euo pipefail"]
    for number, block in enumerate(blocks):
        lines += [
            f"printf '\\n{MARK} start {number} %s\\n' \"${{EPOCHREALTIME:-0}}\"",
            block.code,
            f"printf '\\n{MARK} done {number} %s\\n' \"${{EPOCHREALTIME:-0}}\"",
        ]
    return "\n".join(lines) + "\n"


@dataclass(frozen=True)
class Outcome:
    """What running the script did: each finished block's seconds, each block's output."""

    seconds: dict[int, float]
    output: dict[int, str]


def outcome(printed: str) -> Outcome:
    """Reads the markers `script` prints back into what each block did."""
    started: dict[int, float] = {}
    seconds: dict[int, float] = {}
    output: dict[int, str] = {}
    marks = list(MARKS.finditer(printed))
    for mark, following in zip(marks, [*marks[1:], None], strict=True):
        number, at = int(mark["number"]), float(mark["at"])
        if mark["event"] == "start":
            started[number] = at
            output[number] = printed[mark.end() : following.start() if following else None]
        else:
            seconds[number] = at - started[number]
    return Outcome(seconds, output)


def to_run() -> list[Block]:
    """Every shell block no page marks as not run, in reading order."""
    return [b for page in reading_order() for b in shell_blocks(page) if b.not_run is None]


def test_every_shell_block_of_the_readme_and_docs_runs(reader_env: dict[str, str]) -> None:
    blocks = to_run()
    started = time.monotonic()

    done = subprocess.run(  # noqa: S603  # bash, running the project's own pages
        ["/bin/bash", "-c", script(blocks)],
        cwd=ROOT,
        env=reader_env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        timeout=TIMEOUT_S,
        check=False,
    )

    ran = outcome(done.stdout)
    failed = [number for number in range(len(blocks)) if number not in ran.seconds]
    assert not failed, failure(blocks[failed[0]], ran.output.get(failed[0], done.stdout))
    assert done.returncode == 0, done.stdout[-4000:]
    slowest = sorted(ran.seconds, key=ran.seconds.__getitem__, reverse=True)[:3]
    print(
        f"{len(blocks)} blocks ran in {time.monotonic() - started:.1f} s; slowest: "
        + ", ".join(f"{blocks[n].where} {ran.seconds[n]:.1f} s" for n in slowest)
    )


def failure(block: Block, output: str) -> str:
    """What a reader needs to fix a block that failed."""
    return f"the block at {block.where} failed:\n{block.code}\n--- it printed:\n{output[-4000:]}"


def test_the_readme_sets_up_with_make_serve_and_make_test() -> None:
    setup = shell_blocks(README)[0]

    commands = [line.split("#")[0].strip() for line in setup.code.splitlines()]
    assert commands == ["make serve", "make test"]
    assert setup.not_run is not None
