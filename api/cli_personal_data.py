"""`huiyin key …` and `huiyin forget`: the master key, and erasing a person.

`key rotate` re-wraps every key of the key table under a new master key; no event is
rewritten. Stop every process using the store first, and start them again with the new
key: one still running with the old key refuses to make keys and says why.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer

from api.cli_access import DataDir, services
from domain.actors import Role
from domain.erasure import LegalBasis
from infrastructure.keys import DEV_KEY_FILE, check_strength, decode_key, new_key

keys = typer.Typer(help="The master key that wraps every data key.", no_args_is_help=True)


@keys.command("new")
def new_cipher_key() -> None:
    """Print a fresh AES-256 key for HUIYIN_CIPHER_KEY."""
    typer.echo(new_key())


@keys.command("rotate")
def rotate_key(
    new: Annotated[
        str | None,
        typer.Option("--new-key", help="the new master key (base64); default: a fresh one"),
    ] = None,
    data_dir: DataDir = None,
) -> None:
    """Re-wrap every data key under a new master key (events are not touched)."""
    from api.bootstrap import database_url
    from api.cli import load_settings
    from infrastructure.database import conninfo
    from infrastructure.keyring import Keyring
    from infrastructure.keys import CipherKeyError, resolve_cipher_key

    settings = load_settings(data_dir)
    text = new or new_key()
    try:
        new_master = decode_key(text)
        check_strength(new_master)
        with database_url(settings) as url:
            keyring = Keyring.open(conninfo(url), resolve_cipher_key(settings))
            try:
                rewrapped = keyring.rotate(new_master)
            finally:
                keyring.close()
    except CipherKeyError as error:
        typer.echo(f"refused: {error}", err=True)
        raise typer.Exit(2) from None
    typer.echo(f"re-wrapped {rewrapped} key(s) under the new master key", err=True)
    key_file = Path(settings.data_dir) / DEV_KEY_FILE
    if settings.cipher_key is None and key_file.exists():
        _replace(key_file, text)
        typer.echo(f"the new key is in {key_file}", err=True)
    else:
        typer.echo("set HUIYIN_CIPHER_KEY to the new key and start the service again:", err=True)
        typer.echo(text)


def _replace(path: Path, key: str) -> None:
    """Writes the key file anew, readable by its owner only, in one rename."""
    fresh = path.with_suffix(".new")
    fd = os.open(fresh, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as file:
        file.write(key + "\n")
    fresh.replace(path)


def forget(
    subject: Annotated[str, typer.Argument(help="the person's id (employee number)")],
    reason: Annotated[str, typer.Option(help="why their data must go")],
    basis: Annotated[LegalBasis, typer.Option(help="the legal basis (PIPL art. 47)")],
    requested_by: Annotated[str, typer.Option(help="the committee member who asks")],
    confirmed_by: Annotated[str, typer.Option(help="another committee member, who confirms")],
    data_dir: DataDir = None,
) -> None:
    """Erase a person: their data keys are destroyed (two committee members decide)."""
    with services(data_dir) as built:
        directory = built.casework.directory
        members = [
            directory.actor(person, Role.COMMITTEE) for person in (requested_by, confirmed_by)
        ]
        asker, confirmer = members
        if asker is None or confirmer is None:
            typer.echo("refused: both must hold the committee role in the directory", err=True)
            raise typer.Exit(2)
        requested = built.erasures.request(subject, reason=reason, legal_basis=basis, actor=asker)
        done = built.erasures.confirm(requested.id, actor=confirmer)
        erasure = built.erasures.read(requested.id, confirmer)
    typer.echo(
        f"erasure {requested.id} {done.status.value}: {erasure.keys_destroyed} key(s) destroyed,"
        f" {erasure.tokens_deleted} token(s) deleted"
    )
