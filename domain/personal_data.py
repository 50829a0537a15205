"""Whose personal data an event holds, and where: the one declaration that the store seals
under each person's own key (crypto-shredding), views keep only as references, and reads
show only to those the policy lets see it.

An event class declares its personal fields in `personal` (a tuple of `Personal`), and a
creation event that names the person a whole case is about declares `case_subject` (the
path of that person's id). Paths name a field, a field of a record (`appellant.name`), each
item of a list (`participants[]`) or a field of each record in a list
(`attendees[].person_id`). Every value at a path is text.

Whose the data is:
- `SELF`: the value is a person id (an employee number): the person it names;
- `CASE`: the person the case is about (`case_subject` of the event that opened it; an
  anonymous appeal is about nobody, and its text stays the case's own);
- `CaseOf(field)`: the person the case named in `field` is about.

Who is a person here: employees in their own right (appellants, the participants and
attendees of talks, congress proposers, contestants) and an employee acting in person (an
actor in an `IN_PERSON` role). People acting in an office (union staff, department heads and
handlers, supervisors, panel members, judges, organisers) are recorded as who did what:
their ids are not sealed, so accountability survives erasure.

What a value shows: `IDENTITY` (who someone is: shown only where the policy lets the reader
see identity) or `WORDS` (what an appellant said: shown to whoever may read the case).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from domain.actors import ANONYMOUS_ACTOR_ID, Role


class Shown(StrEnum):
    """To whom a sealed value is shown."""

    IDENTITY = "i"  # who someone is
    WORDS = "w"  # what an appellant said about their case


@dataclass(frozen=True)
class CaseOf:
    """The person the case whose id is in `field` is about."""

    field: str


SELF = "self"
CASE = "case"

Whose = str | CaseOf


@dataclass(frozen=True)
class Personal:
    """A place in an event that holds a person's data."""

    path: str
    shown: Shown
    whose: Whose = SELF


def identity(path: str, whose: Whose = SELF) -> Personal:
    """Who someone is, at `path`."""
    return Personal(path, Shown.IDENTITY, whose)


def words(path: str, whose: Whose = CASE) -> Personal:
    """What an appellant said, at `path`."""
    return Personal(path, Shown.WORDS, whose)


#: Roles whose actors act in person: their id is their employee number, personal data.
IN_PERSON = frozenset({Role.EMPLOYEE.value})

#: Where an event's actor is: sealed as the actor's own identity when they act in person.
ACTOR = identity("actor_id")


def fields_of(event_class: type[Any]) -> tuple[Personal, ...]:
    """The personal fields an event class declares."""
    declared: tuple[Personal, ...] = getattr(event_class, "personal", ())
    return declared


def case_subject(event_class: type[Any]) -> str | None:
    """The path of the person a case is about, on the event that opens it."""
    subject: str | None = getattr(event_class, "case_subject", None)
    return subject


def acts_in_person(state: dict[str, Any]) -> bool:
    """Whether an event's actor is a person acting in their own right (not anonymous)."""
    return state.get("actor_role") in IN_PERSON and state.get("actor_id") != ANONYMOUS_ACTOR_ID


def value_at(state: dict[str, Any], path: str) -> Any:
    """The single value at a path without `[]` (None where a step is missing)."""
    value: Any = state
    for step in path.split("."):
        if not isinstance(value, dict):
            return None
        value = value.get(step)
    return value


def rewrite(state: dict[str, Any], path: str, change: Callable[[Any], Any]) -> None:
    """Replaces, in place, every value at `path` with `change(value)`; missing steps and
    empty text are left alone. Records and lists on the way are copied first, so that a
    state copied shallowly from an event leaves the event's own values untouched."""
    steps = path.split(".")
    _rewrite(state, steps, change)


def _rewrite(holder: dict[str, Any], steps: list[str], change: Callable[[Any], Any]) -> None:
    step, rest = steps[0], steps[1:]
    each = step.endswith("[]")
    name = step[:-2] if each else step
    value = holder.get(name)
    if value is None:
        return
    if each:
        if not isinstance(value, list):
            return
        items = list(value)
        holder[name] = items
        for index, item in enumerate(items):
            if rest:
                if isinstance(item, dict):
                    copied = dict(item)
                    items[index] = copied
                    _rewrite(copied, rest, change)
            elif item != "":
                items[index] = change(item)
    elif rest:
        if isinstance(value, dict):
            copied = dict(value)
            holder[name] = copied
            _rewrite(copied, rest, change)
    elif value != "":
        holder[name] = change(value)


def holds_text(state: dict[str, Any], path: str) -> bool:
    """Whether any value at `path` is text (not empty), looked at without copying."""
    return _holds_text(state, path.split("."))


def _holds_text(value: Any, steps: list[str]) -> bool:
    if not steps:
        return isinstance(value, str) and value != ""
    if not isinstance(value, dict):
        return False
    step, rest = steps[0], steps[1:]
    if step.endswith("[]"):
        items = value.get(step[:-2])
        return isinstance(items, list) and any(_holds_text(item, rest) for item in items)
    return _holds_text(value.get(step), rest)


def values_at(state: dict[str, Any], path: str) -> Iterator[Any]:
    """Every value at `path` (items of lists included), empty text left out."""
    found: list[Any] = []

    def collect(value: Any) -> Any:
        found.append(value)
        return value

    _rewrite(dict(state), path.split("."), collect)
    yield from found


# -- what an erased value reads as ------------------------------------------------------

#: An erased value: the person's key no longer exists. The hint (the start of the key's
#: id) tells one erased person from another in the same case, never who they were.
_ERASED = re.compile(r"\[erased [0-9a-f]{8}\]")


def erased(hint: str) -> str:
    """What a value sealed under a destroyed key reads as."""
    return f"[erased {hint[:8]}]"


def is_erased(value: object) -> bool:
    """Whether a value is what erased data reads as."""
    return isinstance(value, str) and _ERASED.fullmatch(value) is not None
