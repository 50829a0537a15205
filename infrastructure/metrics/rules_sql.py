"""The domain's appeal-figure rules (`domain.appeal_figures`) written as SQL.

The metrics view's SQL does not restate what a figure counts: each condition and term here
is written from the domain's one definition. A field is the `metrics_appeals` column of the
same name; a value given is the query parameter of that name (`%(at)s`, `%(moment)s`).
What the SQL computes is what Python computes from the same tree (`domain.conditions`,
SQL's three-valued logic), which `tests/integration/test_metrics_rules.py` checks.
"""

from __future__ import annotations

from functools import singledispatch

from domain.appeal_figures import (
    COUNTS,
    HOURS_SINCE_RAISED,
    MOMENT,
    REPLY_LATE,
    RESPONSE_IN_TIME,
    WORK_HOURS_SINCE_RAISED,
    Figure,
    Record,
)
from domain.conditions import (
    COMPARISONS,
    Compare,
    Condition,
    Constant,
    Difference,
    Field,
    FirstSet,
    Given,
    HoursBetween,
    IsIn,
    IsSet,
    IsTrue,
    Rule,
)


@singledispatch
def sql(rule: Rule) -> str:
    """A term or condition as an SQL expression on the appeal's row."""
    raise TypeError(f"no SQL for {type(rule).__name__}")


@sql.register
def _(rule: Field) -> str:
    return rule.name


@sql.register
def _(rule: Given) -> str:
    return f"%({rule.name})s"


@sql.register
def _(rule: Constant) -> str:
    return str(int(rule.number))


@sql.register
def _(rule: FirstSet) -> str:
    return f"COALESCE({', '.join(sql(term) for term in rule.terms)})"


@sql.register
def _(rule: Difference) -> str:
    return f"({sql(rule.minuend)} - {sql(rule.subtrahend)})"


@sql.register
def _(rule: HoursBetween) -> str:
    return f"(extract(epoch FROM {sql(rule.end)} - {sql(rule.start)})::float8 / 3600)"


@sql.register
def _(rule: Compare) -> str:
    if rule.operator not in COMPARISONS:
        raise ValueError(f"no comparison {rule.operator!r}")
    return f"({sql(rule.left)} {rule.operator} {sql(rule.right)})"


@sql.register
def _(rule: IsSet) -> str:
    return f"({sql(rule.term)} IS NOT NULL)"


@sql.register
def _(rule: IsTrue) -> str:
    return sql(rule.term)


@sql.register
def _(rule: IsIn) -> str:
    # The values are the domain's closed sets (enum values), not input; quoted all the same.
    quoted = ", ".join("'" + value.replace("'", "''") + "'" for value in rule.values)
    return f"({sql(rule.term)} IN ({quoted}))"


def flag(condition: Condition) -> str:
    """A condition as a boolean that is never NULL: true only where it holds."""
    return f"COALESCE({sql(condition)}, false)"


#: `overdue_open` depends on the moment asked about: the roll-ups count the appeals that
#: await an answer by a deadline (`AWAITING`), and a query takes away those whose deadline
#: is still to come at its moment (`NOT_YET_DUE`). What is left is `COUNTS[OVERDUE_OPEN]`.
AWAITING: Condition = Record.AWAITING_DUE.is_set()
NOT_YET_DUE: Condition = Record.AWAITING_DUE.not_before(MOMENT)
NOT_YET_DUE_SQL = sql(NOT_YET_DUE)

#: What the roll-ups count per combination and period, by column: the figures that depend
#: on the appeal's row alone, and the appeals awaiting an answer by a deadline.
ROLLED_UP: dict[str, Condition] = {
    figure.value: condition
    for figure, condition in COUNTS.items()
    if MOMENT.name not in condition.givens()
} | {"awaiting": AWAITING}
#: The same as boolean expressions on `metrics_appeals` (never NULL).
COUNTED: dict[str, str] = {name: flag(condition) for name, condition in ROLLED_UP.items()}
#: Whether an appeal's row counts in each figure, as a column of the appeal's figures
#: (`overdue_open` at the moment `%(moment)s`).
FLAGS: dict[Figure, str] = {figure: flag(condition) for figure, condition in COUNTS.items()}

#: The live UPDATE's judgements of an event (`infrastructure.metrics.live`).
RESPONSE_IN_TIME_SQL = sql(RESPONSE_IN_TIME)
REPLY_LATE_SQL = sql(REPLY_LATE)
HOURS_SINCE_RAISED_SQL = sql(HOURS_SINCE_RAISED)
WORK_HOURS_SINCE_RAISED_SQL = sql(WORK_HOURS_SINCE_RAISED)
