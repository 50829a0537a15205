"""The domain's figure rules as the metrics view writes them in SQL (their results on
PostgreSQL: `tests/integration/test_metrics_rules.py`)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace

from domain.appeal_figures import COUNTS, MOMENT, RESPONSE_IN_TIME, Figure
from infrastructure.metrics.rollup import COUNT_INPUTS
from infrastructure.metrics.rules_sql import AWAITING, COUNTED, NOT_YET_DUE, sql
from tests.unit.builders import at


def test_overdue_open_is_the_appeals_awaiting_less_those_not_yet_due() -> None:
    moment = at(24)
    for due in (None, moment - timedelta(hours=1), moment, moment + timedelta(hours=1)):
        row, given = SimpleNamespace(awaiting_due=due), {MOMENT.name: moment}

        split = AWAITING.holds(row, given) and not NOT_YET_DUE.holds(row, given)

        assert COUNTS[Figure.OVERDUE_OPEN].holds(row, given) is split, due


def test_the_rules_are_written_the_same_in_every_process() -> None:
    # The text is part of the view's schema digest: sets are written sorted, so a start
    # finds the statements unchanged whatever the order of the set in this process.
    assert sql(COUNTS[Figure.SATISFIED]) == "(rating IN ('basically_satisfied', 'satisfied'))"
    assert sql(RESPONSE_IN_TIME) == "(%(at)s <= COALESCE(response_due, reply_due, %(at)s))"


def test_the_roll_up_columns_keep_the_order_the_tables_were_made_with() -> None:
    # `metrics_counts` has these columns in this order in every database made so far, and
    # its INSERTs and row type are positional: a new figure goes last (and needs its column).
    assert list(COUNTED) == [
        "responded",
        "responded_in_time",
        "replied",
        "resolved",
        "rated",
        "satisfied",
        "overdue_closed",
        "reopened",
        "transferred_3_plus",
        "awaiting",
    ]
    # The trigger sums again when any column a counted rule reads changes.
    assert set(COUNT_INPUTS) == {"department"} | {
        field for figure in Figure if figure in COUNTS for field in COUNTS[figure].fields()
    }


def test_the_metrics_page_shows_each_figure_as_the_code_writes_it() -> None:
    page = (Path(__file__).parents[2] / "docs" / "metrics.md").read_text(encoding="utf-8")
    rows = {
        cells[1].strip("` "): cells[3].strip("` ")
        for line in page.splitlines()
        if line.startswith("| `") and len(cells := line.split("|")) == 5
    }

    assert rows == {figure.value: sql(condition) for figure, condition in COUNTS.items()}
