"""The pages, one module per area; `PAGES` is what the app includes, in this order."""

from __future__ import annotations

from fastapi import APIRouter

from api.web.pages import (
    appeal_case,
    audit,
    board,
    department,
    department_items,
    employee,
    receipt,
    sign_in,
    workbench,
    workbench_charts,
    workbench_penalties,
    workbench_report,
    workbench_reviews,
)

PAGES: tuple[APIRouter, ...] = tuple(
    module.router
    for module in (
        sign_in,
        board,
        employee,
        receipt,
        appeal_case,
        workbench,
        workbench_reviews,
        workbench_penalties,
        workbench_report,
        workbench_charts,
        department,
        department_items,
        audit,
    )
)
