"""A client generated from the API document, as the README shows it: openapi-python-client
generates it from a running server's `/openapi.json`, and the README's own block raises,
transfers, replies to and reads an appeal with it."""

from __future__ import annotations

import contextlib
import io
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from api.bootstrap import Services
from domain.actors import Role
from infrastructure.settings import Settings
from tests.conftest import SETUP
from tests.e2e.conftest import running_server, server_env_for

pytestmark = pytest.mark.e2e

README = Path(__file__).parents[2] / "README.md"
MARKER = "<!-- tests/e2e/test_generated_client.py runs this block as written -->"
GENERATOR = shutil.which("openapi-python-client", path=str(Path(sys.executable).parent))


def readme_block() -> str:
    """The Python block the README marks as run by this test."""
    after = README.read_text(encoding="utf-8").split(MARKER, 1)[1]
    found = re.match(r"\s*```python\n(.*?)\n```", after, flags=re.DOTALL)
    assert found, "the README's marked block is not a Python block"
    return found.group(1)


@pytest.fixture(scope="module")
def base(
    database_url: str, settings: Settings, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    env = server_env_for(database_url, settings, tmp_path_factory.mktemp("client"))
    with running_server(env) as url:
        yield url


@pytest.fixture
def generated(base: str, tmp_path: Path) -> Iterator[Path]:
    """The client, generated as the README says, importable as `huiyin_client`."""
    assert GENERATOR, "openapi-python-client is a dev dependency (pip install -e '.[dev]')"
    output = ["--output-path", str(tmp_path / "huiyin_client"), "--meta", "none"]
    done = subprocess.run(  # noqa: S603  # the generator, fixed arguments
        [GENERATOR, "generate", "--url", f"{base}/openapi.json", *output],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    sys.path.insert(0, str(tmp_path))
    try:
        yield tmp_path / "huiyin_client"
    finally:
        sys.path.remove(str(tmp_path))
        for name in [m for m in sys.modules if m.split(".")[0] == "huiyin_client"]:
            del sys.modules[name]


def test_the_generated_client_covers_every_operation(generated: Path) -> None:
    functions = {path.stem for path in generated.glob("api/*/*.py")} - {"__init__"}

    assert {"raise_appeal", "transfer", "reply", "get_appeal", "rate_answer"} <= functions
    assert len(functions) >= 120


def test_the_readme_block_runs_an_appeal_through_the_generated_client(
    generated: Path, base: str, services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    directory = services.casework.directory
    directory.grant("union-clerk-1", Role.UNION_STAFF, actor=SETUP)
    directory.grant("logistics-head", Role.DEPARTMENT, departments=("后勤服务中心",), actor=SETUP)
    monkeypatch.setenv("API", base)
    monkeypatch.setenv("CLERK", services.credentials.issue("union-clerk-1", Role.UNION_STAFF).token)
    monkeypatch.setenv("DEPT", services.credentials.issue("logistics-head", Role.DEPARTMENT).token)
    printed = io.StringIO()

    with contextlib.redirect_stdout(printed):
        exec(compile(readme_block(), str(README), "exec"), {})  # noqa: S102  # our README

    number, status, answer = printed.getvalue().split()
    assert re.fullmatch(r"HY-\d{4}-\d{6}", number)
    assert (status, answer) == ("replied", "自12月1日起夜班供餐延长至40分钟")
