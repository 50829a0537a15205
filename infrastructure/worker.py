"""The background worker: view runners, hash-chain follower, deadline watcher and webhook
sender in a child process of `huiyin serve`, so their Python work does not share the GIL
with requests.

Measured on the 2-core benchmark machine: HTTP commands/s with them as threads in the server
158, in a separate process 258–261, with none running 268. The child gets the server's
settings (with the resolved database URL and cipher key) through HUIYIN_* variables, is
restarted if it dies, and exits by itself when its parent is gone.
"""

from __future__ import annotations

import contextlib
import logging
import os
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from enum import Enum
from pathlib import Path

from pydantic import SecretStr

from infrastructure.settings import Settings

log = logging.getLogger("huiyin.worker")

#: Set in the child's environment: the pid of the server that started it.
PARENT_VARIABLE = "HUIYIN_WORKER_PARENT"


def settings_environment(settings: Settings, database_url: str, cipher_key: str) -> dict[str, str]:
    """The settings as HUIYIN_* variables, with the URL and key the server resolved."""
    env: dict[str, str] = {}
    for name, value in settings.model_dump().items():
        if value is None:
            continue
        if isinstance(value, SecretStr):
            text = value.get_secret_value()
        elif isinstance(value, bool):
            text = "true" if value else "false"
        elif isinstance(value, Enum):
            text = str(value.value)
        elif isinstance(value, Path):
            text = str(value)
        else:
            text = str(value)
        env[f"HUIYIN_{name.upper()}"] = text
    env["HUIYIN_DATABASE_URL"] = database_url
    env["HUIYIN_CIPHER_KEY"] = cipher_key
    return env


@contextlib.contextmanager
def worker_process(
    settings: Settings, database_url: str, cipher_key: str, *, restart_seconds: float = 2.0
) -> Iterator[None]:
    """Runs `huiyin work` as a child for as long as the context lasts (restarted if it dies)."""
    env = {
        **os.environ,
        **settings_environment(settings, database_url, cipher_key),
        PARENT_VARIABLE: str(os.getpid()),
    }
    command = [sys.executable, "-m", "api.cli", "work"]
    stopping = threading.Event()
    current: list[subprocess.Popen[bytes]] = []

    def supervise() -> None:
        while not stopping.is_set():
            child = subprocess.Popen(command, env=env)  # noqa: S603 - our own interpreter and module
            current[:] = [child]
            while child.poll() is None and not stopping.wait(0.5):
                pass
            if not stopping.is_set():
                log.error("background worker exited with %s; restarting", child.returncode)
                stopping.wait(restart_seconds)

    supervisor = threading.Thread(target=supervise, name="worker-supervisor", daemon=True)
    supervisor.start()
    try:
        yield
    finally:
        stopping.set()
        for child in current:
            if child.poll() is None:
                child.terminate()
                try:
                    child.wait(15)
                except subprocess.TimeoutExpired:
                    child.kill()
                    child.wait()
        supervisor.join(5)


@contextlib.contextmanager
def looping(name: str, loop: Callable[[threading.Event], None]) -> Iterator[None]:
    """`loop(stop)` in a daemon thread for as long as the context lasts: `stop` is set when
    it ends, and the thread is given 30 s to finish (a sweep under way ends first)."""
    stop = threading.Event()
    thread = threading.Thread(target=loop, args=(stop,), name=name, daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(30)


def parent_gone(parent: int) -> bool:
    """Whether the server that started this worker has gone (this process was re-parented)."""
    return os.getppid() != parent
