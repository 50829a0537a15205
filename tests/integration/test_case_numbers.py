"""Readable case numbers: HY-<year>-<six digits>, never repeated, per year of raising."""

from __future__ import annotations

import re
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

import psycopg

from api.bootstrap import Services
from application.casework import AppealDraft, Casework
from application.clock import ManualClock
from domain.actors import Actor, Role
from domain.appeal import Appellant
from domain.terms import Channel, Kind
from infrastructure.database import conninfo
from infrastructure.store import SupportStore

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


def test_the_first_numbers_of_a_new_year_taken_at_once_all_succeed(services: Services) -> None:
    """On the first working day of a year, appeals raised at the same moment in two
    processes (two stores) and several threads each get a number."""
    year = 2999
    url = conninfo(services.database_url)
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f"DROP SEQUENCE IF EXISTS huiyin_case_no_{year}")
    stores = [SupportStore(url, pool_size=4), SupportStore(url, pool_size=4)]
    for store in stores:
        store.open()
    start = threading.Barrier(8)

    def take(index: int) -> int:
        start.wait()
        return stores[index % 2].next_case_number(year)

    try:
        with ThreadPoolExecutor(max_workers=8) as pool:
            numbers = sorted(pool.map(take, range(8)))
    finally:
        for store in stores:
            store.close()
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute(f"DROP SEQUENCE IF EXISTS huiyin_case_no_{year}")

    assert numbers == list(range(1, 9))
