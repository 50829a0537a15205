"""Spreadsheet cells: text a spreadsheet would run as a formula is quoted in CSV and kept as
quoted text in .xlsx; everything else is kept, numbers as numbers and moments as dates."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import openpyxl
import pytest

from api.spreadsheet import cell, csv_lines
from api.xlsx import CELL_LIMIT, CUT_NOTE, write_workbook


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
    text = "".join(csv_lines(["department", "points"], [["=cmd|' /C calc'!A0", -2]]))

    assert text.splitlines() == ["department,points", "'=cmd|' /C calc'!A0,-2"]


def test_csv_writes_none_empty_moments_in_iso_8601_and_dicts_as_json() -> None:
    moment = datetime(2026, 11, 20, 2, 0, tzinfo=UTC)
    [_, line] = csv_lines(["a", "b", "c", "d"], [[None, moment, {"部门": "后勤"}, Decimal("0.5")]])

    assert line == ',2026-11-20T02:00:00+00:00,"{""部门"": ""后勤""}",0.5\r\n'


def test_an_xlsx_keeps_types_and_stores_formula_like_text_as_quoted_text() -> None:
    moment = datetime(2026, 11, 20, 2, 0, tzinfo=UTC)
    rows = [['=HYPERLINK("http://x")', moment, Decimal("0.8750"), -2, None, "后勤服务中心"]]
    with write_workbook(["a", "b", "c", "d", "e", "f"], rows) as file:
        sheet = openpyxl.load_workbook(file).active
        [header, row] = list(sheet.iter_rows())

    assert [c.value for c in header] == ["a", "b", "c", "d", "e", "f"]
    text, when, rate, points, empty, chinese = row
    assert (text.value, text.data_type, text.quotePrefix) == ('=HYPERLINK("http://x")', "s", True)
    assert when.value == datetime(2026, 11, 20, 10, 0)  # China Standard Time, as Excel holds it
    assert when.is_date
    assert (rate.value, points.value, empty.value) == (0.875, -2, None)
    assert chinese.value == "后勤服务中心"
    assert not chinese.quotePrefix


def test_text_past_a_cells_limit_is_cut_and_says_so() -> None:
    with write_workbook(["data"], [["长" * 40_000]]) as file:
        [[_], [cell_]] = openpyxl.load_workbook(file).active.iter_rows()

    assert len(cell_.value) == CELL_LIMIT
    assert cell_.value.endswith(CUT_NOTE)
