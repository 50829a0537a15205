"""What views are given of an event holding the NUL character, which no text column holds."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, NamedTuple

import pytest

from domain.appeal import Appellant
from infrastructure.replay import NUL_STAND_IN, without_nul


@dataclass(frozen=True)
class Note:
    text: str
    tags: tuple[str, ...]


class Pair(NamedTuple):
    left: str
    right: int


@dataclass(frozen=True)
class Happened:
    title: str
    note: Note
    pairs: list[Pair]
    data: dict[str, Any]
    count: int


def test_every_nul_in_text_becomes_the_replacement_character_and_nothing_else_changes() -> None:
    event = Happened(
        title="夜班\x00食堂",
        note=Note(text="ok", tags=("a\x00", "b")),
        pairs=[Pair("x\x00y", 1), Pair("z", 2)],
        data={"k\x00": ["v\x00"], "n": 3, "s": {"\x00"}},
        count=7,
    )

    cleaned = without_nul(event)

    assert cleaned == Happened(
        title=f"夜班{NUL_STAND_IN}食堂",
        note=Note(text="ok", tags=(f"a{NUL_STAND_IN}", "b")),
        pairs=[Pair(f"x{NUL_STAND_IN}y", 1), Pair("z", 2)],
        data={f"k{NUL_STAND_IN}": [f"v{NUL_STAND_IN}"], "n": 3, "s": {NUL_STAND_IN}},
        count=7,
    )
    assert type(cleaned.pairs[0]) is Pair
    assert event.title == "夜班\x00食堂"  # the stored event is left as it was
    assert cleaned.pairs[1] is event.pairs[1]  # what holds no NUL is not copied


@pytest.mark.parametrize(
    "value",
    [
        "text",
        ["a", ("b", {"c": "d"})],
        Happened("t", Note("n", ()), [], {}, 1),
        Appellant(name="王建国", employee_no="E1", contact=""),
        3,
        None,
    ],
)
def test_a_value_without_nul_is_given_as_it_is(value: Any) -> None:
    assert without_nul(value) is value
