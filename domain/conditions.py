"""Terms and conditions on a record's fields: a rule written once, read by Python and SQL.

A rule such as "the first response came by the deadline then in force" is a small tree:
terms (a field of the record, a value given when the rule is applied, a constant, the first
of several that is set, a difference) and conditions on them (a comparison, set or not, one
of some values). Python evaluates the tree (`Term.value`, `Condition.holds`);
`infrastructure.metrics.rules_sql` writes the same tree as SQL. So a view's SQL, its
rebuild in Python and any other reader count by one definition.

Evaluation follows SQL: a comparison with an unset value (None) is unknown, and only a
condition that is true holds.
"""

from __future__ import annotations

import operator
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

#: What Python compares for each comparison operator (written the same in SQL).
COMPARISONS: dict[str, Callable[[Any, Any], bool]] = {
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
}

#: Nothing given: for rules that read the record only.
NOTHING: Mapping[str, Any] = {}


class Rule:
    """A term or a condition: a tree whose leaves are fields, values given and constants."""

    def parts(self) -> tuple[Rule, ...]:
        """The terms this one is made of (none for a leaf)."""
        return ()

    def fields(self) -> tuple[str, ...]:
        """The names of the record's fields the rule reads, each once, in order."""
        return tuple(dict.fromkeys(name for part in self.parts() for name in part.fields()))

    def givens(self) -> frozenset[str]:
        """The names of the values given that the rule reads."""
        return frozenset(name for part in self.parts() for name in part.givens())


class Term(Rule, ABC):
    """Something with a value: a field, a value given, a constant, or one made of those."""

    @abstractmethod
    def value(self, record: object, given: Mapping[str, Any] = NOTHING) -> Any:
        """The term's value for `record` and the values `given` (None: unset)."""

    def is_set(self) -> Condition:
        """The term has a value (SQL: IS NOT NULL)."""
        return IsSet(self)

    def is_true(self) -> Condition:
        """The (boolean) term is true."""
        return IsTrue(self)

    def is_in(self, values: Iterable[str]) -> Condition:
        """The term is one of `values`."""
        return IsIn(self, tuple(sorted(values)))

    def before(self, other: Term) -> Condition:
        """The term is less than (earlier than) `other`."""
        return Compare(self, "<", other)

    def by(self, other: Term) -> Condition:
        """The term is at most (no later than) `other`."""
        return Compare(self, "<=", other)

    def after(self, other: Term) -> Condition:
        """The term is more than (later than) `other`."""
        return Compare(self, ">", other)

    def not_before(self, other: Term) -> Condition:
        """The term is at least (no earlier than) `other`."""
        return Compare(self, ">=", other)

    def more_than(self, count: int) -> Condition:
        """The term is more than a number."""
        return Compare(self, ">", Constant(count))

    def at_least(self, count: int) -> Condition:
        """The term is at least a number."""
        return Compare(self, ">=", Constant(count))


@dataclass(frozen=True)
class Field(Term):
    """A field of the record (in SQL, the column of the same name)."""

    name: str

    def value(self, record: object, given: Mapping[str, Any] = NOTHING) -> Any:
        """The record's field."""
        return getattr(record, self.name)

    def fields(self) -> tuple[str, ...]:
        """The field itself."""
        return (self.name,)


@dataclass(frozen=True)
class Given(Term):
    """A value given when the rule is applied, by name (in SQL, the parameter `%(name)s`)."""

    name: str

    def value(self, record: object, given: Mapping[str, Any] = NOTHING) -> Any:
        """The value given under the term's name."""
        return given[self.name]

    def givens(self) -> frozenset[str]:
        """The value's name."""
        return frozenset({self.name})


@dataclass(frozen=True)
class Constant(Term):
    """A fixed number."""

    number: int

    def value(self, record: object, given: Mapping[str, Any] = NOTHING) -> Any:
        """The number."""
        return self.number


@dataclass(frozen=True)
class FirstSet(Term):
    """The first of the terms that is set (SQL's COALESCE)."""

    terms: tuple[Term, ...]

    def parts(self) -> tuple[Rule, ...]:
        """The terms."""
        return self.terms

    def value(self, record: object, given: Mapping[str, Any] = NOTHING) -> Any:
        """The first term's value that is not None, else None."""
        for term in self.terms:
            found = term.value(record, given)
            if found is not None:
                return found
        return None


@dataclass(frozen=True)
class Difference(Term):
    """One number less another; unset when either is."""

    minuend: Term
    subtrahend: Term

    def parts(self) -> tuple[Rule, ...]:
        """Both numbers."""
        return (self.minuend, self.subtrahend)

    def value(self, record: object, given: Mapping[str, Any] = NOTHING) -> Any:
        """minuend − subtrahend."""
        left, right = self.minuend.value(record, given), self.subtrahend.value(record, given)
        return None if left is None or right is None else left - right


@dataclass(frozen=True)
class HoursBetween(Term):
    """Wall-clock hours from one moment to a later one; unset when either is."""

    start: Term
    end: Term

    def parts(self) -> tuple[Rule, ...]:
        """Both moments."""
        return (self.start, self.end)

    def value(self, record: object, given: Mapping[str, Any] = NOTHING) -> Any:
        """(end − start) in hours."""
        start, end = self.start.value(record, given), self.end.value(record, given)
        return None if start is None or end is None else (end - start).total_seconds() / 3600


class Condition(Rule, ABC):
    """Something true, false or unknown of a record."""

    @abstractmethod
    def truth(self, record: object, given: Mapping[str, Any] = NOTHING) -> bool | None:
        """True, False, or None when unknown (a comparison with an unset value)."""

    def holds(self, record: object, given: Mapping[str, Any] = NOTHING) -> bool:
        """The condition is true of `record` (unknown does not hold, as in a SQL WHERE)."""
        return self.truth(record, given) is True


@dataclass(frozen=True)
class Compare(Condition):
    """Two terms compared by one of `COMPARISONS`."""

    left: Term
    operator: str
    right: Term

    def parts(self) -> tuple[Rule, ...]:
        """Both sides."""
        return (self.left, self.right)

    def truth(self, record: object, given: Mapping[str, Any] = NOTHING) -> bool | None:
        """The comparison; unknown when either side is unset."""
        left, right = self.left.value(record, given), self.right.value(record, given)
        if left is None or right is None:
            return None
        return COMPARISONS[self.operator](left, right)


@dataclass(frozen=True)
class IsSet(Condition):
    """The term has a value."""

    term: Term

    def parts(self) -> tuple[Rule, ...]:
        """The term."""
        return (self.term,)

    def truth(self, record: object, given: Mapping[str, Any] = NOTHING) -> bool | None:
        """Whether the term's value is not None."""
        return self.term.value(record, given) is not None


@dataclass(frozen=True)
class IsTrue(Condition):
    """A boolean term, as a condition."""

    term: Term

    def parts(self) -> tuple[Rule, ...]:
        """The term."""
        return (self.term,)

    def truth(self, record: object, given: Mapping[str, Any] = NOTHING) -> bool | None:
        """The term's value."""
        found = self.term.value(record, given)
        return None if found is None else bool(found)


@dataclass(frozen=True)
class IsIn(Condition):
    """The term is one of some texts (kept sorted: the SQL written is always the same)."""

    term: Term
    values: tuple[str, ...]

    def parts(self) -> tuple[Rule, ...]:
        """The term."""
        return (self.term,)

    def truth(self, record: object, given: Mapping[str, Any] = NOTHING) -> bool | None:
        """Whether the term's value is among the values; unknown when it is unset."""
        found = self.term.value(record, given)
        return None if found is None else found in self.values
