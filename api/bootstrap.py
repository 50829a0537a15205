"""The one place that wires settings, database, cipher and application together."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass

from application.casework import Casework, Clock
from application.meetings import Meetings
from domain.calendar import WorkingCalendar
from domain.deadlines import DeadlinePolicy
from infrastructure.database import conninfo, embedded_server, ensure_database, eventsourcing_env
from infrastructure.keys import resolve_cipher_key
from infrastructure.settings import Settings
from infrastructure.store import SupportStore


@dataclass
class Services:
    """Everything a request or a CLI command needs, built once."""

    settings: Settings
    database_url: str
    casework: Casework
    meetings: Meetings
    store: SupportStore


def deadline_policy(settings: Settings) -> DeadlinePolicy:
    """The deadline rules, with the numbers from settings."""
    return DeadlinePolicy(
        reply_working_days=settings.reply_working_days,
        urgent_response_hours=settings.urgent_response_hours,
        grid_response_hours=settings.grid_response_hours,
        performance_review_working_days=settings.performance_review_working_days,
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
def build_services(settings: Settings, *, clock: Clock | None = None) -> Iterator[Services]:
    """Starts everything Huiyin needs and closes it again on exit."""
    with database_url(settings) as url:
        env = eventsourcing_env(
            url, pool_size=settings.pool_size, db_functions=settings.db_functions
        )
        env["CIPHER_TOPIC"] = "eventsourcing.cipher:AESCipher"
        env["CIPHER_KEY"] = resolve_cipher_key(settings)
        # Cached aggregates are fast-forwarded from the store on every read, so several
        # processes may write: the cache saves decrypting and replaying, never a read.
        if settings.aggregate_cache_size:
            env["AGGREGATE_CACHE_MAXSIZE"] = str(settings.aggregate_cache_size)
        store = SupportStore(conninfo(url), token_cache_seconds=settings.token_cache_seconds)
        store.open()
        casework = Casework(
            env,
            clock=clock,
            calendar=WorkingCalendar(),
            policy=deadline_policy(settings),
            case_numbers=store,
        )
        try:
            meetings = Meetings(casework)
            yield Services(
                settings=settings,
                database_url=url,
                casework=casework,
                meetings=meetings,
                store=store,
            )
        finally:
            casework.close()
            store.close()
