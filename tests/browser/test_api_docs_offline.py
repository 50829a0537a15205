"""`/docs` on an intranet: the API documentation renders with no request leaving the server
(the page's script, style and icon come from the package), and shows every operation."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from infrastructure.settings import Settings
from tests.browser.conftest import OfflinePage
from tests.e2e.conftest import running_server, server_env_for

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def base(
    database_url: str, settings: Settings, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    env = server_env_for(database_url, settings, Path(tmp_path_factory.mktemp("docs")))
    with running_server(env) as url:
        yield url


@pytest.mark.xfail(
    strict=True,
    reason="known defect since issue 27: past about 132 operations the packaged Swagger UI "
    "renders only the first 6 within seconds (the same spec with 128 + 4 copies of /health "
    "renders all, with 128 + 8 renders 7: a count, not the webhook operations); to fix next",
)
def test_the_api_docs_render_with_the_network_cable_out(offline_page: Page, base: str) -> None:
    watched = OfflinePage(offline_page, base)

    offline_page.goto(f"{base}/docs")

    expect(offline_page.locator(".swagger-ui .info .title")).to_contain_text("Huiyin")
    expect(offline_page.locator(".opblock").first).to_be_visible()
    operations = offline_page.locator(".opblock").count()
    assert operations >= 100, operations
    assert watched.refused == []
    assert watched.console_errors == []


def test_an_operation_opens_with_its_permission_and_problem_responses(
    offline_page: Page, base: str
) -> None:
    OfflinePage(offline_page, base)
    offline_page.goto(f"{base}/docs")

    operation = offline_page.locator("#operations-appeals-raise_appeal")
    operation.locator(".opblock-summary").click()

    expect(operation.locator(".responses-table")).to_contain_text("application/problem+json")
    expect(operation.locator(".responses-table")).to_contain_text("415")
