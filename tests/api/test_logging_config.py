"""Every log handler a Huiyin process installs redacts what it writes, and the redaction knows
every parameter the API declares (no database)."""

from __future__ import annotations

import logging
import logging.config
from collections.abc import Iterator
from typing import Any

import pytest

import api.cli
from api.app import create_app, route_templates
from api.logging_config import RedactingFilter, command_logging, uvicorn_log_config
from infrastructure.log_redaction import (
    HIDDEN_PATH_PARAMETERS,
    HIDDEN_QUERY_PARAMETERS,
    SHOWN_PATH_PARAMETERS,
    SHOWN_QUERY_PARAMETERS,
    PathRedaction,
    redact_text,
)

CODE = "K7QF-M2XD-9HPA-RT4C"
TOKEN = "hy_" + "Zx9" * 14 + "-_Q"
URL = "postgresql://huiyin:S3cret-pw@db:5432/huiyin"


@pytest.fixture(scope="module")
def openapi() -> dict[str, Any]:
    """The service's OpenAPI document."""
    return create_app().openapi()


def parameters(document: dict[str, Any], where: str) -> set[str]:
    """The names of the `where` (path, query) parameters of every operation."""
    return {
        parameter["name"]
        for methods in document["paths"].values()
        for operation in methods.values()
        for parameter in operation.get("parameters", [])
        if parameter["in"] == where
    }


def test_every_query_parameter_the_api_declares_is_shown_or_hidden_by_decision(
    openapi: dict[str, Any],
) -> None:
    declared = parameters(openapi, "query")
    assert declared - SHOWN_QUERY_PARAMETERS - HIDDEN_QUERY_PARAMETERS == set()
    assert "actor" in HIDDEN_QUERY_PARAMETERS


def test_every_path_parameter_the_api_declares_is_shown_or_hidden_by_decision(
    openapi: dict[str, Any],
) -> None:
    declared = parameters(openapi, "path")
    assert declared - set(SHOWN_PATH_PARAMETERS) - HIDDEN_PATH_PARAMETERS == set()


def test_the_apps_routes_hide_receipt_codes_and_show_case_ids() -> None:
    paths = PathRedaction(route_templates(create_app()))
    case = "3f1c9a52-8d7e-4b1a-9c3e-2f6d5b7a8e90"
    assert paths(f"/receipts/{CODE}/withdraw") == "/receipts/[redacted]/withdraw"
    assert paths(f"/appeals/{case}/history") == f"/appeals/{case}/history"
    assert paths("/metrics/appeals.csv") == "/metrics/appeals.csv"  # not in the schema
    assert paths("/openapi.json") == "/openapi.json"
    assert paths(f"/web/appeals/{case}/transfer") == f"/web/appeals/{case}/transfer"
    assert paths("/web/workbench/overdue") == "/web/workbench/overdue"


def test_a_receipt_route_hides_its_code_in_any_text_too() -> None:
    receipts = [t for t in route_templates(create_app()) if t.startswith("/receipts/{code}")]
    assert len(receipts) == 3
    for template in receipts:
        assert "s0me-c0de" not in redact_text(f"GET {template.replace('{code}', 's0me-c0de')}")


@pytest.fixture
def isolated_logging() -> Iterator[None]:
    """Lets a test configure logging as a process does; puts pytest's back afterwards."""
    loggers = [
        logging.getLogger(name) for name in ("", "uvicorn", "uvicorn.error", "uvicorn.access")
    ]
    saved = [(lg, lg.handlers[:], lg.level, lg.propagate, lg.filters[:]) for lg in loggers]
    yield
    for logger, handlers, level, propagate, filters in saved:
        logger.handlers[:] = handlers
        logger.setLevel(level)
        logger.propagate = propagate
        logger.filters[:] = filters


def failure(message: str) -> BaseException:
    """An exception with a traceback, raised and caught."""
    try:
        raise RuntimeError(message)
    except RuntimeError as error:
        return error


@pytest.mark.usefixtures("isolated_logging")
def test_the_servers_access_lines_show_redacted_targets(capsys: pytest.CaptureFixture[str]) -> None:
    logging.config.dictConfig(uvicorn_log_config(route_templates(create_app())))
    access = logging.getLogger("uvicorn.access")
    access.info(
        '%s - "%s %s HTTP/%s" %d',
        "127.0.0.1:5000",
        "GET",
        f"/receipts/{CODE}?actor=E10234",
        "1.1",
        200,
    )
    access.info('%s - "%s %s HTTP/%s" %d', "127.0.0.1:5000", "GET", "/appeals?limit=5", "1.1", 200)
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].endswith(
        '127.0.0.1:5000 - "GET /receipts/[redacted]?actor=[redacted] HTTP/1.1" 200 OK'
    )
    assert lines[1].endswith('"GET /appeals?limit=5 HTTP/1.1" 200 OK')


@pytest.mark.usefixtures("isolated_logging")
def test_the_servers_errors_and_the_apps_own_lines_are_redacted_tracebacks_included(
    capsys: pytest.CaptureFixture[str],
) -> None:
    logging.config.dictConfig(uvicorn_log_config(route_templates(create_app())))
    logging.getLogger("uvicorn.error").error(
        "Exception in ASGI application", exc_info=failure(f"bad header Bearer {TOKEN}")
    )
    logging.getLogger("huiyin.watcher").exception(
        "sweep of %s failed", f"/receipts/{CODE}", exc_info=failure(f"cannot reach {URL}")
    )
    logged = capsys.readouterr().err
    assert "Exception in ASGI application" in logged
    assert "RuntimeError: bad header Bearer [redacted]" in logged
    assert "huiyin.watcher: sweep of /receipts/[redacted] failed" in logged
    assert "RuntimeError: cannot reach postgresql://huiyin:[redacted]@db:5432/huiyin" in logged
    assert "Traceback (most recent call last)" in logged
    assert [secret for secret in (TOKEN, CODE, "S3cret-pw") if secret in logged] == []


def test_a_commands_log_and_the_background_workers_are_redacted(
    capsys: pytest.CaptureFixture[str],
) -> None:
    worker = logging.getLogger("huiyin.worker")
    with command_logging():
        worker.error("worker on %s exited", URL, exc_info=failure(TOKEN))
        worker.info("not shown: commands log warnings and errors")
    logged = capsys.readouterr().err
    assert "huiyin.worker: worker on postgresql://huiyin:[redacted]@db:5432/huiyin exited" in logged
    assert "RuntimeError: hy_[redacted]" in logged
    assert "not shown" not in logged
    assert TOKEN not in logged
    # The command is over: its handler is gone, the process's logging as it was.
    handlers = logging.getLogger().handlers
    assert not [f for h in handlers for f in h.filters if isinstance(f, RedactingFilter)]


def test_a_command_stopped_by_an_unexpected_error_prints_a_redacted_traceback(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    def crash() -> None:
        raise ValueError(f"no appeal for receipt {CODE} with Authorization: Bearer {TOKEN}")

    monkeypatch.setattr(api.cli, "cli", crash)
    with pytest.raises(SystemExit) as stopped:
        api.cli.main()
    assert stopped.value.code == 1
    logged = capsys.readouterr().err
    assert "huiyin.cli: stopped by an unexpected error" in logged
    assert "ValueError: no appeal for receipt [redacted] with Authorization: [redacted]" in logged
