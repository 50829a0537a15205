"""Turning a delivery into a message: what a notice says to one recipient, with personal data
only as far as the policy lets that recipient see it.

A notice holds references only. An endpoint registered with `personal_data` reads the case
as `Actor("webhook:<id>", audience role, departments, tiers)` would: an appeal's title only
if that actor may read the appeal (`Permission.APPEAL_READ`), who raised it only if it may
see identity (`domain.policy.may_see_identity`). An anonymous appeal never yields identity;
an erased appellant reads as erased. The appellant's own e-mail (their answer was
published) goes only to a named, not erased appellant whose contact is an e-mail address,
and only when an SMTP server is set; otherwise the delivery is dropped, saying why.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Protocol
from uuid import UUID

from domain.actors import Actor, Role
from domain.appeal import Appeal
from domain.errors import NotFound
from domain.notices import APPELLANT_ANSWER
from domain.policy import Permission, may, may_see_identity
from domain.terms import Tier
from domain.webhook_messages import Message, Notice, facts, headline, link, webhook_id

_EMAIL = re.compile(r"[^@\s,;]+@[^@\s,;]+\.[^@\s,;]+")


class Appeals(Protocol):
    """Where appeals are loaded from (Casework)."""

    def get_appeal(self, appeal_id: UUID, version: int | None = None) -> Appeal:
        """The appeal now."""


@dataclass(frozen=True)
class Audience:
    """An endpoint as a reader of cases: whose reach decides what it may be told."""

    endpoint_id: UUID
    role: Role
    departments: frozenset[str] = frozenset()
    tiers: frozenset[str] = frozenset()
    personal_data: bool = False

    def actor(self) -> Actor:
        """The actor the policy judges this endpoint as."""
        tiers = frozenset(Tier(t) for t in self.tiers if t in Tier._value2member_map_)
        return Actor(f"webhook:{self.endpoint_id}", self.role, self.departments, tiers)


@dataclass(frozen=True)
class Outgoing:
    """A message to send; `to` holds the appellant's address for their own e-mail."""

    message: Message
    to: tuple[str, ...] = ()


@dataclass(frozen=True)
class Dropped:
    """Nothing may be sent for this delivery, and why (no personal data in the reason)."""

    reason: str


class NoticeDelivery:
    """Makes the message of each delivery."""

    def __init__(self, appeals: Appeals, *, public_url: str | None, mail: bool) -> None:
        self.appeals = appeals
        self.public_url = public_url
        self.mail = mail

    def for_endpoint(self, notice: Notice, audience: Audience) -> Outgoing:
        """The message for an endpoint: the notice's facts, and what its audience may see."""
        lines = list(facts(notice))
        data = _references(notice)
        if audience.personal_data and notice.case_type == "appeal" and notice.case_id:
            appeal = self._appeal(notice.case_id)
            if appeal is not None:
                lines += _what_may_be_seen(appeal, audience.actor(), data)
        return Outgoing(self._message(notice, notice.kind, lines, data))

    def for_appellant(self, notice: Notice) -> Outgoing | Dropped:
        """The appellant's own e-mail that their answer was published, if one may be sent."""
        # What no configuration can change first: the admin reading the reason must not
        # think setting up SMTP would reach an anonymous appellant.
        appeal = self._appeal(notice.case_id) if notice.case_id else None
        if appeal is None:
            return Dropped("the appeal is not in the store")
        if appeal.appellant is None:
            return Dropped("the appeal is anonymous: nobody to write to")
        if appeal.appellant.erased:
            return Dropped("the appellant's data was erased")
        address = appeal.appellant.contact.strip()
        if not _EMAIL.fullmatch(address):
            return Dropped("the appellant left no e-mail address")
        if not self.mail:
            return Dropped("no SMTP server is configured (HUIYIN_SMTP_HOST)")
        lines = [*facts(notice), f"诉求标题：{appeal.title}"]
        data = {**_references(notice), "title": appeal.title}
        return Outgoing(self._message(notice, APPELLANT_ANSWER, lines, data), to=(address,))

    def _appeal(self, appeal_id: UUID) -> Appeal | None:
        try:
            return self.appeals.get_appeal(appeal_id)
        except NotFound:
            return None

    def _message(
        self, notice: Notice, kind: str, lines: Iterable[str], data: dict[str, Any]
    ) -> Message:
        as_kind = Notice(
            notice.id,
            kind,
            notice.occurred_at,
            notice.case_id,
            notice.case_type,
            notice.department,
            notice.tier,
            notice.payload,
        )
        return Message(
            webhook_id=webhook_id(notice.id),
            kind=kind,
            occurred_at=notice.occurred_at,
            headline=headline(as_kind),
            lines=tuple(lines),
            link=link(self.public_url, notice),
            data=data,
        )


def _references(notice: Notice) -> dict[str, Any]:
    """What every audience may be sent: the notice's own references."""
    case = dict(notice.payload.get("case") or {})
    if notice.case_id:
        case.setdefault("id", str(notice.case_id))
    if notice.case_type:
        case.setdefault("type", notice.case_type)
    if notice.department:
        case.setdefault("department", notice.department)
    if notice.tier:
        case.setdefault("tier", notice.tier)
    return {**notice.payload, "notice_id": str(notice.id), "case": case}


def _what_may_be_seen(appeal: Appeal, actor: Actor, data: dict[str, Any]) -> list[str]:
    """The appeal's words and who raised it, as far as `actor` may see them (into `data`)."""
    lines: list[str] = []
    parties = appeal.parties
    if may(actor, Permission.APPEAL_READ, parties):
        data["title"] = appeal.title
        lines.append(f"诉求标题：{appeal.title}")
    appellant = appeal.appellant
    if appellant is not None and may_see_identity(actor, parties):
        if appellant.erased:
            data["appellant"] = {"erased": True}
            lines.append("诉求人：（个人信息已删除）")
        else:
            data["appellant"] = {"name": appellant.name, "employee_no": appellant.employee_no}
            lines.append(f"诉求人：{appellant.name}（{appellant.employee_no}）")
    return lines
