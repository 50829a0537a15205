"""Following an anonymous appeal by its receipt code (public, no sign-in): its state and the
published answer, as `GET /receipts/{code}` shows them, and rating or withdrawing it as
`POST /receipts/{code}/rate` and `/withdraw` do.

The code is the anonymous appellant's only credential, so it travels only in the body of a
form (never in a URL, which browsers, proxies and logs keep) and is shown only in answers
that are not stored (`Cache-Control: no-store`, as every page is).
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData
from starlette.responses import Response

from api.deps import ServicesDep
from api.schemas.appeal_reads import PublicAppealRead
from api.schemas.appeals import AppealWithdrawIn, RateIn
from api.web.appeal_terms import RATING_LABELS, TERMS
from api.web.deps import WebActorDep, check_csrf
from api.web.forms import checked, form_values, refusal, version_sent
from api.web.i18n import Translate, language_of, translator
from api.web.rendering import render
from application.casework import CommandResult
from domain.actors import Actor
from domain.appeal_states import APPEAL_STATES, AppealCommand
from domain.errors import InvalidInput, NotFound

router = APIRouter(prefix="/web", include_in_schema=False, dependencies=[Depends(check_csrf)])

#: The most a receipt code field takes (codes are 19 characters with their dashes).
CODE_FIELD = 100
TEMPLATE = "employee/receipt.html"


@router.get("/receipt")
def receipt_form(request: Request, actor: WebActorDep) -> Response:
    """The form to follow an appeal by its receipt code (public)."""
    return render(request, TEMPLATE, _context(_translate(request)), actor=actor)


@router.post("/receipt")
async def follow(request: Request, services: ServicesDep, actor: WebActorDep) -> Response:
    """The appeal behind the posted receipt code: its state and answer (public)."""
    form = await request.form()
    return await run_in_threadpool(_follow, request, services, actor, form)


@router.post("/receipt/rate")
async def rate(request: Request, services: ServicesDep, actor: WebActorDep) -> Response:
    """Rates the answer as the holder of the receipt code; nothing about them is recorded."""
    form = await request.form()
    return await run_in_threadpool(_act, request, services, actor, form, AppealCommand.RATE)


@router.post("/receipt/withdraw")
async def withdraw(request: Request, services: ServicesDep, actor: WebActorDep) -> Response:
    """Withdraws the appeal as the holder of the receipt code."""
    form = await request.form()
    return await run_in_threadpool(_act, request, services, actor, form, AppealCommand.WITHDRAW)


def _follow(
    request: Request,
    services: ServicesDep,
    actor: Actor | None,
    form: FormData,
    done: str = "",
    failed: AppealCommand | None = None,
    errors: dict[str, str] | None = None,
) -> Response:
    _ = _translate(request)
    code = _code_of(form)
    if not code:
        context = _context(_, error=_("请填写回执码"))
        return render(request, TEMPLATE, context, actor=actor, status=422)
    try:
        appeal = services.casework.find_by_receipt(code)
    except NotFound:
        context = _context(_, error=_("没有与此回执码对应的诉求，请核对后重试"))
        return render(request, TEMPLATE, context, actor=actor, status=404)
    departments = services.casework.directory.current().departments
    context = _context(
        _,
        code=code,
        department=departments.get(appeal.responsible_department or ""),
        appeal=PublicAppealRead.of(appeal),
        may_rate=APPEAL_STATES.allows(AppealCommand.RATE, appeal.status),
        may_withdraw=APPEAL_STATES.allows(AppealCommand.WITHDRAW, appeal.status),
        done=done,
        failed=failed,
        errors=errors or {},
        typed={k: str(v) for k, v in form.items()} if failed else {},
    )
    return render(request, TEMPLATE, context, actor=actor, status=422 if errors else 200)


def _act(
    request: Request,
    services: ServicesDep,
    actor: Actor | None,
    form: FormData,
    command: AppealCommand,
) -> Response:
    """Rates or withdraws with the posted code and version, then shows the appeal again."""
    _ = _translate(request)
    schema: type[BaseModel] = RateIn if command is AppealCommand.RATE else AppealWithdrawIn
    body = checked(schema, form_values(form, schema), _)
    if isinstance(body, dict):
        return _follow(request, services, actor, form, failed=command, errors=body)
    try:
        _command(services, command, _code_of(form), body, version_sent(form))
    except InvalidInput as invalid:
        errors = refusal(invalid, _)
        return _follow(request, services, actor, form, failed=command, errors=errors)
    except NotFound:
        return _follow(request, services, actor, form)
    done = "感谢你的评价" if command is AppealCommand.RATE else "诉求已撤回"
    return _follow(request, services, actor, form, done=done)


def _command(
    services: ServicesDep, command: AppealCommand, code: str, body: Any, version: int
) -> CommandResult:
    """The use case `POST /receipts/{code}/…` calls."""
    casework = services.casework
    if command is AppealCommand.RATE:
        return casework.rate_by_receipt(
            code, rating=body.rating, comment=body.comment, expected_version=version
        )
    return casework.withdraw_by_receipt(code, reason=body.reason, expected_version=version)


def _translate(request: Request) -> Translate:
    return translator(language_of(request))


def _code_of(form: FormData) -> str:
    code = form.get("code")
    return code.strip()[:CODE_FIELD] if isinstance(code, str) else ""


def _context(_: Translate, **values: Any) -> dict[str, Any]:
    """What the receipt page shows: the form, or the appeal and what may be done to it."""
    ratings = [(value, _(label)) for value, label in RATING_LABELS.items()]
    return {
        "code": "",
        "appeal": None,
        "department": None,
        "error": "",
        "may_rate": False,
        "may_withdraw": False,
        "done": "",
        "failed": None,
        "errors": {},
        "typed": {},
        "terms": TERMS,
        "ratings": [("", _("请选择")), *ratings],
        **values,
    }
