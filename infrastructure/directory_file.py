"""Directory files: what `huiyin org import` reads and `huiyin org export` writes.

TOML holds the whole directory::

    [[departments]]
    code = "logistics"
    name = "后勤服务中心"
    head = "liang.hui"            # optional

    [tier_leads]
    workers = { position = "工会副主席", person = "lead-union-vice-chair" }

    [[roles]]
    person = "zhang.min"
    role = "union_staff"

    [[roles]]
    person = "guo.peng"
    role = "department"
    departments = ["mining-1"]      # a handler's departments; a supervisor may name `tiers`

CSV holds departments only, as an HR office exports them: a header row naming `code`,
`name` and optionally `head` (in any order; other columns are ignored).

Any mistake stops the import with a message naming the file and the entry.
"""

from __future__ import annotations

import csv
import io
import tomllib
from pathlib import Path
from typing import Any

from domain.actors import Role
from domain.directory_plan import DepartmentEntry, DirectoryPlan, LeadEntry, RoleEntry
from domain.organisation import Organisation
from domain.terms import Tier


class DirectoryFileError(ValueError):
    """A directory file that cannot be read as one."""


def read_plan(path: Path) -> DirectoryPlan:
    """The import a TOML or CSV file lists (by its suffix)."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as error:
        raise DirectoryFileError(f"{path}: cannot read it ({error})") from None
    if path.suffix.lower() == ".csv":
        return _from_csv(text, path)
    try:
        return _from_toml(tomllib.loads(text), path)
    except tomllib.TOMLDecodeError as error:
        raise DirectoryFileError(f"{path}: not TOML ({error})") from None


def write_toml(org: Organisation) -> str:
    """The directory as a TOML file `read_plan` reads back (an export)."""
    lines: list[str] = []
    for department in sorted(org.departments.values(), key=lambda d: d.code):
        lines += ["[[departments]]", f"code = {_q(department.code)}"]
        lines.append(f"name = {_q(department.name)}")
        if department.head:
            lines.append(f"head = {_q(department.head)}")
        lines.append("")
    if org.leads:
        lines.append("[tier_leads]")
        for tier in Tier:
            lead = org.leads.get(tier)
            if lead is not None:
                lines.append(
                    f"{tier.value} = {{ position = {_q(lead.position)}, "
                    f"person = {_q(lead.actor_id)} }}"
                )
        lines.append("")
    for grant in org.holders():
        lines += ["[[roles]]", f"person = {_q(grant.person)}", f"role = {_q(grant.role.value)}"]
        if grant.departments:
            lines.append(f"departments = [{', '.join(_q(d) for d in sorted(grant.departments))}]")
        if grant.tiers:
            lines.append(f"tiers = [{', '.join(_q(t.value) for t in sorted(grant.tiers))}]")
        lines.append("")
    return "\n".join(lines)


def _q(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"'


def _from_csv(text: str, path: Path) -> DirectoryPlan:
    reader = csv.DictReader(io.StringIO(text))
    columns = {c.strip().lower() for c in reader.fieldnames or []}
    if not {"code", "name"} <= columns:
        raise DirectoryFileError(f"{path}: the header row must name the columns code and name")
    entries = []
    for line, row in enumerate(reader, start=2):
        values = {k.strip().lower(): (v or "").strip() for k, v in row.items() if k}
        if not values.get("code") or not values.get("name"):
            raise DirectoryFileError(f"{path}, line {line}: code and name are required")
        entries.append(DepartmentEntry(values["code"], values["name"], values.get("head") or None))
    return DirectoryPlan(departments=tuple(entries))


def _from_toml(data: dict[str, Any], path: Path) -> DirectoryPlan:
    unknown = set(data) - {"departments", "tier_leads", "roles"}
    if unknown:
        raise DirectoryFileError(f"{path}: unknown table(s) {', '.join(sorted(unknown))}")
    departments = [
        DepartmentEntry(
            _text(entry, "code", where), _text(entry, "name", where), entry.get("head") or None
        )
        for where, entry in _entries(data, "departments", path)
    ]
    leads = []
    table = data.get("tier_leads", {})
    if not isinstance(table, dict):
        raise DirectoryFileError(f"{path}: tier_leads must be a table of tiers")
    for name, entry in table.items():
        where = f"{path}, tier_leads.{name}"
        if not isinstance(entry, dict):
            raise DirectoryFileError(f"{where}: give position and person")
        leads.append(
            LeadEntry(
                _enum(Tier, name, where),
                _text(entry, "position", where),
                _text(entry, "person", where),
            )
        )
    roles = [
        RoleEntry(
            _text(entry, "person", where),
            _enum(Role, _text(entry, "role", where), where),
            tuple(_texts(entry, "departments", where)),
            tuple(_enum(Tier, t, where) for t in _texts(entry, "tiers", where)),
        )
        for where, entry in _entries(data, "roles", path)
    ]
    return DirectoryPlan(tuple(departments), tuple(leads), tuple(roles))


def _entries(data: dict[str, Any], key: str, path: Path) -> list[tuple[str, dict[str, Any]]]:
    items = data.get(key, [])
    if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
        raise DirectoryFileError(f"{path}: {key} must be an array of tables ([[{key}]])")
    return [(f"{path}, {key}[{n}]", item) for n, item in enumerate(items, start=1)]


def _text(entry: dict[str, Any], key: str, where: str) -> str:
    value = entry.get(key)
    if not isinstance(value, str) or not value.strip():
        raise DirectoryFileError(f"{where}: {key} is required (text)")
    return value


def _texts(entry: dict[str, Any], key: str, where: str) -> list[str]:
    value = entry.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise DirectoryFileError(f"{where}: {key} must be a list of text")
    return value


def _enum(kind: type[Any], value: str, where: str) -> Any:
    try:
        return kind(value)
    except ValueError:
        known = ", ".join(member.value for member in kind)
        raise DirectoryFileError(f"{where}: {value!r} is not one of {known}") from None
