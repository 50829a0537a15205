"""CSV cells a spreadsheet shows as text, never runs as a formula (CSV injection).

Excel, WPS and LibreOffice treat a cell beginning with `=`, `+`, `-` or `@` (or a tab or
carriage return before one) as a formula, so a department or category typed as
`=HYPERLINK(...)` would run on the auditor's machine when the export is opened. Such text
cells get a leading `'`, which the spreadsheet hides and shows the rest as text (OWASP's
advice). Numbers are left alone (a penalty of -2 stays a number); the JSON exports carry
every value exactly as stored.
"""

from __future__ import annotations

from typing import Any

#: What makes a spreadsheet read a cell as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def cell(value: Any) -> Any:
    """`value` as a CSV cell: text that a spreadsheet would run is quoted with `'`."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value
