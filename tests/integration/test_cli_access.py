"""`huiyin org …` and `huiyin token …`, run as an operator runs them, on the test database."""

from __future__ import annotations

import secrets
from pathlib import Path

from typer.testing import CliRunner

from api.bootstrap import Services
from api.cli import cli
from domain.actors import Role


def test_an_hr_export_is_imported_once_and_shown_back(
    run: CliRunner, tmp_path: Path, services: Services
) -> None:
    dept = f"cli-{secrets.token_hex(3)}"
    csv = tmp_path / "departments.csv"
    csv.write_text(f"name,code,head,cost centre\n综合{dept},{dept},cli-head,4711\n", "utf-8")

    dry = run.invoke(cli, ["org", "import", str(csv), "--dry-run"])
    done = run.invoke(cli, ["org", "import", str(csv)])
    again = run.invoke(cli, ["org", "import", str(csv)])
    shown = run.invoke(cli, ["org", "show"])

    assert dry.exit_code == 0, dry.output
    assert f"open {dept} 综合{dept}" in dry.output
    assert "(dry run: nothing changed)" in dry.output
    assert done.exit_code == 0
    assert "1 change(s)" in done.output
    assert "0 change(s)" in again.output
    assert f'code = "{dept}"' in shown.output
    services.casework.directory.version()  # read the store now: the CLI changed it
    found = services.casework.directory.current().department(dept)
    assert (found.name, found.head) == (f"综合{dept}", "cli-head")


def test_a_mistaken_file_stops_the_import_naming_the_entry(run: CliRunner, tmp_path: Path) -> None:
    toml = tmp_path / "org.toml"
    toml.write_text('[[roles]]\nperson = "x"\nrole = "chairman"\n', "utf-8")

    refused = run.invoke(cli, ["org", "import", str(toml)])

    assert refused.exit_code == 2
    assert "roles[1]: 'chairman' is not one of" in refused.output


def test_a_token_is_issued_for_a_granted_role_listed_without_its_secret_and_revoked_by_id(
    run: CliRunner, services: Services
) -> None:
    person = f"cli-clerk-{secrets.token_hex(3)}"
    refused = run.invoke(cli, ["token", "issue", "--actor", person, "--role", "union_staff"])
    granted = run.invoke(cli, ["org", "grant", person, "union_staff"])
    issued = run.invoke(
        cli, ["token", "issue", "--actor", person, "--role", "union_staff", "--expires", "2w"]
    )
    token = next(word for word in issued.stdout.split() if word.startswith("hy_"))
    listed = run.invoke(cli, ["token", "list"])
    record = next(r for r in services.credentials.list() if r.actor_id == person)
    revoked = run.invoke(cli, ["token", "revoke", record.id])

    assert refused.exit_code == 2
    assert f"{person} holds no union_staff role in the directory" in refused.output
    assert granted.exit_code == 0
    assert issued.exit_code == 0
    assert token.startswith("hy_")
    assert record.id in listed.output
    assert token not in listed.output
    assert revoked.exit_code == 0, revoked.output
    lookup = services.store.lookup_token(token)
    assert lookup is not None
    assert lookup.revoked_at is not None
    services.casework.directory.version()
    actor = services.casework.directory.actor(person, Role.UNION_STAFF)
    assert actor is not None


def test_the_system_role_is_never_issued(run: CliRunner) -> None:
    refused = run.invoke(cli, ["token", "issue", "--actor", "huiyin", "--role", "system"])

    assert refused.exit_code == 2
    assert "the system role is the service's own" in refused.output
