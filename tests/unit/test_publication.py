"""The publication rule (公示不含个人信息): what public text may not carry, and what it may."""

from __future__ import annotations

import pytest

from domain.errors import InvalidInput
from domain.publication import (
    LANDLINE,
    MOBILE,
    NO_ONE,
    RESIDENT_ID,
    Withheld,
    check_public,
    personal_data_in,
)

APPELLANT = Withheld.appellant("王建国", "E10234", "13655554444")
NAME = "the appellant's name"
EMPLOYEE_NO = "the appellant's employee number"
CONTACT = "the appellant's contact"


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("王建国反映的夜班供餐问题已解决。", NAME),
        ("王 建 国反映的问题已解决。", NAME),
        ("王\u3000建\u3000国反映的问题已解决。", NAME),  # ideographic spaces
        ("王\u200b建国反映的问题已解决。", NAME),  # a zero-width space
        ("工号E10234的补贴已发放。", EMPLOYEE_NO),
        ("工号 e10234 的补贴已发放。", EMPLOYEE_NO),
        ("工号Ｅ１０２３４的补贴已发放。", EMPLOYEE_NO),  # full-width
        ("工号 E-10234 的补贴已发放。", EMPLOYEE_NO),
        ("请拨打13655554444。", CONTACT),
        ("请拨打136-5555-4444。", CONTACT),
        ("请拨打136 5555 4444。", CONTACT),
        ("请拨打１３６５５５５４４４４。", CONTACT),
        ("请拨打１３６－５５５５－４４４４。", CONTACT),  # full-width hyphens
        ("请拨打+86 136 5555 4444。", CONTACT),
        ("请拨打0086-136-5555-4444。", CONTACT),
        ("请拨打8613655554444。", CONTACT),
        ("请拨打(136)5555-4444。", CONTACT),
        ("请拨打136.5555.4444或136/5555/4444。", CONTACT),
        ("请拨打136—5555—4444。", CONTACT),  # em dashes
        ("请拨打136\u200b5555\u200b4444。", CONTACT),
        ("请拨打13 65 55 54 44 4。", CONTACT),  # any grouping of the withheld value
        ("请拨打tel13655554444转801。", CONTACT),
    ],
)
def test_a_withheld_identity_is_found_however_it_is_written(text: str, found: str) -> None:
    assert personal_data_in(text, APPELLANT) == found


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("值班电话13912345678。", MOBILE),
        ("值班电话139 1234 5678。", MOBILE),
        ("值班电话139-1234-5678。", MOBILE),
        ("值班电话１３９１２３４５６７８。", MOBILE),
        ("值班电话+86 139 1234 5678。", MOBILE),
        ("值班电话1 3 9 1 2 3 4 5 6 7 8。", MOBILE),
        ("电话13912345678 2026年5月起启用。", MOBILE),
        ("办公室电话0512-6888 1234。", LANDLINE),
        ("办公室电话(010)88881234。", LANDLINE),
        ("办公室电话（021）5555-6666转801。", LANDLINE),
        ("办公室电话0755 2666 8888。", LANDLINE),
        ("身份证号11010519491231002X。", RESIDENT_ID),
        ("身份证号11010519491231002x。", RESIDENT_ID),
        ("身份证号110105 19491231 002X。", RESIDENT_ID),
        ("身份证号320502199003071230。", RESIDENT_ID),
        ("身份证号４４０３０６１９８５１１２０００１６。", RESIDENT_ID),
    ],
)
def test_anyones_phone_or_id_number_is_found_though_nobody_is_withheld(
    text: str, found: str
) -> None:
    assert personal_data_in(text) == found


@pytest.mark.parametrize(
    "text",
    [
        "HY-2026-000123号诉求已办结，自2026-12-01起夜班供餐时间延长至40分钟。",
        "2026年第三季度工会经费收入1,365,555.44元，支出986,400.00元，结余379,155.44元。",
        "依据《后勤服务管理办法》第12条第3款及《劳动合同法》第四十条办理。",
        "员工满意度提升率13.5%，诉求响应及时率98.7%，较上季度提高2.3个百分点。",
        "会议时间2026/05/12 13:30—15:00，地点工会会议室302，参会职工10名。",
        "2026.05.12—2026.06.30 开展留才专项调研，3个月离职率超过15%的部门参加。",
        "报销发票代码044031900111，发票号码12345678。",  # reads like an invoice, not a phone
        "各班组补贴分别为1350 2400 380元。",  # amounts, not a 3-4-4 mobile number
        "订单号320502199003071231。",  # an ID's shape with a wrong check character
        "旧号码110105491231002。",  # 15 digits: first-generation cards, not refused
        "共收到职工代表提案12件，全部立案，已办结11件，1件正在办理。",
        "夜班下井前食堂只开放20分钟，自12月1日起延长至40分钟。",
        "工号E102345的补贴已发放。",  # another employee's number, not the appellant's
        "第二车间time 10234工时统计。",
        "服务热线12345、95598。",
        "",
    ],
)
def test_ordinary_public_text_passes(text: str) -> None:
    assert personal_data_in(text, APPELLANT) is None
    assert check_public("body", text, APPELLANT) == text


def test_a_refusal_names_the_field_and_the_kind_of_data_never_the_value() -> None:
    with pytest.raises(InvalidInput) as refused:
        check_public("public_text", "请王建国拨打136-5555-4444。", APPELLANT)

    assert refused.value.field == "public_text"
    assert refused.value.reason == (
        "contains the appellant's name; public text carries no personal data"
    )
    assert "王建国" not in refused.value.message
    assert "5555" not in refused.value.message


def test_anyones_number_is_refused_as_such() -> None:
    with pytest.raises(InvalidInput) as refused:
        check_public("minutes", "联系人电话139 1234 5678。")

    assert refused.value.field == "minutes"
    assert refused.value.reason == (
        "contains a mobile phone number; no one's phone or ID number is published"
    )


def test_people_named_by_person_id_are_withheld_by_role() -> None:
    named = Withheld.people("a participant", ["E0007", " "]) + Withheld.people(
        "the proposer", ["rep.logistics"]
    )

    assert personal_data_in("参会职工E-0007发言。", named) == "a participant's person id"
    assert personal_data_in("提案人REP.LOGISTICS。", named) == "the proposer's person id"
    assert personal_data_in("E00071号文件。", named) is None
    assert len(named.identities) == 2  # the blank id withholds nothing


def test_an_appellant_without_a_contact_withholds_name_and_employee_number() -> None:
    withheld = Withheld.appellant("李秀英", "E20001")

    assert [identity.kind for identity in withheld.identities] == ["name", "employee number"]
    assert NO_ONE.identities == ()


def test_a_withheld_landline_matches_with_or_without_its_separators() -> None:
    withheld = Withheld.appellant("李秀英", "E20001", "0512-68881234")

    assert personal_data_in("请致电（0512）6888 1234。", withheld) == CONTACT
    assert personal_data_in("请致电051268881234。", withheld) == CONTACT
