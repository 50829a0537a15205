"""Where events hold people's data (`domain.personal_data`): the declarations, the paths
they use, and what an erased value reads as (no I/O)."""

from __future__ import annotations

import dataclasses
import importlib
import inspect
import pkgutil
from typing import Any

import pytest
from eventsourcing.domain import Aggregate

import domain
from domain.appeal import Appeal
from domain.meeting import Meeting
from domain.personal_data import (
    CASE,
    SELF,
    Shown,
    acts_in_person,
    case_subject,
    erased,
    fields_of,
    is_erased,
    rewrite,
    value_at,
    values_at,
)


def _event_classes() -> list[type[Any]]:
    found: set[type[Any]] = set()
    for module in pkgutil.iter_modules(domain.__path__):
        loaded = importlib.import_module(f"domain.{module.name}")
        for owner in vars(loaded).values():
            if inspect.isclass(owner) and issubclass(owner, Aggregate) and owner is not Aggregate:
                found |= {
                    member
                    for member in vars(owner).values()
                    if inspect.isclass(member) and issubclass(member, Aggregate.Event)
                }
    return sorted(found, key=lambda cls: cls.__qualname__)


#: Fields that name an employee in their own right, wherever an event has one.
PERSON_FIELDS = {
    "appellant",
    "participants",
    "repeat_participants",
    "attendees",
    "proposer",
    "contestant",
    "ranking",
    "subject",
}
#: Events whose `subject` is not a person (a disclosure's subject is a case or a month).
NOT_A_PERSON = {"Disclosure.Proposed"}


@pytest.mark.parametrize("event_class", _event_classes(), ids=lambda c: c.__qualname__)
def test_every_field_that_names_an_employee_is_declared_personal(event_class: type[Any]) -> None:
    annotated = set(inspect.get_annotations(event_class))
    declared = {place.path.split(".")[0].removesuffix("[]") for place in fields_of(event_class)}
    named = annotated & PERSON_FIELDS
    if event_class.__qualname__ in NOT_A_PERSON:
        named.discard("subject")
    assert named <= declared, f"{event_class.__qualname__}: {sorted(named - declared)} undeclared"


def test_a_named_appeal_is_about_its_appellant_and_seals_their_identity_and_words() -> None:
    shown = {place.path: (place.shown, place.whose) for place in fields_of(Appeal.Raised)}

    assert case_subject(Appeal.Raised) == "appellant.employee_no"
    assert shown["appellant.name"] == (Shown.IDENTITY, CASE)
    assert shown["title"] == (Shown.WORDS, CASE)
    assert {place.whose for place in fields_of(Meeting.Invited)} == {SELF}


def test_paths_reach_fields_records_and_every_item_of_a_list() -> None:
    state: dict[str, Any] = {
        "appellant": {"name": "王建国", "employee_no": "E1"},
        "participants": ["E1", "", "E2"],
        "attendees": [{"person_id": "E1", "department": "HR"}, {"person_id": "E3"}],
    }
    original = {key: (dict(v) if isinstance(v, dict) else v) for key, v in state.items()}
    copied = dict(state)

    rewrite(copied, "appellant.name", str.upper)
    rewrite(copied, "participants[]", lambda v: v + "!")
    rewrite(copied, "attendees[].person_id", lambda v: "#" + v)

    assert value_at(copied, "appellant.employee_no") == "E1"
    assert copied["participants"] == ["E1!", "", "E2!"]  # empty text is left alone
    assert [a["person_id"] for a in copied["attendees"]] == ["#E1", "#E3"]
    assert copied["attendees"][0]["department"] == "HR"
    assert state["appellant"] == original["appellant"]  # the records on the way were copied
    assert list(values_at(state, "attendees[].person_id")) == ["E1", "E3"]
    assert list(values_at(state, "missing.path")) == []


def test_an_erased_value_names_its_key_not_its_person() -> None:
    marker = erased("1a2b3c4d5e6f")

    assert marker == "[erased 1a2b3c4d]"
    assert is_erased(marker)
    assert not is_erased("王建国")
    assert not is_erased("[erased someone]")


def test_an_employee_acting_in_their_own_right_is_personal_data_anonymous_is_not() -> None:
    assert acts_in_person({"actor_id": "E10234", "actor_role": "employee"})
    assert not acts_in_person({"actor_id": "anonymous", "actor_role": "employee"})
    assert not acts_in_person({"actor_id": "union-clerk-1", "actor_role": "union_staff"})


def test_declarations_are_frozen_values() -> None:
    place = fields_of(Appeal.Rated)[0]
    with pytest.raises(dataclasses.FrozenInstanceError):
        place.path = "other"  # type: ignore[misc]
