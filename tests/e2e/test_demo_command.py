"""`huiyin demo` as a user runs it: a line per phase on stderr, and once per store."""

from __future__ import annotations

import re
import subprocess
from collections.abc import Iterator

import pytest

from tests.e2e.conftest import HUIYIN, own_store_env

pytestmark = pytest.mark.e2e

SMALL_DEMO = ("demo", "--appeals", "12", "--months", "1", "--seed", "3")


def run(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """A `huiyin` command run to completion; exit status, stdout and stderr."""
    return subprocess.run(  # noqa: S603  # our own command, fixed arguments
        [HUIYIN, *args], env=env, capture_output=True, text=True, timeout=300, check=False
    )


@pytest.fixture(scope="module")
def store_env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    """The environment of an empty store of the module's own."""
    with own_store_env(tmp_path_factory.mktemp("demo"), "huiyin_demo") as env:
        yield env


@pytest.fixture(scope="module")
def first_run(store_env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """The demo, run once on the empty store."""
    return run(*SMALL_DEMO, env=store_env)


def head(env: dict[str, str]) -> int:
    """The position of the newest stored event, as `huiyin verify` prints it."""
    done = run("verify", env=env)
    assert done.returncode == 0, done.stderr
    found = re.search(r"^head: position (\d+),", done.stdout, re.MULTILINE)
    assert found is not None, done.stdout
    return int(found.group(1))


def test_the_demo_tells_each_phase_with_its_counts_as_it_goes(
    first_run: subprocess.CompletedProcess[str],
) -> None:
    assert first_run.returncode == 0, first_run.stderr
    told = first_run.stderr.splitlines()
    assert any(line.startswith("Filling the store with the demo: 12 appeals") for line in told)
    assert any(re.fullmatch(r"appeals: \d+/\d+ steps", line) for line in told)
    for phase in (
        r"appeals: 12 raised, \d+ events",
        r"meetings: \d+ held, \d+ action items, \d+ proposals",
        r"accountability: \d+ sweeps, \d+ missed deadlines, \d+ cards",
        r"disclosures: \d+ published",
    ):
        assert any(re.fullmatch(rf"{phase} \(\d+\.\d s\)", line) for line in told), phase
    assert "tokens: 9 issued, one per role" in told
    assert first_run.stdout.startswith("Huiyin demo: 12 appeals")
    assert len(re.findall(r"\bhy_\S+", first_run.stdout)) == 9


def test_a_second_run_adds_nothing_and_says_so(
    first_run: subprocess.CompletedProcess[str], store_env: dict[str, str]
) -> None:
    assert first_run.returncode == 0, first_run.stderr
    before = head(store_env)

    second = run(*SMALL_DEMO, env=store_env)

    assert second.returncode == 0, second.stderr
    assert "The demo is already in this store" in second.stdout
    assert "nothing was added" in second.stdout
    assert re.search(r"\bhy_\S+", second.stdout) is None  # no tokens issued either
    assert "appeals:" not in second.stderr
    assert head(store_env) == before


def test_the_calendar_warning_is_shown_at_most_once_and_not_where_it_does_not_matter(
    first_run: subprocess.CompletedProcess[str], store_env: dict[str, str]
) -> None:
    verified = run("verify", env=store_env)

    assert first_run.stderr.count("working-day calendar") <= 1  # not again from its worker
    assert "working-day calendar" not in verified.stderr
