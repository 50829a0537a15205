"""The `huiyin` command: serve the API, manage tokens, fill a demo organisation."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from domain.actors import Actor, Role
from infrastructure.keys import new_key
from infrastructure.settings import Settings

cli = typer.Typer(help="Huiyin (回音): every matter gets an answer.", no_args_is_help=True)
tokens = typer.Typer(help="Issue and revoke API bearer tokens.", no_args_is_help=True)
keys = typer.Typer(help="Cipher keys for personal data in events.", no_args_is_help=True)
cli.add_typer(tokens, name="token")
cli.add_typer(keys, name="key")

DataDir = Annotated[
    Path | None,
    typer.Option("--data-dir", help="embedded database folder (default: HUIYIN_DATA_DIR or ./var)"),
]


def load_settings(data_dir: Path | None) -> Settings:
    """Settings from the environment, with the command line's data folder if given."""
    try:
        settings = Settings()
    except ValueError as error:
        typer.echo(f"configuration error: {error}", err=True)
        raise typer.Exit(2) from None
    if data_dir is not None:
        settings = settings.model_copy(update={"data_dir": data_dir})
    return settings


@cli.command()
def serve(
    host: Annotated[str, typer.Option(help="address to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="port to listen on")] = 8000,
    data_dir: DataDir = None,
) -> None:
    """Start the API (and, without HUIYIN_DATABASE_URL, an embedded PostgreSQL)."""
    import uvicorn

    from api.app import create_app

    settings = load_settings(data_dir)
    where = (settings.database_url and "the configured server") or f"{settings.data_dir}/pg"
    typer.echo(f"Huiyin on http://{host}:{port} (docs at /docs), database: {where}")
    uvicorn.run(create_app(settings), host=host, port=port, log_level="info")


@tokens.command("issue")
def issue_token(
    actor: Annotated[str, typer.Option("--actor", help="the actor id, e.g. an employee number")],
    role: Annotated[Role, typer.Option("--role", help="the actor's role")],
    label: Annotated[str, typer.Option(help="a note on what the token is for")] = "",
    data_dir: DataDir = None,
) -> None:
    """Print a new bearer token for an actor (only its hash is stored)."""
    from api.bootstrap import build_services

    with build_services(load_settings(data_dir)) as services:
        issued = services.store.issue_token(Actor(actor, role), label)
    typer.echo(issued.token)


@tokens.command("revoke")
def revoke_token(
    token: Annotated[str, typer.Argument(help="the token to end")],
    data_dir: DataDir = None,
) -> None:
    """End a token: requests carrying it get 401 from now on."""
    from api.bootstrap import build_services

    with build_services(load_settings(data_dir)) as services:
        revoked = services.store.revoke_token(token)
    if not revoked:
        typer.echo("no live token matches", err=True)
        raise typer.Exit(1)
    typer.echo("revoked")


@keys.command("new")
def new_cipher_key() -> None:
    """Print a fresh AES-256 key for HUIYIN_CIPHER_KEY."""
    typer.echo(new_key())


@cli.command()
def demo(
    appeals: Annotated[int, typer.Option(min=1, max=100_000, help="how many appeals")] = 300,
    months: Annotated[int, typer.Option(min=1, max=36, help="over how many past months")] = 6,
    seed: Annotated[
        int, typer.Option(help="random seed; the same seed gives the same data")
    ] = 2026,
    data_dir: DataDir = None,
) -> None:
    """Fill the store with a realistic organisation's appeals, through the application layer."""
    from api.bootstrap import build_services
    from application.clock import ManualClock
    from application.demo import populate
    from application.demo_meetings import populate_meetings

    clock = ManualClock()
    with build_services(load_settings(data_dir), clock=clock) as services:
        summary = populate(services.casework, clock, appeals=appeals, months=months, seed=seed)
        meetings = populate_meetings(services.meetings, clock, months=12, seed=seed)
    for line in [*summary.lines(), *meetings.lines()]:
        typer.echo(line)


def main() -> None:
    """Entry point of the `huiyin` script."""
    cli()
