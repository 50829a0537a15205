"""`huiyin webhook …`: webhook and e-mail endpoints, and their deliveries, from the shell.

Acts as `cli:<operator>` in the admin role, like the directory commands: every change is
logged with that name. A secret is printed once, when it is made (add, rotate-secret), on
standard output alone, so that it can be piped into the receiver's configuration.
"""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

import typer

from api.cli_access import DataDir, operator, services
from application.webhook_records import DeliveryRecord, EndpointRecord
from domain.actors import Role
from domain.notices import DeliveryStatus, EndpointFormat, NoticeKind
from domain.terms import Tier

webhooks = typer.Typer(
    help="Webhook and e-mail endpoints: register, change, pause, remove; their deliveries.",
    no_args_is_help=True,
)

Kinds = Annotated[
    list[NoticeKind] | None, typer.Option("--kind", help="a kind of notice (repeat for several)")
]
Departments = Annotated[
    list[str] | None, typer.Option("--department", help="only this department's (repeat)")
]
Tiers = Annotated[list[Tier] | None, typer.Option("--tier", help="or this tier's (repeat)")]
Audience = Annotated[
    Role | None, typer.Option(help="whose reach decides the personal data it may be sent")
]
PersonalData = Annotated[
    bool | None,
    typer.Option("--personal-data/--no-personal-data", help="send what the audience may see"),
]


def _line(e: EndpointRecord) -> str:
    state = "removed" if e.removed_at else ("active" if e.active else "paused")
    kinds = ",".join(k.value for k in e.spec.kinds)
    return f"{e.id}  {state:<7} {e.spec.format.value:<8} {e.spec.name}  [{kinds}]  {e.spec.target}"


def _delivery(d: DeliveryRecord) -> str:
    when = d.created_at.isoformat(timespec="seconds")
    to = d.endpoint_name or d.recipient
    return f"{d.id}  {d.status.value:<9} {d.attempts:>3}  {when}  {d.kind:<10} {to}"


def _secret(secret: str | None) -> None:
    if secret is not None:
        typer.echo(secret)
        typer.echo("the secret above is shown this once: keep it now", err=True)


@webhooks.command("add")
def add(
    name: Annotated[str, typer.Argument(help="what people call it, e.g. 工会值班群")],
    target: Annotated[str, typer.Argument(help="the URL, or comma-separated e-mail addresses")],
    kind: Kinds = None,
    format_: Annotated[
        EndpointFormat, typer.Option("--format", help="standard, wecom, dingtalk or email")
    ] = EndpointFormat.STANDARD,
    department: Departments = None,
    tier: Tiers = None,
    audience: Audience = None,
    personal_data: PersonalData = None,
    secret: Annotated[
        str | None, typer.Option(help="a DingTalk robot's SEC… secret; standard: made if not")
    ] = None,
    data_dir: DataDir = None,
) -> None:
    """Register an endpoint; prints its secret (standard) once."""
    with services(data_dir) as built:
        made = built.webhooks.register(
            name=name,
            format=format_,
            target=target,
            kinds=kind or [],
            departments=department or [],
            tiers=tier or [],
            audience=audience or Role.UNION_STAFF,
            personal_data=bool(personal_data),
            secret=secret,
            actor=operator(),
        )
    typer.echo(f"registered {made.endpoint.id} {made.endpoint.spec.name}", err=True)
    _secret(made.secret)


@webhooks.command("list")
def list_endpoints(
    all_: Annotated[bool, typer.Option("--all", help="removed ones too")] = False,
    data_dir: DataDir = None,
) -> None:
    """The endpoints, without secrets or URLs' queries."""
    with services(data_dir) as built:
        found = built.webhooks.list_endpoints(operator(), include_removed=all_)
    for endpoint in found:
        typer.echo(_line(endpoint))


@webhooks.command("show")
def show(endpoint_id: UUID, data_dir: DataDir = None) -> None:
    """One endpoint and its change log."""
    with services(data_dir) as built:
        endpoint = built.webhooks.get(endpoint_id, operator())
        changes = built.webhooks.changes(endpoint_id, operator())
    spec = endpoint.spec
    typer.echo(_line(endpoint))
    typer.echo(f"departments: {', '.join(spec.departments) or '(any)'}")
    typer.echo(f"tiers: {', '.join(t.value for t in spec.tiers) or '(any)'}")
    typer.echo(f"audience: {spec.audience.value}, personal data: {spec.personal_data}")
    typer.echo(f"secret: {'set' if endpoint.has_secret else 'none'}, version {endpoint.version}")
    for c in changes:
        at = c.at.isoformat(timespec="seconds")
        typer.echo(f"  v{c.version} {at} {c.actor_id} ({c.actor_role}) {c.change} {c.fields}")


@webhooks.command("change")
def change(
    endpoint_id: UUID,
    name: Annotated[str | None, typer.Option(help="a new name")] = None,
    target: Annotated[str | None, typer.Option(help="a new URL or addresses")] = None,
    kind: Kinds = None,
    department: Departments = None,
    tier: Tiers = None,
    audience: Audience = None,
    personal_data: PersonalData = None,
    data_dir: DataDir = None,
) -> None:
    """Change what is given; the rest stays."""
    with services(data_dir) as built:
        changed = built.webhooks.change(
            endpoint_id,
            actor=operator(),
            name=name,
            target=target,
            kinds=kind,
            departments=department,
            tiers=tier,
            audience=audience,
            personal_data=personal_data,
        )
    typer.echo(f"changed: {_line(changed)} (version {changed.version})")


@webhooks.command("rotate-secret")
def rotate_secret(
    endpoint_id: UUID,
    secret: Annotated[
        str | None, typer.Option(help="a DingTalk robot's new secret; standard: made if not")
    ] = None,
    data_dir: DataDir = None,
) -> None:
    """Give it a new secret; prints it once."""
    with services(data_dir) as built:
        made = built.webhooks.rotate_secret(endpoint_id, actor=operator(), secret=secret)
    typer.echo(f"rotated the secret of {endpoint_id}", err=True)
    _secret(made.secret)


@webhooks.command("pause")
def pause(endpoint_id: UUID, data_dir: DataDir = None) -> None:
    """Stop sending to it; notices wait for it to resume."""
    with services(data_dir) as built:
        built.webhooks.pause(endpoint_id, actor=operator())
    typer.echo(f"paused {endpoint_id}")


@webhooks.command("resume")
def resume(endpoint_id: UUID, data_dir: DataDir = None) -> None:
    """Send to it again."""
    with services(data_dir) as built:
        built.webhooks.resume(endpoint_id, actor=operator())
    typer.echo(f"resumed {endpoint_id}")


@webhooks.command("remove")
def remove(endpoint_id: UUID, data_dir: DataDir = None) -> None:
    """Remove it: its pending deliveries are dropped; its history stays."""
    with services(data_dir) as built:
        built.webhooks.remove(endpoint_id, actor=operator())
    typer.echo(f"removed {endpoint_id}")


@webhooks.command("test")
def send_test(endpoint_id: UUID, data_dir: DataDir = None) -> None:
    """Send it a test message (【测试】, huiyin.test), whatever its kinds; prints the delivery."""
    with services(data_dir) as built:
        sent = built.webhooks.send_test(endpoint_id, operator())
    typer.echo(f"test recorded: {_delivery(sent.delivery)}")
    if sent.held:
        typer.echo("the endpoint is paused: the test is held until it resumes", err=True)
    typer.echo(f"how it went: huiyin webhook deliveries --endpoint {endpoint_id}", err=True)


@webhooks.command("deliveries")
def deliveries(
    endpoint: Annotated[UUID | None, typer.Option(help="only this endpoint's")] = None,
    status: Annotated[
        list[DeliveryStatus] | None, typer.Option(help="only these states, e.g. dead (repeat)")
    ] = None,
    limit: Annotated[int, typer.Option(min=1, max=1000, help="at most this many")] = 50,
    data_dir: DataDir = None,
) -> None:
    """Deliveries, newest first: id, state, attempts, decided, kind, endpoint."""
    with services(data_dir) as built:
        page = built.webhooks.deliveries(
            operator(), endpoint_id=endpoint, statuses=status or (), limit=limit
        )
    for d in page.rows:
        typer.echo(_delivery(d))
    if page.next_after is not None:
        typer.echo(f"(more: raise --limit above {limit})", err=True)


@webhooks.command("retry")
def retry(delivery_id: UUID, data_dir: DataDir = None) -> None:
    """Send a dead (or dropped) delivery again, now."""
    with services(data_dir) as built:
        done = built.webhooks.retry(delivery_id, operator())
    typer.echo(f"pending again: {_delivery(done)}")
