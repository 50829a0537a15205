"""The public board (公示栏): what the committee approved and published, for anyone without
signing in, with each entry's chain head and its check; a page per entry and per department;
the Atom feeds; English; the page's weight. The ranking: `test_board_ranking_pages.py`."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import quote

import psycopg
import pytest

from api.bootstrap import Services
from api.web.pages import board_verify
from application.casework import Casework
from infrastructure.database import conninfo
from tests.api.conftest import named_appeal
from tests.conftest import open_department
from tests.web.board_office import APPELLANT, Office, TokenFor, office_for
from tests.web.conftest import Browser


@pytest.fixture
def office(web: Browser, token_for: TokenFor, casework: Casework) -> Office:
    """The people who make entries public, for a department of this test's own."""
    return office_for(web, token_for, casework)


# -- the entries ---------------------------------------------------------------------------


def test_the_board_shows_a_published_approved_answer_with_its_chain_head_and_nothing_unapproved(
    web: Browser, office: Office
) -> None:
    appeal = office.answered_appeal()
    published = office.disclose("appeal_answer", appeal, "食堂供餐时间答复公示")
    waiting = office.propose("appeal_answer", office.answered_appeal(), "尚待审核的答复")
    approved = office.propose("appeal_answer", office.answered_appeal(), "审核通过未发布的答复")
    office.approve(approved)
    entry = office.public_entry("食堂供餐时间答复公示", published)
    head = entry["chain_head"]

    for path in ("/web/", "/web/?section=appeal_answer"):
        page = web.get(f"{path}{'&' if '?' in path else '?'}after={published}")
        assert page.status_code == 200
        assert "食堂供餐时间答复公示" in page.text
        assert "夜班供餐时间自下月起延长至40分钟" in page.text
        assert f"#{head['position']}" in page.text
        assert head["link"][:16] in page.text
        assert f"/web/verify?position={head['position']}&amp;link={head['link']}" in page.text
        assert "尚待审核的答复" not in page.text
        assert "审核通过未发布的答复" not in page.text
    assert waiting


def test_an_entry_page_shows_the_whole_text_and_a_list_only_its_beginning(
    web: Browser, office: Office
) -> None:
    long_text = "一、事项说明。" + "本季度协作事项按期推进，" * 40 + "完。"
    position = office.disclose(
        "penalties_and_cards", office.department, "本季度考核结果公示", long_text
    )
    entry = office.public_entry("本季度考核结果公示", position)

    listed = web.get(f"/web/?section=penalties_and_cards&after={position}").text
    whole = web.get(f"/web/board/{entry['id']}")

    assert long_text not in listed
    assert long_text[:100] in listed
    assert f'href="/web/board/{entry["id"]}"' in listed
    assert whole.status_code == 200
    assert long_text in whole.text
    assert entry["chain_head"]["link"] in whole.text
    assert "工会委员会审核通过" in whole.text


def test_an_entry_not_yet_published_has_no_page(web: Browser, office: Office) -> None:
    waiting = office.propose("appeal_answer", office.answered_appeal(), "尚待审核的答复")

    page = web.get(f"/web/board/{waiting}")

    assert page.status_code == 404
    assert "尚待审核的答复" not in page.text


def test_no_board_page_carries_the_appellants_personal_data(web: Browser, office: Office) -> None:
    appeal = office.answered_appeal()
    position = office.disclose("appeal_answer", appeal, "食堂供餐时间答复公示")
    entry = office.public_entry("食堂供餐时间答复公示", position)
    pages = [
        f"/web/?after={position}",
        "/web/?section=appeal_answer",
        "/web/?section=ranking",
        f"/web/board/{entry['id']}",
        f"/web/departments/{quote(office.department)}",
        f"/web/verify?position={entry['chain_head']['position']}&link={entry['chain_head']['link']}",
    ]

    for path in pages:
        page = web.get(path)
        assert page.status_code == 200, path
        for value in APPELLANT.values():
            assert value not in page.text, (path, value)
        assert named_appeal()["title"] not in page.text  # the appeal's own words stay private


def test_a_withdrawn_entry_stays_listed_as_withdrawn_without_its_text(
    web: Browser, office: Office
) -> None:
    disclosure_id = office.propose(
        "penalties_and_cards", office.department, "撤回的考核公示", "原公示正文"
    )
    office.approve(disclosure_id)
    office.publish(disclosure_id)
    withdrawn = office.post(
        f"/disclosures/{disclosure_id}/withdraw", {"reason": "公示内容有误"}, office.member
    )

    listed = web.get(f"/web/?section=penalties_and_cards&after={withdrawn['position']}").text
    whole = web.get(f"/web/board/{disclosure_id}").text

    assert "撤回的考核公示" in listed
    assert "已撤回" in listed
    assert "公示内容有误" in listed
    assert "原公示正文" not in listed
    assert "原公示正文" not in whole


def test_every_board_page_links_the_atom_feeds(web: Browser, office: Office) -> None:
    position = office.disclose("penalties_and_cards", office.department, "考核公示", "扣1分")
    department_feed = f"/public/departments/{quote(office.department, safe='')}/disclosures.atom"

    for path in ("/web/", "/web/?section=ranking", "/web/verify"):
        page = web.get(path).text
        assert 'type="application/atom+xml" title=' in page
        assert 'href="/public/disclosures.atom"' in page
    department = web.get(f"/web/departments/{quote(office.department)}?after={position}").text
    assert f'href="{department_feed}"' in department
    assert web.client.get(department_feed).status_code == 200


# -- the department page -------------------------------------------------------------------


def test_a_department_page_shows_its_published_entries_and_no_other_departments(
    web: Browser, office: Office, casework: Casework
) -> None:
    other = open_department(casework, "别的部门")
    position = office.disclose("penalties_and_cards", office.department, "本部门考核公示", "扣1分")
    other_office = office.propose("penalties_and_cards", other, "别的部门考核公示", "扣2分")

    page = web.get(f"/web/departments/{quote(office.department)}?after={position}")

    assert page.status_code == 200
    assert f"<h1>{office.department}</h1>" in page.text
    assert "本部门考核公示" in page.text
    assert "别的部门考核公示" not in page.text
    assert other_office


def test_an_unknown_department_is_a_not_found_page(web: Browser) -> None:
    page = web.get("/web/departments/no-such-department")

    assert page.status_code == 404
    assert "未找到" in page.text


# -- the chain check -----------------------------------------------------------------------


def test_the_verify_page_says_an_untouched_chain_and_a_printed_head_are_valid(
    web: Browser, office: Office
) -> None:
    position = office.disclose("penalties_and_cards", office.department, "考核公示", "扣1分")
    head = office.public_entry("考核公示", position)["chain_head"]

    checked = web.get(f"/web/verify?position={head['position']}&link={head['link']}")
    whole = web.get("/web/verify")

    assert checked.status_code == 200
    assert "有效" in checked.text
    assert "无效" not in checked.text
    assert "完好" in checked.text
    assert head["link"] in checked.text
    assert "完好" in whole.text


def test_a_head_the_store_does_not_hold_is_invalid_and_a_malformed_one_is_refused(
    web: Browser, office: Office
) -> None:
    position = office.disclose("penalties_and_cards", office.department, "考核公示", "扣1分")
    head = office.public_entry("考核公示", position)["chain_head"]
    wrong = ("0" if head["link"][0] != "0" else "1") + head["link"][1:]

    rewritten = web.get(f"/web/verify?position={head['position']}&link={wrong}")
    malformed = web.get(f"/web/verify?position={head['position']}&link=xyz")
    half = web.get(f"/web/verify?position={head['position']}")

    assert rewritten.status_code == 200
    assert "无效" in rewritten.text
    assert malformed.status_code == 422
    assert "64" in malformed.text
    assert half.status_code == 422


def test_the_verify_page_names_the_link_where_the_chain_breaks(
    web: Browser, office: Office, services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(board_verify, "REUSED_FOR", 0.0)  # every check walks afresh
    position = office.disclose("penalties_and_cards", office.department, "考核公示", "扣1分")
    head = office.public_entry("考核公示", position)["chain_head"]
    check = f"/web/verify?position={head['position']}&link={head['link']}"
    services.chain.catch_up()  # the head is not the chain's last link: nothing chains on it

    with psycopg.connect(conninfo(services.database_url), autocommit=True) as db:
        db.execute(
            "UPDATE huiyin_chain SET link = sha256('forged') WHERE position = %s",
            (head["position"],),
        )
        try:
            broken = web.get(check).text
        finally:
            db.execute(
                "UPDATE huiyin_chain SET link = %s WHERE position = %s",
                (bytes.fromhex(head["link"]), head["position"]),
            )
    mended = web.get(check).text

    assert "无效" in broken
    assert "断裂" in broken
    assert f"断在第 {head['position']} 环" in broken
    assert "链值本身被改写" in broken
    assert "有效" in mended
    assert "完好" in mended


# -- languages and weight ------------------------------------------------------------------


def test_the_board_speaks_english_when_switched(web: Browser, office: Office) -> None:
    position = office.disclose("penalties_and_cards", office.department, "考核公示", "扣1分")
    web.client.get("/web/language/en?next=/web/", follow_redirects=False)

    page = web.get(f"/web/?after={position}").text
    ranking = web.get("/web/?section=ranking").text
    verify = web.get("/web/verify").text

    assert '<html lang="en">' in page
    assert "Latest" in page
    assert "Published" in page
    assert "公示于" not in page
    assert "最新公示" not in page
    assert "Ranking" in ranking
    assert "Check the hash chain" in verify


TEMPLATES = Path(__file__).parents[2] / "api" / "web" / "templates" / "board"
SOURCES = Path(__file__).parents[2] / "api" / "web" / "pages"
CHINESE = re.compile(r"[\u4e00-\u9fff]")


def test_every_chinese_text_of_the_board_has_its_english() -> None:
    from api.web.i18n import english

    quoted = re.compile(r"""["']([^"'\n]*[\u4e00-\u9fff][^"'\n]*)["']""")
    texts = {
        text
        for path in [*TEMPLATES.glob("*.html"), *SOURCES.glob("board*.py")]
        for text in quoted.findall(path.read_text(encoding="utf-8"))
        if CHINESE.search(text)
    }
    missing = sorted(text for text in texts if text not in english())
    assert missing == []


def test_a_full_page_of_the_board_stays_light(web: Browser, office: Office) -> None:
    body = "经费收支明细：" + "收入会费及上级拨付一万二千元，支出困难帮扶与文体活动。" * 80
    for index in range(3):
        position = office.disclose(
            "penalties_and_cards", office.department, f"考核公示{index}", body
        )

    page = web.get(f"/web/?after={position}")

    assert len(page.content) < 300_000
    assert len(page.content) < 60_000  # twenty entries, each cut to its beginning


def test_an_unknown_section_is_refused(web: Browser) -> None:
    assert web.get("/web/?section=nothing").status_code == 422
