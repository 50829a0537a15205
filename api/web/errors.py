"""Errors on the pages: the same problems as the API's (`api.errors` maps each error to its
status once), shown as a page in the reader's language; a page needing a signed-in reader
sends them to sign in; a form without its CSRF token is refused (403)."""

from __future__ import annotations

from urllib.parse import quote

from fastapi import FastAPI, Request
from starlette.responses import RedirectResponse, Response

from api.web.deps import CsrfRefused, SignInRequired
from api.web.rendering import render

#: What each status means to a reader (Chinese; the catalogue translates).
STATUS_TITLES = {
    400: "请求有误",
    401: "请先登录",
    403: "无权进行此操作",
    404: "未找到",
    405: "不支持此操作",
    409: "当前状态不允许此操作",
    412: "内容已被他人更新，请刷新后重试",
    413: "提交的内容过大",
    415: "提交的格式不受支持",
    422: "填写的内容有误",
    429: "操作过于频繁，请稍后再试",
    503: "服务暂时不可用，请稍后再试",
}


def problem_page(
    request: Request, status: int, title: str, detail: str, headers: dict[str, str]
) -> Response:
    """A problem as a page (`api.errors.problem` calls this for paths under /web)."""
    if status == 401:
        return _to_sign_in(request.url.path)
    heading = STATUS_TITLES.get(status, "出错了")
    context = {"status": status, "heading": heading, "title": title, "detail": detail}
    actor = getattr(request.state, "web_actor", None)
    return render(request, "problem.html", context, actor=actor, status=status, headers=headers)


def _to_sign_in(back_to: str) -> RedirectResponse:
    return RedirectResponse(f"/web/sign-in?next={quote(back_to, safe='/')}", status_code=303)


async def _sign_in_required(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, SignInRequired)  # noqa: S101  # registered for this type
    return _to_sign_in(exc.back_to)


async def _csrf_refused(request: Request, exc: Exception) -> Response:
    detail = "the form lacked this browser's CSRF token; reload the page and submit it again"
    return problem_page(request, 403, "CSRF token missing or wrong", detail, {})


def install_web_errors(app: FastAPI) -> None:
    """Makes errors under /web pages, not problem+json."""
    app.state.problem_page = problem_page
    app.add_exception_handler(SignInRequired, _sign_in_required)
    app.add_exception_handler(CsrfRefused, _csrf_refused)
