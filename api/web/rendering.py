"""Rendering a page: the Jinja2 templates (autoescaped), what every page is given (the
signed-in actor, the language, the CSRF token, the navigation the actor's role may use),
and the headers every page carries (a content security policy allowing only this site).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote
from zoneinfo import ZoneInfo

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse

from api.web.i18n import Language, language_of, translator
from api.web.session import CSRF_FIELD, csrf_token, ensure_csrf_cookie
from domain.actors import Actor
from domain.policy import Permission, reach_of

#: A one-time message shown on the next page (after a form redirects there).
FLASH_COOKIE = "huiyin_flash"
TEMPLATES = Path(__file__).parent / "templates"
#: Times on pages are shown in China Standard Time.
SHOWN_IN = ZoneInfo("Asia/Shanghai")

#: Only this site's scripts; inline styles for the charts' tooltips; no framing elsewhere.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; connect-src 'self'; frame-ancestors 'self'; form-action 'self'; "
    "base-uri 'none'; object-src 'none'"
)
PAGE_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",  # pages show cases as they are now, some of them private
}


@dataclass(frozen=True)
class NavItem:
    """A link in the header, shown to roles holding `permission` (None: to everyone)."""

    path: str
    label: str  # Chinese; translated when shown
    permission: Permission | None


#: The header's links, each shown only to a role that may use the page behind it.
NAVIGATION = (
    NavItem("/web/", "公示栏", None),
    NavItem("/web/me", "我的诉求", Permission.APPEAL_RAISE),
    NavItem("/web/workbench", "工作台", Permission.APPEAL_TRANSFER),
    # The committee's way in: it holds no `appeal.transfer`, so no link to the workbench.
    NavItem("/web/workbench/reviews", "公示审核", Permission.DISCLOSURE_REVIEW),
    NavItem("/web/department", "承办", Permission.APPEAL_RESPOND),
    NavItem("/web/audit", "审计", Permission.AUDIT_READ),
)


#: The roles as a reader calls them (Chinese; the catalogue translates).
ROLE_NAMES = {
    "employee": "职工",
    "liaison": "联络员",
    "union_staff": "工会工作人员",
    "department": "责任部门承办人",
    "supervisor": "督办员",
    "hr": "人力资源部",
    "committee": "工会委员会",
    "auditor": "审计",
    "admin": "管理员",
    "system": "系统",
}


#: Each language's name in itself: the switch to it reads so in any language.
LANGUAGE_NAMES = {"zh-CN": "中文", "en": "English"}


def may_use(actor: Actor | None, permission: Permission | None) -> bool:
    """Whether a page or button needing `permission` is shown to `actor` at all (its case
    is checked again when it is used)."""
    if permission is None:
        return True
    return actor is not None and bool(reach_of(actor, permission))


def shown_time(value: datetime | None, with_time: bool = True) -> str:
    """A moment as a reader in China reads it."""
    if value is None:
        return ""
    local = value.astimezone(SHOWN_IN)
    return local.strftime("%Y-%m-%d %H:%M" if with_time else "%Y-%m-%d")


def _environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["when"] = shown_time
    env.filters["day"] = lambda value: shown_time(value, with_time=False)
    env.globals["role_names"] = ROLE_NAMES
    env.globals["language_names"] = LANGUAGE_NAMES
    return env


ENVIRONMENT = _environment()


def render(
    request: Request,
    template: str,
    context: Mapping[str, Any] | None = None,
    *,
    actor: Actor | None = None,
    status: int = 200,
    headers: Mapping[str, str] | None = None,
) -> HTMLResponse:
    """`template` rendered for `request`'s reader, as a response."""
    language = language_of(request)
    _ = translator(language)
    page = {
        "request": request,
        "actor": actor,
        "_": _,
        "lang": language.value,
        "other_language": Language.EN if language is Language.ZH else Language.ZH,
        "csrf_field": CSRF_FIELD,
        "csrf": csrf_token(request),
        "navigation": [item for item in NAVIGATION if may_use(actor, item.permission)],
        "may": lambda permission: may_use(actor, Permission(permission)),
        "path": request.url.path,
        "flash": _(unquote(request.cookies.get(FLASH_COOKIE, ""))),
        **(context or {}),
    }
    body = ENVIRONMENT.get_template(template).render(page)
    response = HTMLResponse(body, status_code=status, headers={**PAGE_HEADERS, **(headers or {})})
    ensure_csrf_cookie(request, response)
    if FLASH_COOKIE in request.cookies:
        response.delete_cookie(FLASH_COOKIE, path="/web")
    return response


def redirect_after(url: str, message: str = "") -> RedirectResponse:
    """See Other to `url` after a form did its work, with `message` (Chinese, translated
    when shown) for the page there."""
    response = RedirectResponse(url, status_code=303)
    if message:
        response.set_cookie(
            FLASH_COOKIE, quote(message), max_age=60, path="/web", httponly=True, samesite="lax"
        )
    return response
