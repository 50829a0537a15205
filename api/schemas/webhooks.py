"""Request and response bodies for webhook endpoints and their deliveries. No response
holds a secret except the two that make one (registration, rotation), nor a target's query."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from pydantic import BaseModel, Field, StrictBool

from api.schemas.bodies import Body, text_field
from api.schemas.lists import encode_cursor
from application.webhook_records import (
    ChangeRecord,
    DeliveryPage,
    DeliveryRecord,
    EndpointRecord,
    EndpointTested,
)
from domain import limits
from domain.actors import Role
from domain.notices import DeliveryStatus, EndpointFormat, NoticeKind
from domain.terms import Tier

#: Room for twenty e-mail addresses; a URL is held to 2,000 characters by the rules.
TARGET_LIMIT = 6000
SECRET_LIMIT = 200

_TARGET = (
    "the receiver: an https URL (standard, wecom, dingtalk: the robot's URL with its key or "
    "access_token), or comma-separated e-mail addresses (email)"
)
_SIGNING_HELP = (
    "standard: a `whsec_…` secret (omit it and one is made); dingtalk: the robot's `SEC…` "
    "signing secret (加签), if set; wecom and email take none"
)


class EndpointIn(Body):
    """An endpoint to register: what it receives, and where."""

    name: str = text_field(limits.NAME, "工会办公室值班群")
    format: EndpointFormat = Field(default=EndpointFormat.STANDARD)
    target: str = Field(
        min_length=1,
        max_length=TARGET_LIMIT,
        description=_TARGET,
        examples=["https://hooks.example.cn/huiyin"],
    )
    kinds: list[NoticeKind] = Field(
        min_length=1, max_length=len(NoticeKind), examples=[["reminder", "overdue"]]
    )
    departments: list[str] = Field(
        default=[],
        max_length=limits.DEPARTMENTS,
        description="only notices of these departments (by code or name); with `tiers` "
        "empty too, every case",
    )
    tiers: list[Tier] = Field(default=[], description="or of these tiers")
    audience: Role = Field(
        default=Role.UNION_STAFF,
        description="whose reach decides what personal data it may be sent: a staff role",
    )
    personal_data: StrictBool = Field(
        default=False,
        description="send what the audience may see of who a case names (opt-in)",
    )
    secret: str | None = Field(default=None, max_length=SECRET_LIMIT, description=_SIGNING_HELP)


class EndpointPatch(Body):
    """What to change (a field left out stays as it is); the format cannot change."""

    name: str | None = Field(default=None, min_length=1, max_length=limits.NAME)
    target: str | None = Field(default=None, min_length=1, max_length=TARGET_LIMIT)
    kinds: list[NoticeKind] | None = Field(default=None, min_length=1, max_length=len(NoticeKind))
    departments: list[str] | None = Field(default=None, max_length=limits.DEPARTMENTS)
    tiers: list[Tier] | None = None
    audience: Role | None = None
    personal_data: StrictBool | None = None

    def changes(self) -> dict[str, Any]:
        """The fields given, as the use case takes them."""
        return {name: getattr(self, name) for name in self.model_fields_set}


class SecretIn(Body):
    """A new secret: omitted, a standard endpoint's is made; a DingTalk robot's is given."""

    secret: str | None = Field(default=None, max_length=SECRET_LIMIT, description=_SIGNING_HELP)


class EndpointRead(BaseModel):
    """An endpoint, without its secret; its target without the query (a robot's key)."""

    id: UUID
    name: str
    format: EndpointFormat
    target: str = Field(description="the URL without its query, or the e-mail addresses")
    kinds: list[NoticeKind]
    departments: list[str]
    tiers: list[Tier]
    audience: Role
    personal_data: bool
    has_secret: bool
    active: bool
    version: int
    created_at: datetime
    created_by: str
    changed_at: datetime
    changed_by: str
    removed_at: datetime | None

    @classmethod
    def fields_of(cls, e: EndpointRecord) -> dict[str, Any]:
        """The record's fields as this body names them."""
        spec = e.spec
        return {
            "id": e.id,
            "name": spec.name,
            "format": spec.format,
            "target": spec.target,
            "kinds": list(spec.kinds),
            "departments": list(spec.departments),
            "tiers": list(spec.tiers),
            "audience": spec.audience,
            "personal_data": spec.personal_data,
            "has_secret": e.has_secret,
            "active": e.active,
            "version": e.version,
            "created_at": e.created_at,
            "created_by": e.created_by,
            "changed_at": e.changed_at,
            "changed_by": e.changed_by,
            "removed_at": e.removed_at,
        }

    @classmethod
    def of(cls, endpoint: EndpointRecord) -> EndpointRead:
        """The endpoint as the API shows it."""
        return cls(**cls.fields_of(endpoint))


class EndpointSecretRead(EndpointRead):
    """An endpoint just registered or given a new secret: the secret shows this once."""

    secret: str | None = Field(
        description="keep it now: it is never shown again (null: the format takes none)"
    )


class ChangeRead(BaseModel):
    """One change: who, in what role, when, and the fields (never a secret or a query)."""

    version: int
    at: datetime
    actor_id: str
    actor_role: str
    change: str = Field(examples=["changed"])
    fields: dict[str, Any]

    @classmethod
    def of(cls, c: ChangeRecord) -> ChangeRead:
        """The change as the API shows it."""
        return cls(**c.__dict__)


class EndpointDetailRead(EndpointRead):
    """An endpoint and every change made to it, oldest first."""

    changes: list[ChangeRead]


class EndpointListRead(BaseModel):
    """The endpoints, by name."""

    items: list[EndpointRead]


class AttemptRead(BaseModel):
    """One try at a delivery."""

    number: int
    started_at: datetime
    duration_ms: int
    outcome: str
    status_code: int | None
    error: str | None


class DeliveryRead(BaseModel):
    """A notice's delivery to an endpoint (or an appellant), and where it stands."""

    id: UUID
    webhook_id: str = Field(description="what the receiver sees as `webhook-id`")
    notice_id: UUID
    kind: str = Field(examples=["reminder"])
    case_id: UUID | None
    case_type: str | None
    endpoint_id: UUID | None
    endpoint_name: str | None
    recipient: str = Field(description="endpoint, or appellant (an e-mail to them)")
    status: DeliveryStatus
    attempts: int
    created_at: datetime
    since: datetime = Field(description="when its retry window started")
    next_attempt_at: datetime
    delivered_at: datetime | None
    dead_at: datetime | None
    last_error: str | None

    @classmethod
    def of(cls, d: DeliveryRecord) -> DeliveryRead:
        """The delivery as the API shows it."""
        fields = {k: v for k, v in d.__dict__.items() if k != "tried"}
        return cls(webhook_id=d.webhook_id, **fields)


class DeliveryDetailRead(DeliveryRead):
    """A delivery and every attempt made, oldest first."""

    tries: list[AttemptRead]

    @classmethod
    def of_detail(cls, d: DeliveryRecord) -> DeliveryDetailRead:
        """The delivery with its attempts."""
        base = DeliveryRead.of(d).model_dump()
        return cls(**base, tries=[AttemptRead(**a.__dict__) for a in d.tried])


class DeliveryPageRead(BaseModel):
    """A page of deliveries, newest first."""

    items: list[DeliveryRead]
    next_cursor: str | None = Field(
        description="pass as `cursor` for the next page; null on the last page"
    )

    @classmethod
    def of(cls, page: DeliveryPage) -> DeliveryPageRead:
        """The page as the API shows it."""
        cursor = encode_cursor(page.next_after) if page.next_after else None
        return cls(items=[DeliveryRead.of(d) for d in page.rows], next_cursor=cursor)


class EndpointTestRead(BaseModel):
    """A test message recorded for an endpoint: its one delivery, and where to see how the
    attempt went."""

    delivery_id: UUID
    endpoint_id: UUID
    webhook_id: str = Field(description="what the receiver sees as `webhook-id`")
    status: DeliveryStatus
    held: bool = Field(description="the endpoint is paused: sent when it resumes")
    message: str
    link: str = Field(description="the delivery, with each attempt's status code or error")

    @classmethod
    def of(cls, sent: EndpointTested) -> EndpointTestRead:
        """The answer to `POST /webhooks/{id}/test`."""
        d = sent.delivery
        message = (
            "the endpoint is paused: the test is held, and sent when it resumes"
            if sent.held
            else "the test message is being sent: see the delivery for its outcome"
        )
        return cls(
            delivery_id=d.id,
            endpoint_id=sent.endpoint_id,
            webhook_id=d.webhook_id,
            status=d.status,
            held=sent.held,
            message=message,
            link=f"/webhooks/deliveries/{d.id}",
        )
