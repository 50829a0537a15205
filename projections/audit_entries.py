"""How the audit trail flattens an event into one row: which case (type, reference) and
version, what happened (type and summary), when, who in which role, which department it
concerns, and the event's own data as JSON, personal data sealed."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from functools import cache
from typing import Any, NamedTuple
from uuid import UUID

from eventsourcing.domain import Aggregate

from domain.appeal import Appeal
from projections.audit_summaries import Summary, summary_for, summary_line
from projections.sealed import as_json, is_sealed, ref_of, token_of

#: The actor column of an employee acting in person: their reference after this prefix.
PERSON_ACTOR = "person:"

#: Events after which the case is with another department (later events concern that one).
MOVES_CASE: tuple[type[Any], ...] = (Appeal.Transferred, Appeal.Adopted)

#: Events whose department the case is not with: a raised appeal names the department it
#: concerns, and the union decides where it goes (`Appeal.parties`).
NAMES_ONLY: tuple[type[Any], ...] = (Appeal.Raised,)

#: Fields of a creation event that give the reference people know the case by.
REF_FIELDS = ("case_number", "decision_ref")

#: Library fields every event carries; the row has columns for them.
ENVELOPE = frozenset(
    {
        "originator_id",
        "originator_version",
        "timestamp",
        "originator_topic",
        "actor_id",
        "actor_role",
    }
)


class AuditEntry(NamedTuple):
    """One event as the audit trail records it (personal data sealed).

    A named tuple, not a frozen dataclass: as immutable, and made for every event of a
    rebuild in a quarter of the time (a frozen dataclass sets each field through
    `object.__setattr__`).
    """

    case_id: UUID
    case_type: str
    version: int
    event_type: str
    at: datetime
    actor_id: str
    actor_role: str
    department: str | None
    summary: str
    data: dict[str, Any]
    opens_case: bool = False
    ref: str | None = None
    moves_case: bool = False
    #: The department the event leaves the case with, for scoped reads (None: the one it
    #: was with). A raised appeal only names a department: it is with none until transferred,
    #: as `Appeal.parties` says.
    holding: str | None = None
    #: An employee acting in person: their id, sealed (`actor_id` is their reference).
    actor_token: str | None = None


# -- flattening ---------------------------------------------------------------------------


@dataclass(frozen=True)
class _EventClass:
    """What flattening needs to know of an event class, worked out once per class (a
    rebuild flattens every event of the log)."""

    case_type: str
    event_type: str
    opens_case: bool
    moves_case: bool
    summary: Summary | None
    names_only: bool = False


@cache
def _event_class(event_class: type[Any]) -> _EventClass:
    return _EventClass(
        case_type=case_type_of(event_class),
        event_type=event_class.__name__,
        opens_case=issubclass(event_class, Aggregate.Created),
        moves_case=issubclass(event_class, MOVES_CASE),
        names_only=issubclass(event_class, NAMES_ONLY),
        summary=summary_for(event_class),
    )


def entry_of(event: Aggregate.Event) -> AuditEntry:
    """The audit row of an event, its personal data sealed."""
    known = _event_class(type(event))
    actor: Any = getattr(event, "actor_id", "") or "unknown"
    actor_token = token_of(actor)
    actor_id = f"{PERSON_ACTOR}{ref_of(actor)}" if actor_token else str(actor)
    actor_role = str(getattr(event, "actor_role", "") or "unknown")
    opens = known.opens_case
    department = _text(getattr(event, "department", None))
    return AuditEntry(
        case_id=event.originator_id,
        case_type=known.case_type,
        version=event.originator_version,
        event_type=known.event_type,
        at=event.timestamp,
        actor_id=actor_id,
        actor_role=actor_role,
        department=department,
        summary=summary_line(event, "an employee" if actor_token else actor_id, known.summary),
        data=data_of(event),
        opens_case=opens,
        ref=next((r for f in REF_FIELDS if (r := _text(getattr(event, f, None)))), None)
        if opens
        else None,
        moves_case=known.moves_case,
        holding=None if known.names_only else department,
        actor_token=actor_token,
    )


def case_type_of(event_class: type[Any]) -> str:
    """The snake_case name of the aggregate class the event is nested in (`IdeaReview` →
    `idea_review`), so aggregates added later need no change here."""
    parts = event_class.__qualname__.split(".")
    owner = parts[-2] if len(parts) > 1 else parts[-1]
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", owner).lower()


def data_of(event: Aggregate.Event) -> dict[str, Any]:
    """The event's own fields as JSON values, sealed ones as `{"sealed": token}`."""
    data: dict[str, Any] = {}
    for key, value in vars(event).items():
        if key in ENVELOPE:
            continue
        if type(value) in _AS_IS:  # most fields: nothing to convert
            data[key] = value
        else:
            data[key] = jsonable(value)
    return data


#: Types whose values are JSON values already (exactly these types: a str enum is not).
_AS_IS = frozenset({str, int, float, bool, type(None)})


def jsonable(value: Any) -> Any:
    """A JSON value for an event field (UUIDs, times and decimals as strings).

    How a value converts depends on its type only, so it is worked out once per type
    (`_shape_of`) rather than by a chain of isinstance checks for every value of every
    event a rebuild replays.
    """
    kind = type(value)
    shape = _SHAPES.get(kind)
    if shape is None:
        shape = _SHAPES[kind] = _shape_of(value)
    if shape is _AS_IS_SHAPE:
        return value
    if shape is _MAPPING:
        return {str(k): jsonable(v) for k, v in value.items()}
    if shape is _ITEMS:
        return [jsonable(v) for v in value]
    if shape is _ENUM:
        return jsonable(value.value)
    if shape is _TIME:
        return value.isoformat()
    if shape is _TEXT:
        return str(value)
    if shape is _SEALED:
        return as_json(value)
    return value


_AS_IS_SHAPE, _MAPPING, _ITEMS, _ENUM, _TIME, _TEXT, _SEALED, _OTHER = (
    "as is",
    "mapping",
    "items",
    "enum",
    "time",
    "text",
    "sealed",
    "other",
)

#: How `jsonable` converts values of each type seen.
_SHAPES: dict[type[Any], str] = {kind: _AS_IS_SHAPE for kind in (str, int, float, bool, type(None))}


def _shape_of(value: Any) -> str:
    """How `jsonable` converts a value of this value's type (the checks in their order)."""
    if isinstance(value, dict):
        return _MAPPING
    if isinstance(value, list | tuple | set | frozenset):
        return _ITEMS
    if isinstance(value, Enum):
        return _ENUM
    if isinstance(value, datetime | date):
        return _TIME
    if isinstance(value, UUID | Decimal):
        return _TEXT
    if is_sealed(value):
        return _SEALED
    return _OTHER


def _text(value: Any) -> str | None:
    return value.strip() or None if isinstance(value, str) else None
