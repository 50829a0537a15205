"""Readable case numbers: HY-<year>-<six digits>, never repeated, per year of raising."""

from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

from application.casework import AppealDraft, Casework
from application.clock import ManualClock
from domain.actors import Actor, Role
from domain.appeal import Appellant
from domain.terms import Channel, Kind

CLERK = Actor("clerk", Role.UNION_STAFF)


def draft() -> AppealDraft:
    return AppealDraft(
        Channel.DEPARTMENT_LIAISON,
        Kind.QUESTION,
        "pay",
        "夜班津贴标准",
        "夜班津贴如何计算",
        appellant=Appellant("赵强", "E40001"),
    )


def test_case_numbers_are_readable_and_unique_under_concurrency(casework: Casework) -> None:
    with ThreadPoolExecutor(max_workers=4) as pool:
        numbers = list(
            pool.map(lambda _: casework.raise_appeal(draft(), CLERK).case_number, range(20))
        )

    assert len(set(numbers)) == 20
    assert all(re.fullmatch(r"HY-\d{4}-\d{6}", n) for n in numbers)


def test_the_year_is_the_local_year_of_raising(casework: Casework, clock: ManualClock) -> None:
    clock.set(datetime(2025, 12, 31, 17, 30, tzinfo=UTC))  # already 2026-01-01 in Beijing

    number = casework.raise_appeal(draft(), CLERK).case_number

    assert number.startswith("HY-2026-")
