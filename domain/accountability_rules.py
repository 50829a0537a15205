"""The accountability rule book (考核问责): what costs a department's head how many points."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from enum import StrEnum
from uuid import NAMESPACE_URL, UUID, uuid5

from domain.errors import InvalidInput

PENALTY_NAMESPACE = uuid5(NAMESPACE_URL, "https://huiyin.local/penalties")

#: An appeal transferred this many times or more is flagged for its supervisor to judge
#: whether departments are passing the buck (推诿扯皮).
PASSING_THE_BUCK_TRANSFERS = 3


class RuleCode(StrEnum):
    """The rules a penalty can be recorded under."""

    OVERDUE_REPLY = "overdue-reply"  # 逾期未办理
    OVERDUE_RESPONSE = "overdue-response"  # 逾期未响应
    PERFUNCTORY_HANDLING = "perfunctory-handling"  # 搪塞应付、推诿扯皮
    ABSENT_FROM_TALK = "absent-from-talk"  # 慧谈不派人参加
    LATE_MONTHLY_REPORT = "late-monthly-report"  # 月度思想动态分析报告未按时报送


class CaseType(StrEnum):
    """What kind of case caused a penalty."""

    APPEAL = "appeal"
    MEETING = "meeting"
    ACTION_ITEM = "action_item"
    MONTHLY_REPORT = "monthly_report"


@dataclass(frozen=True)
class CaseRef:
    """The case that caused a penalty: its type, id and the number people know it by."""

    type: CaseType
    id: UUID
    ref: str

    def to_record(self) -> dict[str, str]:
        """The case as stored inside an event."""
        return {"type": self.type.value, "id": str(self.id), "ref": self.ref}

    @classmethod
    def from_record(cls, record: Mapping[str, str]) -> CaseRef:
        """The case stored inside an event."""
        return cls(CaseType(record["type"]), UUID(record["id"]), record["ref"])


@dataclass(frozen=True)
class Rule:
    """One rule of the book, at one version; a penalty keeps the version it was recorded under.

    `automatic` rules are recorded by the system from an event (an overdue appeal, a held
    talk's absent departments); the others are a person's judgement, with a reason.
    """

    code: RuleCode
    version: int
    points: int
    description: str
    automatic: bool


class RuleBook:
    """The rules in force, one version of each."""

    def __init__(self, rules: Iterable[Rule]) -> None:
        self._rules = {rule.code: rule for rule in rules}

    @classmethod
    def default(cls) -> RuleBook:
        """The rules of the HR–union joint work plan."""
        return cls(
            [
                Rule(RuleCode.OVERDUE_REPLY, 1, -2, "reply overdue (逾期未办理)", automatic=True),
                Rule(
                    RuleCode.OVERDUE_RESPONSE,
                    1,
                    -2,
                    "first response overdue (逾期未响应): on the department holding the "
                    "appeal then, or on the union's own office while it held it untransferred",
                    automatic=True,
                ),
                Rule(
                    RuleCode.PERFUNCTORY_HANDLING,
                    1,
                    -1,
                    "perfunctory handling or passing the buck (搪塞应付、推诿扯皮)",
                    automatic=False,
                ),
                Rule(
                    RuleCode.ABSENT_FROM_TALK,
                    1,
                    -1,
                    "no one sent to a talk the department was asked to attend",
                    automatic=True,
                ),
                Rule(
                    RuleCode.LATE_MONTHLY_REPORT,
                    1,
                    -1,
                    "monthly thought-dynamics report (月度职工思想动态分析报告) not filed on time",
                    automatic=True,
                ),
            ]
        )

    def __iter__(self) -> Iterator[Rule]:
        return iter(self._rules.values())

    def rule(self, code: RuleCode) -> Rule:
        """The rule in force under `code`."""
        try:
            return self._rules[code]
        except KeyError:
            raise InvalidInput("rule", f"the rule book has no rule {code.value!r}") from None

    def automatic(self, code: RuleCode) -> Rule:
        """The rule under `code`, which must be one the system records by itself."""
        rule = self.rule(code)
        if not rule.automatic:
            raise InvalidInput(
                "rule", f"{code.value} is a judgement recorded by a person, with a reason"
            )
        return rule


def penalty_id(rule: RuleCode, case_id: UUID, occurrence_key: str) -> UUID:
    """The id of an automatic penalty: the same occurrence always gives the same id.

    Two watchers, or one after a restart, recording the same occurrence collide in the
    event store instead of charging the department twice.
    """
    if not occurrence_key.strip():
        raise InvalidInput("occurrence_key", "must not be empty")
    return uuid5(PENALTY_NAMESPACE, f"{rule.value}|{case_id}|{occurrence_key.strip()}")


def passing_the_buck_suspected(transfers: int) -> bool:
    """Whether an appeal has been transferred often enough for its supervisor to look at it."""
    return transfers >= PASSING_THE_BUCK_TRANSFERS
