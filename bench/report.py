"""Ratios, the PASS/FAIL line and the summary table of the figures page (docs/benchmarks.md)."""

from __future__ import annotations

from dataclasses import dataclass

from bench.measure import Measurement, percentile, ratio

#: The share of the raw library save() rate the HTTP API must reach with one client.
HTTP_TARGET = 0.40

#: Figures from /work/shared/PERFORMANCE.md (2 cores, PostgreSQL 15 defaults), for orientation.
REFERENCE = {
    "raw": "3,307",
    "library save(), default path": "632",
    "library save(), db functions": "1,155",
}


@dataclass
class Results:
    """Everything one run measured."""

    raw: Measurement
    library: list[Measurement]
    huiyin_on: Measurement
    huiyin_off: Measurement
    http: Measurement
    latencies: dict[str, list[float]]
    peak_rss_kib: int | None
    start_rss_kib: int | None

    def library_case(self, label: str) -> Measurement:
        """The library measurement called `label`."""
        return next(m for m in self.library if m.label == label)

    @property
    def all_latencies(self) -> list[float]:
        """Every recorded HTTP command latency, in seconds."""
        return [sample for samples in self.latencies.values() for sample in samples]


def ms(seconds: float) -> str:
    """Seconds as milliseconds with two decimals."""
    return f"{seconds * 1000:.2f}"


def mib(kib: int | None) -> str:
    """KiB as MiB, or n/a."""
    return f"{kib / 1024:.1f} MiB" if kib is not None else "n/a"


def latency_lines(results: Results) -> list[str]:
    """p50/p99 per command and over all commands."""
    lines = [f"  {'command':<12} {'samples':>8} {'p50 ms':>8} {'p99 ms':>8} {'max ms':>8}"]
    rows = [*results.latencies.items(), ("all", results.all_latencies)]
    for command, samples in rows:
        if not samples:
            continue
        lines.append(
            f"  {command:<12} {len(samples):>8} {ms(percentile(samples, 50)):>8} "
            f"{ms(percentile(samples, 99)):>8} {ms(max(samples)):>8}"
        )
    return lines


def ratio_lines(results: Results) -> list[str]:
    """The ratios, each of medians measured in this run."""
    lib_default = results.library_case("library save(), default path")
    lib_functions = results.library_case("library save(), db functions")
    lib_aes = results.library_case("library save(), default path + AES")
    lib_aes_functions = results.library_case("library save(), db functions + AES")
    http_share = ratio(results.http.median, lib_default.median)
    verdict = "PASS" if http_share >= HTTP_TARGET else "FAIL"
    on_off = ratio(results.huiyin_on.median, results.huiyin_off.median)
    faster = "on" if on_off >= 1 else "off"
    by = on_off - 1 if on_off >= 1 else 1 / on_off - 1
    raw = results.raw.median
    return [
        f"  HTTP commands/s ÷ library save() events/s (default path): {http_share:.1%}"
        f"  → {verdict} (target ≥ {HTTP_TARGET:.0%}, one client)",
        "  HTTP commands/s ÷ library save() (db functions + AES, the server's configuration):"
        f" {ratio(results.http.median, lib_aes_functions.median):.1%}",
        f"  library save() ÷ raw INSERT, default path: {ratio(lib_default.median, raw):.1%}",
        f"  library save() ÷ raw INSERT, db functions: {ratio(lib_functions.median, raw):.1%}",
        "  library db functions ÷ default path:"
        f" {ratio(lib_functions.median, lib_default.median):.2f}×",
        "  library AES ÷ no cipher (default path):"
        f" {ratio(lib_aes.median, lib_default.median):.2f}×",
        "  Huiyin raise_appeal ÷ library save() with the same options:"
        f" db functions on {ratio(results.huiyin_on.median, lib_aes_functions.median):.1%},"
        f" off {ratio(results.huiyin_off.median, lib_aes.median):.1%}",
        f"  Huiyin raise_appeal, db functions on ÷ off: {on_off:.2f}×"
        f" (db functions {faster} is faster by {by:.0%})",
        f"  server peak RSS (VmHWM): {mib(results.peak_rss_kib)}"
        f" (after start: {mib(results.start_rss_kib)})",
    ]


def markdown(results: Results, settings_line: str) -> list[str]:
    """The summary table, as markdown (the figures page shows it as it is)."""
    lib_default = results.library_case("library save(), default path")
    http_share = ratio(results.http.median, lib_default.median)
    verdict = "PASS" if http_share >= HTTP_TARGET else "FAIL"
    samples = results.all_latencies
    rows = [
        ("raw single-row INSERT commits/s, 1 client", results.raw, REFERENCE["raw"]),
        *((f"{m.label} events/s", m, REFERENCE.get(m.label, "–")) for m in results.library),
        ("Huiyin raise_appeal commands/s, db functions on", results.huiyin_on, "–"),
        ("Huiyin raise_appeal commands/s, db functions off", results.huiyin_off, "–"),
        ("HTTP commands/s, full lifecycle, 1 client", results.http, "–"),
    ]
    lines = [
        "| figure | median | min–max | PERFORMANCE.md |",
        "|---|---:|---:|---:|",
    ]
    lines += [f"| {name} | {m.median:,.0f} | {m.spread()} | {ref} |" for name, m, ref in rows]
    if samples:
        lines.append(
            f"| HTTP latency per command p50 / p99 ({len(samples):,} samples) | "
            f"{ms(percentile(samples, 50))} / {ms(percentile(samples, 99))} ms | | |"
        )
    lines += [
        f"| HTTP ÷ library save() (default path), target ≥ 40% | {http_share:.1%} "
        f"({verdict}) | | |",
        f"| library save() ÷ raw INSERT | "
        f"{ratio(lib_default.median, results.raw.median):.1%} | | |",
        f"| server peak RSS (VmHWM) | {mib(results.peak_rss_kib)} | | |",
        "",
        settings_line,
    ]
    return lines
