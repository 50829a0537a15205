"""The appeal's case page, for every role that may read the appeal: its facts, state,
deadlines and history, and the forms the reader's role may use on it now — each posting to
the use case its JSON route calls (`api.routes.appeals`), with the version the page showed
(a stale one is the 412 page). A transfer shows the deadline it will give before it is
confirmed (`/transfer?department=…`, inline with htmx)."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Depends, Request
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData
from starlette.responses import Response

from api.case_pages import VIEW as CASE_INDEX
from api.deps import AfterQuery, ServicesDep, wait_for_view
from api.schemas.appeal_reads import AppealRead
from api.schemas.appeals import RetransferIn, TransferIn
from api.web.appeal_terms import deadline_basis
from api.web.deps import check_csrf, page_requires
from api.web.forms import checked, form_values, local_moment, refusal, version_sent
from api.web.i18n import Translate, language_of, translator
from api.web.pages.appeal_actions import ACTIONS, BY_COMMAND, Action
from api.web.pages.appeal_case_view import case_context
from api.web.rendering import redirect_after, render
from application.aggregates import parties_of
from domain.actors import Actor
from domain.appeal_states import APPEAL_STATES, AppealCommand
from domain.errors import InvalidInput
from domain.policy import Permission, authorise

router = APIRouter(prefix="/web", include_in_schema=False, dependencies=[Depends(check_csrf)])

Reader = Annotated[Actor, page_requires(Permission.APPEAL_READ)]
Transferrer = Annotated[Actor, page_requires(Permission.APPEAL_TRANSFER)]
CASE = "/appeals/{appeal_id:uuid}"
#: The fields whose moments are typed in China time (`<input type="datetime-local">`).
MOMENTS = ("deadline",)


@router.get(CASE)
def case_page(
    request: Request,
    appeal_id: UUID,
    services: ServicesDep,
    actor: Reader,
    after: AfterQuery = None,
) -> Response:
    """The case page. After a form, `?after=` waits until the case index has the change,
    so the lists the page links to show it too."""
    wait_for_view(services, CASE_INDEX, after)
    context = case_context(services, actor, appeal_id, _translate(request))
    return render(request, "appeal/case.html", context, actor=actor)


@router.get(CASE + "/transfer")
def transfer_preview(
    request: Request, appeal_id: UUID, services: ServicesDep, actor: Transferrer
) -> Response:
    """The reply deadline a transfer to the chosen department would give, to confirm."""
    return _preview(request, services, actor, appeal_id, BY_COMMAND[AppealCommand.TRANSFER])


@router.get(CASE + "/retransfer")
def retransfer_preview(
    request: Request, appeal_id: UUID, services: ServicesDep, actor: Transferrer
) -> Response:
    """The reply deadline a re-transfer to the chosen department would give, to confirm."""
    return _preview(request, services, actor, appeal_id, BY_COMMAND[AppealCommand.RETRANSFER])


def _preview(
    request: Request, services: ServicesDep, actor: Actor, appeal_id: UUID, action: Action
) -> Response:
    """The preview page (or, asked by htmx, the piece of the case page it fills in)."""
    _ = _translate(request)
    casework = services.casework
    appeal = casework.read_appeal(appeal_id, actor)
    authorise(actor, action.permission, parties_of(appeal))
    APPEAL_STATES.require(action.command, appeal.status)
    values = _values(request.query_params, action)
    body = checked(action.schema, values, _)
    inline = request.headers.get("HX-Request") == "true"
    context: dict[str, Any] = {
        "action": action,
        "appeal_id": appeal_id,
        "values": values,
        "version": version_sent(request.query_params),
        "basis": lambda deadline: deadline_basis(deadline, _),
        "errors": {},
    }
    if isinstance(body, dict):
        context["errors"] = body
    elif isinstance(body, TransferIn | RetransferIn):
        try:
            context["department"] = casework.directory.department(
                casework.directory.code(body.department)
            )
            context["preview"] = casework.transfer_deadline(
                appeal,
                at=casework.now(),
                deadline=body.deadline,
                again=action.command is AppealCommand.RETRANSFER,
            )
        except InvalidInput as invalid:
            context["errors"] = refusal(invalid, _)
    if inline:
        return render(request, "appeal/_transfer_preview.html", context, actor=actor)
    if context["errors"]:
        return _case_again(request, services, actor, appeal_id, action, values, context["errors"])
    context["appeal"] = AppealRead.for_reader(appeal, identity=False)
    return render(request, "appeal/transfer_preview.html", context, actor=actor)


def _action_route(action: Action) -> None:
    """Adds the route that posts `action`'s form, needing the permission its JSON route
    names."""

    permitted = page_requires(action.permission)

    async def act(
        request: Request, appeal_id: UUID, services: ServicesDep, actor: Actor = permitted
    ) -> Response:
        """Does the action with the posted form, then shows the case page again."""
        form = await request.form()
        return await run_in_threadpool(_act, request, services, actor, appeal_id, action, form)

    router.add_api_route(
        f"{CASE}/{action.command.value}",
        act,
        methods=["POST"],
        name=f"web-appeal-{action.command.value}",
    )


def _act(
    request: Request,
    services: ServicesDep,
    actor: Actor,
    appeal_id: UUID,
    action: Action,
    form: FormData,
) -> Response:
    """The form checked by the JSON route's schema, then its use case with the version the
    page showed; a value refused comes back beside its field, what was typed kept."""
    _ = _translate(request)
    values = _values(form, action)
    body = checked(action.schema, values, _)
    if isinstance(body, dict):
        return _case_again(request, services, actor, appeal_id, action, form, body)
    try:
        result = action.run(services.casework, appeal_id, body, actor, version_sent(form))
    except InvalidInput as invalid:
        errors = refusal(invalid, _)
        return _case_again(request, services, actor, appeal_id, action, form, errors)
    return redirect_after(f"/web/appeals/{appeal_id}?after={result.position}", action.done)


def _case_again(
    request: Request,
    services: ServicesDep,
    actor: Actor,
    appeal_id: UUID,
    action: Action,
    typed: Any,
    errors: dict[str, str],
) -> Response:
    """The case page with `action`'s form showing what is wrong and what was typed."""
    kept = {name: str(value) for name, value in dict(typed).items() if name != "csrf"}
    context = case_context(
        services,
        actor,
        appeal_id,
        _translate(request),
        failed=action.command,
        errors=errors,
        typed=kept,
    )
    return render(request, "appeal/case.html", context, actor=actor, status=422)


def _values(form: Any, action: Action) -> dict[str, Any]:
    """The action's fields from a form or query, moments read as China time."""
    values = form_values(form, action.schema)
    for name in MOMENTS:
        if isinstance(values.get(name), str):
            values[name] = local_moment(values[name])
    return values


def _translate(request: Request) -> Translate:
    return translator(language_of(request))


for _action in ACTIONS:
    _action_route(_action)
