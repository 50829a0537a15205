"""Phase 12c of the benchmark: the time from an event to its webhook, through the service
as it runs in production.

A real `huiyin serve` (its background child deciding notices and sending them) on a scratch
database, an endpoint wanting `published` notices at a local receiver (`bench.receiver`, a
process of its own), and one client taking appeals through raise, transfer, acknowledge,
reply and publish. The clock starts when the publish command is answered (the event is
committed) and stops when the receiver has the webhook for that appeal (both read the
machine's wall clock). Percentiles over `samples` appeals (p99 from 1,000: the 10th
slowest). Target (issue 27): p99 under 1 s with a healthy receiver.

Run alone:  python -m bench.notice_latency [--samples N] [--database-url URL]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import statistics
import sys
import time
from dataclasses import dataclass, field

from api.bootstrap import build_services
from bench.api_load import RAISE_BODY, STEPS, KeepAliveClient, issue_tokens, running_server
from bench.notices import BENCH_KEY
from bench.organisation import ADMIN, fill
from bench.receiver import arrivals, running_receiver
from bench.scratch import check_loopback, scratch_database
from bench.workloads import huiyin_settings
from domain.notices import EndpointFormat, NoticeKind

TARGET_P99 = 1.0
#: The lifecycle up to the publication whose webhook is timed.
UNTIL_PUBLISHED = tuple(step for step in STEPS if step[0] != "rate" and step[0] != "close")


@dataclass
class LatencyOutcome:
    """Seconds from each publication's answer to its webhook's arrival."""

    samples: int = 0
    latencies: list[float] = field(default_factory=list)
    missing: int = 0

    def percentile(self, share: float) -> float:
        """The latency `share` of the samples stay under (nearest rank)."""
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]


def measure_latency(server_url: str, *, samples: int) -> LatencyOutcome:
    """Takes `samples` appeals to publication against a running server; times each webhook."""
    outcome = LatencyOutcome(samples=samples)
    with scratch_database(server_url) as url, running_receiver() as receiver:
        # No background work in this process: the phase runs the sweep and the sender itself.
        settings = huiyin_settings(url, BENCH_KEY, pool_size=4, db_functions=True).model_copy(
            update={"notices": False}
        )
        with build_services(settings) as services:
            fill(services)
            services.webhooks.register(
                name="OA 公示",
                format=EndpointFormat.STANDARD,
                target=f"{receiver}/oa",
                kinds=[NoticeKind.PUBLISHED],
                actor=ADMIN,
            )
        headers = issue_tokens(settings)
        env = {
            "HUIYIN_DATABASE_URL": url,
            "HUIYIN_CIPHER_KEY": BENCH_KEY,
            "HUIYIN_ENVIRONMENT": "test",
        }
        published: dict[str, float] = {}
        with running_server(env) as server:
            client = KeepAliveClient(server.base_url, 30.0)
            try:
                _warm_up(client, headers, receiver)
                for _ in range(samples):
                    appeal_id, at = _to_publication(client, headers)
                    published[appeal_id] = at
                with contextlib.suppress(TimeoutError):  # counted below as missing
                    _until_arrived(receiver, set(published), timeout=30.0)
            finally:
                client.close()
            first, _ = arrivals(receiver)
        by_case = {case: at for at, case in first.values() if case}
    for appeal_id, at in published.items():
        if appeal_id in by_case:
            outcome.latencies.append(by_case[appeal_id] - at)
        else:
            outcome.missing += 1
    return outcome


def _to_publication(
    client: KeepAliveClient, headers: dict[str, dict[str, str]]
) -> tuple[str, float]:
    status, body = client.post("/appeals", RAISE_BODY, headers["staff"])
    if status != 201:
        raise RuntimeError(f"raise answered {status}: {body!r}")
    appeal_id = str(json.loads(body)["id"])
    answered = 0.0
    for command, payload, who in UNTIL_PUBLISHED:
        status, body = client.post(f"/appeals/{appeal_id}/{command}", payload, headers[who])
        answered = time.time()
        if status != 200:
            raise RuntimeError(f"{command} answered {status}: {body!r}")
    return appeal_id, answered


def _warm_up(client: KeepAliveClient, headers: dict[str, dict[str, str]], receiver: str) -> None:
    """Publications until one's webhook arrives: the background worker (a child process
    that starts after the server answers) is then deciding and sending."""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        appeal_id, _ = _to_publication(client, headers)
        try:
            _until_arrived(receiver, {appeal_id}, timeout=2.0)
            return
        except TimeoutError:
            continue
    raise RuntimeError("no webhook arrived in 120 s: is the background worker running?")


def _until_arrived(receiver: str, wanted: set[str], *, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        first, _ = arrivals(receiver)
        if wanted <= {case for _, case in first.values()}:
            return
        time.sleep(0.05)
    raise TimeoutError(f"webhooks missing after {timeout:g} s")


def latency_lines(outcome: LatencyOutcome) -> list[str]:
    """p50/p99/max beside the target."""
    if not outcome.latencies:
        return [f"  12c. event → webhook: none of {outcome.samples} webhooks arrived"]
    p50, p99 = outcome.percentile(0.50), outcome.percentile(0.99)
    verdict = "PASS" if p99 < TARGET_P99 and not outcome.missing else "FAIL"
    return [
        f"  12c. event → webhook, {len(outcome.latencies):,} publications over HTTP, "
        "a healthy receiver",
        f"    p50 {p50 * 1000:,.0f} ms, p99 {p99 * 1000:,.0f} ms, "
        f"max {max(outcome.latencies) * 1000:,.0f} ms, "
        f"mean {statistics.mean(outcome.latencies) * 1000:,.0f} ms; missing {outcome.missing}",
        f"    target p99 < {TARGET_P99:g} s: {verdict}",
    ]


def main(argv: list[str] | None = None) -> int:
    """Entry point."""
    parser = argparse.ArgumentParser(prog="python -m bench.notice_latency", description=__doc__)
    parser.add_argument("--database-url", default="postgresql://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--samples", type=int, default=1_000)
    args = parser.parse_args(argv)
    check_loopback(args.database_url)
    print("\n".join(latency_lines(measure_latency(args.database_url, samples=args.samples))))
    return 0


if __name__ == "__main__":
    sys.exit(main())
