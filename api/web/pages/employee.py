"""职工: my appeals, and raising one — named or anonymous — through the same use case and
the same schema as `POST /appeals`. Following an anonymous appeal by its receipt code is in
`api.web.pages.receipt`."""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from dataclasses import replace
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData
from starlette.responses import Response

from api.case_pages import VIEW as CASE_INDEX
from api.deps import AfterQuery, ServicesDep, read_view
from api.schemas.appeals import AppealCreate, AppellantIn
from api.schemas.lists import decode_cursor, encode_cursor
from api.web.appeal_terms import TERMS, URGENCY_LABELS
from api.web.deps import check_csrf, page_requires
from api.web.forms import checked, form_values, refusal
from api.web.i18n import Translate, language_of, translator
from api.web.rendering import redirect_after, render
from api.web.state_labels import APPEAL_KIND
from domain.access import Reach
from domain.actors import Actor, Role
from domain.errors import InvalidInput
from domain.monthly_report_text import CHANNEL_LABELS, TIER_LABELS
from domain.policy import Permission
from projections.case_index import CaseIndexView, CaseQuery, CaseType
from projections.scope import ReadScope

router = APIRouter(prefix="/web", include_in_schema=False, dependencies=[Depends(check_csrf)])

Raiser = Annotated[Actor, page_requires(Permission.APPEAL_RAISE)]

#: "My" appeals: those about me (I am the appellant) and those I raised for someone else.
MINE = frozenset({Reach.OWN, Reach.RAISED})
#: Rows on a page of my appeals.
PAGE_ROWS = 50
#: The choice between a named and an anonymous appeal.
NAMED, ANONYMOUS = "named", "anonymous"
#: Where the use case's refusal of a field is shown on the form, when not beside it.
SHOWN_AT = {"appellant": "identity", "receipt": "identity", "employee_no": "identity"}


def my_scope(actor: Actor) -> ReadScope:
    """The reader's scope over appeals (as `GET /appeals` reads them), narrowed to theirs:
    an anonymous appeal names nobody, so it is never among them."""
    scope = ReadScope.of(actor, Permission.APPEAL_READ)
    return replace(scope, reaches=MINE if scope.everything else scope.reaches & MINE)


@router.get("/me")
def my_appeals(
    request: Request,
    services: ServicesDep,
    actor: Raiser,
    after: AfterQuery = None,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
) -> Response:
    """我的诉求: the appeals raised in my name (or that I raised for others), newest first."""
    query = CaseQuery(
        case_type=CaseType.APPEAL,
        now=services.casework.now(),
        after=decode_cursor(cursor),
        limit=PAGE_ROWS,
        scope=my_scope(actor),
    )
    view, _ = read_view(services, CASE_INDEX, CaseIndexView, after)  # type: ignore[type-abstract]
    page = view.list_cases(query)
    context = {
        "rows": page.rows,
        "next_cursor": encode_cursor(page.next_after) if page.next_after else None,
        "terms": TERMS,
        "for_others": actor.role is not Role.EMPLOYEE,
    }
    return render(request, "employee/me.html", context, actor=actor)


@router.get("/appeals/new")
def new_appeal(request: Request, services: ServicesDep, actor: Raiser) -> Response:
    """The form to raise an appeal."""
    return _form(request, services, actor, {}, {})


@router.post("/appeals/new")
async def raise_appeal(request: Request, services: ServicesDep, actor: Raiser) -> Response:
    """Raises the appeal as `POST /appeals` does. A named one goes to my appeals; an
    anonymous one shows its receipt code on this answer only (never in a URL or cookie)."""
    form = await request.form()
    return await run_in_threadpool(_raise, request, services, actor, form)


def _raise(request: Request, services: ServicesDep, actor: Actor, form: FormData) -> Response:
    """The form checked by `POST /appeals`'s schema, then the use case (or the form again,
    saying what is wrong)."""
    _ = translator(language_of(request))
    body, errors = _appeal_of(form, actor, _)
    if body is None:
        return _form(request, services, actor, form, errors, status=422)
    key = str(form.get("request_key") or "") or None
    try:
        result = services.casework.raise_appeal(body.draft(), actor, key=key)
    except InvalidInput as invalid:
        shown = {SHOWN_AT.get(f, f): message for f, message in refusal(invalid, _).items()}
        return _form(request, services, actor, form, shown, status=422)
    if result.receipt_code is None:
        return redirect_after(f"/web/me?after={result.position}", "诉求已提交")
    return render(request, "employee/raised_anonymously.html", {"result": result}, actor=actor)


def _appeal_of(
    form: FormData, actor: Actor, _: Translate
) -> tuple[AppealCreate | None, dict[str, str]]:
    """The form as `POST /appeals`'s body, or what is wrong with it."""
    values: dict[str, Any] = form_values(form, AppealCreate)
    values.pop("meeting_id", None)  # appeals from a meeting are raised with the meeting
    errors: dict[str, str] = {}
    identity = form.get("identity")
    if identity == NAMED:
        named = {**form, "employee_no": _own_number(actor, form)}
        values["appellant"] = form_values(named, AppellantIn)
    elif identity != ANONYMOUS:
        errors["identity"] = _("请选择实名或匿名")
    body = checked(AppealCreate, values, _)
    if isinstance(body, dict):
        return None, {**body, **errors}
    return (None, errors) if errors else (body, {})


def _own_number(actor: Actor, form: FormData) -> str:
    """The appellant's employee number: an employee raises in their own name only."""
    if actor.role is Role.EMPLOYEE:
        return actor.id
    typed = form.get("employee_no")
    return typed if isinstance(typed, str) else ""


def _form(
    request: Request,
    services: ServicesDep,
    actor: Actor,
    typed: Any,
    errors: dict[str, str],
    *,
    status: int = 200,
) -> Response:
    """The form, with what was typed and what is wrong with it."""
    _ = translator(language_of(request))
    values = {name: str(value) for name, value in dict(typed).items()}
    org = services.casework.directory.current()
    departments = sorted((d for d in org.departments.values() if d.open), key=lambda d: d.name)
    context = {
        "values": values,
        "errors": errors,
        "request_key": values.get("request_key") or secrets.token_urlsafe(24),
        "own_number": actor.id if actor.role is Role.EMPLOYEE else None,
        "channels": _options(CHANNEL_LABELS, _, _("请选择")),
        "kinds": _options(APPEAL_KIND, _, _("请选择")),
        "tiers": _options(TIER_LABELS, _, _("不是在慧谈中提出的")),
        "urgencies": _options(URGENCY_LABELS, _),
        "departments": [("", _("不确定，由工会确定"))] + [(d.name, d.name) for d in departments],
    }
    return render(request, "employee/new.html", context, actor=actor, status=status)


def _options(labels: Mapping[str, str], _: Translate, blank: str = "") -> list[tuple[str, str]]:
    """A select's options from a label table, with a blank first option if `blank`."""
    options = [(str(value), _(label)) for value, label in labels.items()]
    return [("", blank), *options] if blank else options
