"""审计 — the auditor's pages: find a case, its timeline (every event, who, when, what), the
case as it stood at any version or moment, the chain check of the case, and exports.

Each reads what the JSON routes read, in the same scope: the audit trail
(`api.audit_reads`, as `GET /audit/cases/{id}`; auditors do not see the appellant), the case
at a version or moment (`api.case_versions`, as `GET /appeals/{id}?version=`), the chain's
walk (as `GET /audit/verify`), the case index (as `GET /appeals`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Depends, Query, Request
from starlette.responses import RedirectResponse, Response

from api.audit_reads import CaseTrail, read_case_trail
from api.case_chain import check_case
from api.case_pages import READ, case_page
from api.case_versions import READERS
from api.deps import AfterQuery, ServicesDep
from api.personal_data import APPELLANT, HIDDEN
from api.web.appeal_terms import EVENT_LABELS
from api.web.case_facts import Fact, facts_of
from api.web.deps import check_csrf, page_requires
from api.web.i18n import Translate, language_of, translator
from api.web.pages import audit_exports
from api.web.rendering import SHOWN_IN, may_use, render
from domain.actors import Actor
from domain.errors import NotFound, NotPermitted
from domain.policy import Permission
from projections.audit_trail import AuditRow
from projections.case_index import CaseType

router = APIRouter(prefix="/web", include_in_schema=False, dependencies=[Depends(check_csrf)])
router.include_router(audit_exports.router)

AuditReader = Annotated[Actor, page_requires(Permission.AUDIT_READ)]
ChainChecker = Annotated[Actor, page_requires(Permission.AUDIT_VERIFY)]
#: The case types the index lists, as a reader calls them (Chinese; the catalogue translates).
CASE_TYPES = {
    CaseType.APPEAL: "职工诉求",
    CaseType.MEETING: "会议",
    CaseType.ACTION_ITEM: "协作事项",
    CaseType.PROPOSAL: "职代会提案",
}
RECENT = 20


@router.get("/audit")
def audit_home(
    request: Request,
    services: ServicesDep,
    actor: AuditReader,
    q: Annotated[str, Query(max_length=100)] = "",
    listing: CaseType = CaseType.APPEAL,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
    after: AfterQuery = None,
) -> Response:
    """Find a case by its number or id; the recent cases of a type in the reader's scope
    (the case index, once it holds `after`); the exports."""
    wanted = q.strip()
    if wanted and (found := _find_case(services, actor, wanted, after)) is not None:
        return RedirectResponse(f"/web/audit/cases/{found}", status_code=303)
    _ = translator(language_of(request))
    listable = [t for t in CASE_TYPES if may_use(actor, READ[t])]
    chosen = listing if listing in listable else next(iter(listable), None)
    page = None
    if chosen is not None:
        page = case_page(services, actor, chosen, cursor=cursor, limit=RECENT, after=after)
    context = {
        "q": wanted,
        "not_found": bool(wanted),
        "case_types": [(t.value, _(CASE_TYPES[t])) for t in listable],
        "listing": chosen.value if chosen else "",
        "cases": page.items if page else [],
        "next_cursor": page.next_cursor if page else None,
    }
    return render(request, "audit/index.html", context, actor=actor)


def _find_case(services: ServicesDep, actor: Actor, text: str, after: int | None) -> UUID | None:
    """The case an id names, or the appeal a case number names in the reader's scope."""
    try:
        return UUID(text)
    except ValueError:
        pass
    found = case_page(
        services, actor, CaseType.APPEAL, cursor=None, limit=1, after=after, ref=text.upper()
    )
    return found.items[0].id if found.items else None


@router.get("/audit/cases/{case_id}")
def audit_case(
    request: Request,
    services: ServicesDep,
    actor: AuditReader,
    case_id: UUID,
    version: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None,
    at: Annotated[str, Query(max_length=40, description="a moment, China time")] = "",
    after: AfterQuery = None,
) -> Response:
    """The case's timeline, the case as it stood at a version or a moment, and links to its
    chain check and exports."""
    _ = translator(language_of(request))
    trail = read_case_trail(services, actor, case_id, after)
    latest = max(row.version for row in trail.rows)
    moment, at_error = _moment(at, _)
    chosen = None if moment is not None or at_error else version
    state = _state(services, actor, trail, chosen, moment, _)
    shown = state.version or (chosen if chosen is not None else latest)
    context = {
        "trail": trail,
        "latest": latest,
        "shown_version": shown,
        "moment": moment,
        "at": at,
        "at_error": at_error,
        "state": state,
        "events": [_event(row, shown, moment, _) for row in trail.rows],
        "labels": json.dumps(_version_labels(trail.rows, latest, _), ensure_ascii=False),
    }
    return render(request, "audit/case.html", context, actor=actor)


@router.get("/audit/cases/{case_id}/chain")
def audit_case_chain(
    request: Request,
    services: ServicesDep,
    actor: ChainChecker,
    case_id: UUID,
    after: AfterQuery = None,
) -> Response:
    """The chain check of the case: the walk `GET /audit/verify` makes, read for the case's
    events (which need the audit trail: `audit.read`)."""
    trail = read_case_trail(services, actor, case_id, after, opened=False)
    check = check_case(case_id, [row.position for row in trail.rows], services.chain.verify())
    context = {"trail": trail, "check": check}
    return render(request, "audit/chain.html", context, actor=actor)


def _moment(text: str, _: Translate) -> tuple[datetime | None, str]:
    """A moment typed in the picker (China time), or why it is not one."""
    if not text:
        return None, ""
    try:
        typed = datetime.fromisoformat(text)
    except ValueError:
        return None, _("请按 年-月-日 时:分 填写时刻")
    return (typed if typed.tzinfo else typed.replace(tzinfo=SHOWN_IN)), ""


@dataclass(frozen=True)
class CaseState:
    """The case as it stood: its facts and version, or why it cannot be shown."""

    facts: list[Fact] = field(default_factory=list)
    version: int | None = None
    message: str = ""


def _state(
    services: ServicesDep,
    actor: Actor,
    trail: CaseTrail,
    version: int | None,
    moment: datetime | None,
    _: Translate,
) -> CaseState:
    """The case as it stood at `version` or `moment` (now, given neither), as its JSON
    route answers it."""
    reader = READERS.get(trail.case_type)
    if reader is None:
        return CaseState(message=_("这类案件没有可回放的状态；下方时间线即其全部记录。"))
    try:
        body = reader(services, actor, trail.case_id, version, moment)
    except NotPermitted:
        return CaseState(message=_("你的角色可以查看此案件的审计记录，但不能查看案件本身。"))
    except NotFound:
        return CaseState(message=_("那时此案件尚不存在。"))
    return CaseState(facts_of(body, _), getattr(body, "version", None))


def _event(row: AuditRow, shown: int, moment: datetime | None, _: Translate) -> dict[str, Any]:
    """One event of the timeline as the page lists it."""
    later = row.at > moment if moment is not None else row.version > shown
    actor = {APPELLANT: _("诉求人本人（身份不显示）"), HIDDEN: _("（不显示）")}
    return {
        "row": row,
        "what": _event_name(row, _),
        "actor": actor.get(row.actor_id, row.actor_id),
        "data": json.dumps(row.data, ensure_ascii=False, indent=2),
        "later": later,
        "current": not later and row.version == shown,
    }


def _event_name(row: AuditRow, _: Translate) -> str:
    """What an event is called on the page: an appeal's in the reader's words (as its case
    page calls it), any other by its type."""
    if row.case_type == "appeal" and row.event_type in EVENT_LABELS:
        return _(EVENT_LABELS[row.event_type])
    return row.event_type


def _version_labels(rows: list[AuditRow], latest: int, _: Translate) -> list[str]:
    """What the slider says at each version: the event that made it, and when."""
    made = {row.version: f"v{row.version} · {_event_name(row, _)}" for row in rows}
    return [made.get(v, f"v{v}") for v in range(1, latest + 1)]
