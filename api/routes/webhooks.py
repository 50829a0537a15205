"""Webhook and e-mail endpoints (docs/webhooks.md): register, change, rotate the secret,
pause, resume, remove, test; the deliveries made to them, their attempts, and replaying a dead
one.

An endpoint's commands take `If-Match` with the version its `ETag` gave. The secret shows
once, in the answer that makes it; every other answer leaves it (and a URL's query) out.
"""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query, Response, status

from api.auth import require
from api.deps import ExpectedVersionDep, ServicesDep, etag
from api.schemas.lists import decode_cursor
from api.schemas.webhooks import (
    ChangeRead,
    DeliveryDetailRead,
    DeliveryPageRead,
    EndpointDetailRead,
    EndpointIn,
    EndpointListRead,
    EndpointPatch,
    EndpointRead,
    EndpointSecretRead,
    EndpointTestRead,
    SecretIn,
)
from application.webhook_records import EndpointRecord, WithSecret
from domain.actors import Actor
from domain.notices import DeliveryStatus
from domain.policy import Permission

router = APIRouter(tags=["webhooks"])

Manager = Annotated[Actor, require(Permission.WEBHOOK_MANAGE)]
Reader = Annotated[Actor, require(Permission.WEBHOOK_READ)]
Cursor = Annotated[str | None, Query(description="`next_cursor` of the previous page")]
Limit = Annotated[int, Query(ge=1, le=200, description="deliveries per page")]
Statuses = Annotated[
    list[DeliveryStatus] | None,
    Query(description="only deliveries in these states, e.g. `dead` (default: every state)"),
]


def _shown(endpoint: EndpointRecord, response: Response) -> EndpointRead:
    response.headers["ETag"] = etag(endpoint.version)
    return EndpointRead.of(endpoint)


def _with_secret(made: WithSecret, response: Response) -> EndpointSecretRead:
    response.headers["ETag"] = etag(made.endpoint.version)
    response.headers["Cache-Control"] = "no-store"  # the secret must not stay in a cache
    return EndpointSecretRead(**EndpointRead.fields_of(made.endpoint), secret=made.secret)


@router.post(
    "/webhooks", status_code=status.HTTP_201_CREATED, summary="Register a webhook or e-mail"
)
def register_webhook(
    body: EndpointIn, actor: Manager, services: ServicesDep, response: Response
) -> EndpointSecretRead:
    """Registers an endpoint for the kinds of notice given, filtered by department or tier.
    A standard endpoint's secret is made unless given: it is in this answer and never
    shown again."""
    made = services.webhooks.register(
        name=body.name,
        format=body.format,
        target=body.target,
        kinds=body.kinds,
        departments=body.departments,
        tiers=body.tiers,
        audience=body.audience,
        personal_data=body.personal_data,
        secret=body.secret,
        actor=actor,
    )
    response.headers["Location"] = f"/webhooks/{made.endpoint.id}"
    return _with_secret(made, response)


@router.get("/webhooks", summary="The endpoints, without their secrets")
def list_webhooks(
    actor: Reader,
    services: ServicesDep,
    include_removed: Annotated[bool, Query(description="removed endpoints too")] = False,
) -> EndpointListRead:
    """Every endpoint by name: targets without their queries, never a secret."""
    found = services.webhooks.list_endpoints(actor, include_removed=include_removed)
    return EndpointListRead(items=[EndpointRead.of(e) for e in found])


@router.get("/webhooks/deliveries", summary="Deliveries to every endpoint, by state")
def list_all_deliveries(
    actor: Reader,
    services: ServicesDep,
    status: Statuses = None,
    cursor: Cursor = None,
    limit: Limit = 50,
) -> DeliveryPageRead:
    """Deliveries newest first, e.g. the dead letters with `status=dead`."""
    page = services.webhooks.deliveries(
        actor, statuses=status or (), after=decode_cursor(cursor), limit=limit
    )
    return DeliveryPageRead.of(page)


@router.get("/webhooks/deliveries/{delivery_id:uuid}", summary="A delivery and its attempts")
def get_delivery(delivery_id: UUID, actor: Reader, services: ServicesDep) -> DeliveryDetailRead:
    """Where the delivery stands, and every attempt: when, how long, the answer or error."""
    return DeliveryDetailRead.of_detail(services.webhooks.delivery(delivery_id, actor))


@router.post("/webhooks/deliveries/{delivery_id:uuid}/retry", summary="Send a dead delivery again")
def retry_delivery(delivery_id: UUID, actor: Manager, services: ServicesDep) -> DeliveryDetailRead:
    """A dead delivery (or a dropped one whose endpoint is active) is pending again, due
    now, with a new retry window; the receiver sees the same `webhook-id`. A delivered or
    pending one is 409."""
    return DeliveryDetailRead.of_detail(services.webhooks.retry(delivery_id, actor))


@router.get("/webhooks/{endpoint_id:uuid}", summary="An endpoint and its change log")
def get_webhook(
    endpoint_id: UUID, actor: Reader, services: ServicesDep, response: Response
) -> EndpointDetailRead:
    """The endpoint (never its secret) and who changed what, when."""
    endpoint = services.webhooks.get(endpoint_id, actor)
    changes = services.webhooks.changes(endpoint_id, actor)
    response.headers["ETag"] = etag(endpoint.version)
    return EndpointDetailRead(
        **EndpointRead.fields_of(endpoint), changes=[ChangeRead.of(c) for c in changes]
    )


@router.patch("/webhooks/{endpoint_id:uuid}", summary="Change an endpoint")
def change_webhook(
    endpoint_id: UUID,
    body: EndpointPatch,
    actor: Manager,
    services: ServicesDep,
    version: ExpectedVersionDep,
    response: Response,
) -> EndpointRead:
    """Changes the fields given; the endpoint's rules are checked on the whole again, and
    the change log names the fields changed."""
    changed = services.webhooks.change(
        endpoint_id, actor=actor, expected_version=version, **body.changes()
    )
    return _shown(changed, response)


@router.delete("/webhooks/{endpoint_id:uuid}", summary="Remove an endpoint")
def remove_webhook(
    endpoint_id: UUID,
    actor: Manager,
    services: ServicesDep,
    version: ExpectedVersionDep,
    response: Response,
) -> EndpointRead:
    """Nothing more is decided for or sent to it; its pending deliveries are dropped; it
    and its deliveries stay readable."""
    removed = services.webhooks.remove(endpoint_id, actor=actor, expected_version=version)
    return _shown(removed, response)


@router.post("/webhooks/{endpoint_id:uuid}/secret", summary="Rotate an endpoint's secret")
def rotate_webhook_secret(
    endpoint_id: UUID,
    actor: Manager,
    services: ServicesDep,
    version: ExpectedVersionDep,
    response: Response,
    body: SecretIn | None = None,
) -> EndpointSecretRead:
    """A new secret, in this answer only; messages are signed with it from now on."""
    made = services.webhooks.rotate_secret(
        endpoint_id,
        actor=actor,
        secret=body.secret if body is not None else None,
        expected_version=version,
    )
    return _with_secret(made, response)


@router.post("/webhooks/{endpoint_id:uuid}/pause", summary="Pause an endpoint")
def pause_webhook(
    endpoint_id: UUID,
    actor: Manager,
    services: ServicesDep,
    version: ExpectedVersionDep,
    response: Response,
) -> EndpointRead:
    """Nothing is sent to it until it resumes; notices decided meanwhile wait."""
    paused = services.webhooks.pause(endpoint_id, actor=actor, expected_version=version)
    return _shown(paused, response)


@router.post("/webhooks/{endpoint_id:uuid}/resume", summary="Resume a paused endpoint")
def resume_webhook(
    endpoint_id: UUID,
    actor: Manager,
    services: ServicesDep,
    version: ExpectedVersionDep,
    response: Response,
) -> EndpointRead:
    """Sending to it starts again."""
    resumed = services.webhooks.resume(endpoint_id, actor=actor, expected_version=version)
    return _shown(resumed, response)


@router.post(
    "/webhooks/{endpoint_id:uuid}/test",
    status_code=status.HTTP_202_ACCEPTED,
    summary="Send an endpoint a test message",
)
def send_test_webhook(
    endpoint_id: UUID, actor: Manager, services: ServicesDep, response: Response
) -> EndpointTestRead:
    """Records a test notice (`huiyin.test`, 【测试】) with one delivery, to this endpoint
    alone whatever its kinds and filters, signed and sent like every notice. The answer links
    to the delivery, whose attempts show the receiver's status code or error. A removed
    endpoint is 409; a paused one's test is held until it resumes (`held`)."""
    sent = services.webhooks.send_test(endpoint_id, actor)
    response.headers["Location"] = f"/webhooks/deliveries/{sent.delivery.id}"
    return EndpointTestRead.of(sent)


@router.get("/webhooks/{endpoint_id:uuid}/deliveries", summary="An endpoint's deliveries")
def list_webhook_deliveries(
    endpoint_id: UUID,
    actor: Reader,
    services: ServicesDep,
    status: Statuses = None,
    cursor: Cursor = None,
    limit: Limit = 50,
) -> DeliveryPageRead:
    """The endpoint's deliveries newest first, of the states asked for."""
    page = services.webhooks.deliveries(
        actor,
        endpoint_id=endpoint_id,
        statuses=status or (),
        after=decode_cursor(cursor),
        limit=limit,
    )
    return DeliveryPageRead.of(page)
