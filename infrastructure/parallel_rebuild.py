"""Rebuilding several views at once, each in a process of its own: every core in use.

A rebuild is Python work (reading, decrypting, parsing, applying) in one process, so one
view keeps one core busy; `huiyin rebuild` of every view runs them side by side in child
processes (forked by a fork server), at most `jobs` at a time, the heaviest first. Each
child opens the store as the single-view path does (the key table with the master key,
its own event log and view connections) and calls the same `rebuild`: the view's advisory
lock, one transaction that empties the view and refills it, the same rows. A child that
fails rolls back its own transaction only; the others go on and commit theirs, so every
view ends up either rebuilt or as it was. Children report progress and their outcome on a
queue; Ctrl-C (or any error in the parent) terminates them, and their transactions roll
back with their connections.
"""

from __future__ import annotations

import multiprocessing
import os
import queue
import resource
import signal
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from multiprocessing.process import BaseProcess
from typing import Any

from infrastructure.keyring import Keyring
from infrastructure.sealing import sealed_events_env
from infrastructure.view_rebuild import rebuild
from infrastructure.view_registry import spec_named

#: The views in the order they start: the longest rebuilds first, so that the short ones
#: fill the cores around them (longest-processing-time first). Unlisted ones come last.
HEAVIEST_FIRST = (
    "audit_trail",
    "metrics",
    "case_index",
    "deadline_board",
    "disclosure_feed",
    "penalty_ledger",
)

#: What the fork server imports once for every child.
PRELOAD = ["infrastructure.parallel_rebuild", "domain.appeal", "api.bootstrap"]

#: Seconds a child may be gone without its outcome before it counts as failed (its last
#: message may still be on the way through the queue's pipe).
GONE_GRACE = 2.0


@dataclass(frozen=True)
class StoreAccess:
    """What a child needs to open the store as the parent did: the views' settings, the
    database and the master key (sent to the child over its pipe, never in argv or env)."""

    env: dict[str, str]
    conninfo: str
    master: bytes


@dataclass(frozen=True)
class Rebuilt:
    """A view rebuilt: events replayed, and seconds in its child (from opening the store
    to the commit and the statistics after it), the child's CPU seconds (its threads
    included) and its peak resident memory."""

    name: str
    replayed: int
    seconds: float
    cpu_seconds: float = 0.0
    peak_rss_mib: float = 0.0


@dataclass(frozen=True)
class Failed:
    """A view not rebuilt (left as it was): why."""

    name: str
    error: str


Outcome = Rebuilt | Failed

#: What a child runs: (view name, store, progress(position, head)) → events replayed.
#: A module-level function, so that a spawned child can import it.
Target = Callable[[str, StoreAccess, Callable[[int, int], None]], int]


def rebuild_view(name: str, store: StoreAccess, progress: Callable[[int, int], None]) -> int:
    """A child's work: opens the key table and rebuilds the view (`rebuild`)."""
    keyring = Keyring.open(store.conninfo, store.master)
    try:
        env = {**store.env, **sealed_events_env(keyring)}
        return rebuild(spec_named(name), env, store.conninfo, progress=progress)
    finally:
        keyring.close()


def default_jobs() -> int:
    """One process per core."""
    return os.cpu_count() or 1


def rebuild_in_parallel(
    names: Sequence[str],
    store: StoreAccess,
    *,
    jobs: int | None = None,
    progress: Callable[[str, int, int], None] | None = None,
    finished: Callable[[Outcome], None] | None = None,
    target: Target = rebuild_view,
) -> list[Outcome]:
    """Rebuilds the named views, at most `jobs` at once, each in a spawned process.

    `progress(name, position, head)` as each child advances, `finished(outcome)` as each
    ends; returns the outcomes in the order the views ended. Every view is tried, also
    after another failed. KeyboardInterrupt (or any error here) terminates the children.
    """
    # A fork server (one process, no threads) imports the rebuild's modules once and forks
    # each child from itself: a child starts in milliseconds instead of importing for a
    # second or more, and inherits nothing of this process (its threads, its connections).
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(PRELOAD)
    messages: Any = context.Queue()
    waiting = sorted(dict.fromkeys(names), key=_rank)  # each view once
    running: dict[str, BaseProcess] = {}
    gone: dict[str, float] = {}
    outcomes: list[Outcome] = []
    limit = max(1, jobs or default_jobs())

    def end(outcome: Outcome) -> None:
        process = running.pop(outcome.name, None)
        gone.pop(outcome.name, None)
        if process is not None:
            process.join()
        outcomes.append(outcome)
        if finished is not None:
            finished(outcome)

    try:
        while waiting or running:
            while waiting and len(running) < limit:
                name = waiting.pop(0)
                child = context.Process(
                    target=_child,
                    args=(target, name, store, messages),
                    name=f"rebuild-{name}",
                    daemon=True,
                )
                child.start()
                running[name] = child
            try:
                message = messages.get(timeout=0.5)
            except queue.Empty:
                _check_gone(running, gone, end)
                continue
            kind, name = message[0], message[1]
            if kind == "progress":
                if progress is not None:
                    progress(name, message[2], message[3])
            elif kind == "rebuilt":
                end(Rebuilt(name, *message[2:]))
            else:
                end(Failed(name, message[2]))
    finally:
        for process in running.values():
            process.terminate()
        for process in running.values():
            process.join()
        messages.close()
        messages.join_thread()
    return outcomes


def _rank(name: str) -> int:
    return HEAVIEST_FIRST.index(name) if name in HEAVIEST_FIRST else len(HEAVIEST_FIRST)


def _check_gone(
    running: dict[str, BaseProcess], gone: dict[str, float], end: Callable[[Outcome], None]
) -> None:
    """Counts as failed a child that exited without a word (killed, crashed) a while ago."""
    now = time.monotonic()
    for name, child in list(running.items()):
        if child.is_alive():
            continue
        since = gone.setdefault(name, now)
        if now - since >= GONE_GRACE:
            end(Failed(name, f"its process exited with status {child.exitcode} without a result"))


def _child(target: Target, name: str, store: StoreAccess, messages: Any) -> None:
    """A child: runs `target` for one view and reports on `messages`.

    Ctrl-C reaches every process of the terminal's group; the parent alone decides, and
    terminates the children, so they ignore it.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    started = time.perf_counter()
    before = resource.getrusage(resource.RUSAGE_SELF)
    cpu_before = before.ru_utime + before.ru_stime

    def report(position: int, head: int) -> None:
        messages.put(("progress", name, position, head))

    try:
        replayed = target(name, store, report)
    except BaseException as error:  # reported to the parent, which names the view
        messages.put(("failed", name, f"{type(error).__name__}: {error}"))
        messages.close()
        messages.join_thread()
        raise SystemExit(1) from None
    seconds = time.perf_counter() - started
    used = resource.getrusage(resource.RUSAGE_SELF)
    cpu = used.ru_utime + used.ru_stime - cpu_before
    messages.put(("rebuilt", name, replayed, seconds, cpu, used.ru_maxrss / 1024))
    messages.close()
    messages.join_thread()
