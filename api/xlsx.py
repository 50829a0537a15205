"""The .xlsx form of every export: one workbook writer, used by every route that exports.

Excel and WPS open an .xlsx with its Chinese intact whatever the PC's code page (a CSV needs
its byte-order mark for that, and still loses types). The rows are the CSV's rows, typed:
moments are real Excel dates (in China Standard Time, as the people reading them live;
Excel holds no time zones), numbers are numbers, text is text. Text that a spreadsheet would
run as a formula is stored as text and marked quoted, so it neither runs nor becomes a
formula when the cell is edited (`api.spreadsheet`).

openpyxl's write-only mode writes each row to a temporary file as it comes, with inline
strings, so an export of any length takes constant memory; the finished file is streamed.
"""

from __future__ import annotations

import re
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from datetime import date, datetime
from typing import IO, Any
from zoneinfo import ZoneInfo

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from api.spreadsheet import as_text, runs_as_formula

#: The media type of an .xlsx workbook.
XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
#: Moments in a workbook are in China Standard Time.
SHOWN_IN = ZoneInfo("Asia/Shanghai")
DATE_TIME_FORMAT = "yyyy-mm-dd hh:mm:ss"
DATE_FORMAT = "yyyy-mm-dd"
#: The most characters a cell holds (Excel's limit); longer text is cut, and says so.
CELL_LIMIT = 32_767
CUT_NOTE = "…[超出单元格上限，已截断；完整内容见 CSV 或 JSON Lines 导出]"
#: Characters XML 1.0 cannot carry (openpyxl refuses them): shown as U+FFFD.
UNWRITABLE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
CHUNK = 64 * 1024
#: Every column's width, in characters (a write-only sheet is sized before its rows come).
COLUMN_WIDTH = 18
#: A sheet's name: at most 31 characters, none of these.
SHEET_NAME_UNSAFE = re.compile(r"[\[\]:*?/\\]")


def xlsx_cell(sheet: Any, value: Any) -> WriteOnlyCell:
    """A typed value as a cell of `sheet`."""
    value = as_text(value)
    if isinstance(value, datetime):
        local = value.astimezone(SHOWN_IN) if value.tzinfo else value
        cell = WriteOnlyCell(sheet, local.replace(tzinfo=None))
        cell.number_format = DATE_TIME_FORMAT
        return cell
    if isinstance(value, date):
        cell = WriteOnlyCell(sheet, value)
        cell.number_format = DATE_FORMAT
        return cell
    if not isinstance(value, str):
        return WriteOnlyCell(sheet, value)
    return _text_cell(sheet, value)


def _text_cell(sheet: Any, text: str) -> WriteOnlyCell:
    text = UNWRITABLE.sub("\ufffd", text)
    if len(text) > CELL_LIMIT:
        text = text[: CELL_LIMIT - len(CUT_NOTE)] + CUT_NOTE
    cell = WriteOnlyCell(sheet, None)
    cell.value = text
    cell.data_type = "s"  # text, even when it begins with "=" (openpyxl would write a formula)
    if runs_as_formula(text):
        cell.quotePrefix = True
    return cell


def write_workbook(
    columns: Sequence[str], rows: Iterable[Sequence[Any]], sheet_title: str = "export"
) -> IO[bytes]:
    """The rows under a bold header row, as an .xlsx in a temporary file (at its start; the
    caller closes it, which deletes it)."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet(title=sheet_name(sheet_title))
    sheet.freeze_panes = "A2"
    for number in range(1, len(columns) + 1):
        sheet.column_dimensions[get_column_letter(number)].width = COLUMN_WIDTH
    bold = Font(bold=True)
    header = []
    for name in columns:
        heading = xlsx_cell(sheet, name)
        heading.font = bold
        header.append(heading)
    sheet.append(header)
    for row in rows:
        sheet.append([xlsx_cell(sheet, value) for value in row])
    file = tempfile.TemporaryFile()  # noqa: SIM115  # handed to the caller, who closes it
    try:
        book.save(file)
    except BaseException:
        file.close()
        raise
    file.seek(0)
    return file


def sheet_name(title: str) -> str:
    """`title` as a sheet's name Excel accepts."""
    return SHEET_NAME_UNSAFE.sub("_", title)[:31] or "export"


def file_chunks(file: IO[bytes]) -> Iterator[bytes]:
    """The file's bytes, a chunk at a time; the file is closed (deleted) at the end."""
    try:
        while chunk := file.read(CHUNK):
            yield chunk
    finally:
        file.close()
