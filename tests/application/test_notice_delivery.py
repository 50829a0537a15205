"""What a delivery may say: personal data only as the endpoint's audience may see it, and the
appellant's own e-mail only to a named appellant with an e-mail address."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from uuid import UUID, uuid4

from application.notice_delivery import Audience, Dropped, NoticeDelivery, Outgoing
from domain.actors import Role
from domain.appeal import Appeal, Appellant
from domain.errors import NotFound
from domain.notices import NoticeKind
from domain.personal_data import erased
from domain.webhook_messages import Notice
from tests.unit.builders import raise_anonymous, raise_named, transfer


class Store:
    """Appeals by id, as Casework would load them."""

    def __init__(self, *appeals: Appeal) -> None:
        self.appeals = {appeal.id: appeal for appeal in appeals}

    def get_appeal(self, appeal_id: UUID, version: int | None = None) -> Appeal:
        if appeal_id not in self.appeals:
            raise NotFound("no such appeal")
        return self.appeals[appeal_id]


def notice_of(appeal: Appeal, kind: str = NoticeKind.OVERDUE) -> Notice:
    return Notice(
        uuid4(),
        kind,
        datetime.now(UTC),
        appeal.id,
        "appeal",
        "Finance",
        payload={"case": {"number": appeal.case_number}, "act": "reply"},
    )


def audience(role: Role, *, personal_data: bool = True, **scope: frozenset[str]) -> Audience:
    return Audience(uuid4(), role, personal_data=personal_data, **scope)


def delivery(*appeals: Appeal, mail: bool = True) -> NoticeDelivery:
    return NoticeDelivery(Store(*appeals), public_url="https://huiyin.example.cn", mail=mail)


def test_union_staff_with_personal_data_are_told_who_raised_a_named_appeal() -> None:
    appeal = raise_named()
    made = delivery(appeal).for_endpoint(notice_of(appeal), audience(Role.UNION_STAFF))
    assert made.message.data["appellant"] == {"name": "张伟", "employee_no": "E1001"}
    assert made.message.data["title"] == appeal.title


def test_an_endpoint_without_personal_data_gets_references_only() -> None:
    appeal = raise_named()
    union = audience(Role.UNION_STAFF, personal_data=False)
    made = delivery(appeal).for_endpoint(notice_of(appeal), union)
    assert "appellant" not in made.message.data
    assert "title" not in made.message.data
    assert made.message.data["case"]["number"] == appeal.case_number
    assert "张伟" not in " ".join(made.message.lines)


def test_a_department_reads_its_appeal_but_never_learns_who_raised_it() -> None:
    appeal = raise_named()
    transfer(appeal, "Finance")
    finance = audience(Role.DEPARTMENT, departments=frozenset({"Finance"}))
    made = delivery(appeal).for_endpoint(notice_of(appeal), finance)
    assert made.message.data["title"] == appeal.title
    assert "appellant" not in made.message.data


def test_a_department_outside_the_appeal_is_not_told_its_words() -> None:
    appeal = raise_named()
    transfer(appeal, "Finance")
    other = audience(Role.DEPARTMENT, departments=frozenset({"Safety"}))
    made = delivery(appeal).for_endpoint(notice_of(appeal), other)
    assert "title" not in made.message.data


def test_an_anonymous_appeal_never_yields_identity() -> None:
    appeal = raise_anonymous()
    made = delivery(appeal).for_endpoint(notice_of(appeal), audience(Role.UNION_STAFF))
    assert "appellant" not in made.message.data


def test_an_erased_appellant_reads_as_erased() -> None:
    appeal = raise_named()
    appeal.appellant = Appellant(erased("abcdef0123"), erased("abcdef0123"))
    made = delivery(appeal).for_endpoint(notice_of(appeal), audience(Role.UNION_STAFF))
    assert made.message.data["appellant"] == {"erased": True}


def test_the_appellant_is_mailed_when_their_contact_is_an_email_address() -> None:
    appeal = raise_named(appellant=Appellant("张伟", "E1001", "zhang.wei@example.cn"))
    made = delivery(appeal).for_appellant(notice_of(appeal, NoticeKind.PUBLISHED))
    assert isinstance(made, Outgoing)
    assert made.to == ("zhang.wei@example.cn",)
    assert made.message.headline.startswith("【答复】")


def test_an_anonymous_appellant_is_never_mailed() -> None:
    appeal = raise_anonymous()
    made = delivery(appeal).for_appellant(notice_of(appeal, NoticeKind.PUBLISHED))
    assert made == Dropped("the appeal is anonymous: nobody to write to")


def test_an_appellant_with_a_phone_number_only_is_not_mailed() -> None:
    appeal = raise_named()  # contact 13800001111
    made = delivery(appeal).for_appellant(notice_of(appeal, NoticeKind.PUBLISHED))
    assert isinstance(made, Dropped)


def test_without_an_smtp_server_the_appellant_delivery_is_dropped() -> None:
    appeal = raise_named(appellant=Appellant("张伟", "E1001", "zhang.wei@example.cn"))
    made = delivery(appeal, mail=False).for_appellant(notice_of(appeal, NoticeKind.PUBLISHED))
    assert made == Dropped("no SMTP server is configured (HUIYIN_SMTP_HOST)")


def test_without_an_smtp_server_an_anonymous_appeal_is_still_dropped_as_anonymous() -> None:
    # The reason an admin reads must not suggest that setting up SMTP would reach anyone.
    appeal = raise_anonymous()
    made = delivery(appeal, mail=False).for_appellant(notice_of(appeal, NoticeKind.PUBLISHED))
    assert made == Dropped("the appeal is anonymous: nobody to write to")


def test_every_message_carries_the_notice_id_as_webhook_id() -> None:
    appeal = raise_named()
    notice = notice_of(appeal)
    made = delivery(appeal).for_endpoint(notice, audience(Role.AUDITOR))
    assert made.message.webhook_id == f"msg_{notice.id.hex}"
    assert replace(made.message, lines=()).link == f"https://huiyin.example.cn/appeals/{appeal.id}"
