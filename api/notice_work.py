"""Wiring notices into background work (`api.bootstrap.build_services`).

- The notice decider (`decider_specs`): a projection run by the views' runner, on their
  subscription (one decode of each event, no connections of its own), where the view
  runners run (`settings.projections`), with one leader across processes by its own
  advisory lock. It is not one of the views, so `huiyin rebuild` and the view endpoints
  never touch it.
- The reminder sweep: a thread beside the deadline watcher (`settings.watcher`), every
  `watch_interval_seconds`, reading the board on the primary. Two instances sweeping at
  once record each reminder once (the notice's key is unique).
- The webhook sender (`notice_work`).

All only when `settings.notices`; in `huiyin serve` they run in the background child
(`huiyin work`) with the rest of the background work.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator, Mapping
from datetime import datetime
from functools import partial

from application.casework import Casework
from application.notice_delivery import NoticeDelivery
from application.reminders import ReminderSweep, remind_forever
from domain.calendar import WorkingCalendar
from domain.reminders import parse_leads
from infrastructure.database import conninfo
from infrastructure.notice_outbox import notices_spec
from infrastructure.projection_runner import ViewRunner
from infrastructure.reminder_sweep import PostgresReminderStore
from infrastructure.settings import Settings
from infrastructure.view_registry import ViewSpec, ViewStore, runner_env
from infrastructure.webhook_sender import WebhookSender
from infrastructure.worker import looping


@contextlib.contextmanager
def notice_work(
    settings: Settings, url: str, calendar: WorkingCalendar, casework: Casework, store_key: bytes
) -> Iterator[None]:
    """The notices work of this process besides the decider (which the views' runner runs):
    the reminder sweep where the watcher runs (`settings.watcher`), and the webhook sender."""
    with contextlib.ExitStack() as work:
        if settings.watcher:
            work.enter_context(reminding(settings, conninfo(url), calendar, casework.now))
        work.enter_context(webhook_sender(settings, conninfo(url), store_key, casework).running())
        yield


def decider_specs(settings: Settings) -> list[ViewSpec]:
    """The notice decider, for the views' runner to run beside the views (none with notices
    off)."""
    return [notices_spec(settings.union_office_department)] if settings.notices else []


def webhook_sender(
    settings: Settings, info: str, store_key: bytes, casework: Casework
) -> WebhookSender:
    """The outbox's sender, making messages through the application (`running()` starts it)."""
    delivery = NoticeDelivery(
        casework, public_url=settings.public_url, mail=settings.smtp_host is not None
    )
    return WebhookSender(info, store_key, settings, delivery)


def note_where_notices_start(env: Mapping[str, str]) -> None:
    """Records, on a store's first start with notices on, the head of the event log as the
    point the decider starts from — at start-up, before this process answers any command,
    so nothing acknowledged after it goes untold while the background worker is starting."""
    store = ViewStore(runner_env(env))
    try:
        store.view(notices_spec()).position()
    finally:
        store.close()


@contextlib.contextmanager
def deciding_notices(settings: Settings, env: Mapping[str, str], conninfo: str) -> Iterator[None]:
    """The notice decider on a runner of its own (in a process that runs no views),
    following the events until the context ends."""
    runner = ViewRunner(notices_spec(settings.union_office_department), env, conninfo)
    runner.start()
    try:
        yield
    finally:
        runner.stop()


def reminder_sweep(
    settings: Settings,
    conninfo: str,
    calendar: WorkingCalendar,
    now: Callable[[], datetime],
    *,
    schema: str = "public",
) -> tuple[ReminderSweep, PostgresReminderStore]:
    """The sweep with the configured leads, and the store it reads and writes (to close)."""
    store = PostgresReminderStore(
        conninfo, union_office=settings.union_office_department, schema=schema
    )
    leads = parse_leads(settings.reminder_leads)
    return ReminderSweep(store, leads, calendar, now), store


@contextlib.contextmanager
def reminding(
    settings: Settings, conninfo: str, calendar: WorkingCalendar, now: Callable[[], datetime]
) -> Iterator[None]:
    """The reminder sweep, in a thread until the context ends."""
    sweep, store = reminder_sweep(settings, conninfo, calendar, now)
    interval = settings.watch_interval_seconds
    try:
        with looping("reminder-sweep", partial(remind_forever, sweep, interval=interval)):
            yield
    finally:
        store.close()
