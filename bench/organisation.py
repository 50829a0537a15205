"""The benchmark's organisation directory: the departments and people its workloads name.

Filled once into each scratch database before any phase, as an operator would with
`huiyin org import`; tokens are issued for the roles it gives.
"""

from __future__ import annotations

from api.bootstrap import Services
from bench.queries import DEPARTMENTS as QUERY_DEPARTMENTS
from bench.read_path import DEPARTMENTS as READ_DEPARTMENTS
from domain.actors import Actor, Role
from domain.directory_plan import DepartmentEntry, DirectoryPlan, RoleEntry

ADMIN = Actor("bench-admin", Role.ADMIN)

PLAN = DirectoryPlan(
    departments=tuple(
        DepartmentEntry(name, name)
        for name in dict.fromkeys((*READ_DEPARTMENTS, *QUERY_DEPARTMENTS))
    ),
    roles=(
        RoleEntry("bench-clerk", Role.UNION_STAFF),
        RoleEntry("logistics-head", Role.DEPARTMENT, ("后勤服务中心",)),
        RoleEntry("union-vice-chair", Role.SUPERVISOR),
        RoleEntry("bench-supervisor", Role.SUPERVISOR),
        RoleEntry("bench-committee", Role.COMMITTEE),
    ),
)


def fill(services: Services) -> None:
    """Puts the benchmark's organisation into the store's directory."""
    services.casework.directory.apply_plan(PLAN, actor=ADMIN)
