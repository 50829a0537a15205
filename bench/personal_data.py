"""Phase 8: what a key per person costs, and how long forgetting a person takes.

- Write path: the same commands with each person's data sealed under their own key (the
  service) and with events only encrypted as a whole under the store key (the release
  before per-person keys: `whole_events_only`), interleaved in one run: Casework.raise_appeal
  in process (the same appellant, whose key is made once; and a new appellant each time,
  whose key is made by the command), and whole lifecycles over HTTP against two servers
  on the same store, the baseline's started by `python -m bench.plain_serve`. Both servers
  run without view runners, watcher or chain follower: the figure is the write path's.
- Rebuild: the decode a rebuild does per event, over appeals stored sealed (read with
  the views' mapper, which leaves the values sealed) against the same appeals stored whole
  (read with the library's mapper).
- Erasure: request and confirm, timed, in a store of about 1,000 events and in the
  benchmark's store after phase 7 (100,000 appeals), checking that no view row changed
  but the erasure's own.
"""

from __future__ import annotations

import contextlib
import hashlib
import statistics
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from unittest import mock
from uuid import UUID

import psycopg

from api import bootstrap
from api.bootstrap import Services, build_services
from application.casework import AppealDraft
from bench.api_load import (
    COMMANDS_PER_LIFECYCLE,
    issue_tokens,
    lifecycle_driver,
    running_server,
)
from bench.measure import Measurement, Workload, measure_interleaved
from bench.organisation import fill as fill_directory
from bench.workloads import CLERK, DRAFT
from domain.actors import Actor, Role
from domain.appeal import Appellant
from domain.erasure import LegalBasis
from infrastructure.database import conninfo
from infrastructure.keyring import Keyring
from infrastructure.replay import Decoder, LogRows
from infrastructure.sealing import sealed_events_env
from infrastructure.settings import Settings
from infrastructure.view_registry import VIEWS

#: The target: sealing costs under this share of HTTP command throughput.
HTTP_COST_TARGET = 0.10
#: The target: an erasure finishes within this many seconds.
ERASURE_TARGET = 1.0

ASKER = Actor("bench-committee", Role.COMMITTEE)
CHECKER = Actor("bench-committee-2", Role.COMMITTEE)


@contextlib.contextmanager
def whole_events_only() -> Iterator[None]:
    """Services built inside store events encrypted as a whole only, no value sealed: the
    baseline (the views are not run on it: they expect sealed values)."""

    def whole(keyring: Keyring) -> dict[str, str]:
        env = sealed_events_env(keyring)
        del env["MAPPER_TOPIC"]  # the library's mapper
        return env

    with mock.patch.object(bootstrap, "sealed_events_env", whole):
        yield


@dataclass
class PersonalDataOutcome:
    """What phase 8 measured."""

    in_process: list[Measurement] = field(default_factory=list)
    http: list[Measurement] = field(default_factory=list)
    decode: dict[str, list[float]] = field(default_factory=dict)
    erasures: dict[str, tuple[int, float, list[str]]] = field(default_factory=dict)


def _raising(services: Services, *, new_person: bool) -> Workload:
    casework = services.casework
    counter = [0]

    def run(count: int) -> float:
        drafts = [DRAFT] * count
        if new_person:
            drafts = []
            for _ in range(count):
                counter[0] += 1
                person = f"EB{time.monotonic_ns()}{counter[0]}"
                drafts.append(_draft_of(person))
        started = time.perf_counter()
        for draft in drafts:
            casework.raise_appeal(draft, CLERK)
        return time.perf_counter() - started

    return run


def _draft_of(person: str) -> AppealDraft:
    appellant = Appellant(name="王建国", employee_no=person, contact="13800001234")
    return AppealDraft(
        DRAFT.channel,
        DRAFT.kind,
        DRAFT.category,
        DRAFT.title,
        DRAFT.text,
        DRAFT.department,
        appellant=appellant,
    )


def measure_write_path(
    settings: Settings, *, n: int, warmup: int, repeats: int
) -> list[Measurement]:
    """raise_appeal sealed (known appellant, new appellant) against whole events only."""
    with contextlib.ExitStack() as stack:
        sealed = stack.enter_context(build_services(settings))
        fill_directory(sealed)
        with whole_events_only():
            whole = stack.enter_context(build_services(settings))
        cases: list[tuple[str, Workload]] = [
            ("raise_appeal, whole events only (before)", _raising(whole, new_person=False)),
            ("raise_appeal, sealed, known appellant", _raising(sealed, new_person=False)),
            ("raise_appeal, sealed, a new appellant each", _raising(sealed, new_person=True)),
        ]
        return measure_interleaved(cases, unit="commands", n=n, warmup=warmup, repeats=repeats)


def measure_http_cost(
    url: str, env: dict[str, str], settings: Settings, *, appeals: int, warmup: int, repeats: int
) -> list[Measurement]:
    """Whole lifecycles over HTTP: a sealing server against a whole-events one, alternated."""
    quiet = {
        **env,
        "HUIYIN_PROJECTIONS": "false",
        "HUIYIN_WATCHER": "false",
        "HUIYIN_CHAIN_FOLLOW": "false",
        "HUIYIN_BACKGROUND_PROCESS": "false",
    }
    headers = issue_tokens(settings)
    results = [
        Measurement("HTTP commands, whole events only (before)", "commands"),
        Measurement("HTTP commands, sealed per person", "commands"),
    ]
    with (
        running_server(quiet, command=["-m", "bench.plain_serve"]) as plain,
        running_server(quiet) as sealing,
        lifecycle_driver(plain, headers) as before,
        lifecycle_driver(sealing, headers) as after,
    ):
        for _ in range(repeats):
            for driver, result in ((before, results[0]), (after, results[1])):
                driver.run(warmup, record=False)
                elapsed = driver.run(appeals, record=True)
                result.rates.append(appeals * COMMANDS_PER_LIFECYCLE / elapsed)
    return results


def measure_decode(settings: Settings, *, appeals: int, repeats: int) -> dict[str, list[float]]:
    """Events/s decoded as a rebuild decodes them: sealed appeals by the views' mapper,
    the same appeals stored whole by the library's."""
    from infrastructure.view_registry import EventLog, runner_env

    rates: dict[str, list[float]] = {
        "whole events, library mapper": [],
        "sealed, views' mapper": [],
    }
    with contextlib.ExitStack() as stack:
        sealed = stack.enter_context(build_services(settings))
        sealed_first = (sealed.casework.recorder.max_notification_id() or 0) + 1
        for index in range(appeals):
            sealed.casework.raise_appeal(_draft_of(f"ED{index}"), CLERK)
        sealed_last = sealed.casework.recorder.max_notification_id() or 0
        with whole_events_only():
            whole = stack.enter_context(build_services(settings))
            for index in range(appeals):
                whole.casework.raise_appeal(_draft_of(f"EW{index}"), CLERK)
            whole_last = whole.casework.recorder.max_notification_id() or 0
        views_log = stack.enter_context(contextlib.closing(EventLog(runner_env(sealed.views._env))))
        read_rows = LogRows(sealed.casework.recorder)
        spans = {
            "whole events, library mapper": (whole.casework, sealed_last + 1, whole_last),
            "sealed, views' mapper": (views_log, sealed_first, sealed_last),
        }
        for _ in range(repeats):
            for label, (app, first, last) in spans.items():
                decode = Decoder(app.mapper).decode
                rows = read_rows(first, last - first + 1, last, ())
                started = time.perf_counter()
                for _, originator, version, topic, state in rows:
                    decode(originator, version, topic, state)
                rates[label].append(len(rows) / (time.perf_counter() - started))
    return rates


def view_digests(url: str, views: list[str], ignore_case: UUID | None = None) -> dict[str, str]:
    """A digest of each table of `views` (the audit trail's rows of the case `ignore_case`
    left out) and of the stored events (`ignore_case`'s left out)."""
    digests: dict[str, str] = {}
    with psycopg.connect(conninfo(url)) as conn:
        for name in views:
            for table in VIEWS[name].view.tables:
                condition = ""
                if table.startswith("audit_trail") and ignore_case is not None:
                    condition = f" WHERE case_id <> '{ignore_case}'"  # the erasure's rows
                digest = hashlib.sha256()
                for (row,) in conn.execute(f"SELECT t::text FROM {table} t{condition} ORDER BY 1"):
                    digest.update(row.encode())
                digests[table] = digest.hexdigest()
        events = hashlib.sha256()
        for row in conn.execute(
            "SELECT notification_id, originator_id, originator_version, state"
            " FROM huiyin_events WHERE originator_id <> %s ORDER BY notification_id",
            (ignore_case or UUID(int=0),),
        ):
            events.update(repr(row).encode())
        digests["huiyin_events"] = events.hexdigest()
    return digests


def time_erasure(
    services: Services, url: str, person: str, views: list[str]
) -> tuple[int, float, list[str]]:
    """Requests and confirms an erasure of `person`, timed; (events in the store, seconds,
    the tables of `views` (at the head) and of events that changed other than by the
    erasure's own rows: none, if all is well)."""
    head = services.views.head()
    directory = services.casework.directory
    for member in (ASKER, CHECKER):
        if directory.actor(member.id, Role.COMMITTEE) is None:
            directory.grant(member.id, Role.COMMITTEE, actor=Actor("bench-admin", Role.ADMIN))
    position = services.views.head()
    services.views.start_runners(views)
    try:
        for name in views:
            services.views.get(name).wait("Huiyin", position, timeout=600)
        before = view_digests(url, views)
        started = time.perf_counter()
        requested = services.erasures.request(
            person, reason="基准测试", legal_basis=LegalBasis.PURPOSE_FULFILLED, actor=ASKER
        )
        done = services.erasures.confirm(requested.id, actor=CHECKER)
        seconds = time.perf_counter() - started
        for name in views:
            services.views.get(name).wait("Huiyin", done.result.position, timeout=60)
    finally:
        services.views.stop_runners(views)
    after = view_digests(url, views, ignore_case=requested.id)
    return head, seconds, sorted(table for table in before if after[table] != before[table])


def erase_in(settings: Settings, url: str, *, appeals: int) -> tuple[int, float, list[str]]:
    """Raises `appeals` appeals (a first one by the person to forget), then erases them,
    with every view following."""
    quiet = settings.model_copy(update={"projections": False, "background_process": False})
    with build_services(quiet) as services:
        fill_directory(services)
        person = f"EF{time.monotonic_ns()}"
        services.casework.raise_appeal(_draft_of(person), CLERK)
        for _ in range(appeals - 1):
            services.casework.raise_appeal(DRAFT, CLERK)
        return time_erasure(services, url, person, list(VIEWS))


def erasure_at_scale(settings: Settings, url: str) -> tuple[int, float, list[str]]:
    """Erases one appellant of phase 7's bulk appeals; the views phase 7 rebuilt follow."""
    quiet = settings.model_copy(update={"projections": False, "background_process": False})
    with build_services(quiet) as services:
        return time_erasure(services, url, "E0000042", ["audit_trail", "metrics"])


def personal_data_lines(outcome: PersonalDataOutcome) -> list[str]:
    """The phase's figures, each beside its baseline of the same run."""
    lines = [measurement.line() for measurement in outcome.in_process + outcome.http]
    if len(outcome.http) == 2:
        before, after = (m.median for m in outcome.http)
        cost = 1 - after / before if before else 0.0
        verdict = "PASS" if cost < HTTP_COST_TARGET else "FAIL"
        lines.append(
            f"  HTTP cost of sealing per person: {cost:.1%} of commands/s "
            f"(target < {HTTP_COST_TARGET:.0%}): {verdict}"
        )
    if outcome.in_process:
        base = outcome.in_process[0].median
        for measurement in outcome.in_process[1:]:
            lines.append(f"  {measurement.label}: {measurement.median / base:.0%} of the baseline")
    if outcome.decode:
        whole, sealed = (statistics.median(r) for r in outcome.decode.values())
        lines.append(
            f"  rebuild decode: whole events {whole:,.0f} events/s, sealed {sealed:,.0f} "
            f"events/s = {sealed / whole:.0%} of the baseline"
        )
    for label, (events, seconds, changed) in outcome.erasures.items():
        verdict = "PASS" if seconds < ERASURE_TARGET and not changed else "FAIL"
        unchanged = (
            "every event and view row but its own unchanged"
            if not changed
            else (f"CHANGED: {', '.join(changed)}")
        )
        lines.append(
            f"  erasure, {label} ({events:,} events in the store): {seconds * 1000:,.0f} ms, "
            f"{unchanged} (target < {ERASURE_TARGET:.0f} s): {verdict}"
        )
    return lines
