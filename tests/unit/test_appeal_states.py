"""The docs show the appeal's state table as it is, and no command leads out of its final
states (no I/O but reading the docs)."""

from __future__ import annotations

from pathlib import Path

import pytest

from domain.appeal_states import (
    APPEAL_STATES,
    DOCS_MARKER,
    AppealCommand,
    appeal_transitions_markdown,
)
from domain.terms import Status

ROOT = Path(__file__).parents[2]


def table_after_marker(text: str) -> str:
    """The Markdown table that follows the marker in `text` (blank lines before it skipped)."""
    after = text.split(DOCS_MARKER, 1)[1].lstrip("\n").splitlines()
    table = []
    for line in after:
        if not line.startswith("|"):
            break
        table.append(line)
    return "\n".join(table) + "\n"


def docs_with_marker() -> list[Path]:
    """The README and docs pages that hold the appeal's state table."""
    pages = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
    return [page for page in pages if DOCS_MARKER in page.read_text(encoding="utf-8")]


def test_the_docs_hold_the_appeal_state_table() -> None:
    assert docs_with_marker(), f"no page in README.md or docs/*.md holds {DOCS_MARKER}"


@pytest.mark.parametrize("page", docs_with_marker(), ids=lambda page: page.name)
def test_the_docs_table_of_appeal_states_is_the_state_table(page: Path) -> None:
    shown = table_after_marker(page.read_text(encoding="utf-8"))

    assert shown == appeal_transitions_markdown(), (
        f"{page.name}: the appeal's state table differs from domain/appeal_states.py; "
        "paste `appeal_transitions_markdown()` after the marker"
    )


def test_the_final_states_allow_no_command_that_changes_the_state() -> None:
    for command in AppealCommand:
        if APPEAL_STATES.leads_to(command):
            assert not APPEAL_STATES.commands[command].allowed & {Status.CLOSED, Status.WITHDRAWN}
