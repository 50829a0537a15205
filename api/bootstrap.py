"""The one place that wires settings, database, cipher and application together."""

from __future__ import annotations

import contextlib
import logging
from base64 import b64encode
from collections.abc import Iterator
from contextlib import AbstractContextManager as ContextManager
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial

import psycopg

from api.notice_work import decider_specs, note_where_notices_start, notice_work
from application.accountability import Accountability
from application.casework import Casework, Clock
from application.credentials import Credentials
from application.deadline_watch import DeadlineWatch, watch_forever
from application.disclosures import Disclosures
from application.erasures import Erasures
from application.meetings import Meetings
from application.monthly_reports import MonthlyReports
from application.reviews import Reviews
from application.webhooks import Webhooks
from domain.calendar import CalendarAdjustments, WorkingCalendar, configure, configured
from domain.card import CardPolicy
from domain.deadlines import DeadlinePolicy, configure_policy, policy_in_force
from domain.monthly_report import FilingPolicy
from infrastructure.calendar_file import load_adjustments
from infrastructure.chain import ChainKeeper
from infrastructure.database import conninfo, embedded_server, ensure_database, eventsourcing_env
from infrastructure.key_erasure import KeyErasure
from infrastructure.keyring import Keyring
from infrastructure.keys import resolve_cipher_key
from infrastructure.log_redaction import keep_out_of_logs
from infrastructure.sealing import forget_cached_aggregates, sealed_events_env
from infrastructure.settings import Settings
from infrastructure.store import SupportStore
from infrastructure.view_host import Views
from infrastructure.webhook_endpoints import WebhookEndpoints
from infrastructure.webhook_tables import create_tables as create_webhook_tables
from infrastructure.worker import looping, worker_process
from projections.deadline_board import DeadlineBoardView
from projections.penalty_ledger import PenaltyLedgerView

log = logging.getLogger("huiyin")


@dataclass
class Services:
    """Everything a request or a CLI command needs, built once."""

    settings: Settings
    database_url: str
    casework: Casework
    meetings: Meetings
    store: SupportStore
    views: Views
    chain: ChainKeeper
    accountability: Accountability
    reviews: Reviews
    watch: DeadlineWatch
    disclosures: Disclosures
    monthly_reports: MonthlyReports
    credentials: Credentials
    keyring: Keyring
    erasures: Erasures
    webhooks: Webhooks


def deadline_policy(settings: Settings) -> DeadlinePolicy:
    """The deadline rules, with the numbers from settings."""
    return DeadlinePolicy(
        reply_working_days=settings.reply_working_days,
        urgent_response_hours=settings.urgent_response_hours,
        grid_response_hours=settings.grid_response_hours,
        performance_review_working_days=settings.performance_review_working_days,
    )


@contextlib.contextmanager
def deadline_rules(settings: Settings) -> Iterator[DeadlinePolicy]:
    """The deadline rules in force for the process (events stored before a deadline was
    kept on them read it back by these rules), for as long as the context lasts."""
    before = policy_in_force()
    policy = deadline_policy(settings)
    configure_policy(policy)
    try:
        yield policy
    finally:
        configure_policy(before)


@contextlib.contextmanager
def working_calendar(settings: Settings) -> Iterator[WorkingCalendar]:
    """The working-day calendar, counting every calendar of the process (the metrics'
    working hours too) with the published days of `HUIYIN_CALENDAR_FILE`, for as long as
    the context lasts."""
    before = configured()
    path = settings.calendar_file
    configure(load_adjustments(path) if path is not None else CalendarAdjustments())
    try:
        yield WorkingCalendar()
    finally:
        configure(before)


#: The years this process has warned of (a process warns of each year once).
_WARNED_YEARS: set[int] = set()


def warn_of_projected_years(
    calendar: WorkingCalendar, now: datetime, *, warned: set[int] | None = None
) -> None:
    """Logs, a line each, the years deadlines set now may fall in whose published schedule is
    missing; with `warned`, only the years not in it, which are then added to it."""
    for year in calendar.projected_years(now):
        if warned is not None:
            if year in warned:
                continue
            warned.add(year)
        log.warning(
            "the working-day calendar of %d is projected (holidays lacks its published "
            "schedule): deadlines in %d may be off by a few days; see HUIYIN_CALENDAR_FILE",
            year,
            year,
        )


def card_policy(settings: Settings) -> CardPolicy:
    """The red and yellow card thresholds (红黄牌预警), with the numbers from settings."""
    return CardPolicy(
        yellow_penalty_points=settings.yellow_card_penalty_points,
        red_penalty_points=settings.red_card_penalty_points,
        yellow_overdue=settings.yellow_card_overdue,
        red_overdue=settings.red_card_overdue,
        period_days=settings.card_period_days,
        rectification_working_days=settings.rectification_working_days,
    )


@contextlib.contextmanager
def database_url(settings: Settings) -> Iterator[str]:
    """The configured server's URL, or an embedded server's for as long as the context lasts."""
    if settings.database_url:
        ensure_database(settings.database_url)
        yield settings.database_url
    else:
        with embedded_server(settings.data_dir) as url:
            yield url


@contextlib.contextmanager
def schema_lock(info: str) -> Iterator[None]:
    """Serialises creating tables and functions across processes starting at once.

    `CREATE OR REPLACE FUNCTION` from two sessions at the same moment fails with "tuple
    concurrently updated"; a server and a CLI command started together must not collide.
    """
    with psycopg.connect(info, autocommit=True) as conn:
        conn.execute("SELECT pg_advisory_lock(%s)", (SCHEMA_LOCK,))
        try:
            yield
        finally:
            conn.execute("SELECT pg_advisory_unlock(%s)", (SCHEMA_LOCK,))


#: The advisory lock key held while a process creates Huiyin's tables and functions.
SCHEMA_LOCK = 0x48_55_49_59_49_4E  # "HUIYIN"


def watching_in_background(watch: DeadlineWatch, settings: Settings) -> ContextManager[None]:
    """The deadline watcher, sweeping in a thread until the context ends."""
    interval = settings.watch_interval_seconds
    return looping("deadline-watcher", partial(watch_forever, watch, interval=interval))


@contextlib.contextmanager
def build_services(
    settings: Settings, *, clock: Clock | None = None, calendar_warning: bool = False
) -> Iterator[Services]:
    """Starts everything Huiyin needs and closes it again on exit.

    With `calendar_warning` (a server starting, the demo), warns of years the working-day
    calendar projects, once per process; commands that set no deadlines pass without it.
    """
    with (
        working_calendar(settings) as calendar,
        deadline_rules(settings) as rules,
        database_url(settings) as url,
    ):
        env = eventsourcing_env(
            url,
            pool_size=settings.pool_size,
            db_functions=settings.db_functions,
            wait_seconds=settings.database_wait_seconds,
        )
        # The master key is checked against the store before anything is written to it.
        master = resolve_cipher_key(settings)
        keyring = Keyring.open(conninfo(url), master)
        env.update(sealed_events_env(keyring))
        keep_out_of_logs(b64encode(master).decode(), env["CIPHER_KEY"], env["POSTGRES_PASSWORD"])
        # Cached aggregates are fast-forwarded from the store on every read, so several
        # processes may write: the cache saves decrypting and replaying, never a read.
        if settings.aggregate_cache_size:
            env["AGGREGATE_CACHE_MAXSIZE"] = str(settings.aggregate_cache_size)
        store = SupportStore(conninfo(url), wait_seconds=settings.database_wait_seconds)
        with schema_lock(conninfo(url)):
            store.open()
            with psycopg.connect(conninfo(url), autocommit=True) as conn:
                create_webhook_tables(conn)
            casework = Casework(
                env,
                clock=clock,
                calendar=calendar,
                policy=rules,
                case_numbers=store,
                request_keys=store,
            )
            # Erasure anywhere: cached aggregates may hold what was just erased.
            keyring.on_forget(lambda: forget_cached_aggregates(casework))
            read = settings.read_database_url  # a replica the views' queries go to
            views = Views(env, conninfo(url), read_url=read, read_pool_size=settings.pool_size)
            views.create_tables()
            if settings.notices:
                note_where_notices_start(env)
        if calendar_warning:
            warn_of_projected_years(calendar, casework.now(), warned=_WARNED_YEARS)
        chain = ChainKeeper(conninfo(url), wait_seconds=settings.database_wait_seconds)
        # Background work: view runners (and the notice decider), chain follower, deadline
        # watcher (and the reminder sweep), webhook sender — in a child process (serve's
        # default) or as threads here.
        background = contextlib.ExitStack()
        wanted = (
            settings.projections or settings.chain_follow or settings.watcher or settings.notices
        )
        in_child = settings.background_process and wanted
        try:
            chain.open()
            if in_child:
                background.enter_context(worker_process(settings, url, b64encode(master).decode()))
            if settings.chain_follow and not in_child:
                background.enter_context(chain.following())
            if settings.projections and not in_child:
                views.start_runners(also=decider_specs(settings))
            meetings = Meetings(casework)
            accountability = Accountability(
                casework,
                policy=card_policy(settings),
                union_office=settings.union_office_department,
            )
            monthly_reports = MonthlyReports(
                casework,
                accountability,
                policy=FilingPolicy(working_days=settings.monthly_report_working_days),
                union_office=settings.union_office_department,
            )
            watch = DeadlineWatch(
                casework,
                meetings,
                accountability,
                views.typed("deadline_board", DeadlineBoardView),  # type: ignore[type-abstract]
                reports=monthly_reports,
                ledger=views.typed("penalty_ledger", PenaltyLedgerView),  # type: ignore[type-abstract]
            )
            if settings.watcher and not in_child:
                background.enter_context(watching_in_background(watch, settings))
            if settings.notices and not in_child:
                background.enter_context(
                    notice_work(settings, url, calendar, casework, keyring.store_key)
                )
            erasures = Erasures(casework, KeyErasure(keyring), store)
            erasures.finish_pending()  # one confirmed before the service last stopped
            yield Services(
                settings=settings,
                database_url=url,
                casework=casework,
                meetings=meetings,
                store=store,
                views=views,
                chain=chain,
                accountability=accountability,
                reviews=Reviews(casework),
                watch=watch,
                disclosures=Disclosures(casework, meetings, chain),
                monthly_reports=monthly_reports,
                credentials=Credentials(
                    store,
                    casework.directory,
                    casework.now,
                    lifetime=timedelta(days=settings.token_days),
                    keys_seen=keyring.observe,
                ),
                erasures=erasures,
                keyring=keyring,
                webhooks=Webhooks(
                    WebhookEndpoints(store.pool, keyring.store_key), casework.directory
                ),
            )
        finally:
            background.close()
            chain.close()
            views.close()
            casework.close()
            store.close()
            keyring.close()
