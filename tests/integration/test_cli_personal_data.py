"""`huiyin forget` and `huiyin key rotate`, run as an operator runs them."""

from __future__ import annotations

import uuid
from pathlib import Path

from typer.testing import CliRunner

from api.bootstrap import Services
from api.cli import cli
from application.casework import AppealDraft
from domain.actors import Actor, Role
from domain.appeal import Appellant
from domain.terms import Channel, Kind
from infrastructure.keys import new_key
from tests.conftest import scoped

CLERK = Actor("union-clerk-cli", Role.UNION_STAFF)


def test_forget_erases_a_person_as_two_committee_members(
    run: CliRunner,
    services: Services,
) -> None:
    who = f"E{uuid.uuid4().hex[:8]}"
    draft = AppealDraft(
        Channel.GRID_LIAISON,
        Kind.COMPLAINT,
        "canteen",
        "夜班补贴",
        "夜班补贴少发",
        department="后勤服务中心",
        appellant=Appellant("钱多多", who),
    )
    appeal_id = services.casework.raise_appeal(draft, CLERK).id
    for member in ("committee-cli-1", "committee-cli-2"):
        scoped(services.casework, member, Role.COMMITTEE)
    args = ["forget", who, "--reason", "本人申请", "--basis", "purpose_fulfilled"]

    alone = run.invoke(cli, [*args, "--requested-by", "committee-cli-1", "--confirmed-by", "x"])
    done = run.invoke(
        cli, [*args, "--requested-by", "committee-cli-1", "--confirmed-by", "committee-cli-2"]
    )

    assert alone.exit_code == 2
    assert "committee role" in alone.output
    assert done.exit_code == 0, done.output
    assert "completed: 1 key(s) destroyed, 0 token(s) deleted" in done.output
    services.keyring.observe(-1)  # another process destroyed keys: forget what was cached
    appellant = services.casework.get_appeal(appeal_id).appellant
    assert appellant is not None
    assert appellant.erased


def test_key_rotate_rewraps_under_a_new_key_and_the_old_one_is_refused(
    scratch_url: str,
    tmp_path: Path,
) -> None:
    old, new = new_key(), new_key()
    env = {
        "HUIYIN_DATABASE_URL": scratch_url,
        "HUIYIN_DATA_DIR": str(tmp_path),
        "HUIYIN_ENVIRONMENT": "test",
    }
    runner = CliRunner(env={**env, "HUIYIN_CIPHER_KEY": old})
    assert runner.invoke(cli, ["org", "show"]).exit_code == 0  # a store, made with `old`

    rotated = runner.invoke(cli, ["key", "rotate", "--new-key", new])
    with_old = runner.invoke(cli, ["org", "show"])
    with_new = CliRunner(env={**env, "HUIYIN_CIPHER_KEY": new}).invoke(cli, ["org", "show"])
    weak = CliRunner(env={**env, "HUIYIN_CIPHER_KEY": new}).invoke(
        cli, ["key", "rotate", "--new-key", "A" * 43 + "="]
    )

    assert rotated.exit_code == 0, rotated.output
    assert "re-wrapped 1 key(s)" in rotated.output
    assert new in rotated.output  # set it as HUIYIN_CIPHER_KEY
    assert with_old.exit_code != 0
    assert isinstance(with_old.exception, Exception)
    assert "does not open this store" in str(with_old.exception)
    assert with_new.exit_code == 0, with_new.output
    assert weak.exit_code == 2
    assert "distinct byte values" in weak.output
