"""The published holiday schedule's days that the `holidays` package lacks, read from a file.

`HUIYIN_CALENDAR_FILE` names a TOML file with one table per year, filled in from the State
Council's notice (国务院办公厅关于部分节假日安排的通知) when it comes out, until a release of
`holidays` carries it:

    [2027]
    notice = "国务院办公厅关于2027年部分节假日安排的通知"
    days_off = [2027-02-11, 2027-02-12]   # holidays, and weekdays given off in exchange
    working_days = [2027-02-20]           # make-up weekend days (调休)

A year's table says the calendar now holds that year's published schedule, even with no
days in it (the package had them all). Any mistake stops the process at start with a message
naming the file and the entry: a wrong calendar would give every deadline a wrong date.
"""

from __future__ import annotations

import tomllib
from datetime import date
from pathlib import Path
from typing import Any

from domain.calendar import CalendarAdjustments

#: What a year's table may hold.
DAY_LISTS = ("days_off", "working_days")
KEYS = (*DAY_LISTS, "notice")


class CalendarFileError(ValueError):
    """The calendar file cannot be read or holds something it should not."""


def load_adjustments(path: Path) -> CalendarAdjustments:
    """The days and years the file at `path` lists."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise CalendarFileError(f"calendar file {path}: {error.strerror or error}") from error
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise CalendarFileError(f"calendar file {path}: not valid TOML: {error}") from error
    days: dict[str, set[date]] = {name: set() for name in DAY_LISTS}
    years: set[int] = set()
    for key, table in data.items():
        where = f"calendar file {path}, [{key}]"
        if not (key.isdigit() and len(key) == 4) or not isinstance(table, dict):
            raise CalendarFileError(f"{where}: expected one table per year, such as [2027]")
        year = int(key)
        unknown = sorted(set(table) - set(KEYS))
        if unknown:
            raise CalendarFileError(
                f"{where}: unknown key {unknown[0]!r}; known: {', '.join(KEYS)}"
            )
        if not isinstance(table.get("notice", ""), str):
            raise CalendarFileError(f"{where}: notice must be text")
        for name in DAY_LISTS:
            days[name] |= _days(table.get(name, []), year, f"{where} {name}")
        years.add(year)
    try:
        return CalendarAdjustments(
            days_off=frozenset(days["days_off"]),
            working_days=frozenset(days["working_days"]),
            years=frozenset(years),
        )
    except ValueError as error:
        raise CalendarFileError(f"calendar file {path}: {error}") from error


def _days(values: Any, year: int, where: str) -> set[date]:
    """The dates of one list, each in `year`: TOML dates (2027-02-20) or the same as text."""
    if not isinstance(values, list):
        raise CalendarFileError(f"{where}: expected a list of dates, such as [{year}-02-20]")
    found: set[date] = set()
    for value in values:
        day = value
        if isinstance(value, str):
            try:
                day = date.fromisoformat(value)
            except ValueError:
                day = None
        if type(day) is not date:  # a TOML date-time is a datetime, a date subclass
            raise CalendarFileError(f"{where}: {value!r} is not a date such as {year}-02-20")
        if day.year != year:
            raise CalendarFileError(f"{where}: {day} is not in {year}")
        found.add(day)
    return found
