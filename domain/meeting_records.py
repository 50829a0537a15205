"""What a meeting keeps about the people who came and what it decided."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from domain import limits
from domain.values import clean_text


@dataclass(frozen=True)
class Attendee:
    """Someone who attended a meeting, and the department they came for."""

    person_id: str
    department: str = ""

    def __post_init__(self) -> None:
        clean_text("attendance.person_id", self.person_id, limits.PERSON_ID)
        clean_text("attendance.department", self.department, limits.DEPARTMENT, required=False)

    def to_record(self) -> dict[str, str]:
        """The attendee as stored inside an event."""
        return {"person_id": self.person_id.strip(), "department": self.department.strip()}

    @classmethod
    def from_record(cls, record: dict[str, str]) -> Attendee:
        """The attendee stored inside an event."""
        return cls(record["person_id"], record.get("department", ""))


@dataclass(frozen=True)
class Decision:
    """A decision recorded at a meeting (决议); action items refer to it by `ref` (D1, D2...)."""

    ref: str
    text: str
    at: datetime


@dataclass(frozen=True)
class CoverageOverride:
    """People invited again within the coverage window, and the organiser's reason for it."""

    people: tuple[str, ...]
    reason: str
    by: str
    at: datetime
