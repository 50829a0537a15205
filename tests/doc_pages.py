"""The project's markdown pages (README.md and docs/*.md): their shell blocks and links.

A ```sh or ```bash block is run by `tests/e2e/test_doc_snippets.py` unless the line before
it is an HTML comment saying why not: `<!-- not run: starts the service -->`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
DOCS = ROOT / "docs"

SHELLS = frozenset({"sh", "bash"})
FENCE = re.compile(r"^\s*```(?P<lang>[\w+-]*)\s*$")
NOT_RUN = re.compile(r"^<!--\s*not run:\s*(?P<why>\S.*?)\s*-->$")
#: A markdown link's target: `[text](target)`.
LINK = re.compile(r"\]\((?P<target>[^)\s]+)\)")


@dataclass(frozen=True)
class Block:
    """A fenced code block of a page."""

    page: Path
    line: int  # of the opening fence, counted from 1
    lang: str
    code: str
    not_run: str | None  # why the snippet test leaves it out, if it does

    @property
    def where(self) -> str:
        """`page:line`, relative to the project folder."""
        return f"{self.page.relative_to(ROOT)}:{self.line}"


def pages() -> list[Path]:
    """Every page: the README, then docs/ by name."""
    return [README, *sorted(DOCS.glob("*.md"))]


def blocks(page: Path) -> list[Block]:
    """The page's fenced code blocks, in order."""
    found: list[Block] = []
    opened: tuple[int, str, str | None] | None = None
    body: list[str] = []
    before = ""  # the last non-blank line outside a block
    for number, line in enumerate(page.read_text(encoding="utf-8").splitlines(), start=1):
        fence = FENCE.match(line)
        if opened is None and fence:
            marked = NOT_RUN.match(before.strip())
            opened, body = (number, fence["lang"], marked["why"] if marked else None), []
        elif opened is not None and fence and not fence["lang"]:
            start, lang, why = opened
            found.append(Block(page, start, lang, "\n".join(body), why))
            opened, before = None, line
        elif opened is not None:
            body.append(line)
        elif line.strip():
            before = line
    assert opened is None, f"{page.relative_to(ROOT)}:{opened[0]}: a code block is not closed"
    return found


def shell_blocks(page: Path) -> list[Block]:
    """The page's ```sh and ```bash blocks."""
    return [block for block in blocks(page) if block.lang in SHELLS]


def local_links(page: Path) -> list[tuple[Path, str]]:
    """The page's links to files of the project, as (file, anchor or "")."""
    text = "\n".join(_outside_code(page.read_text(encoding="utf-8").splitlines()))
    found = []
    for match in LINK.finditer(text):
        target = match["target"]
        if re.match(r"^[a-z]+:", target):  # https:, mailto: …
            continue
        path, _, anchor = target.partition("#")
        found.append(((page.parent / path).resolve() if path else page, anchor))
    return found


def reading_order() -> list[Path]:
    """The README, then the pages of docs/ in the order the README first links to them,
    then any it does not link, by name: the order a reader meets them."""
    linked = [path for path, _ in local_links(README) if path.parent == DOCS.resolve()]
    ordered = [README, *dict.fromkeys(path for path in linked if path.suffix == ".md")]
    return ordered + [page for page in pages() if page.resolve() not in ordered]


def anchors(page: Path) -> set[str]:
    """The anchors GitHub gives the page's headings."""
    headings = [
        line.lstrip("#").strip()
        for line in _outside_code(page.read_text(encoding="utf-8").splitlines())
        if line.startswith("#")
    ]
    return {re.sub(r"[^\w\- ]", "", heading.lower()).replace(" ", "-") for heading in headings}


def _outside_code(lines: list[str]) -> list[str]:
    """The lines that are not inside a fenced code block."""
    outside, inside = [], False
    for line in lines:
        if FENCE.match(line):
            inside = not inside
        elif not inside:
            outside.append(line)
    return outside
