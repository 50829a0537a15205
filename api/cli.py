"""The `huiyin` command: serve the API, manage tokens, fill a demo organisation."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Annotated, Any

import typer

from api.cli_access import org, tokens
from api.cli_personal_data import forget, keys
from api.cli_webhooks import webhooks
from api.logging_config import command_logging
from infrastructure.keys import CipherKeyError
from infrastructure.log_redaction import redact_text
from infrastructure.pools import UNAVAILABLE
from infrastructure.settings import Settings

cli = typer.Typer(help="Huiyin (回音): every matter gets an answer.", no_args_is_help=True)
cli.add_typer(tokens, name="token")
cli.add_typer(org, name="org")
cli.add_typer(keys, name="key")
cli.add_typer(webhooks, name="webhook")
cli.command("forget")(forget)

DataDir = Annotated[
    Path | None,
    typer.Option("--data-dir", help="embedded database folder (default: HUIYIN_DATA_DIR or ./var)"),
]


def load_settings(data_dir: Path | None) -> Settings:
    """Settings from the environment, with the command line's data folder if given."""
    try:
        settings = Settings()
    except ValueError as error:
        typer.echo(redact_text(f"configuration error: {error}"), err=True)
        raise typer.Exit(2) from None
    if data_dir is not None:
        settings = settings.model_copy(update={"data_dir": data_dir})
    return settings


def quiet(settings: Settings) -> Settings:
    """The settings for a command that does its own work: no runners, follower, watcher
    or webhook sender."""
    return settings.model_copy(
        update={"projections": False, "chain_follow": False, "watcher": False, "notices": False}
    )


@cli.command()
def serve(
    host: Annotated[str, typer.Option(help="address to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="port to listen on")] = 8000,
    workers: Annotated[
        int | None,
        typer.Option(
            min=1, max=256, help="HTTP worker processes (default: one per core)", show_default=False
        ),
    ] = None,
    data_dir: DataDir = None,
) -> None:
    """Start the API (and, without HUIYIN_DATABASE_URL, an embedded PostgreSQL).

    With --workers N above 1, N processes answer HTTP; the background work (view runners,
    chain follower, watcher, webhook sender) runs once, in one child process.
    """
    import uvicorn

    from api.app import create_app, route_templates
    from api.http_transport import guarded_protocol
    from api.logging_config import uvicorn_log_config
    from api.serve_workers import WORKER_APP, WorkerHttpProtocol, default_workers, master

    settings = load_settings(data_dir)
    processes = workers or default_workers()
    where = (settings.database_url and "the configured server") or f"{settings.data_dir}/pg"
    typer.echo(
        f"Huiyin on http://{host}:{port} (docs at /docs), database: {where}, "
        f"{processes} HTTP worker process{'es' if processes > 1 else ''}"
    )
    app = create_app(settings)  # connects to nothing: its lifespan would
    log_config = uvicorn_log_config(route_templates(app))
    common: dict[str, Any] = {
        "host": host,
        "port": port,
        "log_level": "info",
        "log_config": log_config,
        "timeout_keep_alive": settings.keep_alive_seconds,
    }
    if processes == 1:
        uvicorn.run(app, http=guarded_protocol(settings), **common)
        return
    with master(settings):
        uvicorn.run(WORKER_APP, factory=True, workers=processes, http=WorkerHttpProtocol, **common)


@cli.command()
def demo(
    appeals: Annotated[int, typer.Option(min=1, max=100_000, help="how many appeals")] = 300,
    months: Annotated[int, typer.Option(min=1, max=36, help="over how many past months")] = 6,
    seed: Annotated[
        int, typer.Option(help="random seed; the same seed gives the same data")
    ] = 2026,
    data_dir: DataDir = None,
) -> None:
    """Fill an empty store with a realistic organisation's year, through the application
    layer; progress on stderr. Run again on the same store, it adds nothing and says so."""
    from api.bootstrap import build_services
    from application.clock import ManualClock
    from demo.run import run_demo

    clock = ManualClock()
    # The demo sweeps for missed deadlines itself, at the moments its story needs.
    settings = load_settings(data_dir).model_copy(update={"watcher": False})
    with build_services(settings, clock=clock, calendar_warning=True) as services:
        if not settings.projections:
            services.views.start_runners(["deadline_board"])  # the board its sweeps read
        outcome = run_demo(
            services,
            clock,
            appeals=appeals,
            months=months,
            seed=seed,
            say=lambda line: typer.echo(line, err=True),
        )
    for line in outcome.lines():
        typer.echo(line)


@cli.command("access-matrix")
def access_matrix(
    write: Annotated[
        Path | None, typer.Option(help="renew the generated section of this file instead")
    ] = None,
) -> None:
    """Print who may do what (the policy table, with the routes naming each permission)."""
    from api.access_doc import render, replace_section
    from api.app import create_app

    section = render(create_app().openapi())
    if write is None:
        typer.echo(section)
        return
    write.write_text(replace_section(write.read_text(encoding="utf-8"), section), encoding="utf-8")
    typer.echo(f"renewed the access matrix in {write}")


@cli.command()
def verify(
    position: Annotated[
        int | None,
        typer.Option(min=0, help="a printed chain head's position, to check (with --link)"),
    ] = None,
    link: Annotated[
        str | None, typer.Option(help="a printed chain head's link (64 hex digits)")
    ] = None,
    data_dir: DataDir = None,
) -> None:
    """Check every stored event against the hash chain (chaining new events first).

    With --position and --link, also confirm a chain head printed on a disclosure.
    Exit 1: tampered, or the printed head not confirmed.
    """
    import sys

    from api.bootstrap import build_services
    from infrastructure.chain_links import ChainHead, parse_link

    printed = None
    if (position is None) != (link is None):
        raise typer.BadParameter("give both --position and --link, or neither")
    if position is not None and link is not None:
        try:
            printed = ChainHead(position, parse_link(link).hex())
        except ValueError as error:
            raise typer.BadParameter(str(error), param_hint="--link") from error

    # This command catches up itself; background followers and runners would only compete.
    with build_services(quiet(load_settings(data_dir))) as services:
        appended = services.chain.catch_up()
        typer.echo(f"chained {appended} new event(s)")
        total = services.chain.head().position
        with typer.progressbar(length=total, label="verifying", file=sys.stderr) as bar:
            reached = [0]

            def advance(position: int) -> None:
                bar.update(position - reached[0])
                reached[0] = position

            report = services.chain.verify(progress=advance, printed=printed)
    for line in report.lines():
        typer.echo(line)
    if not report.passed:
        raise typer.Exit(1)


@cli.command()
def watch(
    once: Annotated[bool, typer.Option(help="sweep once and exit")] = False,
    interval: Annotated[
        float | None, typer.Option(min=0.1, help="seconds between sweeps (default: settings)")
    ] = None,
    data_dir: DataDir = None,
) -> None:
    """Run the deadline watcher here (for serve with HUIYIN_WATCHER=false); Ctrl-C stops.

    Missed deadlines are recorded once even with several watchers: each case decides. With
    HUIYIN_NOTICES (the default) the reminder sweep runs beside it: each reminder is
    recorded once, however many sweep.
    """
    import contextlib
    import threading

    from api.bootstrap import build_services
    from api.notice_work import reminder_sweep, reminding
    from application.deadline_watch import SweepReport, watch_forever
    from infrastructure.database import conninfo

    configured = load_settings(data_dir)
    settings = quiet(configured)
    with build_services(settings) as services, contextlib.ExitStack() as reminders:
        # The board this watcher reads: run it here too (it stands by if serve runs it).
        services.views.start_runners(["deadline_board"])
        url, calendar, now = (
            conninfo(services.database_url),
            services.casework.calendar,
            services.casework.now,
        )
        if once:
            typer.echo(services.watch.sweep().line())
            if configured.notices:
                sweep, store = reminder_sweep(configured, url, calendar, now)
                with contextlib.closing(store):
                    typer.echo(sweep.sweep().line())
            return
        if configured.notices:
            reminders.enter_context(reminding(configured, url, calendar, now))

        def show(report: SweepReport) -> None:
            typer.echo(report.line())

        stop = threading.Event()
        try:
            watch_forever(
                services.watch,
                stop,
                interval=interval or settings.watch_interval_seconds,
                on_sweep=show,
            )
        except KeyboardInterrupt:
            stop.set()


@cli.command()
def work(data_dir: DataDir = None) -> None:
    """Run the background work here until stopped: view runners, chain follower, watcher,
    webhook sender.

    `huiyin serve` starts this as its child process (HUIYIN_BACKGROUND_PROCESS=true).
    """
    import os
    import signal
    import threading

    from api.bootstrap import build_services
    from infrastructure.worker import PARENT_VARIABLE, parent_gone

    settings = load_settings(data_dir).model_copy(update={"background_process": False})
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    parent = int(os.environ.get(PARENT_VARIABLE, "0"))
    with build_services(settings):
        try:
            while not stop.wait(1.0):
                if parent and parent_gone(parent):
                    break
        except KeyboardInterrupt:
            pass


ViewNames = Annotated[
    list[str] | None,
    typer.Argument(help="view names (default: all); see GET /projections", show_default=False),
]


def _known_views(names: list[str] | None) -> list[str]:
    from infrastructure.view_registry import VIEWS, UnknownView, spec_named

    try:
        return [spec_named(name).name for name in names] if names else list(VIEWS)
    except UnknownView as error:
        typer.echo(str(error), err=True)
        raise typer.Exit(2) from None


@cli.command()
def project(names: ViewNames = None, data_dir: DataDir = None) -> None:
    """Run view runners in this process until Ctrl-C (for serve with HUIYIN_PROJECTIONS=false).

    Each view has one leader across all processes; a second `project` stands by. Run for
    every view (no names), it runs the notice decider too (HUIYIN_NOTICES).
    """
    import threading

    from api.bootstrap import build_services
    from api.notice_work import decider_specs

    views = _known_views(names)
    settings = load_settings(data_dir)
    with build_services(quiet(settings)) as services:
        services.views.start_runners(views, also=[] if names else decider_specs(settings))
        typer.echo(f"running {', '.join(views)}; Ctrl-C to stop")
        stop = threading.Event()
        try:
            while not stop.wait(5.0):
                for entry in services.views.status():
                    if entry["name"] in views:
                        typer.echo(
                            f"{entry['name']}: {entry['runner']} at {entry['position']}"
                            f" of {entry['head']} (lag {entry['lag']})"
                            + (f"; stopped: {entry['error']}" if entry["error"] else "")
                        )
        except KeyboardInterrupt:
            typer.echo("stopping")


@cli.command()
def rebuild(
    names: ViewNames = None,
    jobs: Annotated[
        int | None,
        typer.Option(
            "--jobs",
            "-j",
            min=1,
            help="views rebuilt at once, each in a process of its own (default: the cores)",
        ),
    ] = None,
    data_dir: DataDir = None,
) -> None:
    """Drop views and replay them from the events, in parallel (stop their runners first).

    Each view commits whole or not at all: one that fails is left as it was (exit 1),
    the others are rebuilt. Ctrl-C stops every one, leaving each as it was.
    """
    from api.rebuild_command import rebuild_views

    views = _known_views(names)
    settings = quiet(load_settings(data_dir))
    if not rebuild_views(settings, views, jobs=jobs):
        raise typer.Exit(1)


#: The exit status of a command that could not reach the database.
EXIT_UNAVAILABLE = 3


def main() -> None:
    """Entry point of the `huiyin` script: logs redacted on stderr; a database out of reach
    is one line and exit 3, a master key refused one line and exit 2, not a traceback; any
    other failure a redacted traceback, exit 1."""
    with command_logging():
        try:
            cli()
        except CipherKeyError as error:  # a master key that is weak, or not this store's
            typer.echo(f"refused to start: {redact_text(str(error))}", err=True)
            raise SystemExit(2) from None
        except UNAVAILABLE as error:
            lines = str(error).strip().splitlines() or [type(error).__name__]
            typer.echo(
                redact_text(f"database unavailable: {' '.join(line.strip() for line in lines)}")
                + "\nIs PostgreSQL running, and does HUIYIN_DATABASE_URL name it?",
                err=True,
            )
            raise SystemExit(EXIT_UNAVAILABLE) from None
        except Exception:
            # Through the log's filter: a traceback may quote a token, a URL or a query value.
            log = logging.getLogger("huiyin.cli")
            log.critical("stopped by an unexpected error", exc_info=True)
            raise SystemExit(1) from None


if __name__ == "__main__":
    main()
