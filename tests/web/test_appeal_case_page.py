"""The appeal's case page: what each role that may read it sees (who raised it only if the
policy lets them), the forms their role may use in its state — only those — each calling
the JSON route's use case with the version the page showed, and the transfer's deadline
shown before it is confirmed."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime
from urllib.parse import urlencode
from uuid import UUID

import pytest

from api.web.rendering import shown_time
from application.casework import Casework
from application.clock import ManualClock
from domain.actors import Role
from domain.terms import Kind, Rating, Status
from tests.conftest import open_department
from tests.web.appeal_steps import (
    SUPERVISOR,
    answered_and_published,
    handler,
    new_employee,
    raise_named,
    staff,
    transferred,
)
from tests.web.conftest import Browser

SignIn = Callable[..., Browser]
ACTION_FORM = re.compile(r'<details class="card action" id="action-([a-z-]+)"')
AFTER = re.compile(r"^/web/appeals/[0-9a-f-]{36}\?after=\d+$")
#: A Wednesday morning, China time: a transfer now is due five working days on.
WEDNESDAY = datetime(2026, 12, 2, 2, 0, tzinfo=UTC)


def forms_on(page: str) -> set[str]:
    """The action forms a case page offers."""
    return set(ACTION_FORM.findall(page))


def case(appeal_id: UUID) -> str:
    """The case page's path."""
    return f"/web/appeals/{appeal_id}"


def test_union_staff_see_the_transfer_deadline_before_confirming_and_the_transfer_records_it(
    signed_in: SignIn, casework: Casework, clock: ManualClock
) -> None:
    clock.set(WEDNESDAY)
    department = open_department(casework, "Canteen")
    appeal_id = raise_named(casework, new_employee())
    web = signed_in("union-clerk-1", Role.UNION_STAFF)
    page = web.get(case(appeal_id))
    assert {"transfer", "publish", "close"} & forms_on(page.text) == {"transfer"}
    query = {"department": department, "supervisor": SUPERVISOR, "version": "1"}

    preview = web.get(f"{case(appeal_id)}/transfer?{urlencode(query)}")

    assert preview.status_code == 200
    expected = casework.transfer_deadline(casework.get_appeal(appeal_id), at=WEDNESDAY)
    assert shown_time(expected.due) in preview.text
    assert casework.get_appeal(appeal_id).status is Status.RAISED  # nothing recorded yet
    inline = web.client.get(
        f"{case(appeal_id)}/transfer?{urlencode(query)}", headers={"HX-Request": "true"}
    )
    assert "<html" not in inline.text
    assert shown_time(expected.due) in inline.text
    confirmed = web.post(f"{case(appeal_id)}/transfer", {**query, "supervisor_reason": ""})
    assert confirmed.status_code == 303
    assert AFTER.match(confirmed.headers["location"])
    appeal = casework.get_appeal(appeal_id)
    assert appeal.status is Status.TRANSFERRED
    assert appeal.reply_deadline is not None
    assert appeal.reply_deadline.due == expected.due
    after = web.get(confirmed.headers["location"])
    assert "已转办" in after.text
    assert shown_time(expected.due) in after.text


def test_a_transfer_to_a_department_the_directory_lacks_is_refused_on_the_case_page(
    signed_in: SignIn, casework: Casework
) -> None:
    appeal_id = raise_named(casework, new_employee())
    web = signed_in("union-clerk-1", Role.UNION_STAFF)
    query = urlencode({"department": "不存在的部门", "supervisor": SUPERVISOR, "version": "1"})

    refused = web.get(f"{case(appeal_id)}/transfer?{query}")

    assert refused.status_code == 422
    assert 'id="f-transfer-department-error"' in refused.text
    assert casework.get_appeal(appeal_id).status is Status.RAISED


def test_a_department_handler_answers_only_a_case_their_department_holds(
    signed_in: SignIn, casework: Casework
) -> None:
    ours, theirs = open_department(casework, "Ours"), open_department(casework, "Theirs")
    held = raise_named(casework, new_employee(), "食堂排队太久")
    passed_on = raise_named(casework, new_employee(), "宿舍漏水")
    transferred(casework, held, ours)
    transferred(casework, passed_on, ours)
    casework.retransfer(passed_on, department=theirs, reason="归口管理", actor=staff(casework))
    handler(casework, "ours-handler", ours)
    web = signed_in("ours-handler", Role.DEPARTMENT, departments=[ours])

    page = web.get(case(held))
    assert forms_on(page.text) == {"acknowledge", "reply"}
    gone = web.get(case(passed_on))
    assert gone.status_code == 200  # it was with them: they may read it
    assert forms_on(gone.text) == set()

    version = casework.get_appeal(held).version
    acknowledged = web.post(f"{case(held)}/acknowledge", {"version": str(version), "note": ""})
    assert acknowledged.status_code == 303
    assert casework.get_appeal(held).status is Status.ACKNOWLEDGED
    assert forms_on(web.get(acknowledged.headers["location"]).text) == {"reply"}


def test_a_reply_without_its_basis_keeps_the_answer_and_records_nothing(
    signed_in: SignIn, casework: Casework
) -> None:
    department = open_department(casework, "Reply")
    appeal_id = raise_named(casework, new_employee())
    transferred(casework, appeal_id, department)
    web = signed_in("reply-handler", Role.DEPARTMENT, departments=[department])
    version = casework.get_appeal(appeal_id).version

    refused = web.post(
        f"{case(appeal_id)}/reply", {"version": str(version), "answer": "已延长供餐时间"}
    )

    assert refused.status_code == 422
    assert 'id="f-reply-basis-error">必填' in refused.text
    assert ">已延长供餐时间</textarea>" in refused.text
    assert '<details class="card action" id="action-reply" open>' in refused.text
    assert casework.get_appeal(appeal_id).version == version


def test_a_form_sent_from_a_stale_page_gets_the_412_page(
    signed_in: SignIn, casework: Casework
) -> None:
    department = open_department(casework, "Stale")
    appeal_id = raise_named(casework, new_employee())
    transferred(casework, appeal_id, department)
    web = signed_in("stale-handler", Role.DEPARTMENT, departments=[department])

    stale = web.post(f"{case(appeal_id)}/acknowledge", {"version": "1"})

    assert stale.status_code == 412
    assert "内容已被他人更新，请刷新后重试" in stale.text
    assert casework.get_appeal(appeal_id).status is Status.TRANSFERRED


@pytest.mark.parametrize("role", [Role.AUDITOR, Role.COMMITTEE])
def test_an_auditor_or_a_committee_member_sees_the_case_but_no_forms(
    signed_in: SignIn, casework: Casework, role: Role
) -> None:
    appeal_id = raise_named(casework, new_employee(), "班车时间不合理")
    web = signed_in(f"{role.value}-reader", role)

    page = web.get(case(appeal_id))

    assert page.status_code == 200
    assert "班车时间不合理" in page.text
    assert forms_on(page.text) == set()
    assert f'action="{case(appeal_id)}/' not in page.text


def test_a_committee_member_decides_a_suggestion(signed_in: SignIn, casework: Casework) -> None:
    appeal_id = raise_named(casework, new_employee(), "井口增设照明", kind=Kind.SUGGESTION)
    web = signed_in("committee-reader", Role.COMMITTEE)

    assert forms_on(web.get(case(appeal_id)).text) == {"adopt", "decline"}


@pytest.mark.parametrize("role", [Role.HR, Role.ADMIN])
def test_a_role_without_appeal_read_gets_the_403_page(
    signed_in: SignIn, casework: Casework, role: Role
) -> None:
    appeal_id = raise_named(casework, new_employee(), "不该被看到的诉求")
    web = signed_in(f"{role.value}-1", role)

    page = web.get(case(appeal_id))

    assert page.status_code == 403
    assert "无权进行此操作" in page.text
    assert "不该被看到的诉求" not in page.text


def test_another_employee_may_not_read_my_appeal(signed_in: SignIn, casework: Casework) -> None:
    appeal_id = raise_named(casework, new_employee())
    web = signed_in(new_employee(), Role.EMPLOYEE)

    assert web.get(case(appeal_id)).status_code == 403


def test_the_appellant_is_shown_only_to_roles_allowed_to_see_who_raised_it(
    signed_in: SignIn, casework: Casework
) -> None:
    department = open_department(casework, "Identity")
    employee = new_employee()
    appeal_id = raise_named(casework, employee)
    transferred(casework, appeal_id, department)

    for role, scope, sees in [
        (Role.UNION_STAFF, {}, True),
        (Role.DEPARTMENT, {"departments": [department]}, False),
        (Role.AUDITOR, {}, False),
    ]:
        page = signed_in(f"{role.value}-identity", role, **scope).get(case(appeal_id))
        assert page.status_code == 200
        assert ("王建国" in page.text) is sees, role
        assert (employee in page.text) is sees, role
        assert ("13800001234" in page.text) is sees, role
        assert ("已隐藏" in page.text) is not sees, role


def test_the_named_appellant_rates_the_published_answer_on_the_case_page(
    signed_in: SignIn, casework: Casework
) -> None:
    employee = new_employee()
    appeal_id = raise_named(casework, employee)
    answered_and_published(casework, appeal_id, open_department(casework, "Rate"))
    web = signed_in(employee, Role.EMPLOYEE)
    page = web.get(case(appeal_id))
    assert forms_on(page.text) == {"rate", "withdraw"}
    version = casework.get_appeal(appeal_id).version

    rated = web.post(f"{case(appeal_id)}/rate", {"version": str(version), "rating": "satisfied"})

    assert rated.status_code == 303
    assert casework.get_appeal(appeal_id).rating is Rating.SATISFIED
    after = web.get(rated.headers["location"])
    assert "感谢你的评价" in after.text
    assert "诉求人评价" in after.text  # the history shows it
