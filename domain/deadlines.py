"""Deadlines and the per-channel rules that produce them (答复时限)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from domain.calendar import WorkingCalendar
from domain.errors import InvalidInput
from domain.terms import Channel


class DeadlineAct(StrEnum):
    """What must be done by the deadline."""

    FIRST_RESPONSE = "first_response"  # 首次响应
    REPLY = "reply"  # 答复
    HOLD = "hold"  # 召开（会议）
    PUBLISH = "publish"  # 公布
    FILE = "file"  # 报送（月度报告）


class Unit(StrEnum):
    """How a deadline rule counts time."""

    WORKING_DAYS = "working_days"  # 工作日
    HOURS = "hours"  # 小时


class Anchor(StrEnum):
    """The moment a deadline rule counts from."""

    RAISED = "raised"
    TRANSFERRED = "transferred"


@dataclass(frozen=True)
class Deadline:
    """A moment by which an act is due, and the rule that produced it."""

    due: datetime
    act: DeadlineAct
    rule: str
    basis: str

    def to_record(self) -> dict[str, Any]:
        """The deadline as stored inside an event."""
        return {
            "due": self.due.isoformat(),
            "act": self.act.value,
            "rule": self.rule,
            "basis": self.basis,
        }

    @classmethod
    def from_record(cls, record: dict[str, Any]) -> Deadline:
        """The deadline stored inside an event."""
        return cls(
            due=datetime.fromisoformat(record["due"]),
            act=DeadlineAct(record["act"]),
            rule=record["rule"],
            basis=record["basis"],
        )


@dataclass(frozen=True)
class DeadlineRule:
    """A named rule: the act is due `amount` units after the anchor moment."""

    name: str
    act: DeadlineAct
    amount: int
    unit: Unit
    anchor: Anchor

    def describe(self) -> str:
        """The rule in words, kept on every deadline it produces."""
        unit = "working days" if self.unit is Unit.WORKING_DAYS else "hours"
        act = self.act.value.replace("_", " ")
        return f"{act} within {self.amount} {unit} of being {self.anchor.value}"

    def apply(
        self, calendar: WorkingCalendar, *, raised_at: datetime, transferred_at: datetime
    ) -> Deadline:
        """The deadline this rule gives a case raised and transferred at these moments."""
        start = raised_at if self.anchor is Anchor.RAISED else transferred_at
        if self.unit is Unit.HOURS:
            due = start + timedelta(hours=self.amount)
        else:
            due = calendar.add_working_days(start, self.amount)
        return Deadline(due=due, act=self.act, rule=self.name, basis=self.describe())


@dataclass(frozen=True)
class DeadlinePolicy:
    """Which rules apply to an appeal of each channel; the numbers come from settings."""

    reply_working_days: int = 5
    urgent_response_hours: int = 48
    grid_response_hours: int = 24
    performance_review_working_days: int = 5

    def reply_rule(self) -> DeadlineRule:
        """The reply deadline every transferred appeal gets."""
        return DeadlineRule(
            "reply.default",
            DeadlineAct.REPLY,
            self.reply_working_days,
            Unit.WORKING_DAYS,
            Anchor.TRANSFERRED,
        )

    def reply_deadline(
        self,
        calendar: WorkingCalendar,
        *,
        raised_at: datetime,
        transferred_at: datetime,
        explicit: datetime | None = None,
        how: str = "set when transferring",
    ) -> Deadline:
        """The reply deadline of an appeal handed to a department at `transferred_at`: by
        the rule, or by a date given (`explicit`, with a time zone), saying `how` it was set."""
        if explicit is None:
            return self.reply_rule().apply(
                calendar, raised_at=raised_at, transferred_at=transferred_at
            )
        if explicit.tzinfo is None:
            raise InvalidInput("deadline", "needs a time zone")
        return Deadline(
            due=explicit,
            act=DeadlineAct.REPLY,
            rule="reply.explicit",
            basis=f"reply by a date {how}",
        )

    @staticmethod
    def extended_reply_deadline(due: datetime, approved_by: str) -> Deadline:
        """A reply deadline moved later to `due`, as `approved_by` approved."""
        return Deadline(
            due=due,
            act=DeadlineAct.REPLY,
            rule="reply.extended",
            basis=f"extended, approved by {approved_by}",
        )

    def response_rule(self, channel: Channel) -> DeadlineRule | None:
        """The first-response rule of a channel, if the channel has one."""
        if channel is Channel.URGENT:
            return DeadlineRule(
                "response.urgent-48h",
                DeadlineAct.FIRST_RESPONSE,
                self.urgent_response_hours,
                Unit.HOURS,
                Anchor.RAISED,
            )
        if channel is Channel.GRID_LIAISON:
            return DeadlineRule(
                "response.grid-liaison",
                DeadlineAct.FIRST_RESPONSE,
                self.grid_response_hours,
                Unit.HOURS,
                Anchor.RAISED,
            )
        if channel is Channel.PERFORMANCE_APPEAL:
            return DeadlineRule(
                "response.performance-review",
                DeadlineAct.FIRST_RESPONSE,
                self.performance_review_working_days,
                Unit.WORKING_DAYS,
                Anchor.RAISED,
            )
        return None

    def response_deadline(
        self, channel: Channel, raised_at: datetime, calendar: WorkingCalendar
    ) -> Deadline | None:
        """The first-response deadline an appeal of `channel` raised then gets (its clock
        starts at raising: DOMAIN §1), if the channel has a rule."""
        rule = self.response_rule(channel)
        if rule is None:
            return None
        return rule.apply(calendar, raised_at=raised_at, transferred_at=raised_at)


#: The policy in force in this process (settings' numbers); `configure_policy` sets it at
#: start. Stored events read back through it where they predate a deadline they now carry.
_in_force = DeadlinePolicy()


def configure_policy(policy: DeadlinePolicy) -> None:
    """Puts `policy` in force for the process (the bootstrap does, from settings)."""
    global _in_force  # process-wide, like the calendar's adjustments
    _in_force = policy


def policy_in_force() -> DeadlinePolicy:
    """The deadline policy in force in this process."""
    return _in_force
