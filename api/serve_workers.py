"""`huiyin serve --workers N`: N HTTP worker processes, and the background work once.

The serve command (the master) resolves, once, what every process must share: the database
(an embedded PostgreSQL is started here when no `HUIYIN_DATABASE_URL` is set) and the master
key (a development key is created here, once). It starts the background work once, in its
`huiyin work` child (`infrastructure.worker`), and hands uvicorn the import string of
`worker_app`: uvicorn spawns N processes, each building its own services from the
environment, with the resolved URL and key and with background work off (no view runners,
chain follower or watcher in an HTTP worker). The URL and key travel in the environment
only, never in argv or a log line, as they do to `huiyin work`.

uvicorn's supervisor restarts a worker that dies, and on SIGINT or SIGTERM stops them all;
then the master stops its background child and, if it started one, the embedded database.

What is per process (so N workers each keep their own): the in-memory rate limits
(`HUIYIN_REQUESTS_PER_MINUTE_PER_*`), the count of bad tokens per address
(`HUIYIN_AUTH_FAILURES_PER_MINUTE`), and the aggregate cache. The kernel hands each new
connection to one worker, so a client spreading its requests over many connections may get
up to N times a limit; a client on one kept-alive connection stays with one worker.
"""

from __future__ import annotations

import contextlib
import logging
import os
from base64 import b64encode
from collections.abc import Iterator

from fastapi import FastAPI

from api.http_transport import GuardedHttpProtocol, set_limits
from infrastructure.database import connection_parts
from infrastructure.keys import resolve_cipher_key
from infrastructure.log_redaction import keep_out_of_logs
from infrastructure.settings import Settings
from infrastructure.worker import settings_environment, worker_process

log = logging.getLogger("huiyin.serve")

#: What uvicorn imports in each worker process (`factory=True`).
WORKER_APP = "api.serve_workers:worker_app"


class WorkerHttpProtocol(GuardedHttpProtocol):
    """The guarded HTTP protocol of a worker process. uvicorn sends the class to each
    worker by name, so its limits are set there, from the settings, by `worker_app`."""


def default_workers() -> int:
    """One worker process per core."""
    return os.cpu_count() or 1


def http_worker_settings(settings: Settings) -> Settings:
    """An HTTP worker's settings: no background work of its own (the master's child does it)."""
    return settings.model_copy(
        update={"projections": False, "chain_follow": False, "watcher": False}
    )


def worker_app() -> FastAPI:
    """The app of one worker process, from the environment the master prepared."""
    from api.app import create_app

    settings = Settings()
    set_limits(WorkerHttpProtocol, settings)
    return create_app(settings)


def worker_environment(settings: Settings, url: str, cipher_key: str) -> dict[str, str]:
    """The HUIYIN_* variables of an HTTP worker: every setting, the resolved URL and key,
    background work off."""
    return settings_environment(http_worker_settings(settings), url, cipher_key)


@contextlib.contextmanager
def master(settings: Settings) -> Iterator[None]:
    """What the serve master holds while its workers run: the database (embedded, or a
    server's), the resolved key in the environment the workers are spawned with, and the
    background work in one child process (always a child here: there is no request-serving
    process for its threads to share)."""
    from api.bootstrap import database_url

    with database_url(settings) as url:
        key = b64encode(resolve_cipher_key(settings)).decode()
        keep_out_of_logs(key, connection_parts(url)["password"])
        os.environ.update(worker_environment(settings, url, key))
        wanted = (
            settings.projections or settings.chain_follow or settings.watcher or settings.notices
        )
        with worker_process(settings, url, key) if wanted else contextlib.nullcontext():
            yield
