"""Export responses: CSV (with the UTF-8 byte-order mark) and .xlsx, from the same typed rows.

The convention, for every export: where a request asks for CSV — a path ending in `.csv`,
or `format=csv` — the same request with `xlsx` in its place (`.xlsx`, `format=xlsx`) gets the
same rows as an .xlsx workbook (`api.xlsx`). Each route declares both media types in the
OpenAPI document (`EXPORT_RESPONSES`, `XLSX_RESPONSE`).
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator, Sequence
from enum import StrEnum
from typing import Any

from fastapi.responses import StreamingResponse

from api.spreadsheet import BOM, csv_lines
from api.xlsx import XLSX_MEDIA_TYPE, file_chunks, write_workbook

CSV_MEDIA_TYPE = "text/csv; charset=utf-8"
#: CSV lines sent together, so neither side holds the whole export.
LINES_PER_CHUNK = 500

#: What an .xlsx answer is, in the OpenAPI document.
XLSX_CONTENT: dict[str, Any] = {
    XLSX_MEDIA_TYPE: {
        "schema": {"type": "string", "format": "binary"},
        "example": "(an .xlsx workbook: the CSV's rows, typed)",
    }
}
CSV_CONTENT: dict[str, Any] = {"text/csv": {"schema": {"type": "string"}}}
#: A route answering CSV or .xlsx (chosen by path or `format`), declared beside its JSON.
EXPORT_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {"content": {**CSV_CONTENT, **XLSX_CONTENT}},
}
#: A route answering .xlsx only.
XLSX_RESPONSE: dict[int | str, dict[str, Any]] = {200: {"content": XLSX_CONTENT}}


class ExportFormat(StrEnum):
    """The forms a spreadsheet export takes."""

    CSV = "csv"
    XLSX = "xlsx"


def export_response(
    form: ExportFormat,
    columns: Sequence[str],
    rows: Iterable[Sequence[Any]],
    name: str,
    sheet: str = "export",
) -> StreamingResponse:
    """The rows under `columns` as a download named `name`.csv or `name`.xlsx."""
    if form is ExportFormat.XLSX:
        return xlsx_response(columns, rows, name, sheet)
    return csv_response(csv_lines(columns, rows), name)


def csv_response(lines: Iterable[str], name: str) -> StreamingResponse:
    """CSV lines, streamed after the byte-order mark, as the download `name`.csv."""
    return lines_response(itertools.chain([BOM], lines), CSV_MEDIA_TYPE, f"{name}.csv")


def lines_response(lines: Iterable[str], media_type: str, filename: str) -> StreamingResponse:
    """Lines sent a few hundred at a time, so neither side holds the whole export."""

    def chunks() -> Iterator[bytes]:
        batch: list[str] = []
        for line in lines:
            batch.append(line)
            if len(batch) >= LINES_PER_CHUNK:
                yield "".join(batch).encode()
                batch.clear()
        if batch:
            yield "".join(batch).encode()

    return _download(chunks(), media_type, filename)


def xlsx_response(
    columns: Sequence[str], rows: Iterable[Sequence[Any]], name: str, sheet: str = "export"
) -> StreamingResponse:
    """The rows as an .xlsx workbook (written to a temporary file first), as `name`.xlsx."""
    workbook = write_workbook(columns, rows, sheet)
    return _download(file_chunks(workbook), XLSX_MEDIA_TYPE, f"{name}.xlsx")


def _download(body: Iterator[bytes], media_type: str, filename: str) -> StreamingResponse:
    return StreamingResponse(
        body,
        media_type=media_type,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
