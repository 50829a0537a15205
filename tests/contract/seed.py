"""What the fuzzer's store holds before it starts: a named appeal per employee it acts as,
raised and transferred, so that reads and commands have a case to find beside the ids
schemathesis makes up (stateful testing creates the rest along the document's links)."""

from __future__ import annotations

from api.bootstrap import Services
from application.casework import AppealDraft
from domain.actors import Actor, Role
from domain.appeal import Appellant
from domain.terms import Channel, Kind


def seed(services: Services, people: dict[Role, str]) -> None:
    """A transferred appeal of the fuzzer's employee, raised by its union staff."""
    clerk = Actor(people[Role.UNION_STAFF], Role.UNION_STAFF)
    draft = AppealDraft(
        Channel.GRID_LIAISON,
        Kind.COMPLAINT,
        "canteen",
        "夜班食堂供餐时间太短",
        "夜班下井前食堂只开放20分钟。",
        department="后勤服务中心",
        appellant=Appellant("王建国", people[Role.EMPLOYEE], "13800001234"),
    )
    appeal = services.casework.raise_appeal(draft, clerk)
    services.casework.transfer(
        appeal.id, department="后勤服务中心", supervisor="union-vice-chair", actor=clerk
    )
