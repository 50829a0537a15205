"""An endpoint's rules: what may be registered, what is shown of it, and its secret."""

from __future__ import annotations

import base64
from typing import Any

import pytest

from domain.actors import Role
from domain.errors import InvalidInput
from domain.notices import EndpointFormat, NoticeKind
from domain.terms import Tier
from domain.webhook_endpoint import (
    EndpointSpec,
    check_secret,
    may_receive_personal_data,
    new_secret,
)

WECOM_URL = "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=693a91f6-7xxx"


def spec(**overrides: Any) -> EndpointSpec:
    """A valid standard endpoint, with `overrides`."""
    values: dict[str, Any] = {
        "name": "工会办公室值班群",
        "format": EndpointFormat.STANDARD,
        "target": "https://hooks.example.cn/huiyin",
        "kinds": (NoticeKind.REMINDER,),
    }
    return EndpointSpec(**{**values, **overrides})


def refusal(**overrides: Any) -> InvalidInput:
    with pytest.raises(InvalidInput) as refused:
        spec(**overrides).checked()
    return refused.value


def test_a_valid_endpoint_is_kept_tidied() -> None:
    checked = spec(
        name="  值班群 ",
        kinds=(NoticeKind.OVERDUE, NoticeKind.REMINDER, NoticeKind.OVERDUE),
        departments=(" 后勤 ", "后勤"),
    ).checked()

    assert checked.name == "值班群"
    assert checked.kinds == (NoticeKind.OVERDUE, NoticeKind.REMINDER)
    assert checked.departments == ("后勤",)


@pytest.mark.parametrize(
    ("target", "message"),
    [
        ("ftp://hooks.example.cn/x", "must start with https://"),
        ("https:///only-a-path", "names no host"),
        ("https://user:pw@hooks.example.cn/x", "must not hold a user or password"),
        ("https://hooks.example.cn/a b", "without spaces"),
        ("https://hooks.example.cn/" + "x" * 2000, "at most 2000 characters"),
        ("https://hooks.example.cn:port/x", "not a URL"),
        ("http://．/", "not a URL"),
    ],
)
def test_a_webhook_target_is_an_http_url_with_a_host_and_no_credentials(
    target: str, message: str
) -> None:
    refused = refusal(target=target)

    assert refused.field == "target"
    assert message in refused.reason


def test_an_email_endpoint_takes_addresses_and_names_the_bad_one() -> None:
    fine = spec(format=EndpointFormat.EMAIL, target="a@example.cn, b@example.cn,a@example.cn")
    refused = refusal(format=EndpointFormat.EMAIL, target="a@example.cn, not-an-address")

    assert fine.checked().target == "a@example.cn, b@example.cn"
    assert "'not-an-address' is not an e-mail address" in refused.reason


def test_a_host_may_be_a_chinese_domain_name() -> None:
    assert (
        spec(target="https://回音.例子.中国/hook").checked().target == "https://回音.例子.中国/hook"
    )


def test_the_shown_target_leaves_out_the_query_that_holds_a_robots_key() -> None:
    wecom = spec(format=EndpointFormat.WECOM, target=WECOM_URL).checked()

    assert wecom.shown_target() == "https://qyapi.weixin.qq.com/cgi-bin/webhook/send"


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"name": " "}, "name"),
        ({"name": "x" * 101}, "name"),
        ({"kinds": ()}, "kinds"),
        ({"audience": Role.EMPLOYEE}, "audience"),
        ({"audience": Role.ADMIN}, "audience"),
        ({"audience": Role.DEPARTMENT}, "departments"),
        ({"audience": Role.SUPERVISOR}, "tiers"),
        ({"audience": Role.AUDITOR, "personal_data": True}, "personal_data"),
        ({"departments": ("",)}, "departments"),
    ],
)
def test_each_rule_names_the_field_it_refuses(overrides: dict[str, Any], field: str) -> None:
    assert refusal(**overrides).field == field


def test_personal_data_goes_only_to_an_audience_that_may_see_who_some_case_names() -> None:
    """An endpoint is nobody's own case and sits on no panel: only wider reaches count."""
    assert may_receive_personal_data(Role.UNION_STAFF)
    assert may_receive_personal_data(Role.SUPERVISOR)
    assert not may_receive_personal_data(Role.DEPARTMENT)  # only as a panellist
    assert not may_receive_personal_data(Role.AUDITOR)
    assert (
        spec(audience=Role.SUPERVISOR, tiers=(Tier.WORKERS,), personal_data=True)
        .checked()
        .personal_data
    )


def test_a_change_is_checked_as_a_whole_and_cannot_change_the_format() -> None:
    base = spec(audience=Role.UNION_STAFF, personal_data=True).checked()

    with pytest.raises(InvalidInput) as to_auditor:
        base.changed(audience=Role.AUDITOR)
    with pytest.raises(InvalidInput) as to_email:
        base.changed(format=EndpointFormat.EMAIL)
    renamed = base.changed(name="新名字", kinds=None)

    assert to_auditor.value.field == "personal_data"
    assert to_email.value.field == "format"
    assert (renamed.name, renamed.kinds) == ("新名字", base.kinds)


def test_a_standard_secret_is_whsec_and_24_random_bytes() -> None:
    made = new_secret()

    assert made.startswith("whsec_")
    assert len(base64.b64decode(made.removeprefix("whsec_"))) == 24
    assert made != new_secret()
    assert check_secret(EndpointFormat.STANDARD, None) != check_secret(
        EndpointFormat.STANDARD, None
    )
    assert check_secret(EndpointFormat.STANDARD, made) == made


@pytest.mark.parametrize(
    ("format", "secret", "message"),
    [
        (EndpointFormat.STANDARD, "plain", "starts with whsec_"),
        (EndpointFormat.STANDARD, "whsec_!!!", "after whsec_ comes base64"),
        (EndpointFormat.STANDARD, "whsec_" + base64.b64encode(b"short").decode(), "24 to 64"),
        (EndpointFormat.DINGTALK, "abc", "starts with SEC"),
        (EndpointFormat.WECOM, "SECabc", "its key is in the URL"),
        (EndpointFormat.EMAIL, "x", "takes no secret"),
    ],
)
def test_a_secret_must_suit_the_format(format: EndpointFormat, secret: str, message: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        check_secret(format, secret)

    assert refused.value.field == "secret"
    assert message in refused.value.reason


def test_a_dingtalk_robot_may_have_a_secret_or_none_and_wecom_none() -> None:
    assert check_secret(EndpointFormat.DINGTALK, "SEC0123abc") == "SEC0123abc"
    assert check_secret(EndpointFormat.DINGTALK, None) is None
    assert check_secret(EndpointFormat.WECOM, None) is None
