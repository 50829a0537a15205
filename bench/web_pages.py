"""The web pages at scale: server render time of the board and the workbench with phase 7's
100,000 appeals in the store, beside baselines of the same run, and the board's page weight.

Phase 9 of the benchmark. Over phase 7's store it publishes answers to some appeals and
discloses them through the committee's review (so the board has entries), rebuilds the
views the pages read, then renders each page in process (the ASGI app through its test
client: routing, session check, view queries and the template, no network), round-robin,
`samples` times each. Baselines: the sign-in page (a template and the session check, no
view query) and the JSON list of appeals the workbench's list reads. Target: p99 < 100 ms.
The board's weight is its HTML with the CSS and scripts it loads, ECharts not counted
(target < 300 KB).
"""

from __future__ import annotations

import base64
import random
import re
import statistics
import sys
import time
from dataclasses import dataclass, field
from datetime import timedelta

from fastapi.testclient import TestClient

from api.app import create_app
from api.bootstrap import Services, build_services
from bench.measure import percentile
from bench.organisation import ADMIN
from bench.queries import CLERK, DEPARTMENTS, START, _appeal
from domain.actors import Actor, Role
from domain.appeal import Appeal
from domain.disclosure import SubjectType
from domain.terms import Status
from infrastructure.settings import Settings

RENDER_TARGET = 0.100  # seconds, p99
WEIGHT_TARGET = 300 * 1024  # bytes
COMMITTEE = Actor("bench-committee", Role.COMMITTEE)
HANDLER_DEPARTMENT = DEPARTMENTS[3]
#: Views the pages read beyond phase 7's two.
PAGE_VIEWS = ("case_index", "deadline_board", "disclosure_feed", "penalty_ledger")
CHART_LIBRARY = "echarts"
ASSET = re.compile(r'(?:<script[^>]+src|<link[^>]+rel="stylesheet"[^>]+href)="(/[^"]+)"')


@dataclass(frozen=True)
class PageCase:
    """A page (or a baseline) timed as one reader."""

    label: str
    path: str
    reader: str  # "public", "staff", "handler" or "token" (the JSON API with a bearer token)
    baseline: bool = False


PAGES = (
    PageCase("board (公示栏)", "/web/", "public"),
    PageCase("board: department ranking", "/web/?section=ranking", "public"),
    PageCase("board: a department's page", f"/web/departments/{HANDLER_DEPARTMENT}", "public"),
    PageCase("workbench", "/web/workbench", "staff"),
    PageCase("workbench: to transfer", "/web/workbench/new", "staff"),
    PageCase("workbench: overdue board", "/web/workbench/overdue", "staff"),
    PageCase("department handler's cases", "/web/department", "handler"),
    PageCase("baseline: sign-in page", "/web/sign-in", "staff", baseline=True),
    PageCase("baseline: JSON GET /appeals", "/appeals?limit=50", "token", baseline=True),
)


@dataclass
class PageOutcome:
    """What phase 9 measured."""

    disclosed: int = 0
    setup_seconds: float = 0.0
    rebuilds: dict[str, float] = field(default_factory=dict)
    latencies: dict[str, list[float]] = field(default_factory=dict)
    statuses: dict[str, set[int]] = field(default_factory=dict)
    weight: dict[str, int] = field(default_factory=dict)


def publish_and_disclose(services: Services, count: int, *, seed: int = 11) -> int:
    """Replied appeals whose answers are published and disclosed through the committee's
    review, `count` of them; returns how many."""
    casework, disclosures = services.casework, services.disclosures
    rng = random.Random(seed)
    published: list[Appeal] = []
    index = 0
    while len(published) < count:
        appeal = _appeal(casework, rng, 10_000_000 + index)
        index += 1
        if appeal.status is not Status.REPLIED:
            continue
        appeal.publish_reply(
            public_text="经核实，已延长夜班供餐时间。",
            actor=CLERK,
            at=START + timedelta(days=400),
        )
        published.append(appeal)
    casework.save(*published)
    for appeal in published:
        proposed = disclosures.propose(
            subject_type=SubjectType.APPEAL_ANSWER,
            subject=str(appeal.id),
            title="关于夜班食堂供餐时间的答复",
            actor=CLERK,
        )
        disclosures.approve(proposed.id, actor=COMMITTEE)
        disclosures.publish(proposed.id, actor=CLERK)
    return len(published)


def measure_pages(settings: Settings, *, samples: int, disclosures: int = 200) -> PageOutcome:
    """Adds disclosures, rebuilds the pages' views, then times every page round-robin."""
    # One client renders as fast as it can: the per-address rate limit is off, as for the
    # other phases' clients (a service's limit protects it from a client, not from itself).
    quiet = settings.model_copy(
        update={
            "projections": False,
            "watcher": False,
            "chain_follow": False,
            "requests_per_minute_per_address": 0,
            "requests_per_minute_per_token": 0,
        }
    )
    outcome = PageOutcome()
    with build_services(quiet) as services:
        services.casework.directory.grant(
            "bench-handler", Role.DEPARTMENT, departments=(HANDLER_DEPARTMENT,), actor=ADMIN
        )
        started = time.perf_counter()
        outcome.disclosed = publish_and_disclose(services, disclosures)
        outcome.setup_seconds = time.perf_counter() - started
        head = services.views.head()
        for name in ("metrics", "audit_trail", *PAGE_VIEWS):
            started = time.perf_counter()
            services.views.rebuild(name)
            outcome.rebuilds[name] = head / (time.perf_counter() - started)
        with TestClient(create_app(services=services)) as client:
            readers = _readers(client, services)
            for case in PAGES:  # warm up
                _get(readers, case)
            outcome.latencies = {case.label: [] for case in PAGES}
            outcome.statuses = {case.label: set() for case in PAGES}
            for _ in range(samples):
                for case in PAGES:
                    began = time.perf_counter()
                    status = _get(readers, case)
                    outcome.latencies[case.label].append(time.perf_counter() - began)
                    outcome.statuses[case.label].add(status)
            outcome.weight = page_weight(readers["public"], "/web/")
    return outcome


def _readers(client: TestClient, services: Services) -> dict[str, TestClient]:
    readers = {"public": TestClient(client.app)}
    for reader, person, role in (
        ("staff", "bench-clerk", Role.UNION_STAFF),
        ("handler", "bench-handler", Role.DEPARTMENT),
    ):
        browser = TestClient(client.app)
        browser.get("/web/sign-in")
        token = services.credentials.issue(person, role).token
        page = browser.get("/web/sign-in").text
        csrf = re.search(r'name="csrf" value="([0-9a-f]+)"', page)
        assert csrf is not None
        answer = browser.post(
            "/web/sign-in", data={"csrf": csrf.group(1), "token": token}, follow_redirects=False
        )
        assert answer.status_code == 303, answer.text
        readers[reader] = browser
    api = TestClient(client.app)
    api.headers["Authorization"] = (
        "Bearer " + services.credentials.issue("bench-clerk", Role.UNION_STAFF).token
    )
    readers["token"] = api
    return readers


def _get(readers: dict[str, TestClient], case: PageCase) -> int:
    response = readers[case.reader].get(case.path, follow_redirects=False)
    return int(response.status_code)


def page_weight(client: TestClient, path: str) -> dict[str, int]:
    """Bytes of the page's HTML and of each stylesheet and script it loads."""
    html = client.get(path).content
    weight = {"HTML": len(html)}
    for asset in ASSET.findall(html.decode("utf-8")):
        weight[asset] = len(client.get(asset).content)
    return weight


def page_lines(outcome: PageOutcome) -> list[str]:
    """The phase's figures, each page beside the baselines, with the targets."""
    lines = [
        f"  {outcome.disclosed} answers published and disclosed through review in "
        f"{outcome.setup_seconds:.1f} s (the board's entries)",
    ]
    lines += [
        f"  rebuild {name:<16} {rate:>9,.0f} events/s over the whole store"
        for name, rate in outcome.rebuilds.items()
    ]
    lines.append(
        f"  {'page (server render, in process)':<40} {'status':>7} {'p50 ms':>8} {'p99 ms':>8}"
        "  target p99 < 100 ms"
    )
    for label, samples in outcome.latencies.items():
        p99 = percentile(samples, 99)
        statuses = ",".join(str(s) for s in sorted(outcome.statuses[label]))
        verdict = (
            ""
            if label.startswith("baseline")
            else ("PASS" if p99 < RENDER_TARGET and statuses == "200" else "FAIL")
        )
        lines.append(
            f"  {label:<40} {statuses:>7} {statistics.median(samples) * 1000:>8.2f} "
            f"{p99 * 1000:>8.2f}  {verdict}"
        )
    counted = {k: v for k, v in outcome.weight.items() if CHART_LIBRARY not in k}
    total = sum(counted.values())
    parts = ", ".join(f"{k} {v / 1024:.1f} KB" for k, v in outcome.weight.items())
    verdict = "PASS" if total < WEIGHT_TARGET else "FAIL"
    lines.append(
        f"  board page weight {total / 1024:.1f} KB without the chart library "
        f"(target < 300 KB): {verdict}; {parts}"
    )
    return lines


def main(argv: list[str] | None = None) -> int:
    """Phase 9 alone over a fresh store of `--appeals` appeals (the full benchmark runs it
    over phase 7's): `python -m bench.web_pages [--appeals N] [--samples N]`."""
    import argparse

    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    from bench.organisation import fill
    from bench.plan import DEFAULT_SERVER
    from bench.queries import populate
    from bench.scratch import scratch_database
    from bench.workloads import huiyin_settings

    parser = argparse.ArgumentParser(prog="python -m bench.web_pages")
    parser.add_argument("--database-url", default=DEFAULT_SERVER)
    parser.add_argument("--appeals", type=int, default=100_000)
    parser.add_argument("--samples", type=int, default=200)
    args = parser.parse_args(argv)
    key = base64.b64encode(AESGCM.generate_key(bit_length=256)).decode()
    with scratch_database(args.database_url) as url:
        settings = huiyin_settings(url, key, pool_size=4, db_functions=True)
        with build_services(settings) as services:
            fill(services)
            events, seconds = populate(services.casework, args.appeals)
            print(f"  {args.appeals:,} appeals, {events:,} events written in {seconds:.1f} s")
        print("\n".join(page_lines(measure_pages(settings, samples=args.samples))))
    return 0


if __name__ == "__main__":
    sys.exit(main())
