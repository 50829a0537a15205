"""工作台: (pages to come)."""

from __future__ import annotations

from fastapi import APIRouter, Depends

from api.web.deps import check_csrf

router = APIRouter(prefix="/web", include_in_schema=False, dependencies=[Depends(check_csrf)])
