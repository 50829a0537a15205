"""The many-clients load generator: a few client processes, each running threads, each thread
one HTTP client on its own kept-alive connection (the standard library's, the leanest).

The clients run in processes of their own, not in the benchmark's process or the server's,
so that 64 of them do not queue on one GIL; each process reports the CPU it used, so the
report can say what share of the machine the load generator itself took.

Two workloads, each thread looping until the window ends:
- `lifecycle`: whole appeal lifecycles (`bench.api_load.STEPS`, 7 commands);
- `mixed`: the same commands, each followed by a read: the appeal itself (from the event
  store), a page of the appeal list (the case index view) or the appeal figures (metrics).

Every acknowledged command is kept as (aggregate id, version, position, when acknowledged),
to check afterwards that the store has it and to time the views' lag behind it.
"""

from __future__ import annotations

import http.client
import json
import multiprocessing
import os
import queue
import resource
import threading
import time
from dataclasses import dataclass, field
from multiprocessing.synchronize import Event as EventType
from typing import Any

from bench.api_load import RAISE_BODY, REQUEST_TIMEOUT, STEPS, Headers, KeepAliveClient

WORKLOADS = ("lifecycle", "mixed")
#: Client processes at most: enough that no one GIL limits 64 clients, few enough that
#: they leave the cores to the server.
MAX_CLIENT_PROCESSES = 4
#: The reads of the mixed workload, in turn, each as the union's staff (who may read them).
READS = ("/appeals/{id}", "/appeals?limit=20", "/metrics/appeals")


@dataclass
class ClientResult:
    """What one client process (or, merged, all of them) saw in the window."""

    command_latencies: list[float] = field(default_factory=list)
    read_latencies: list[float] = field(default_factory=list)
    errors: int = 0
    error_samples: list[str] = field(default_factory=list)
    #: (aggregate id, version, position, time.monotonic() when the answer arrived)
    acks: list[tuple[str, int, int, float]] = field(default_factory=list)
    cpu_seconds: float = 0.0
    started: float = 0.0
    ended: float = 0.0

    def merge(self, other: ClientResult) -> None:
        """Adds `other`'s samples to these."""
        self.command_latencies += other.command_latencies
        self.read_latencies += other.read_latencies
        self.errors += other.errors
        self.error_samples += other.error_samples[: max(0, 5 - len(self.error_samples))]
        self.acks += other.acks
        self.cpu_seconds += other.cpu_seconds
        self.started = min(self.started or other.started, other.started)
        self.ended = max(self.ended, other.ended)


class Client(KeepAliveClient):
    """The lean client, reading too."""

    def get(self, path: str, headers: Headers) -> tuple[int, bytes]:
        """GETs `path`; returns the status and the body."""
        self.connection.request("GET", path, headers=headers)
        response = self.connection.getresponse()
        return response.status, response.read()


class _Thread:
    """One client: a connection, a workload, its samples (merged into the process's)."""

    def __init__(self, base_url: str, headers: dict[str, Headers], workload: str) -> None:
        self.client = Client(base_url, REQUEST_TIMEOUT)
        self.headers = headers
        self.mixed = workload == "mixed"
        self.result = ClientResult()
        self.reads = 0

    def run(self, until: float) -> None:
        """Lifecycles until `until` (monotonic); a failed one is counted and abandoned."""
        try:
            while time.monotonic() < until:
                try:
                    self._lifecycle(until)
                except (OSError, http.client.HTTPException, ValueError, KeyError) as error:
                    self.result.errors += 1
                    if len(self.result.error_samples) < 5:
                        self.result.error_samples.append(f"{type(error).__name__}: {error}"[:200])
                    self.client.reconnect()
        finally:
            self.client.close()

    def _lifecycle(self, until: float) -> None:
        appeal_id = self._command("/appeals", RAISE_BODY, "staff", 201)
        for command, body, who in STEPS:
            if time.monotonic() >= until:
                return
            self._command(f"/appeals/{appeal_id}/{command}", body, who, 200)

    def _command(self, path: str, body: dict[str, Any], who: str, expect: int) -> str:
        started = time.monotonic()
        status, payload = self.client.post(path, body, self.headers[who])
        ended = time.monotonic()
        if status != expect:
            raise ValueError(f"POST {path.split('/')[-1]} answered {status}: {payload[:120]!r}")
        answer = json.loads(payload)
        self.result.command_latencies.append(ended - started)
        self.result.acks.append((answer["id"], answer["version"], answer["position"], ended))
        if self.mixed:
            self._read(answer["id"])
        return str(answer["id"])

    def _read(self, appeal_id: str) -> None:
        template = READS[self.reads % len(READS)]
        self.reads += 1
        started = time.monotonic()
        status, payload = self.client.get(template.format(id=appeal_id), self.headers["staff"])
        if status != 200:
            raise ValueError(f"GET {template} answered {status}: {payload[:120]!r}")
        self.result.read_latencies.append(time.monotonic() - started)


def client_process(
    base_url: str,
    headers: dict[str, Headers],
    workload: str,
    threads: int,
    seconds: float,
    go: EventType,
    ready: multiprocessing.Queue[int],
    results: multiprocessing.Queue[ClientResult],
) -> None:
    """One client process: `threads` clients, started together when `go` is set."""
    clients = [_Thread(base_url, headers, workload) for _ in range(threads)]
    ready.put(os.getpid())
    go.wait()
    started = time.monotonic()
    until = started + seconds
    cpu = resource.getrusage(resource.RUSAGE_SELF)
    running = [threading.Thread(target=c.run, args=(until,), daemon=True) for c in clients]
    for thread in running:
        thread.start()
    for thread in running:
        thread.join()
    used = resource.getrusage(resource.RUSAGE_SELF)
    merged = ClientResult(started=started, ended=time.monotonic())
    merged.cpu_seconds = (used.ru_utime - cpu.ru_utime) + (used.ru_stime - cpu.ru_stime)
    for client in clients:
        merged.merge(client.result)
    merged.started = started
    results.put(merged)


def split(clients: int, processes: int) -> list[int]:
    """`clients` threads spread over at most `processes` processes, as evenly as can be."""
    count = max(1, min(clients, processes))
    return [clients // count + (1 if index < clients % count else 0) for index in range(count)]


def drive(
    base_url: str, headers: dict[str, Headers], workload: str, clients: int, seconds: float
) -> ClientResult:
    """Runs `clients` concurrent clients for `seconds` against the server; merged results."""
    context = multiprocessing.get_context("spawn")
    go = context.Event()
    ready: multiprocessing.Queue[int] = context.Queue()
    results: multiprocessing.Queue[ClientResult] = context.Queue()
    processes = [
        context.Process(
            target=client_process,
            args=(base_url, headers, workload, threads, seconds, go, ready, results),
            daemon=True,
        )
        for threads in split(clients, MAX_CLIENT_PROCESSES)
    ]
    for process in processes:
        process.start()
    try:
        for _ in processes:
            ready.get(timeout=120)
        go.set()
        merged = ClientResult()
        for _ in processes:
            merged.merge(results.get(timeout=seconds + REQUEST_TIMEOUT + 60))
    except queue.Empty:
        raise RuntimeError("a client process did not report in time") from None
    finally:
        for process in processes:
            process.join(timeout=10)
            if process.is_alive():
                process.kill()
    return merged
