"""The pages, one module per area; `PAGES` is what the app includes, in this order."""

from __future__ import annotations

from fastapi import APIRouter

from api.web.pages import (
    appeal_case,
    audit,
    board,
    department,
    employee,
    sign_in,
    workbench,
)

PAGES: tuple[APIRouter, ...] = tuple(
    module.router
    for module in (sign_in, board, employee, appeal_case, workbench, department, audit)
)
