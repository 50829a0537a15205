"""`huiyin rebuild`: views rebuilt in parallel processes, progress on stderr, one line per
view on stdout."""

from __future__ import annotations

import sys
import time
from collections.abc import Sequence

import typer

from infrastructure.database import conninfo
from infrastructure.keys import resolve_cipher_key
from infrastructure.log_redaction import redact_text
from infrastructure.parallel_rebuild import (
    Failed,
    Outcome,
    StoreAccess,
    default_jobs,
    rebuild_in_parallel,
)
from infrastructure.settings import Settings


def rebuild_views(settings: Settings, names: Sequence[str], *, jobs: int | None = None) -> bool:
    """Rebuilds the named views, `jobs` at once (default: one per core); whether all were.

    The store is opened here first (an embedded server started, every table made), so the
    children only connect to it. One bar on stderr counts the events of every view; a line
    per view on stdout as it ends (a failure on stderr, naming the view).
    """
    from api.bootstrap import build_services

    names = list(dict.fromkeys(names))  # each view once
    limit = min(jobs or default_jobs(), len(names))
    with build_services(settings) as services:
        store = StoreAccess(
            env=services.views.env,
            conninfo=conninfo(services.database_url),
            master=resolve_cipher_key(settings),
        )
        head = services.views.head()
        reached = dict.fromkeys(names, 0)
        started = time.perf_counter()
        label = f"rebuilding {len(names)} view(s), {limit} at a time"
        # On a terminal a line printed while the bar is drawn starts on a line of its own.
        lead = "\n" if sys.stderr.isatty() else ""
        with typer.progressbar(length=head * len(names), label=label, file=sys.stderr) as bar:

            def advance(name: str, position: int, _head: int) -> None:
                step = min(position, head) - reached[name]
                if step > 0:
                    reached[name] += step
                    bar.update(step)

            def finished(outcome: Outcome) -> None:
                advance(outcome.name, head, head)
                if isinstance(outcome, Failed):
                    typer.echo(
                        f"{lead}{outcome.name}: not rebuilt, left as it was: "
                        + redact_text(outcome.error),
                        err=True,
                    )
                else:
                    typer.echo(
                        f"{lead}{outcome.name}: replayed {outcome.replayed} events"
                        f" in {outcome.seconds:.1f} s"
                    )

            try:
                outcomes = rebuild_in_parallel(
                    names, store, jobs=limit, progress=advance, finished=finished
                )
            except KeyboardInterrupt:
                typer.echo(f"{lead}stopped: views not yet rebuilt are left as they were", err=True)
                raise typer.Exit(130) from None
    failed = [outcome.name for outcome in outcomes if isinstance(outcome, Failed)]
    seconds = time.perf_counter() - started
    typer.echo(f"rebuilt {len(names) - len(failed)} of {len(names)} view(s) in {seconds:.1f} s")
    if failed:
        typer.echo(f"not rebuilt: {', '.join(failed)}", err=True)
    return not failed
