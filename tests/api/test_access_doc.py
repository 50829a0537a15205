"""The access page and the OpenAPI document say what the policy table says (no database)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from api.access_doc import render, section_of
from api.app import create_app
from api.auth import AUTHENTICATED, PUBLIC
from domain.appeal_states import AppealCommand
from domain.policy import Permission

DOC = Path(__file__).parents[2] / "docs" / "access.md"

#: What anyone may call without a token: health, receipts, the public feeds.
PUBLIC_OPERATIONS = {
    "GET /health",
    "GET /receipts/{code}",
    "POST /receipts/{code}/rate",
    "POST /receipts/{code}/withdraw",
    "GET /public/disclosures",
    "GET /public/disclosures.atom",
    "GET /public/departments/{department}/disclosures.atom",
}


def openapi() -> dict[str, Any]:
    """The service's OpenAPI document."""
    return create_app().openapi()


def operations(document: dict[str, Any]) -> dict[str, str]:
    """Each operation and the permission it names."""
    return {
        f"{method.upper()} {path}": operation.get("x-permission", "")
        for path, methods in document["paths"].items()
        for method, operation in methods.items()
    }


def test_every_operation_names_a_permission_of_the_policy_or_is_public() -> None:
    known = {p.value for p in Permission} | {PUBLIC, AUTHENTICATED}
    named = operations(openapi())

    assert {op: p for op, p in named.items() if p not in known} == {}
    assert {op for op, p in named.items() if p == PUBLIC} == PUBLIC_OPERATIONS
    assert {op for op, p in named.items() if p == AUTHENTICATED} == {"GET /me"}


def test_the_access_page_holds_the_matrix_generated_from_the_policy() -> None:
    expected = render(openapi())

    assert section_of(DOC.read_text(encoding="utf-8")) == expected, (
        "docs/access.md is out of date: run `huiyin access-matrix --write docs/access.md`"
    )


def test_every_command_of_the_appeal_state_table_is_a_route_of_its_name() -> None:
    named = operations(openapi())

    missing = [
        c.value for c in AppealCommand if f"POST /appeals/{{appeal_id}}/{c.value}" not in named
    ]
    assert missing == []
