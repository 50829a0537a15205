"""Signing in to the pages: a token becomes a session cookie; signing out ends it; forms
need the CSRF token; a page needing a role sends a stranger to sign in."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from api.bootstrap import Services
from domain.actors import Role
from tests.conftest import SETUP
from tests.web.conftest import Browser


def test_a_token_becomes_an_httponly_session_cookie(
    web: Browser, token_for: Callable[..., str]
) -> None:
    response = web.sign_in(token_for("union-clerk-1", Role.UNION_STAFF))
    cookie = response.headers["set-cookie"]
    assert "huiyin_session=" in cookie
    assert "HttpOnly" in cookie
    assert "SameSite=lax" in cookie
    assert "Path=/web" in cookie
    page = web.get("/web/sign-in")
    assert "union-clerk-1" in page.text


def test_a_wrong_token_is_refused_on_the_form_saying_why(web: Browser) -> None:
    web.get("/web/sign-in")
    response = web.post("/web/sign-in", {"token": "not-a-token"})
    assert response.status_code == 401
    assert "登录失败：" in response.text
    assert "unknown" in response.text


def test_signing_out_revokes_the_session_token(
    web: Browser, token_for: Callable[..., str], services: Services
) -> None:
    web.sign_in(token_for("union-clerk-1", Role.UNION_STAFF))
    session = web.client.cookies.get("huiyin_session")
    assert session
    response = web.post("/web/sign-out")
    assert response.status_code == 303
    ended = [t for t in services.credentials.list(include_ended=True) if t.revoked_at]
    assert any(t.label == "web session" for t in ended)
    web.client.cookies.set("huiyin_session", session, path="/web")
    assert "union-clerk-1" not in web.get("/web/sign-in").text


def test_a_form_without_the_csrf_token_is_refused(
    web: Browser, token_for: Callable[..., str]
) -> None:
    web.sign_in(token_for("union-clerk-1", Role.UNION_STAFF))
    response = web.client.post("/web/sign-out", data={"csrf": "0" * 64})
    assert response.status_code == 403
    assert "CSRF" in response.text


def test_sign_in_goes_back_only_to_a_page_of_this_site(
    web: Browser, token_for: Callable[..., str]
) -> None:
    web.get("/web/sign-in")
    token = token_for("union-clerk-1", Role.UNION_STAFF)
    response = web.post("/web/sign-in", {"token": token, "next": "//evil.example/web"})
    assert response.headers["location"] == "/web/"


def test_english_is_a_switch_kept_in_a_cookie(web: Browser) -> None:
    web.client.get("/web/language/en?next=/web/sign-in", follow_redirects=False)
    page = web.get("/web/sign-in")
    assert '<html lang="en">' in page.text
    assert "Sign in with a token" in page.text


def test_behind_single_sign_on_the_named_person_picks_a_role_the_directory_gives_them(
    web: Browser, services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    sso = services.settings.model_copy(update={"web_identity_header": "X-Remote-User"})
    monkeypatch.setattr(services, "settings", sso)
    services.casework.directory.grant("sso-clerk", Role.UNION_STAFF, actor=SETUP)
    headers = {"X-Remote-User": "sso-clerk"}

    page = web.get("/web/sign-in", headers=headers)
    assert 'value="union_staff"' in page.text
    assert 'value="auditor"' not in page.text
    web.client.headers.update(headers)
    response = web.post("/web/sign-in", {"role": "union_staff"})
    assert response.status_code == 303
    assert "sso-clerk" in web.get("/web/sign-in").text

    refused = web.post("/web/sign-in", {"role": "auditor"})
    assert refused.status_code == 401


def test_without_single_sign_on_the_header_is_ignored(web: Browser) -> None:
    page = web.get("/web/sign-in", headers={"X-Remote-User": "union-clerk-1"})
    assert "union-clerk-1" not in page.text
    refused = web.post("/web/sign-in", {"role": "union_staff"})
    assert refused.status_code == 401
