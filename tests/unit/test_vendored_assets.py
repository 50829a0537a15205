"""The assets shipped inside the package are the registry's files, unchanged, and each
one is listed with where it came from."""

from __future__ import annotations

import hashlib
import re

from api.docs_page import STATIC

LISTED = re.findall(
    r"^\| (\S+) \| .+? \| .+? \| ([0-9a-f]{64}) \|$",
    (STATIC / "VENDORED.md").read_text(encoding="utf-8"),
    flags=re.MULTILINE,
)


def test_every_shipped_asset_is_listed_with_its_origin() -> None:
    shipped = {
        str(path.relative_to(STATIC))
        for path in STATIC.rglob("*")
        if path.is_file() and path.name != "VENDORED.md"
    }

    assert shipped == {name for name, _ in LISTED}


def test_every_listed_asset_is_the_registrys_file_unchanged() -> None:
    for name, digest in LISTED:
        assert hashlib.sha256((STATIC / name).read_bytes()).hexdigest() == digest, name
