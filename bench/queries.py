"""Queries at scale: metrics latency with many appeals, and the audit-trail export rate.

Phase 7 of the benchmark. Appeals are written in bulk through the domain (raise, transfer,
most acknowledged, many replied; spread over a year, departments, channels and categories),
saved 200 aggregates per transaction; the `metrics` and `audit_trail` views are rebuilt over
them (the rebuild rates at scale are printed too); then metrics queries are timed, live and
as of a past moment, and the whole audit trail is exported.
"""

from __future__ import annotations

import random
import statistics
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from uuid import uuid4

from psycopg import sql

from application.casework import Casework
from bench.measure import percentile
from domain.actors import Actor, Role
from domain.appeal import Appeal, Appellant
from domain.calendar import CHINA_TZ
from domain.terms import Channel, Kind, Urgency
from infrastructure.settings import Settings
from projections.audit_trail import AuditQuery, AuditTrailView
from projections.metrics import AppealQuery, Dimension, MetricsView, parse_period

CLERK = Actor("bench-clerk", Role.UNION_STAFF)
DEPARTMENT = Actor("bench-department", Role.DEPARTMENT)
DEPARTMENTS = [f"部门{n:02d}" for n in range(20)]
CATEGORIES = ["canteen", "pay", "safety", "housing", "training", "commute", "leave", "other"]
CHANNELS = [Channel.GRID_LIAISON, Channel.DEPARTMENT_LIAISON, Channel.RECEPTION_DAY]
METRICS_TARGET = 0.050  # seconds, p99
START = datetime(2025, 1, 1, 9, 0, tzinfo=CHINA_TZ)


@dataclass
class QueryOutcome:
    """What phase 7 measured."""

    appeals: int
    events: int
    write_seconds: float
    rebuilds: dict[str, float] = field(default_factory=dict)
    latencies: dict[str, list[float]] = field(default_factory=dict)
    export_rows: int = 0
    export_seconds: float = 0.0


def _appeal(
    casework: Casework, rng: random.Random, index: int, *, person: int | None = None
) -> Appeal:
    """Appeal number `index` (its case number), raised by employee number `person`
    (default: `index`, one appeal each), with its events pending."""
    person = index if person is None else person
    raised = START + timedelta(minutes=rng.randrange(0, 365 * 24 * 60))
    department = rng.choice(DEPARTMENTS)
    channel = rng.choice(CHANNELS)
    appeal = Appeal.raise_appeal(
        id=uuid4(),
        case_number=f"HY-BENCH-{index:07d}",
        channel=channel,
        kind=Kind.COMPLAINT,
        category=rng.choice(CATEGORIES),
        title="夜班食堂供餐时间太短",
        text="夜班下井前食堂只开放20分钟，来不及吃饭。",
        department=department,
        tier=None,
        urgency=Urgency.NORMAL,
        appellant=Appellant(name=f"职工{person}", employee_no=f"E{person:07d}"),
        receipt_hash=None,
        actor=CLERK,
        at=raised,
        response_deadline=casework.policy.response_deadline(channel, raised, casework.calendar),
    )
    transferred = raised + timedelta(hours=rng.randrange(1, 48))
    policy = casework.policy
    appeal.transfer(
        department=department,
        supervisor="union-vice-chair",
        reply_deadline=policy.reply_rule().apply(
            casework.calendar, raised_at=raised, transferred_at=transferred
        ),
        actor=CLERK,
        at=transferred,
    )
    if rng.random() < 0.85:
        acknowledged = transferred + timedelta(hours=rng.randrange(1, 72))
        appeal.acknowledge(note="已受理", actor=DEPARTMENT, at=acknowledged)
        if rng.random() < 0.75:
            appeal.reply_with(
                answer="已延长供餐时间",
                basis="《食堂管理办法》第三条",
                actor=DEPARTMENT,
                at=acknowledged + timedelta(hours=rng.randrange(1, 200)),
            )
    return appeal


def populate(casework: Casework, appeals: int, *, seed: int = 7) -> tuple[int, float]:
    """Writes `appeals` appeals in batches of 200 per transaction; (events, seconds)."""
    rng = random.Random(seed)
    started = time.perf_counter()
    events = 0
    batch: list[Appeal] = []
    for index in range(appeals):
        appeal = _appeal(casework, rng, index)
        events += len(appeal.pending_events)
        batch.append(appeal)
        if len(batch) == 200:
            casework.save(*batch)
            batch = []
    if batch:
        casework.save(*batch)
    return events, time.perf_counter() - started


def vacuum_log(casework: Casework) -> None:
    """VACUUM (ANALYZE) of the events table, outside any transaction."""
    recorder = casework.recorder
    datastore = recorder.datastore  # type: ignore[attr-defined]
    table = sql.SQL("{0}.{1}").format(
        sql.Identifier(datastore.schema),
        sql.Identifier(recorder.events_table_name),  # type: ignore[attr-defined]
    )
    with datastore.get_connection() as conn:
        conn.autocommit = True
        try:
            conn.execute(sql.SQL("VACUUM (ANALYZE) {0}").format(table))
        finally:
            conn.autocommit = False


def measure_queries(settings: Settings, *, appeals: int, samples: int) -> QueryOutcome:
    """Populates, rebuilds the two views, times metrics queries and the audit export."""
    from api.bootstrap import build_services

    quiet = settings.model_copy(
        update={"projections": False, "watcher": False, "chain_follow": False}
    )
    with build_services(quiet) as services:
        events, seconds = populate(services.casework, appeals)
        outcome = QueryOutcome(appeals=appeals, events=events, write_seconds=seconds)
        # What autovacuum does after a bulk load, done now rather than in the middle of the
        # timed rebuilds and queries.
        vacuum_log(services.casework)
        head = services.views.head()
        for name in ("metrics", "audit_trail"):
            started = time.perf_counter()
            services.views.rebuild(name)
            outcome.rebuilds[name] = head / (time.perf_counter() - started)
        metrics = services.views.typed("metrics", MetricsView)  # type: ignore[type-abstract]
        year = parse_period("2025")
        month = parse_period("2025-06")
        quarter = parse_period("2025-Q2")
        now = datetime.now(CHINA_TZ)
        queries = {
            "a month by department, live": (
                AppealQuery(month.start, month.end, now),
                Dimension.DEPARTMENT,
            ),
            "a month by department, as_of +10 days": (
                AppealQuery(month.start, month.end, now, as_of=month.end + timedelta(days=10)),
                Dimension.DEPARTMENT,
            ),
            "a quarter by department, live": (
                AppealQuery(quarter.start, quarter.end, now),
                Dimension.DEPARTMENT,
            ),
            "a quarter by department, as_of +10 days": (
                AppealQuery(
                    quarter.start, quarter.end, now, as_of=quarter.end + timedelta(days=10)
                ),
                Dimension.DEPARTMENT,
            ),
            "a year by department, live": (
                AppealQuery(year.start, year.end, now),
                Dimension.DEPARTMENT,
            ),
            "a year by category, live": (
                AppealQuery(year.start, year.end, now),
                Dimension.CATEGORY,
            ),
            "a year by department, as_of mid-year": (
                AppealQuery(year.start, year.end, now, as_of=START + timedelta(days=182)),
                Dimension.DEPARTMENT,
            ),
            "a year, one department by channel, live": (
                AppealQuery(year.start, year.end, now, department=DEPARTMENTS[3]),
                Dimension.CHANNEL,
            ),
        }
        for query, group_by in queries.values():
            metrics.appeal_groups(query, group_by)  # warm up
        outcome.latencies = {label: [] for label in queries}
        # Round-robin: a slow spell of the machine falls on every query alike.
        for _ in range(samples):
            for label, (query, group_by) in queries.items():
                started = time.perf_counter()
                metrics.appeal_groups(query, group_by)
                outcome.latencies[label].append(time.perf_counter() - started)
        audit = services.views.typed("audit_trail", AuditTrailView)  # type: ignore[type-abstract]
        started = time.perf_counter()
        outcome.export_rows = sum(1 for _ in audit.export_rows(AuditQuery()))
        outcome.export_seconds = time.perf_counter() - started
    return outcome


def query_lines(outcome: QueryOutcome) -> list[str]:
    """The phase's figures, with the 50 ms p99 target for metrics queries."""
    lines = [
        f"  {outcome.appeals:,} appeals, {outcome.events:,} events written in "
        f"{outcome.write_seconds:.1f} s ({outcome.events / outcome.write_seconds:,.0f} events/s,"
        " 200 aggregates per transaction)",
    ]
    lines += [
        f"  rebuild {name:<12} {rate:>9,.0f} events/s over the whole store"
        for name, rate in outcome.rebuilds.items()
    ]
    lines.append(
        f"  {'metrics query':<42} {'samples':>8} {'p50 ms':>8} {'p99 ms':>8}  target p99 < 50 ms"
    )
    for label, samples in outcome.latencies.items():
        p99 = percentile(samples, 99)
        verdict = "PASS" if p99 < METRICS_TARGET else "FAIL"
        lines.append(
            f"  {label:<42} {len(samples):>8} {statistics.median(samples) * 1000:>8.2f} "
            f"{p99 * 1000:>8.2f}  {verdict}"
        )
    rate = outcome.export_rows / outcome.export_seconds if outcome.export_seconds else 0.0
    lines.append(
        f"  audit-trail export: {outcome.export_rows:,} rows in {outcome.export_seconds:.2f} s "
        f"= {rate:,.0f} rows/s (rows read and built, no HTTP)"
    )
    return lines
