"""Fixtures of the integration tests: the operator's command line, and databases of a
test's own (for what must not touch the session's store, such as rotating its key)."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from psycopg import sql
from typer.testing import CliRunner

from infrastructure.database import conninfo
from infrastructure.settings import Settings


@pytest.fixture
def run(settings: Settings, tmp_path: Path) -> CliRunner:
    """A runner whose commands reach the session's database with its cipher key."""
    assert settings.cipher_key is not None
    return CliRunner(
        env={
            "HUIYIN_DATABASE_URL": settings.database_url or "",
            "HUIYIN_CIPHER_KEY": settings.cipher_key.get_secret_value(),
            "HUIYIN_DATA_DIR": str(tmp_path),
            "HUIYIN_ENVIRONMENT": "test",
        }
    )


@pytest.fixture
def scratch_url(database_url: str) -> Iterator[str]:
    """A database of this test's own, on the session's server, dropped after."""
    name = f"huiyin_key_{secrets.token_hex(4)}"
    admin = conninfo(database_url.rsplit("/", 1)[0] + "/postgres")
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield database_url.rsplit("/", 1)[0] + f"/{name}"
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )
