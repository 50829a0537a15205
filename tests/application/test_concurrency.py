"""Two writers on one version: the second is refused as a concurrent write."""

from __future__ import annotations

import pytest

from application.casework import AppealDraft, Casework
from domain.actors import Actor, Role
from domain.appeal import Appellant
from domain.errors import ConcurrentWrite
from domain.terms import Channel, Kind

CLERK = Actor("clerk", Role.UNION_STAFF)


def test_a_write_on_a_version_someone_else_already_changed_is_refused(
    casework: Casework,
) -> None:
    draft = AppealDraft(
        Channel.RECEPTION_DAY,
        Kind.COMPLAINT,
        "housing",
        "宿舍漏水",
        "三楼漏水",
        appellant=Appellant("李梅", "E30001"),
    )
    appeal_id = casework.raise_appeal(draft, CLERK).id
    first, second = casework.get_appeal(appeal_id), casework.get_appeal(appeal_id)
    deadline = casework.policy.reply_rule().apply(
        casework.calendar, raised_at=first.raised_at, transferred_at=casework.now()
    )
    for appeal, department in ((first, "A"), (second, "B")):
        appeal.transfer(
            department=department,
            supervisor="s",
            reply_deadline=deadline,
            actor=CLERK,
            at=casework.now(),
        )
    casework.save(first)

    with pytest.raises(ConcurrentWrite, match="changed by another request"):
        casework._save(second)  # the save path every command takes

    assert casework.get_appeal(appeal_id).responsible_department == "A"
