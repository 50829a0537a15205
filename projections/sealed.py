"""Personal values as views receive them: still sealed (`infrastructure.sealing`).

A projection never sees a person's data in clear. Each value `domain.personal_data`
declares personal arrives as a sealed value: its person's reference (the id of their data
key, naming nobody once they are erased) and a token a read may open for those the policy
lets see it. Views keep the reference to find a person's cases, and the token to show the
value; this module is what projections need to know of them.
"""

from __future__ import annotations

from typing import Any, Protocol, runtime_checkable

#: How a view's JSON holds a sealed value: `{"sealed": token}`.
SEALED_KEY = "sealed"


@runtime_checkable
class SealedValue(Protocol):
    """A person's value, sealed under their key."""

    @property
    def ref(self) -> str:
        """The person's reference."""

    def token(self) -> str:
        """The sealed value as text a read can open."""


def is_sealed(value: Any) -> bool:
    """Whether a value is a sealed personal value.

    Checking against a runtime protocol walks the class's attributes each time (about 20
    µs on Python 3.11: a third of a rebuild's time for the audit trail, which asks of
    every field of every event); the answer is the same for every value of a type, so it
    is worked out once per type.
    """
    kind = type(value)
    try:
        return _SEALED_TYPES[kind]
    except KeyError:
        sealed = _SEALED_TYPES[kind] = isinstance(value, SealedValue)
        return sealed


#: Whether values of each type seen are sealed values (`is_sealed`).
_SEALED_TYPES: dict[type[Any], bool] = {}


def as_json(value: SealedValue) -> dict[str, str]:
    """How a view's JSON keeps a sealed value."""
    return {SEALED_KEY: value.token()}


def ref_of(value: Any) -> str:
    """The person's reference of a sealed value; ValueError for a value in clear (a view
    must never be given one)."""
    if not is_sealed(value):
        raise ValueError("a view was given a person's id in clear, not sealed")
    ref: str = value.ref
    return ref


def refs_of(values: Any) -> tuple[str, ...]:
    """The references of several sealed values, in order, without repeats."""
    return tuple(dict.fromkeys(ref_of(value) for value in values))


def token_of(value: Any) -> str | None:
    """The token of a sealed value; None for a value in clear (one that is nobody's)."""
    return value.token() if is_sealed(value) else None
