"""CSV cells: text a spreadsheet would run as a formula is quoted; everything else is kept."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from api.schemas.metrics import to_csv
from api.spreadsheet import cell


@pytest.mark.parametrize(
    "text",
    ["=1+2", "+86 138", "-研发部", "@SUM(A1)", "\t=1", "\r=1", '=HYPERLINK("http://x")'],
)
def test_text_starting_like_a_formula_gets_a_leading_quote(text: str) -> None:
    assert cell(text) == "'" + text


@pytest.mark.parametrize("value", ["后勤服务中心", "a=b", "", -2, Decimal("-0.5"), None, 3.5])
def test_other_text_and_every_number_stay_as_they_are(value: Any) -> None:
    assert cell(value) == value


def test_a_metrics_table_quotes_formula_keys_and_keeps_negative_points() -> None:
    text = to_csv([{"department": "=cmd|' /C calc'!A0", "points": -2}], ["department", "points"])

    assert text.splitlines() == ["department,points", "'=cmd|' /C calc'!A0,-2"]
