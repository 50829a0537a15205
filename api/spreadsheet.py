"""Cells a spreadsheet shows as text, never runs as a formula (CSV injection), and the CSV
the exports write.

Excel, WPS and LibreOffice treat a cell beginning with `=`, `+`, `-` or `@` (or a tab or
carriage return before one) as a formula, so a department or category typed as
`=HYPERLINK(...)` would run on the auditor's machine when the export is opened. In CSV such
text cells get a leading `'`, which the spreadsheet hides and shows the rest as text (OWASP's
advice); in .xlsx they are stored as text marked "quoted" (`api.xlsx`). Numbers are left
alone (a penalty of -2 stays a number); the JSON exports carry every value exactly as stored.

An export's rows are typed values (text, numbers, moments, None, JSON-able dicts), rendered
here as CSV and by `api.xlsx` as a workbook, so both hold the same rows.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator, Sequence
from datetime import date, datetime
from typing import Any
from uuid import UUID

#: What makes a spreadsheet read a cell as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
#: The UTF-8 byte-order mark: Excel and WPS on a Chinese Windows PC read a CSV without it in
#: the local code page (GBK), showing the Chinese as mojibake.
BOM = "\ufeff"


def runs_as_formula(text: str) -> bool:
    """Whether a spreadsheet would read `text` as a formula."""
    return text.startswith(FORMULA_STARTS)


def cell(value: Any) -> Any:
    """`value` as a CSV cell: text that a spreadsheet would run is quoted with `'`."""
    if isinstance(value, str) and runs_as_formula(value):
        return "'" + value
    return value


def as_text(value: Any) -> Any:
    """A value no spreadsheet cell holds as it is, as text: a UUID as its string, a dict or
    list as JSON (Chinese as it is); any other value unchanged."""
    if isinstance(value, UUID):
        return str(value)
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    return value


def csv_value(value: Any) -> Any:
    """A typed value as a CSV cell: None empty, a moment in ISO 8601, text guarded."""
    if value is None:
        return ""
    if isinstance(value, datetime | date):
        return value.isoformat()
    return cell(as_text(value))


def csv_lines(columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> Iterator[str]:
    """The header row, then each row, as CSV lines (no BOM: the response adds it)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(columns)
    yield _taken(buffer)
    for row in rows:
        writer.writerow([csv_value(value) for value in row])
        yield _taken(buffer)


def _taken(buffer: io.StringIO) -> str:
    text = buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    return text
