"""`huiyin token …` and `huiyin org …`: tokens, and the organisation directory they rest on.

The directory commands act as `cli:<operator>` in the admin role: whoever can run the CLI
against the store can change it anyway, and every change records who made it.
"""

from __future__ import annotations

import contextlib
import getpass
import re
from collections.abc import Iterator
from datetime import datetime, time, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from domain.actors import Actor, Role
from domain.calendar import CHINA_TZ
from domain.errors import DomainError
from domain.terms import Tier

if TYPE_CHECKING:
    from api.bootstrap import Services

tokens = typer.Typer(help="Issue, list and revoke API bearer tokens.", no_args_is_help=True)
org = typer.Typer(
    help="The organisation directory: departments, the tiers' leads, who holds which role.",
    no_args_is_help=True,
)
departments = typer.Typer(help="Add, rename, head and close departments.", no_args_is_help=True)
org.add_typer(departments, name="department")

DataDir = Annotated[
    Path | None,
    typer.Option("--data-dir", help="embedded database folder (default: HUIYIN_DATA_DIR or ./var)"),
]

_DURATION = re.compile(r"(\d+)\s*([dhw])")


def operator() -> Actor:
    """Who a directory change from the command line is recorded as."""
    return Actor(f"cli:{getpass.getuser()}", Role.ADMIN)


@contextlib.contextmanager
def services(data_dir: Path | None) -> Iterator[Services]:
    """The services, quiet (no runners); a refused command is one line and exit 2."""
    from api.bootstrap import build_services
    from api.cli import load_settings, quiet

    with build_services(quiet(load_settings(data_dir))) as built:
        try:
            yield built
        except DomainError as refusal:
            typer.echo(f"refused: {refusal}", err=True)
            raise typer.Exit(2) from None


def parse_expiry(text: str, now: datetime) -> datetime:
    """`30d`, `12h`, `2w`, a date (its end, China time) or a time with its zone."""
    value = text.strip()
    if match := _DURATION.fullmatch(value):
        unit = {"d": timedelta(days=1), "h": timedelta(hours=1), "w": timedelta(weeks=1)}
        return now + int(match.group(1)) * unit[match.group(2)]
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(
            "give 30d, 12h, 2w, a date (2027-03-01) or a time with its zone", param_hint="--expires"
        ) from None
    if len(value) == 10:  # a date: until its end, China time
        return datetime.combine(moment.date(), time(23, 59, 59), tzinfo=CHINA_TZ)
    if moment.tzinfo is None:
        raise typer.BadParameter("give the time zone, e.g. +08:00", param_hint="--expires")
    return moment


# -- tokens ---------------------------------------------------------------------------------


@tokens.command("issue")
def issue_token(
    actor: Annotated[str, typer.Option("--actor", help="the person, e.g. an employee number")],
    role: Annotated[Role, typer.Option("--role", help="a role the directory gives them")],
    expires: Annotated[
        str | None, typer.Option(help="30d, 12h, 2w, 2027-03-01 (default: HUIYIN_TOKEN_DAYS)")
    ] = None,
    label: Annotated[str, typer.Option(help="a note on what the token is for")] = "",
    data_dir: DataDir = None,
) -> None:
    """Print a new bearer token (only its hash is stored) for a role the person holds."""
    with services(data_dir) as built:
        credentials = built.credentials
        until = parse_expiry(expires, credentials.now()) if expires else None
        issued = credentials.issue(actor, role, expires_at=until, label=label)
    typer.echo(issued.token)
    typer.echo(f"id {issued.record.id}, expires {issued.record.expires_at.isoformat()}", err=True)


@tokens.command("list")
def list_tokens(
    all_: Annotated[bool, typer.Option("--all", help="revoked and expired ones too")] = False,
    data_dir: DataDir = None,
) -> None:
    """The tokens, without their secrets: id, who, role, label, issued, expires, state."""
    with services(data_dir) as built:
        records = built.credentials.list(include_ended=all_)
        now = built.credentials.now()
    typer.echo(
        "id            actor                role          expires                    state  label"
    )
    for r in records:
        state = "revoked" if r.revoked_at else ("expired" if r.expires_at <= now else "live")
        typer.echo(
            f"{r.id:<13} {r.actor_id:<20} {r.role.value:<13} "
            f"{r.expires_at.isoformat(timespec='seconds'):<26} {state:<6} {r.label}"
        )


@tokens.command("revoke")
def revoke_token(
    token: Annotated[str, typer.Argument(help="the token, or its id from `token list`")],
    data_dir: DataDir = None,
) -> None:
    """End a token: requests carrying it get 401 from the next one, in every process."""
    with services(data_dir) as built:
        revoked = built.credentials.revoke(token)
    if revoked is None:
        typer.echo("no live token matches (an id must match exactly one)", err=True)
        raise typer.Exit(1)
    typer.echo(f"revoked {revoked.id} ({revoked.actor_id}, {revoked.role.value})")


# -- the directory --------------------------------------------------------------------------


@org.command("show")
def show(data_dir: DataDir = None) -> None:
    """The directory as a TOML file `org import` reads back."""
    from infrastructure.directory_file import write_toml

    with services(data_dir) as built:
        typer.echo(write_toml(built.casework.directory.current()))


@org.command("import")
def import_file(
    path: Annotated[Path, typer.Argument(help="a TOML directory, or a CSV of departments")],
    dry_run: Annotated[bool, typer.Option(help="say what would change; change nothing")] = False,
    data_dir: DataDir = None,
) -> None:
    """Bring the directory in line with a file: adds and updates, never closes or revokes."""
    from infrastructure.directory_file import DirectoryFileError, read_plan

    try:
        plan = read_plan(path)
    except DirectoryFileError as error:
        typer.echo(str(error), err=True)
        raise typer.Exit(2) from None
    with services(data_dir) as built:
        directory = built.casework.directory
        changes, _ = directory.apply_plan(plan, actor=operator(), dry_run=dry_run)
    for change in changes:
        typer.echo(change)
    typer.echo(f"{len(changes)} change(s)" + (" (dry run: nothing changed)" if dry_run else ""))


@departments.command("add")
def add(
    code: str,
    name: str,
    head: Annotated[str | None, typer.Option(help="the department's head")] = None,
    data_dir: DataDir = None,
) -> None:
    """Add a department under a new code."""
    with services(data_dir) as built:
        built.casework.directory.open_department(code=code, name=name, head=head, actor=operator())
    typer.echo(f"added {code} {name}")


@departments.command("rename")
def rename(code: str, name: str, data_dir: DataDir = None) -> None:
    """Rename a department (its code, cases and figures stay)."""
    with services(data_dir) as built:
        built.casework.directory.rename_department(code, name=name, actor=operator())
    typer.echo(f"renamed {code} to {name}")


@departments.command("head")
def head(
    code: str,
    person: Annotated[str, typer.Argument(help="the new head, or - for none")],
    data_dir: DataDir = None,
) -> None:
    """Name a department's head."""
    with services(data_dir) as built:
        built.casework.directory.appoint_head(
            code, head=None if person == "-" else person, actor=operator()
        )
    typer.echo(f"head of {code}: {person}")


@departments.command("close")
def close(
    code: str,
    reason: Annotated[str, typer.Option(help="why it closes")],
    data_dir: DataDir = None,
) -> None:
    """Close a department: nothing new is sent to it; its history stays."""
    with services(data_dir) as built:
        built.casework.directory.close_department(code, reason=reason, actor=operator())
    typer.echo(f"closed {code}")


@org.command("lead")
def lead(
    tier: Tier,
    person: str,
    position: Annotated[str, typer.Option(help="the lead's position, e.g. 工会副主席")],
    data_dir: DataDir = None,
) -> None:
    """Name the lead (牵头人) of a tier's talks."""
    with services(data_dir) as built:
        built.casework.directory.appoint_lead(
            tier, position=position, person=person, actor=operator()
        )
    typer.echo(f"lead of {tier.value}: {person} ({position})")


@org.command("grant")
def grant(
    person: str,
    role: Role,
    department: Annotated[
        list[str] | None, typer.Option(help="a handler's department (repeat for several)")
    ] = None,
    tier: Annotated[list[Tier] | None, typer.Option(help="a supervisor's tier (repeat)")] = None,
    data_dir: DataDir = None,
) -> None:
    """Let someone act in a role (replacing the scope they held in it)."""
    with services(data_dir) as built:
        built.casework.directory.grant(
            person, role, departments=department or [], tiers=tier or [], actor=operator()
        )
    typer.echo(f"granted {person} {role.value}")


@org.command("revoke")
def revoke(person: str, role: Role, data_dir: DataDir = None) -> None:
    """End a role someone holds; their tokens for it stop working at once."""
    with services(data_dir) as built:
        built.casework.directory.revoke(person, role, actor=operator())
    typer.echo(f"revoked {person} {role.value}")
