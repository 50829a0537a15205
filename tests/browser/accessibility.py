"""An accessibility check of a page with axe-core (vendored in `tests/browser/vendor/`):
the WCAG 2.0/2.1 A and AA rules; a violation whose impact is serious or critical fails."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

from playwright.sync_api import Page

AXE = Path(__file__).parent / "vendor" / "axe.min.js"
#: The rule sets checked: WCAG 2.1 AA and everything below it.
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
FAILING = frozenset({"serious", "critical"})


@cache
def _axe_source() -> str:
    return AXE.read_text(encoding="utf-8")


def serious_violations(page: Page) -> list[dict[str, Any]]:
    """axe-core's serious and critical violations on the page as it is now, each with the
    rule, its impact and the first few offending elements."""
    # Evaluated through the DevTools protocol, so the page's own CSP does not block it.
    page.evaluate(_axe_source())
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", TAGS
    )
    return [
        {
            "rule": violation["id"],
            "impact": violation["impact"],
            "help": violation["help"],
            "nodes": [node["target"] for node in violation["nodes"][:3]],
        }
        for violation in result["violations"]
        if violation["impact"] in FAILING
    ]
