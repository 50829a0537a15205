"""What the responses of every kind of case share: a deadline and the rule that set it, and
the events of a history with who did them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field

from domain.deadlines import Deadline


class DeadlineRead(BaseModel):
    """A deadline and the rule that produced it."""

    due: datetime
    act: str = Field(examples=["reply"])
    rule: str = Field(examples=["reply.default"])
    basis: str = Field(examples=["reply within 5 working days of being transferred"])

    @classmethod
    def of(cls, deadline: Deadline | None) -> DeadlineRead | None:
        """The deadline, if any."""
        if deadline is None:
            return None
        return cls(
            due=deadline.due, act=deadline.act.value, rule=deadline.rule, basis=deadline.basis
        )


class ActorRead(BaseModel):
    """Who did it."""

    id: str
    role: str


class EventRead(BaseModel):
    """One event of an appeal's history."""

    version: int
    type: str = Field(examples=["Transferred"])
    time: datetime
    actor: ActorRead
    data: dict[str, Any]
