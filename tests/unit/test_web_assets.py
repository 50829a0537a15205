"""The pages' scripts are shipped in the package, unchanged from the npm registry: each
vendored file matches the checksum `VENDORED.md` records, and no template loads anything
from another host."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

WEB = Path(__file__).resolve().parents[2] / "api" / "web"
VENDOR = WEB / "static" / "vendor"
ROW = re.compile(r"^\| (\S+) \| [^|]+ \| [^|]+ \| ([0-9a-f]{64}) \|$", re.MULTILINE)
OUTSIDE = re.compile(r"""(?:src|href|action)=["'](?:https?:)?//""")


def test_every_vendored_file_matches_its_recorded_checksum() -> None:
    recorded = dict(ROW.findall((VENDOR / "VENDORED.md").read_text(encoding="utf-8")))
    shipped = {p.name for p in VENDOR.glob("*.js")}
    assert set(recorded) == shipped
    for name, digest in recorded.items():
        assert hashlib.sha256((VENDOR / name).read_bytes()).hexdigest() == digest, name


def test_no_template_loads_or_posts_to_another_host() -> None:
    for template in (WEB / "templates").rglob("*.html"):
        found = OUTSIDE.findall(template.read_text(encoding="utf-8"))
        assert found == [], f"{template.name} reaches outside: {found}"
