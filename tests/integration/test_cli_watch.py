"""`huiyin watch`, run beside a serve started with HUIYIN_WATCHER=false."""

from __future__ import annotations

from typer.testing import CliRunner

from api.cli import cli


def test_watch_once_sweeps_for_missed_deadlines_and_then_for_reminders(run: CliRunner) -> None:
    swept = run.invoke(cli, ["watch", "--once"])

    assert swept.exit_code == 0, swept.output
    watcher, reminders = swept.stdout.splitlines()
    assert "missed deadline(s) recorded" in watcher
    assert "deadline(s) in a reminder window" in reminders
    assert reminders.endswith("recorded now")


def test_with_notices_off_watch_records_no_reminders(run: CliRunner) -> None:
    swept = run.invoke(cli, ["watch", "--once"], env={"HUIYIN_NOTICES": "false"})

    assert swept.exit_code == 0, swept.output
    assert len(swept.stdout.splitlines()) == 1
    assert "reminder" not in swept.stdout
