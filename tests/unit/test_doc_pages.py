"""The README and docs/ hold together: links lead somewhere, every page can be reached, and
the snippet test reads the blocks a page marks as not run as the page means."""

from __future__ import annotations

from pathlib import Path

from tests.doc_pages import (
    DOCS,
    README,
    ROOT,
    anchors,
    local_links,
    pages,
    reading_order,
    shell_blocks,
)


def test_every_link_between_pages_leads_to_a_file_and_its_heading() -> None:
    broken = [
        f"{page.relative_to(ROOT)} → {target.relative_to(ROOT)}#{anchor}"
        for page in pages()
        for target, anchor in local_links(page)
        if not target.exists() or (anchor and anchor not in anchors(target))
    ]

    assert not broken


def test_the_readme_leads_to_every_page_of_docs() -> None:
    linked = {path for path, _ in local_links(README)}

    assert {page.resolve() for page in DOCS.glob("*.md")} <= linked
    assert reading_order()[0] == README
    assert sorted(reading_order()) == sorted(page.resolve() for page in pages())


def test_a_not_run_mark_covers_the_one_block_after_it(tmp_path: Path) -> None:
    page = tmp_path / "page.md"
    page.write_text(
        "Intro.\n\n<!-- not run: starts the service -->\n```sh\nmake serve\n```\n\n"
        "```bash\ncurl -s $API/health\n```\n\n```python\nprint()\n```\n\n"
        "<!-- not run: -->\n```sh\necho no reason given, so it runs\n```\n",
        encoding="utf-8",
    )

    found = [(block.code, block.not_run, block.line) for block in shell_blocks(page)]

    assert found == [
        ("make serve", "starts the service", 4),
        ("curl -s $API/health", None, 8),
        ("echo no reason given, so it runs", None, 17),
    ]
