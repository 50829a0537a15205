"""The domain's figure rules written as SQL (`infrastructure.metrics.rules_sql`) compute on
PostgreSQL exactly what Python computes from the same definitions (`domain.appeal_figures`),
unset values included."""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import datetime, timedelta
from types import SimpleNamespace
from typing import Any

import psycopg
import pytest
from psycopg.rows import dict_row

from domain.appeal_figures import (
    AT,
    COUNTS,
    HOURS_SINCE_RAISED,
    MOMENT,
    REPLY_LATE,
    RESPONSE_IN_TIME,
    WORK_CLOCK,
    WORK_HOURS_SINCE_RAISED,
)
from domain.calendar import CHINA_TZ
from domain.conditions import Condition, Rule, Term
from infrastructure.database import conninfo
from infrastructure.metrics.appeal_row import AppealRow
from infrastructure.metrics.columns import APPEAL_COLUMNS
from infrastructure.metrics.rules_sql import AWAITING, NOT_YET_DUE, flag, sql

#: Every rule the metrics' SQL is written from, by name.
RULES: dict[str, Rule] = {
    **{f"counts in {figure.value}": condition for figure, condition in COUNTS.items()},
    "awaiting": AWAITING,
    "not yet due": NOT_YET_DUE,
    "response in time": RESPONSE_IN_TIME,
    "reply late": REPLY_LATE,
    "hours since raised": HOURS_SINCE_RAISED,
    "working hours since raised": WORK_HOURS_SINCE_RAISED,
}
#: The SQL types of the fields the rules read (as `metrics_appeals` has them).
FIELD_TYPES = {
    "raised_at": "timestamptz",
    "raised_clock": "double precision",
    "response_due": "timestamptz",
    "reply_due": "timestamptz",
    "awaiting_due": "timestamptz",
    "first_response_at": "timestamptz",
    "responded_in_time": "boolean",
    "replied_at": "timestamptz",
    "late_replies": "integer",
    "resolved": "boolean",
    "rating": "text",
    "reopened": "integer",
    "transfers": "integer",
}
T0 = datetime(2031, 3, 3, 9, 0, tzinfo=CHINA_TZ)
#: Moments a few hours apart, so comparisons come out before, equal and after; one at an
#: odd fraction of a second, so durations are not whole numbers.
MOMENTS = [T0 + timedelta(hours=hours) for hours in (0, 1, 24, 72)] + [
    T0 + timedelta(hours=30, minutes=17, seconds=3, microseconds=250_001)
]


def _value(rng: random.Random, field: str) -> Any:
    """A value of `field`, unset one time in four where the column may be unset."""
    kind = FIELD_TYPES[field]
    if field not in ("raised_at", "raised_clock") and rng.random() < 0.25:
        return None
    if kind == "timestamptz":
        return rng.choice(MOMENTS)
    if kind == "boolean":
        return rng.random() < 0.5
    if kind == "integer":
        return rng.randint(0, 4)
    if kind == "text":
        return rng.choice(["satisfied", "basically_satisfied", "dissatisfied"])
    return rng.choice([0.0, 100.0, 107.5])


def _records(count: int) -> Iterator[tuple[SimpleNamespace, dict[str, Any]]]:
    """Records with every field the rules read, and the values given with them."""
    rng = random.Random(24)  # noqa: S311 - reproducible test data
    for _ in range(count):
        record = SimpleNamespace(**{field: _value(rng, field) for field in FIELD_TYPES})
        given = {
            AT.name: rng.choice(MOMENTS),
            WORK_CLOCK.name: rng.choice([100.0, 109.25, 130.0]),
            MOMENT.name: rng.choice(MOMENTS),
        }
        yield record, given


def _python(rule: Rule, record: object, given: dict[str, Any]) -> Any:
    if isinstance(rule, Condition):
        return rule.truth(record, given)
    assert isinstance(rule, Term)
    return rule.value(record, given)


@pytest.fixture
def connection(database_url: str) -> Iterator[psycopg.Connection[Any]]:
    """A connection to the session's database."""
    with psycopg.connect(conninfo(database_url)) as conn:
        yield conn


def test_every_rule_written_as_sql_computes_what_python_computes(
    connection: psycopg.Connection[Any],
) -> None:
    rules = list(RULES.values())
    columns = [f"{sql(rule)} AS r{i}" for i, rule in enumerate(rules)]
    # A condition as a flag counts exactly where it holds: true or false, never NULL.
    columns += [
        f"{flag(rule)} AS f{i}" for i, rule in enumerate(rules) if isinstance(rule, Condition)
    ]
    row = ", ".join(f"%({field})s::{kind} AS {field}" for field, kind in FIELD_TYPES.items())
    query = f"SELECT {', '.join(columns)} FROM (SELECT {row}) r"  # noqa: S608  # the rules' SQL
    compared = 0
    with connection.cursor(row_factory=dict_row) as curs:
        for record, given in _records(300):
            result = curs.execute(query, {**vars(record), **given}).fetchone()
            assert result is not None
            for i, (name, rule) in enumerate(RULES.items()):
                assert result[f"r{i}"] == _python(rule, record, given), (name, record, given)
                if isinstance(rule, Condition):
                    assert result[f"f{i}"] is rule.holds(record, given), (name, record, given)
                compared += 1
    assert compared == 300 * len(RULES)


def test_the_rules_read_columns_of_the_appeal_row() -> None:
    read = {name for rule in RULES.values() for name in rule.fields()}

    assert read == set(FIELD_TYPES)
    assert read <= set(APPEAL_COLUMNS)
    assert read <= set(AppealRow.__dataclass_fields__)
