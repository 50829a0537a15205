"""Request and response bodies for disclosures (公示), and the Atom feeds built from the view."""

from __future__ import annotations

import re
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any
from uuid import UUID
from xml.etree import ElementTree as ET

from pydantic import BaseModel, Field

from api.schemas.bodies import Body, text_field
from api.schemas.lists import encode_cursor
from domain import limits
from domain.disclosure import (
    BODY_LIMIT,
    SUBJECT_LIMIT,
    ChainMark,
    Disclosure,
    DisclosureStatus,
    SubjectType,
)
from projections.disclosure_feed import FeedEntry, FeedPage

ATOM_NS = "http://www.w3.org/2005/Atom"
ATOM_MEDIA_TYPE = "application/atom+xml"

Departments: Any = Field(
    default_factory=list,
    max_length=50,
    description="departments concerned; for an appeal or meeting, empty takes the subject's",
    examples=[["后勤服务中心"]],
)


def history_path(disclosure_id: UUID) -> str:
    """Where a disclosure's history is read."""
    return f"/disclosures/{disclosure_id}/history"


class DisclosureCreate(Body):
    """A disclosure to propose. Appeal answers and meeting minutes bring their own text."""

    subject_type: SubjectType
    subject: str = Field(
        min_length=1,
        max_length=SUBJECT_LIMIT,
        description=(
            "the appeal, meeting, proposal or golden-idea review id; a month (2026-03) for a"
            " monthly report or fund statement; the department for penalties and cards; the"
            " award's name for an award procedure"
        ),
        examples=["0b5c5d1e-2f3a-4b7c-9d2e-8f1a2b3c4d5e"],
    )
    title: str = text_field(limits.TITLE, "夜班食堂供餐时间答复公示")
    body: str = Field(
        default="",
        max_length=BODY_LIMIT,
        description="the public text; leave out for appeal answers and meeting minutes",
    )
    departments: list[str] = Departments


class ReturnIn(Body):
    """Why the committee sends the disclosure back."""

    reason: str = text_field(limits.REASON, "答复依据未写明，请补充制度条款")


class ReviseIn(Body):
    """The revised disclosure, proposed again for review."""

    title: str = text_field(limits.TITLE, "夜班食堂供餐时间答复公示（修订）")
    body: str = Field(default="", max_length=BODY_LIMIT)
    departments: list[str] = Departments


class DisclosureWithdrawIn(Body):
    """Why a published disclosure is withdrawn."""

    reason: str = text_field(limits.REASON, "公示内容有误，更正后重新公示")


class ChainMarkRead(BaseModel):
    """The hash chain's head when the disclosure was approved; check it with GET /audit/verify."""

    position: int = Field(examples=[1234])
    link: str = Field(examples=["9f2c" + "0" * 60])

    @classmethod
    def of(cls, mark: ChainMark | None) -> ChainMarkRead | None:
        """The read model of a chain mark, if there is one."""
        return cls(position=mark.position, link=mark.link) if mark else None


class DisclosureRead(BaseModel):
    """A disclosure as it stands."""

    id: UUID
    version: int
    status: DisclosureStatus
    subject_type: SubjectType
    subject: str
    departments: list[str]
    title: str
    body: str
    proposed_by: str
    returned_reason: str | None
    approved_by: str | None
    approved_at: datetime | None
    chain_head: ChainMarkRead | None
    published_at: datetime | None
    published_chain_head: ChainMarkRead | None = Field(
        default=None, description="the hash chain's head at publication, printed on the notice"
    )
    withdrawn_at: datetime | None
    withdrawal_reason: str | None
    history: str

    @classmethod
    def of(cls, disclosure: Disclosure) -> DisclosureRead:
        """The read model of a disclosure."""
        return cls(
            id=disclosure.id,
            version=disclosure.version,
            status=disclosure.status,
            subject_type=disclosure.subject_type,
            subject=disclosure.subject,
            departments=list(disclosure.departments),
            title=disclosure.title,
            body=disclosure.body,
            proposed_by=disclosure.proposed_by,
            returned_reason=disclosure.returned_reason,
            approved_by=disclosure.approved_by,
            approved_at=disclosure.approved_at,
            chain_head=ChainMarkRead.of(disclosure.chain_head),
            published_at=disclosure.published_at,
            published_chain_head=ChainMarkRead.of(disclosure.published_chain_head),
            withdrawn_at=disclosure.withdrawn_at,
            withdrawal_reason=disclosure.withdrawal_reason,
            history=history_path(disclosure.id),
        )


class PublicEntryRead(BaseModel):
    """A published (or withdrawn) disclosure as anyone may read it."""

    id: UUID
    status: DisclosureStatus = Field(examples=["published"])
    withdrawn: bool
    subject_type: str
    subject: str
    departments: list[str]
    title: str
    body: str
    published_at: datetime
    withdrawn_at: datetime | None
    withdrawal_reason: str | None
    chain_head: ChainMarkRead | None
    history: str = Field(examples=["/disclosures/0b5c5d1e-2f3a-4b7c-9d2e-8f1a2b3c4d5e/history"])

    @classmethod
    def of(cls, entry: FeedEntry) -> PublicEntryRead:
        """The row as the public feed shows it."""
        return cls(
            id=entry.id,
            status=entry.status,
            withdrawn=entry.status is DisclosureStatus.WITHDRAWN,
            subject_type=entry.subject_type,
            subject=entry.subject,
            departments=entry.departments,
            title=entry.title,
            body=entry.body,
            published_at=entry.sort_key,
            withdrawn_at=entry.withdrawn_at,
            withdrawal_reason=entry.withdrawal_reason,
            chain_head=_chain(entry),
            history=history_path(entry.id),
        )


class QueueEntryRead(BaseModel):
    """A disclosure in the committee's queue (proposed, returned, approved...)."""

    id: UUID
    version: int
    status: DisclosureStatus
    subject_type: str
    subject: str
    departments: list[str]
    title: str
    body: str
    proposed_by: str
    proposed_at: datetime
    updated_at: datetime
    returned_reason: str | None
    approved_by: str | None
    approved_at: datetime | None
    published_at: datetime | None
    history: str

    @classmethod
    def of(cls, entry: FeedEntry) -> QueueEntryRead:
        """The row as the committee's queue shows it."""
        return cls(
            id=entry.id,
            version=entry.version,
            status=entry.status,
            subject_type=entry.subject_type,
            subject=entry.subject,
            departments=entry.departments,
            title=entry.title,
            body=entry.body,
            proposed_by=entry.proposed_by,
            proposed_at=entry.proposed_at,
            updated_at=entry.updated_at,
            returned_reason=entry.returned_reason,
            approved_by=entry.approved_by,
            approved_at=entry.approved_at,
            published_at=entry.published_at,
            history=history_path(entry.id),
        )


class PublicPageRead(BaseModel):
    """A page of the public disclosure feed, newest publication first."""

    items: list[PublicEntryRead]
    next_cursor: str | None = Field(description="pass as `cursor` for the next page")
    position: int = Field(description="the view's position: every event up to it is included")

    @classmethod
    def of(cls, page: FeedPage, position: int) -> PublicPageRead:
        """The page as the public API shows it."""
        return cls(
            items=[PublicEntryRead.of(e) for e in page.entries],
            next_cursor=encode_cursor(page.next_after) if page.next_after else None,
            position=position,
        )


class QueuePageRead(BaseModel):
    """A page of the committee's queue, newest proposal first."""

    items: list[QueueEntryRead]
    next_cursor: str | None
    position: int

    @classmethod
    def of(cls, page: FeedPage, position: int) -> QueuePageRead:
        """The page as the committee's queue shows it."""
        return cls(
            items=[QueueEntryRead.of(e) for e in page.entries],
            next_cursor=encode_cursor(page.next_after) if page.next_after else None,
            position=position,
        )


def _chain(entry: FeedEntry) -> ChainMarkRead | None:
    if entry.chain_position is None or entry.chain_link is None:
        return None
    return ChainMarkRead(position=entry.chain_position, link=entry.chain_link)


# -- Atom 1.0 (RFC 4287) ---------------------------------------------------------------


def feed_id(department: str | None) -> str:
    """A stable id for the overall feed, or for one department's."""
    name = "huiyin:disclosures" + (f":department:{department}" if department else "")
    return uuid.uuid5(uuid.NAMESPACE_URL, name).urn


def _stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


#: What XML 1.0 cannot carry (control characters but tab and line ends, U+FFFE, U+FFFF, lone
#: surrogates): ElementTree writes them as they are, and one such character in one entry
#: would leave the whole feed unreadable to every feed reader.
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def xml_safe(text: str) -> str:
    """`text` with each character XML cannot carry replaced by U+FFFD (�)."""
    return _NOT_XML.sub("\ufffd", text)


def _text(parent: ET.Element, tag: str, text: str, **attrs: str) -> ET.Element:
    element = _child(parent, tag, **attrs)
    element.text = xml_safe(text)
    return element


def _child(parent: ET.Element, tag: str, **attrs: str) -> ET.Element:
    return ET.SubElement(
        parent, f"{{{ATOM_NS}}}{tag}", {name: xml_safe(value) for name, value in attrs.items()}
    )


def atom_feed(
    entries: Sequence[FeedEntry],
    *,
    self_url: str,
    base_url: str,
    department: str | None,
    empty_updated: datetime,
    department_name: str | None = None,
) -> bytes:
    """An Atom 1.0 feed of public entries; withdrawn ones say so in title and content. A
    department's feed is identified by its code (stable across renaming) and titled with
    its name."""
    ET.register_namespace("", ATOM_NS)
    feed = ET.Element(f"{{{ATOM_NS}}}feed")
    shown = department_name or department
    scope = f" — {shown}" if shown else ""
    _text(feed, "id", feed_id(department))
    _text(feed, "title", f"回音 Huiyin 公示 disclosures{scope}")
    updated = max(
        (e.withdrawn_at or e.sort_key for e in entries),
        default=empty_updated,
    )
    _text(feed, "updated", _stamp(updated))
    author = _child(feed, "author")
    _text(author, "name", "工会委员会 Union committee")
    _child(feed, "link", rel="self", href=self_url)
    for entry in entries:
        feed.append(_atom_entry(entry, base_url))
    return bytes(ET.tostring(feed, encoding="utf-8", xml_declaration=True))


def _atom_entry(entry: FeedEntry, base_url: str) -> ET.Element:
    element = ET.Element(f"{{{ATOM_NS}}}entry")
    withdrawn = entry.status is DisclosureStatus.WITHDRAWN
    _text(element, "id", entry.id.urn)
    _text(element, "title", f"[已撤回 withdrawn] {entry.title}" if withdrawn else entry.title)
    _text(element, "updated", _stamp(entry.withdrawn_at or entry.sort_key))
    _text(element, "published", _stamp(entry.sort_key))
    _child(element, "link", rel="alternate", href=base_url.rstrip("/") + history_path(entry.id))
    for department in entry.departments:
        _child(element, "category", term=department)
    _child(element, "category", term=entry.subject_type)
    lines = []
    if withdrawn and entry.withdrawn_at is not None:
        lines.append(
            f"已撤回 Withdrawn at {entry.withdrawn_at.isoformat()}: {entry.withdrawal_reason}"
        )
    lines.append(entry.body)
    if entry.chain_position is not None:
        lines.append(f"Chain head: position {entry.chain_position}, link {entry.chain_link}")
    _text(element, "content", "\n\n".join(lines), type="text")
    return element
