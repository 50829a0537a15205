"""职工's pages: raising an appeal (named, or anonymous with its receipt code shown once),
my appeals, and following an anonymous appeal by its receipt code, rating and withdrawing
it — through the same use cases and checks as `POST /appeals` and `/receipts/{code}`."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any
from uuid import UUID

from application.casework import Casework
from domain.actors import Role
from domain.terms import Rating, Status
from tests.web.appeal_steps import (
    RECEIPT_CODE,
    answered_and_published,
    new_employee,
    raise_anonymous,
)
from tests.web.conftest import Browser

SignIn = Callable[..., Browser]
AFTER = re.compile(r"^/web/me\?after=\d+$")


def appeal_form(**changes: str) -> dict[str, Any]:
    """What an employee types into the form for a named appeal."""
    return {
        "identity": "named",
        "name": "王建国",
        "contact": "13800001234",
        "channel": "department_liaison",
        "kind": "complaint",
        "category": "食堂",
        "title": "夜班食堂供餐时间太短",
        "text": "夜班下井前食堂只开放20分钟，来不及吃饭。",
        "department": "后勤服务中心",
        "urgency": "normal",
        **changes,
    }


def test_an_employee_raises_a_named_appeal_and_sees_it_under_my_appeals(
    signed_in: SignIn, casework: Casework
) -> None:
    employee = new_employee()
    web = signed_in(employee, Role.EMPLOYEE)
    form = web.get("/web/appeals/new")
    assert form.status_code == 200
    assert employee in form.text  # raised in their own name: their number, not a field

    raised = web.post("/web/appeals/new", appeal_form(title="井口更衣室没有热水"))

    assert raised.status_code == 303
    assert AFTER.match(raised.headers["location"])
    mine = web.get(raised.headers["location"])
    assert "井口更衣室没有热水" in mine.text
    assert "诉求已提交" in mine.text
    link = re.search(r'href="/web/appeals/([0-9a-f-]{36})"', mine.text)
    assert link is not None
    case = web.get(f"/web/appeals/{link.group(1)}")
    assert case.status_code == 200
    assert "王建国" in case.text
    assert employee in case.text
    appellant = casework.get_appeal(UUID(link.group(1))).appellant
    assert appellant is not None
    assert appellant.employee_no == employee


def test_an_anonymous_appeal_shows_its_receipt_code_once_and_never_under_my_appeals(
    signed_in: SignIn, casework: Casework
) -> None:
    web = signed_in(new_employee(), Role.EMPLOYEE)
    web.get("/web/appeals/new")
    form = appeal_form(identity="anonymous", channel="anonymous_box", title="班组长派活不公")

    shown = web.post("/web/appeals/new", form)

    assert shown.status_code == 200
    assert shown.headers["cache-control"] == "no-store"
    found = RECEIPT_CODE.search(shown.text)
    assert found is not None
    code = found.group(0)
    assert 'data-copy="receipt-code"' in shown.text
    assert "只在这里显示一次" in shown.text
    assert code not in str(shown.headers)  # not in a cookie, not in a URL
    appeal = casework.find_by_receipt(code)
    assert appeal.anonymous
    assert appeal.appellant is None
    mine = web.get("/web/me")
    assert "班组长派活不公" not in mine.text
    assert code not in mine.text
    assert web.get(f"/web/appeals/{appeal.id}").status_code == 403  # not theirs to read


def test_bad_input_keeps_what_was_typed_and_says_what_is_wrong_beside_the_field(
    signed_in: SignIn,
) -> None:
    web = signed_in(new_employee(), Role.EMPLOYEE)
    web.get("/web/appeals/new")
    typed = appeal_form(title="", category="类" * 51, text="这是我认真写的一段诉求内容")
    del typed["identity"]

    refused = web.post("/web/appeals/new", typed)

    assert refused.status_code == 422
    assert "这是我认真写的一段诉求内容" in refused.text
    assert 'id="f-title-error">必填' in refused.text
    assert 'id="f-category-error">最多 50 个字' in refused.text
    assert 'id="f-identity-error">请选择实名或匿名' in refused.text
    assert 'value="王建国"' in refused.text
    assert "这是我认真写的一段诉求内容" not in web.get("/web/me").text


def test_a_rule_the_use_case_checks_comes_back_beside_its_field(signed_in: SignIn) -> None:
    web = signed_in(new_employee(), Role.EMPLOYEE)
    web.get("/web/appeals/new")

    refused = web.post("/web/appeals/new", appeal_form(department="没有这个部门"))

    assert refused.status_code == 422
    assert 'id="f-department-error"' in refused.text
    assert "没有这个部门" in refused.text


def test_a_role_that_may_not_raise_appeals_gets_the_403_page(signed_in: SignIn) -> None:
    web = signed_in("auditor-1", Role.AUDITOR)

    for path in ("/web/me", "/web/appeals/new"):
        page = web.get(path)
        assert page.status_code == 403
        assert "无权进行此操作" in page.text


def test_following_by_receipt_code_shows_the_published_answer_and_rates_it(
    web: Browser, casework: Casework
) -> None:
    appeal_id, code = raise_anonymous(casework, new_employee(), "更衣柜不够用")
    answered_and_published(casework, appeal_id, "后勤服务中心")
    form = web.get("/web/receipt")
    assert form.status_code == 200  # no sign-in needed

    followed = web.post("/web/receipt", {"code": code.lower()})

    assert followed.status_code == 200
    assert followed.headers["cache-control"] == "no-store"
    assert "更衣柜不够用" in followed.text
    assert "自12月1日起夜班供餐时间延长至40分钟。" in followed.text
    assert "已公示" in followed.text
    assert 'action="/web/receipt/rate"' in followed.text
    version = casework.get_appeal(appeal_id).version
    rated = web.post(
        "/web/receipt/rate",
        {"code": code, "version": str(version), "rating": "satisfied", "comment": "谢谢"},
    )
    assert rated.status_code == 200
    assert "感谢你的评价" in rated.text
    assert code not in str(rated.url)
    appeal = casework.get_appeal(appeal_id)
    assert appeal.rating is Rating.SATISFIED
    assert appeal.status is Status.RATED
    assert 'action="/web/receipt/rate"' not in rated.text  # rated once


def test_a_rating_sent_from_a_stale_page_gets_the_412_page(
    web: Browser, casework: Casework
) -> None:
    appeal_id, code = raise_anonymous(casework, new_employee(), "澡堂开放时间短")
    answered_and_published(casework, appeal_id, "后勤服务中心")
    web.get("/web/receipt")

    stale = web.post("/web/receipt/rate", {"code": code, "version": "1", "rating": "satisfied"})

    assert stale.status_code == 412
    assert casework.get_appeal(appeal_id).rating is None


def test_the_receipt_holder_withdraws_the_appeal(web: Browser, casework: Casework) -> None:
    appeal_id, code = raise_anonymous(casework, new_employee(), "已自行解决的问题")
    web.get("/web/receipt")
    version = casework.get_appeal(appeal_id).version

    withdrawn = web.post("/web/receipt/withdraw", {"code": code, "version": str(version)})

    assert withdrawn.status_code == 200
    assert "诉求已撤回" in withdrawn.text
    assert casework.get_appeal(appeal_id).status is Status.WITHDRAWN


def test_a_wrong_receipt_code_says_so_and_finds_nothing(web: Browser) -> None:
    web.get("/web/receipt")

    missing = web.post("/web/receipt", {"code": "AAAA-BBBB-CCCC-DDDD"})

    assert missing.status_code == 404
    assert "没有与此回执码对应的诉求" in missing.text
