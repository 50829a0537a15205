"""公示栏, the public board: what the committee approved and published, for anyone, without
signing in. Each page reads what the public JSON routes read (`GET /public/disclosures`,
the Atom feeds, the published figures as the metrics compute them, the chain check), and
nothing more: there is no `page_requires` here on purpose.

- `/web/` the board, in tabs (`?section=`): the latest entries, each kind of entry, and the
  departments' ranking by the three rates for a published period, as published on a moment;
- `/web/board/{id}` one entry, whole;
- `/web/departments/{code}` a department's entries, rates by month, points and cards;
- `/web/verify` the hash chain checked against the store (a printed head too).
"""

from __future__ import annotations

import json
from typing import Annotated, Any
from urllib.parse import quote
from uuid import UUID

from fastapi import APIRouter, Depends, Path, Query, Request
from starlette.responses import Response

from api.deps import AfterQuery, ServicesDep, department_code
from api.schemas.disclosures import ChainMarkRead
from api.web.deps import WebActorDep, check_csrf
from api.web.i18n import language_of, translator
from api.web.pages.board_feed import (
    SUBJECT_NAMES,
    Section,
    department_names,
    feed_page,
    names_in,
)
from api.web.pages.board_figures import (
    RANKED_RATES,
    PublishedFigures,
    department_months,
    published_figures,
)
from api.web.pages.board_verify import public_check
from api.web.rendering import render, shown_time
from domain.appeal_figures import RateName
from domain.errors import InvalidInput, NotFound
from infrastructure.chain_links import ChainHead, parse_link

router = APIRouter(prefix="/web", include_in_schema=False, dependencies=[Depends(check_csrf)])

Cursor = Annotated[str | None, Query(max_length=200)]
PeriodQuery = Annotated[str | None, Query(max_length=10)]
AsOfText = Annotated[str | None, Query(max_length=40)]
ATOM = "/public/disclosures.atom"

#: The rates' names as the board prints them (Chinese; the catalogue translates).
RATE_NAMES = {
    RateName.RESPONSE_RATE: "响应率",
    RateName.RESOLUTION_RATE: "办结率",
    RateName.SATISFACTION_RATE: "满意率",
}


#: The steps of an entry's publication record, as the entry's page lists them (Chinese).
RECORDED = {
    "Proposed": "提出公示",
    "Returned": "已退回修改",
    "Revised": "修改后重新提出",
    "Approved": "工会委员会审核通过",
    "Published": "发布公示",
    "Withdrawn": "撤回",
}


def department_atom(code: str) -> str:
    """The Atom feed of one department's published entries."""
    return f"/public/departments/{quote(code, safe='')}/disclosures.atom"


def verify_url(head: ChainMarkRead | None) -> str:
    """Where a printed chain head is checked against the store."""
    if head is None:
        return "/web/verify"
    return f"/web/verify?position={head.position}&link={head.link}"


COMMON = {
    "subject_names": SUBJECT_NAMES,
    "rate_names": RATE_NAMES,
    "ranked_rates": RANKED_RATES,
    "verify_url": verify_url,
    "department_atom": department_atom,
    "quote": lambda text: quote(str(text), safe=""),
}


@router.get("/")
def board(
    request: Request,
    services: ServicesDep,
    actor: WebActorDep,
    section: Section = Section.LATEST,
    cursor: Cursor = None,
    period: PeriodQuery = None,
    as_of: AsOfText = None,
    by: RateName = RateName.RESPONSE_RATE,
    after: AfterQuery = None,
) -> Response:
    """The board (public): the latest entries, one kind of them, or the ranking."""
    context: dict[str, Any] = {
        **COMMON,
        "section": section,
        "sections": list(Section),
        "chart": None,
    }
    if section is Section.RANKING:
        if by not in RANKED_RATES:
            raise InvalidInput("by", "rank by the response, resolution or satisfaction rate")
        figures = published_figures(services, period, as_of, by, after)
        context |= _ranking_context(request, services, figures, by)
    else:
        page = feed_page(services, subject_type=section.subject_type, cursor=cursor, after=after)
        context |= {"page": page, "names": names_in(services, page.items), "cursor": cursor}
    return render(request, "board/home.html", context, actor=actor)


def _ranking_context(
    request: Request, services: ServicesDep, figures: PublishedFigures, by: RateName
) -> dict[str, Any]:
    """What the ranking's template needs: the figures, the selectors' options, names."""
    _ = translator(language_of(request))
    codes = [r.row.key for r in figures.ranked] + [p.department for p in figures.penalties]
    names = department_names(services, codes)
    periods = list(figures.periods)
    if figures.period and figures.period not in periods:
        periods.insert(0, figures.period)
    return {
        "figures": figures,
        "by": by,
        "names": names,
        "period_options": [(p, p) for p in periods],
        "moment_options": [(m.isoformat(), shown_time(m)) for m in figures.moments],
        "rate_options": [(rate.value, _(RATE_NAMES[rate])) for rate in RANKED_RATES],
        "chart": _chart(request, figures, by, names),
    }


def _chart(
    request: Request, figures: PublishedFigures, by: RateName, names: dict[str, str]
) -> str | None:
    """The ECharts option of the ranking's bar chart (percent), or None with nothing to draw."""
    _ = translator(language_of(request))
    bars = [(r.row.key, r.rate(by).value) for r in figures.ranked if r.rate(by).value is not None]
    if not bars:
        return None
    option = {
        "grid": {"left": 8, "right": 24, "top": 8, "bottom": 8, "containLabel": True},
        "tooltip": {"trigger": "axis"},
        "xAxis": {"type": "value", "max": 100, "axisLabel": {"formatter": "{value}%"}},
        "yAxis": {"type": "category", "inverse": True, "data": [names[k] for k, _v in bars]},
        "series": [
            {
                "name": _(RATE_NAMES[by]),
                "type": "bar",
                "data": [float(round(value * 100, 1)) for _k, value in bars if value is not None],
                "itemStyle": {"color": "#a31515"},
            }
        ],
    }
    return json.dumps(option, ensure_ascii=False).replace("<", "\\u003c")


@router.get("/board/{disclosure_id}")
def entry(
    disclosure_id: UUID, request: Request, services: ServicesDep, actor: WebActorDep
) -> Response:
    """One published entry, whole, with its chain head and publication record (public)."""
    disclosure = services.disclosures.get(disclosure_id)
    if not disclosure.public:  # as `GET /disclosures/{id}/history` keeps it from anyone
        raise NotFound(f"no published disclosure {disclosure_id}")
    head = disclosure.published_chain_head or disclosure.chain_head
    context = {
        **COMMON,
        "entry": disclosure,
        "head": ChainMarkRead.of(head),
        "names": department_names(services, disclosure.departments),
        "record": [
            (event.timestamp, RECORDED[type(event).__name__])
            for event in services.disclosures.history(disclosure_id)
            if type(event).__name__ in RECORDED
        ],
    }
    return render(request, "board/entry.html", context, actor=actor)


@router.get("/departments/{code}")
def department_page(
    request: Request,
    services: ServicesDep,
    actor: WebActorDep,
    code: Annotated[str, Path(max_length=100)],
    cursor: Cursor = None,
    after: AfterQuery = None,
) -> Response:
    """A department's published entries, its rates by public month, its points and cards."""
    found = department_code(services, code, "department", missing=404) or ""
    department = services.casework.directory.department(found)
    page = feed_page(services, department=found, cursor=cursor, after=after)
    context = {
        **COMMON,
        "department": department,
        "page": page,
        "names": names_in(services, page.items),
        "cursor": cursor,
        "months": department_months(services, found, after=after),
    }
    return render(request, "board/department.html", context, actor=actor)


@router.get("/verify")
def verify(
    request: Request,
    services: ServicesDep,
    actor: WebActorDep,
    position: Annotated[str, Query(max_length=20)] = "",
    link: Annotated[str, Query(max_length=200)] = "",
) -> Response:
    """The hash chain checked against the store, and a printed head if given (public)."""
    try:
        printed = _printed(position, link)
    except InvalidInput as refusal:
        context = {**COMMON, "check": None, "error": refusal.reason, "position": position}
        return render(
            request, "board/verify.html", context | {"link": link}, actor=actor, status=422
        )
    check = public_check(services.chain, printed)
    context = {**COMMON, "check": check, "error": None, "position": position, "link": link}
    return render(request, "board/verify.html", context, actor=actor)


def _printed(position: str, link: str) -> ChainHead | None:
    """The printed head the form or an entry's link names, if any."""
    if not position.strip() and not link.strip():
        return None
    if not position.strip() or not link.strip():
        raise InvalidInput("position", "请同时填写位置和链值")
    if not position.strip().isdigit() or int(position) > 2**63 - 1:
        raise InvalidInput("position", "位置应为非负整数")
    try:
        return ChainHead(int(position), parse_link(link).hex())
    except ValueError:
        raise InvalidInput("link", "链值应为 64 位十六进制数字") from None
