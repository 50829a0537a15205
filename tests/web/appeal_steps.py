"""Steps the appeal page tests take through the use cases directly (the pages under test
are the ones the test then opens): raising an appeal, and moving it along."""

from __future__ import annotations

import re
import secrets
from uuid import UUID

from application.casework import AppealDraft, Casework
from domain.actors import Actor, Role
from domain.appeal import Appellant
from domain.terms import Channel, Kind
from tests.conftest import scoped

#: A receipt code as the service makes them.
RECEIPT_CODE = re.compile(r"[A-HJ-NP-Z2-9]{4}(-[A-HJ-NP-Z2-9]{4}){3}")
#: The supervisor the tests name on transfers.
SUPERVISOR = "S-zhao"


def new_employee() -> str:
    """An employee number of the test's own (the session's store is shared)."""
    return f"E{secrets.token_hex(4)}"


def staff(casework: Casework, actor_id: str = "union-clerk-1") -> Actor:
    """Union staff, who transfer and publish."""
    return scoped(casework, actor_id, Role.UNION_STAFF)


def handler(casework: Casework, actor_id: str, department: str) -> Actor:
    """A department handler of `department`."""
    return scoped(casework, actor_id, Role.DEPARTMENT, departments=(department,))


def raise_named(
    casework: Casework, employee: str, title: str = "夜班食堂供餐时间太短", **changes: object
) -> UUID:
    """A named appeal raised by `employee` in their own name."""
    values: dict[str, object] = {
        "channel": Channel.GRID_LIAISON,
        "kind": Kind.COMPLAINT,
        "category": "canteen",
        "title": title,
        "text": "夜班下井前食堂只开放20分钟，来不及吃饭。",
        "appellant": Appellant("王建国", employee, "13800001234"),
        **changes,
    }
    draft = AppealDraft(**values)  # type: ignore[arg-type]
    return casework.raise_appeal(draft, Actor(employee, Role.EMPLOYEE)).id


def raise_anonymous(casework: Casework, employee: str, title: str) -> tuple[UUID, str]:
    """An anonymous appeal an employee raised: its id and receipt code."""
    draft = AppealDraft(
        channel=Channel.ANONYMOUS_BOX,
        kind=Kind.COMPLAINT,
        category="management",
        title=title,
        text="同一班组的重活总是分给同几个人。",
    )
    result = casework.raise_appeal(draft, Actor(employee, Role.EMPLOYEE))
    assert result.receipt_code is not None
    return result.id, result.receipt_code


def transferred(casework: Casework, appeal_id: UUID, department: str) -> None:
    """Union staff transfer the appeal to `department`."""
    casework.transfer(
        appeal_id, department=department, supervisor=SUPERVISOR, actor=staff(casework)
    )


def answered_and_published(casework: Casework, appeal_id: UUID, department: str) -> None:
    """Transferred to `department`, replied by its handler, published by union staff."""
    transferred(casework, appeal_id, department)
    casework.reply(
        appeal_id,
        answer="自12月1日起夜班供餐时间延长至40分钟。",
        basis="《后勤服务管理办法》第12条",
        actor=handler(casework, f"{department}-head", department),
    )
    casework.publish_reply(
        appeal_id, public_text="夜班供餐时间延长至40分钟。", actor=staff(casework)
    )
