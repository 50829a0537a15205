"""What an appeal keeps about who raised it, where it was sent and what was answered."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from domain import limits
from domain.personal_data import is_erased
from domain.publication import Withheld
from domain.values import clean_text


@dataclass(frozen=True)
class Appellant:
    """Who raised a named appeal. Stored only inside encrypted events."""

    name: str
    employee_no: str
    contact: str = ""

    def __post_init__(self) -> None:
        clean_text("appellant.name", self.name, limits.NAME)
        clean_text("appellant.employee_no", self.employee_no, limits.EMPLOYEE_NO)
        clean_text("appellant.contact", self.contact, limits.CONTACT, required=False)

    def to_record(self) -> dict[str, str]:
        """The appellant as stored inside an event."""
        return {"name": self.name, "employee_no": self.employee_no, "contact": self.contact}

    @classmethod
    def from_record(cls, record: dict[str, str]) -> Appellant:
        """The appellant stored inside an event."""
        return cls(record["name"], record["employee_no"], record.get("contact", ""))

    @property
    def erased(self) -> bool:
        """Whether the appellant was erased (their data key destroyed)."""
        return is_erased(self.employee_no)

    def withheld(self, whose: str = "the appellant") -> Withheld:
        """The appellant's identity, as public text must not carry it."""
        return Withheld.appellant(self.name, self.employee_no, self.contact, whose=whose)


@dataclass(frozen=True)
class Transfer:
    """One hand-over of the appeal to a responsible department (转办)."""

    department: str
    supervisor: str
    at: datetime
    by: str
    reason: str
    supervisor_reason: str = ""


@dataclass(frozen=True)
class Reply:
    """A department's answer and the rule or policy it rests on (依据)."""

    answer: str
    basis: str
    department: str
    at: datetime
    by: str
