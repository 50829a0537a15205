"""The calendar file: the published schedule's days for years the holidays package lacks."""

from __future__ import annotations

import logging
from datetime import date, datetime
from pathlib import Path

import pytest
from pydantic import ValidationError

from api.bootstrap import build_services, warn_of_projected_years, working_calendar
from application.clock import ManualClock
from domain.calendar import CHINA_TZ, END_OF_DAY, WorkingCalendar, configured
from infrastructure.calendar_file import CalendarFileError, load_adjustments
from infrastructure.settings import Settings

#: A year whose published schedule no release of `holidays` will hold for years to come.
FAR = 2031

NOTICE = f"""
# 国务院办公厅关于{FAR}年部分节假日安排的通知 (as it might read)
[{FAR}]
notice = "国办发明电〔{FAR - 1}〕1号"
days_off = [{FAR}-02-07]
working_days = ["{FAR}-02-15"]
"""


def _file(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "calendar.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_the_file_lists_days_off_make_up_days_and_the_years_it_completes(
    tmp_path: Path,
) -> None:
    adjustments = load_adjustments(_file(tmp_path, NOTICE + f"\n[{FAR + 1}]\n"))

    assert adjustments.days_off == {date(FAR, 2, 7)}
    assert adjustments.working_days == {date(FAR, 2, 15)}
    assert adjustments.years == {FAR, FAR + 1}  # a year with no days: the package had them


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[2031\n", "not valid TOML"),
        ("days_off = [2031-02-07]", r"\[days_off\]: expected one table per year"),
        ("[spring]\n", r"\[spring\]: expected one table per year"),
        ("[2031]\nholidays = [2031-02-07]", "unknown key 'holidays'"),
        ("[2031]\ndays_off = 2031-02-07", "days_off: expected a list of dates"),
        ("[2031]\ndays_off = [2032-02-07]", "2032-02-07 is not in 2031"),
        ("[2031]\nworking_days = ['15 Feb']", "'15 Feb' is not a date"),
        ("[2031]\nworking_days = [2031-02-15T08:00:00]", "is not a date"),
        ("[2031]\nnotice = 1", "notice must be text"),
        (
            "[2031]\ndays_off = [2031-02-07]\nworking_days = [2031-02-07]",
            "2031-02-07 is listed both as a day off and a working day",
        ),
    ],
)
def test_a_mistake_is_named_with_the_file_and_the_entry(
    tmp_path: Path, text: str, message: str
) -> None:
    path = _file(tmp_path, text)

    with pytest.raises(CalendarFileError, match=message) as refused:
        load_adjustments(path)
    assert str(path) in str(refused.value)


def test_a_missing_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(CalendarFileError, match=r"calendar\.toml: No such file"):
        load_adjustments(tmp_path / "calendar.toml")


def test_settings_naming_a_wrong_file_stop_the_process_at_start(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HUIYIN_CALENDAR_FILE", str(_file(tmp_path, "[2031]\nfoo = 1")))

    with pytest.raises(ValidationError, match="unknown key 'foo'"):
        Settings()


def test_the_service_counts_deadlines_with_the_file_while_it_runs(
    tmp_path: Path, settings: Settings
) -> None:
    before = configured()
    with_file = settings.model_copy(update={"calendar_file": _file(tmp_path, NOTICE)})
    thursday = datetime(FAR, 2, 6, 10, tzinfo=CHINA_TZ)

    with working_calendar(with_file) as calendar:
        # Fri 7 is off: Mon 10 to Fri 14 are the five working days.
        assert calendar.add_working_days(thursday, 5) == datetime.combine(
            date(FAR, 2, 14), END_OF_DAY, tzinfo=CHINA_TZ
        )
        assert configured().years == {FAR}

    assert configured() is before


def test_a_start_warns_of_years_counted_on_a_projection(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.WARNING, logger="huiyin"):
        warn_of_projected_years(WorkingCalendar(), datetime(FAR, 11, 22, tzinfo=CHINA_TZ))

    assert [record.args for record in caplog.records] == [(FAR, FAR), (FAR + 1, FAR + 1)]
    assert "HUIYIN_CALENDAR_FILE" in caplog.records[0].getMessage()


def test_a_process_warns_of_each_projected_year_once(caplog: pytest.LogCaptureFixture) -> None:
    warned: set[int] = set()
    with caplog.at_level(logging.WARNING, logger="huiyin"):
        for _ in range(3):
            warn_of_projected_years(
                WorkingCalendar(), datetime(FAR, 11, 22, tzinfo=CHINA_TZ), warned=warned
            )

    assert [record.args for record in caplog.records] == [(FAR, FAR), (FAR + 1, FAR + 1)]
    assert warned == {FAR, FAR + 1}
    assert all("\n" not in record.getMessage() for record in caplog.records)


#: A year no other test warns of, in the middle of it (its deadlines stay in it).
UNWARNED = datetime(2035, 6, 12, 10, tzinfo=CHINA_TZ)


def test_services_warn_of_the_calendar_only_when_asked_and_once_per_process(
    settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    quiet = settings.model_copy(
        update={"projections": False, "chain_follow": False, "watcher": False}
    )
    clock = ManualClock()
    clock.set(UNWARNED)

    def calendar_lines() -> list[str]:
        return [r.getMessage() for r in caplog.records if "working-day calendar" in r.getMessage()]

    with caplog.at_level(logging.WARNING, logger="huiyin"):
        with build_services(quiet, clock=clock):  # a command that sets no deadlines
            pass
        assert calendar_lines() == []
        with build_services(quiet, clock=clock, calendar_warning=True):  # a server starting
            pass
        with build_services(quiet, clock=clock, calendar_warning=True):  # the same process
            pass

    assert len(calendar_lines()) == 1
    assert "2035" in calendar_lines()[0]
