"""Reading an export back as Excel or WPS would: a CSV (which must start with the UTF-8
byte-order mark) and an .xlsx workbook, each as a list of rows keyed by the header."""

from __future__ import annotations

import csv
import io
from typing import Any

import httpx
import openpyxl

from api.xlsx import XLSX_MEDIA_TYPE

BOM = b"\xef\xbb\xbf"


def csv_rows(response: httpx.Response) -> list[dict[str, str]]:
    """The CSV's rows; fails unless it is UTF-8 with a byte-order mark."""
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert response.content.startswith(BOM), response.content[:20]
    return list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))


def xlsx_rows(response: httpx.Response) -> list[dict[str, Any]]:
    """The workbook's first sheet's rows, read with openpyxl, under its header row."""
    assert response.status_code == 200, response.text[:500]
    assert response.headers["content-type"] == XLSX_MEDIA_TYPE
    assert response.headers["content-disposition"].endswith('.xlsx"')
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).worksheets[0]
    header, *rows = list(sheet.iter_rows(values_only=True))
    return [dict(zip(header, row, strict=True)) for row in rows]
