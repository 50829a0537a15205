"""State tables: each aggregate's commands, the states that allow each, and where its events
lead. An aggregate's `_require(command)` looks its command up here, so its table is its rule.
"""

from __future__ import annotations

from collections.abc import Mapping
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Generic, TypeVar

from domain.errors import ActionNotAllowed

S = TypeVar("S", bound=StrEnum)
C = TypeVar("C", bound=StrEnum)


@dataclass(frozen=True)
class Transition(Generic[S]):
    """One row of a state table: a command as a refusal names it ("cannot `action` an appeal
    that is closed"), the states it is allowed in, the events it records (by class name),
    and any condition beyond the state that the aggregate checks itself, in words."""

    action: str
    allowed: AbstractSet[S]
    events: tuple[str, ...]
    condition: str = ""
    #: What the command does, in the words of the docs (the action, if empty).
    label: str = ""


@dataclass(frozen=True)
class StateTable(Generic[C, S]):
    """An aggregate's state machine: its commands (`commands`), the state its creation
    starts in (`initial`), the state each event leaves it in (`events`; events not listed
    leave it as it is) and the events whose resulting state depends on what they say
    (`varies`, with the states they may lead to; such an event sets it itself)."""

    subject: str
    initial: S
    commands: Mapping[C, Transition[S]]
    events: Mapping[str, S]
    varies: Mapping[str, AbstractSet[S]] = field(default_factory=dict)

    @property
    def states(self) -> frozenset[S]:
        """Every state the aggregate can be in."""
        return frozenset(type(self.initial))

    def allows(self, command: C, state: S) -> bool:
        """Whether `command` is allowed in `state`."""
        return state in self.commands[command].allowed

    def require(self, command: C, state: S, detail: str = "") -> None:
        """Refuses `command` (ActionNotAllowed, naming the action and the state) unless
        `state` allows it; `detail` says more when it is refused."""
        if not self.allows(command, state):
            action = self.commands[command].action
            raise ActionNotAllowed(action, state.value, detail, subject=self.subject)

    def refuse(self, command: C, state: S, detail: str) -> ActionNotAllowed:
        """The refusal of `command` in `state` for a reason beyond the table (`detail`)."""
        return ActionNotAllowed(
            self.commands[command].action, state.value, detail, subject=self.subject
        )

    def status_after(self, event: object) -> S | None:
        """The state `event` leaves the aggregate in, if the table fixes it."""
        return self.events.get(type(event).__name__)

    def leads_to(self, command: C) -> frozenset[S]:
        """Every state `command` may leave the aggregate in (empty: it stays as it was)."""
        states: set[S] = set()
        for name in self.commands[command].events:
            if name in self.events:
                states.add(self.events[name])
            states |= self.varies.get(name, set())
        return frozenset(states)


def in_order(states: AbstractSet[S]) -> list[S]:
    """`states` in the order their enum declares them."""
    if not states:
        return []
    return [state for state in type(next(iter(states))) if state in states]


def describe(states: AbstractSet[S]) -> str:
    """`states` in words, in their enum's order: "transferred, acknowledged", or, for most
    of them, what they leave out: "any but closed, withdrawn"."""
    if not states:
        return ""
    every = list(type(next(iter(states))))
    if len(states) > len(every) / 2 and len(states) < len(every):
        return "any but " + ", ".join(state.value for state in every if state not in states)
    return ", ".join(state.value for state in in_order(states))
