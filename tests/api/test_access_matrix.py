"""The access matrix, proven: every operation of the OpenAPI document, as every role a person
can hold, on a case in that role's scope and on one outside it, is allowed or refused exactly
as the policy table says; lists, exports, the audit trail and the metrics' case lists return
only what the caller may see.

The world: two departments (A, in scope; B, out), and for each kind of case one concerning
the in-scope people (the employee, the liaison who raised it, department A, the workers'
tier, the panel) and one concerning others. Commands on an existing case are sent with a
stale `If-Match`, so an allowed one stops at `412` and nothing in the world changes; a
refused one stops at `403` before the version is looked at. The `system` role is left out:
it is never issued a token.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import psycopg
import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.auth import AUTHENTICATED, PUBLIC
from api.bootstrap import Services
from application.aggregates import parties_of
from application.casework import AppealDraft
from domain.access import NOBODY, Parties, Reach
from domain.accountability_rules import CaseRef, CaseType, RuleCode
from domain.actors import Actor, Role
from domain.appeal import Appellant
from domain.disclosure import SubjectType
from domain.erasure import LegalBasis
from domain.meeting_policy import Quarter
from domain.meeting_records import Attendee
from domain.meeting_terms import MeetingKind
from domain.monthly_figures import ReportMonth
from domain.notices import EndpointFormat, NoticeKind
from domain.policy import Permission, may, reach_of
from domain.review_terms import HalfYear
from domain.terms import Channel, Kind, Tier
from infrastructure.database import conninfo
from tests.conftest import SETUP, open_department
from tests.outbox import put_delivery

ROLES = [role for role in Role if role is not Role.SYSTEM]
STALE = '"999999"'

#: The people the world's in-scope cases concern, one per role.
PEOPLE = {
    Role.EMPLOYEE: "E-mx-own",
    Role.LIAISON: "mx-liaison",
    Role.UNION_STAFF: "mx-clerk",
    Role.DEPARTMENT: "mx-handler",
    Role.SUPERVISOR: "mx-supervisor",
    Role.HR: "mx-hr",
    Role.COMMITTEE: "mx-committee",
    Role.AUDITOR: "mx-auditor",
    Role.ADMIN: "mx-admin",
}
PANEL = [PEOPLE[r] for r in (Role.EMPLOYEE, Role.UNION_STAFF, Role.DEPARTMENT)] + [
    PEOPLE[r] for r in (Role.SUPERVISOR, Role.HR, Role.COMMITTEE)
]
OTHER_EMPLOYEE = "E-mx-other"
MONTH = "2002-02"  # a month of its own: the report of a month is one per store


@dataclass
class World:
    """The cases, by kind: (in scope, out of scope)."""

    a: str
    b: str
    appeal: tuple[str, str]
    meeting: tuple[str, str]
    item: tuple[str, str]
    proposal: tuple[str, str]
    penalty: tuple[str, str]
    card: tuple[str, str]
    idea_review: tuple[str, str]
    competition: tuple[str, str]
    collaboration: tuple[str, str]
    joint: str
    congress: str
    disclosure: str
    tokens: dict[Role, dict[str, str]]
    named_only: str = ""  # raised naming department A, sent to B
    erasure: tuple[str, str] = ("", "")  # requested, not confirmed
    webhook: tuple[str, str] = ("", "")  # two endpoints (they concern no case)
    delivery: tuple[str, str] = ("", "")  # a dead delivery to each


def build_world(services: Services) -> World:
    """Every kind of case twice, through the use cases, as the people who do them."""
    cw, directory = services.casework, services.casework.directory
    a, b = open_department(cw, "matrix-a"), open_department(cw, "matrix-b")
    clerk = Actor(PEOPLE[Role.UNION_STAFF], Role.UNION_STAFF)
    committee = Actor(PEOPLE[Role.COMMITTEE], Role.COMMITTEE)
    hr = Actor(PEOPLE[Role.HR], Role.HR)
    scopes: dict[Role, dict[str, Any]] = {
        Role.DEPARTMENT: {"departments": [a]},
        Role.SUPERVISOR: {"tiers": [Tier.WORKERS]},
    }
    for role, person in PEOPLE.items():
        if role is not Role.EMPLOYEE:
            directory.grant(person, role, actor=SETUP, **scopes.get(role, {}))

    def appeal(
        person: str, tier: Tier, department: str, by: Actor, supervisor: str, named: str = ""
    ) -> str:
        draft = AppealDraft(
            channel=Channel.TALK_SESSION,
            kind=Kind.SUGGESTION,
            category="canteen",
            title="矩阵测试诉求",
            text="夜班食堂供餐时间太短",
            department=named,
            tier=tier,
            appellant=Appellant("测试", person, ""),
        )
        appeal_id = cw.raise_appeal(draft, by).id
        reason = "督办员轮换" if supervisor else ""
        cw.transfer(
            appeal_id,
            department=department,
            supervisor=supervisor or None,
            supervisor_reason=reason,
            actor=clerk,
        )
        return str(appeal_id)

    liaison = Actor(PEOPLE[Role.LIAISON], Role.LIAISON)
    appeals = (
        appeal(PEOPLE[Role.EMPLOYEE], Tier.WORKERS, a, liaison, PEOPLE[Role.SUPERVISOR]),
        appeal(OTHER_EMPLOYEE, Tier.PARTY_MEMBERS, b, clerk, ""),
    )
    named_only = appeal(OTHER_EMPLOYEE, Tier.PARTY_MEMBERS, b, clerk, "", named=a)
    m = services.meetings
    soon = cw.now() + timedelta(hours=1)

    def talk(tier: Tier, person: str, department: str) -> str:
        meeting_id = m.schedule(
            kind=MeetingKind.TIER_TALK,
            tier=tier,
            topic="矩阵",
            scheduled_for=soon,
            place="会议室",
            actor=clerk,
        ).id
        m.invite(meeting_id, participants=[person], departments=[department], actor=clerk)
        return str(meeting_id)

    meetings = (
        talk(Tier.WORKERS, PEOPLE[Role.EMPLOYEE], a),
        talk(Tier.PARTY_MEMBERS, OTHER_EMPLOYEE, b),
    )
    joint = m.schedule(
        kind=MeetingKind.JOINT_MEETING,
        quarter=Quarter.of(cw.now().date()),
        topic="矩阵联席会",
        scheduled_for=soon,
        place="会议室",
        actor=hr,
    ).id
    m.hold(joint, attendance=[Attendee(hr.id)], actor=hr)
    m.record_minutes(joint, minutes="纪要", actor=hr)
    m.record_decisions(joint, decisions=["决议"], actor=hr)
    deadline = cw.now() + timedelta(days=2)  # due this month: the item figures count them
    items = tuple(
        str(
            m.create_action_item(
                joint,
                decision_ref="D1",
                task="任务",
                department=d,
                deadline=deadline,
                acceptance_criteria="验收",
                actor=hr,
            ).id
        )
        for d in (a, b)
    )
    congress = m.schedule(
        kind=MeetingKind.CONGRESS, topic="矩阵职代会", scheduled_for=soon, place="礼堂", actor=clerk
    ).id
    m.hold(congress, attendance=[Attendee(clerk.id)], actor=clerk)
    proposals = tuple(
        str(
            m.register_proposal(
                congress,
                problem="问题",
                solution="办法",
                department=d,
                deadline=deadline,
                proposer=p,
                actor=clerk,
            ).id
        )
        for d, p in ((a, PEOPLE[Role.EMPLOYEE]), (b, OTHER_EMPLOYEE))
    )
    acc = services.accountability
    penalties: list[str] = []
    cards: list[str] = []
    for department, appeal_id in ((a, appeals[0]), (b, appeals[1])):
        case = CaseRef(CaseType.APPEAL, uuid.UUID(appeal_id), "HY")
        ids = [
            acc.record_automatic(
                RuleCode.OVERDUE_REPLY, department=department, case=case, occurrence_key=k
            ).id
            for k in ("mx-1", "mx-2")
        ]
        penalties.append(str(ids[0]))
        period = acc.current_period()
        records = acc.penalty_records(department, period, ids)
        issued = acc.evaluate_cards(department, period, records, actor=committee).issued
        assert issued is not None
        cards.append(str(issued.id))
    rv = services.reviews
    reviews = tuple(
        str(rv.open_idea_review(quarter=Quarter(2091, n), reviewers=who, actor=clerk).id)
        for n, who in ((1, PANEL), (2, ["mx-stranger"]))
    )
    competitions = tuple(
        str(rv.open_competition(name=f"矩阵杯{n}", judges=who, actor=clerk).id)
        for n, who in ((1, PANEL), (2, ["mx-stranger"]))
    )
    rv.register_contestant(
        uuid.UUID(competitions[0]), contestant="E-mx-contestant", department=a, actor=clerk
    )
    collaborations = tuple(
        str(
            rv.open_collaboration_review(
                half_year=HalfYear(2091, 1),
                department=d,
                management=who[:3],
                employees=who[3:] or ["mx-stranger-2"],
                actor=clerk,
            ).id
        )
        for d, who in ((a, PANEL), (b, ["mx-stranger"]))
    )
    disclosure = services.disclosures.propose(
        subject_type=SubjectType.AWARD_PROCEDURE,
        subject="矩阵奖",
        title="评选程序",
        body="程序",
        departments=[a],
        actor=clerk,
    ).id
    services.monthly_reports.draft(ReportMonth.parse(MONTH), actor=clerk)
    erasures = [
        services.erasures.request(
            person, reason="矩阵测试", legal_basis=LegalBasis.PURPOSE_FULFILLED, actor=committee
        ).id
        for person in (PEOPLE[Role.EMPLOYEE], OTHER_EMPLOYEE)
    ]
    admin = Actor(PEOPLE[Role.ADMIN], Role.ADMIN)
    webhooks = [
        services.webhooks.register(
            name=f"矩阵{n}",
            format=EndpointFormat.STANDARD,
            target=f"https://hooks.example.cn/{n}",
            kinds=[NoticeKind.OVERDUE],
            actor=admin,
        ).endpoint.id
        for n in (1, 2)
    ]
    deliveries = [put_delivery(services.database_url, str(e), "dead") for e in webhooks]
    tokens = {
        role: {"Authorization": f"Bearer {services.credentials.issue(person, role).token}"}
        for role, person in PEOPLE.items()
    }
    return World(
        a,
        b,
        appeals,
        _pair(meetings),
        _pair(items),
        _pair(proposals),
        _pair(penalties),
        _pair(cards),
        _pair(reviews),
        _pair(competitions),
        _pair(collaborations),
        str(joint),
        str(congress),
        str(disclosure),
        tokens,
        named_only,
        _pair(erasures),
        _pair(webhooks),
        _pair(deliveries),
    )


def _pair(values: Any) -> tuple[str, str]:
    first, second = (str(v) for v in values)
    return first, second


@pytest.fixture(scope="module")
def world(services: Services) -> World:
    """The world, built once for the module."""
    return build_world(services)


@pytest.fixture(scope="module")
def http(services: Services) -> Iterator[TestClient]:
    """An HTTP client of the API."""
    with TestClient(create_app(services=services)) as test_client:
        yield test_client


# -- requests ---------------------------------------------------------------------------


def path_values(path: str, world: World, inside: bool) -> dict[str, str]:
    """The path parameters naming the world's in-scope or out-of-scope case."""
    pick = 0 if inside else 1
    values: dict[str, str] = {}
    for name in re.findall(r"{(\w+)}", path):
        if name == "meeting_id":
            if path.endswith("/action-items"):
                values[name] = world.joint
            elif path.endswith("/proposals"):
                values[name] = world.congress
            else:
                values[name] = world.meeting[pick]
        elif name == "review_id":
            kind = world.idea_review if path.startswith("/idea-reviews") else world.collaboration
            values[name] = kind[pick]
        else:
            values[name] = {
                "appeal_id": world.appeal[pick],
                "item_id": world.item[pick],
                "proposal_id": world.proposal[pick],
                "penalty_id": world.penalty[pick],
                "card_id": world.card[pick],
                "competition_id": world.competition[pick],
                "disclosure_id": world.disclosure,
                "erasure_id": world.erasure[pick],
                "endpoint_id": world.webhook[pick],
                "delivery_id": world.delivery[pick],
                "subject": PEOPLE[Role.EMPLOYEE] if inside else OTHER_EMPLOYEE,
                "case_id": world.appeal[pick],
                "month": MONTH,
                "code": world.a,
                "tier": (Tier.WORKERS if inside else Tier.PARTY_MEMBERS).value,
                "department": world.a if inside else world.b,
            }[name]
    return values


#: Bodies the examples of the schemas do not make valid, or that name whom a new case
#: concerns (its scope): by operation, in scope and out.
def bodies(world: World, inside: bool) -> dict[str, dict[str, Any]]:
    """Request bodies that decide the scope of what they create, or need real ids."""
    appellant = PEOPLE[Role.EMPLOYEE] if inside else OTHER_EMPLOYEE
    tier = (Tier.WORKERS if inside else Tier.PARTY_MEMBERS).value
    raised = {
        "kind": "question",
        "category": "canteen",
        "title": "矩阵",
        "text": "矩阵",
        "appellant": {"name": "测试", "employee_no": appellant},
    }
    return {
        "POST /appeals": {**raised, "channel": "talk_session", "tier": tier},
        "POST /meetings/{meeting_id}/appeals": raised,
        "POST /meetings": {
            "kind": "tier_talk",
            "tier": tier,
            "topic": "矩阵",
            "scheduled_for": "2099-01-01T09:00:00+08:00",
            "place": "会议室",
        },
        "POST /penalties": {"appeal_id": world.appeal[0 if inside else 1], "reason": "推诿"},
        "POST /idea-reviews": {"quarter": "2092-Q1", "reviewers": ["R-li"]},
        "POST /idea-reviews/{review_id}/ideas": {"appeal_id": world.appeal[0]},
        "POST /idea-reviews/{review_id}/scores": {
            "appeal_id": world.appeal[0],
            "effect": "80",
            "benefit": "80",
        },
        "POST /idea-reviews/{review_id}/scores/correct": {
            "appeal_id": world.appeal[0],
            "effect": "80",
            "benefit": "80",
            "reason": "更正",
        },
        "POST /collaboration-reviews": {
            "half_year": "2092-H1",
            "department": world.a,
            "management": ["R-li"],
            "employees": ["R-wang"],
        },
        "POST /meetings/{meeting_id}/action-items": {
            "decision_ref": "D1",
            "task": "矩阵",
            "department": world.a,
            "deadline": "2099-01-01T09:00:00+08:00",
            "acceptance_criteria": "矩阵",
        },
        "POST /meetings/{meeting_id}/proposals": {
            "problem": "矩阵",
            "solution": "矩阵",
            "department": world.a,
            "deadline": "2099-01-01T09:00:00+08:00",
        },
        "POST /monthly-reports": {"month": "2002-03"},
        "POST /competitions/{competition_id}/contestants": {
            "contestant": "E-mx-new",
            "department": world.a,
        },
        "POST /directory/departments": {"code": "mx-never", "name": "矩阵从未"},
    }


#: Query parameters an operation requires, beyond its examples.
QUERIES = {
    "/meetings/coverage/{tier}": {"population": "10"},
    "/metrics/appeals/cases": {"figure": "raised"},
    "/metrics/action-items/cases": {"figure": "due"},
    "/metrics/penalties/cases": {"figure": "penalties"},
}


def example(schema: dict[str, Any], components: dict[str, Any]) -> Any:
    """A value for a schema from its examples (required properties only)."""
    if "$ref" in schema:
        return example(components[schema["$ref"].rsplit("/", 1)[-1]], components)
    for key in ("examples", "default"):
        if schema.get(key) is not None:
            return schema[key][0] if key == "examples" else schema[key]
    if "anyOf" in schema:
        return example(next(s for s in schema["anyOf"] if s.get("type") != "null"), components)
    if "enum" in schema:
        return schema["enum"][0]
    if "properties" in schema:
        required = set(schema.get("required", []))
        return {k: example(v, components) for k, v in schema["properties"].items() if k in required}
    return {"array": [], "string": "x", "integer": 1, "number": 1, "boolean": False}.get(
        schema.get("type", "")
    )


@dataclass(frozen=True)
class Operation:
    """One operation of the OpenAPI document."""

    method: str
    path: str
    permission: str
    body: Any

    @property
    def name(self) -> str:
        """`METHOD /path`."""
        return f"{self.method} {self.path}"

    def call(self, http: TestClient, world: World, role: Role, inside: bool) -> Any:
        """Sends the operation as `role` on the in-scope or out-of-scope case."""
        url = self.path.format(**path_values(self.path, world, inside))
        params = dict(QUERIES.get(self.path, {}))
        if "after" in _QUERY_NAMES.get(self.path, set()):
            params["after"] = str(_head(http))  # read the world, not a view behind it
        headers = {**world.tokens[role], "If-Match": STALE}
        body = bodies(world, inside).get(self.name, self.body)
        return http.request(self.method, url, params=params, headers=headers, json=body)


#: The query parameters each path takes (filled in from the document).
_QUERY_NAMES: dict[str, set[str]] = {}


def _head(http: TestClient) -> int:
    services: Services = http.app.state.services  # type: ignore[attr-defined]
    return services.casework.head_position()


def operations() -> list[Operation]:
    """Every operation of the document that needs a permission of the policy."""
    document = create_app().openapi()
    components = document["components"]["schemas"]
    found = []
    for path, methods in document["paths"].items():
        for method, operation in methods.items():
            _QUERY_NAMES.setdefault(path, set()).update(
                p["name"] for p in operation.get("parameters", []) if p["in"] == "query"
            )
            permission = operation["x-permission"]
            if permission in (PUBLIC, AUTHENTICATED):
                continue
            schema = operation.get("requestBody", {}).get("content", {}).get("application/json")
            body = example(schema["schema"], components) if schema else None
            found.append(Operation(method.upper(), path, permission, body))
    return found


OPERATIONS = operations()

#: Reads of one collection: answered to a role with any reach, their rows filtered.
COLLECTIONS = {
    "GET /appeals",
    "GET /meetings",
    "GET /action-items",
    "GET /proposals",
    "GET /audit/events",
    "GET /audit/export.csv",
    "GET /audit/export.xlsx",
    "GET /audit/export.jsonl",
    "GET /metrics/appeals/cases",
    "GET /metrics/action-items/cases",
    "GET /metrics/penalties/cases",
}


def parties(operation: Operation, world: World, inside: bool, services: Services) -> Parties:
    """Whom the case an operation acts on concerns, as its aggregate says (or, for what a
    request creates, as its body says)."""
    values = path_values(operation.path, world, inside)
    body = bodies(world, inside).get(operation.name, operation.body)
    cw, m = services.casework, services.meetings
    if operation.name == "POST /appeals":
        return Parties(
            people=frozenset({body["appellant"]["employee_no"]}),
            tiers=frozenset({Tier(body["tier"])}),
        )
    if operation.name == "POST /meetings/{meeting_id}/appeals":
        tier = m.get_meeting(uuid.UUID(values["meeting_id"])).tier
        return Parties(
            people=frozenset({body["appellant"]["employee_no"]}),
            tiers=frozenset({tier} if tier else ()),
        )
    if operation.name == "POST /meetings":
        return Parties(tiers=frozenset({Tier(body["tier"])}))
    if operation.name == "POST /penalties":
        supervisor = cw.get_appeal(uuid.UUID(body["appeal_id"])).supervisor
        return Parties(leads=frozenset({supervisor} if supervisor else ()))
    if "tier" in values and operation.path.startswith("/meetings/coverage"):
        return Parties(tiers=frozenset({Tier(values["tier"])}))
    if "department" in values and operation.path.startswith("/departments"):
        code = values["department"]
        return Parties(departments=frozenset({code}), holding=frozenset({code}))
    case = next((values[n] for n in CASE_PARAMETERS if n in values), None)
    if case is None or (
        operation.path.startswith("/meetings/{meeting_id}/")
        and "meeting" not in operation.permission
    ):
        return NOBODY
    return parties_of(cw.repository.get(uuid.UUID(case)))


#: Creations whose body says whom the new case concerns.
BODY_SCOPED = (
    "POST /appeals",
    "POST /meetings",
    "POST /meetings/{meeting_id}/appeals",
    "POST /penalties",
)
#: Creations whose path names the meeting they come from, not a case they act on.
CONTAINERS = ("POST /meetings/{meeting_id}/action-items", "POST /meetings/{meeting_id}/proposals")

#: Path parameters naming the case an operation acts on.
CASE_PARAMETERS = (
    "appeal_id",
    "meeting_id",
    "item_id",
    "proposal_id",
    "penalty_id",
    "card_id",
    "review_id",
    "competition_id",
    "erasure_id",
)


def expected(
    operation: Operation, role: Role, inside: bool, world: World, services: Services
) -> bool:
    """Whether the policy lets `role` use the operation on the case (a collection: at all)."""
    actor = services.casework.directory.actor(PEOPLE[role], role)
    assert actor is not None
    permission = Permission(operation.permission)
    if not reach_of(actor, permission):
        return False
    if operation.name in COLLECTIONS or operation.name == "GET /audit/cases/{case_id}":
        return True  # answered with the rows the reach allows (see the content tests)
    return may(actor, permission, parties(operation, world, inside, services))


@pytest.mark.parametrize("operation", OPERATIONS, ids=lambda o: o.name)
def test_every_operation_allows_and_refuses_each_role_as_the_policy_says(
    operation: Operation, world: World, http: TestClient, services: Services
) -> None:
    wrong: list[str] = []
    for role in ROLES:
        for inside in (True, False):
            answer = operation.call(http, world, role, inside)
            allowed = expected(operation, role, inside, world, services)
            where = "in scope" if inside else "out of scope"
            if answer.status_code >= 500 or answer.status_code == 401:
                wrong.append(f"{role.value} {where}: {answer.status_code} {answer.text[:200]}")
            elif allowed and answer.status_code == 403:
                wrong.append(f"{role.value} {where}: refused, the policy allows it: {answer.text}")
            elif not allowed and answer.status_code != 403:
                wrong.append(f"{role.value} {where}: {answer.status_code}, the policy refuses it")
            elif not allowed and answer.json().get("permission") != operation.permission:
                wrong.append(f"{role.value} {where}: 403 naming {answer.json().get('permission')}")
    assert wrong == [], f"{operation.name} ({operation.permission}):\n" + "\n".join(wrong)


def test_only_the_admin_sends_an_endpoint_a_test_and_a_refusal_records_nothing(
    world: World, http: TestClient, services: Services
) -> None:
    """`POST /webhooks/{id}/test` writes to the outbox at once (no `If-Match` stops it), so
    beyond its row above: every role tries it, and only the admin's makes a delivery."""
    [operation] = [o for o in OPERATIONS if o.name == "POST /webhooks/{endpoint_id}/test"]
    before = _tests_sent(services, world.webhook[0])
    answers = {role: operation.call(http, world, role, True).status_code for role in ROLES}

    assert operation.permission == Permission.WEBHOOK_MANAGE.value
    assert answers == {role: 202 if role is Role.ADMIN else 403 for role in ROLES}
    assert _tests_sent(services, world.webhook[0]) == before + 1


def _tests_sent(services: Services, endpoint: str) -> int:
    with psycopg.connect(conninfo(services.database_url)) as conn:
        [(made,)] = conn.execute(
            "SELECT count(*) FROM huiyin_webhook_deliveries d JOIN huiyin_notices n"
            " ON n.id = d.notice_id WHERE n.kind = 'test' AND d.endpoint_id = %s",
            (endpoint,),
        ).fetchall()
    return int(made)


@pytest.mark.parametrize("operation", OPERATIONS, ids=lambda o: o.name)
def test_the_world_puts_a_case_in_and_one_out_of_every_narrower_reach(
    operation: Operation, world: World, services: Services
) -> None:
    """So that no row of the matrix above passes for want of a case to refuse or allow."""
    case_scoped = any(f"{{{name}}}" in operation.path for name in CASE_PARAMETERS)
    creates = operation.name in ("POST /appeals", "POST /meetings", "POST /penalties")
    if not (case_scoped or creates) or (
        operation.path.startswith("/meetings/{meeting_id}/")
        and ("meeting" not in operation.permission)
    ):
        return
    permission = Permission(operation.permission)
    for role in ROLES:
        actor = services.casework.directory.actor(PEOPLE[role], role)
        assert actor is not None
        reach = reach_of(actor, permission)
        if reach and Reach.ANY not in reach:
            assert expected(operation, role, True, world, services), role
            assert not expected(operation, role, False, world, services), role


# -- what reads return ------------------------------------------------------------------


def _rows(http: TestClient, world: World, role: Role, path: str, **query: str) -> list[Any]:
    answer = http.get(path, params={**query, "after": str(_head(http))}, headers=world.tokens[role])
    assert answer.status_code == 200, answer.text
    body = answer.json()
    return body.get("items") or body.get("cases") or body.get("events") or []


@pytest.mark.parametrize(
    ("path", "kind", "role"),
    [
        ("/appeals", "appeal", Role.EMPLOYEE),
        ("/appeals", "appeal", Role.LIAISON),
        ("/appeals", "appeal", Role.DEPARTMENT),
        ("/appeals", "appeal", Role.SUPERVISOR),
        ("/meetings", "meeting", Role.EMPLOYEE),
        ("/meetings", "meeting", Role.DEPARTMENT),
        ("/meetings", "meeting", Role.SUPERVISOR),
        ("/action-items", "item", Role.DEPARTMENT),
        ("/proposals", "proposal", Role.DEPARTMENT),
        ("/proposals", "proposal", Role.EMPLOYEE),
    ],
)
def test_a_list_holds_the_cases_in_the_readers_scope_and_no_others(
    path: str, kind: str, role: Role, world: World, http: TestClient
) -> None:
    inside, outside = getattr(world, kind)
    listed = {row["id"] for row in _rows(http, world, role, path, limit="200")}

    assert inside in listed
    assert outside not in listed


def test_a_department_reads_the_audit_trail_of_its_own_department_only(
    world: World, http: TestClient
) -> None:
    events = _rows(http, world, Role.DEPARTMENT, "/audit/events", limit="500")
    export = http.get("/audit/export.jsonl", headers=world.tokens[Role.DEPARTMENT])

    assert {e["department"] for e in events} == {world.a}
    assert world.appeal[0] in {e["case_id"] for e in events}
    assert f'"{world.b}"' not in export.text
    assert world.appeal[0] in export.text
    trail = http.get(f"/audit/cases/{world.appeal[1]}", headers=world.tokens[Role.DEPARTMENT])
    assert trail.status_code == 404


def test_a_department_merely_named_on_an_appeal_sees_none_of_it(
    world: World, http: TestClient
) -> None:
    """The union decides where an appeal goes: the department it names when raised (often
    the one complained about) is not one it is with."""
    handler = world.tokens[Role.DEPARTMENT]
    events = _rows(http, world, Role.DEPARTMENT, "/audit/events", limit="500")
    listed = _rows(http, world, Role.DEPARTMENT, "/appeals", limit="200")

    assert world.named_only not in {e["case_id"] for e in events}
    assert world.named_only not in {row["id"] for row in listed}
    assert http.get(f"/appeals/{world.named_only}", headers=handler).status_code == 403


def test_an_auditor_exports_every_case_without_the_appellants_identity(
    world: World, http: TestClient
) -> None:
    export = http.get("/audit/export.jsonl", headers=world.tokens[Role.AUDITOR])
    rows = [json.loads(line) for line in export.text.splitlines()]
    appeals = [r for r in rows if r["case_id"] in world.appeal]

    assert {r["case_id"] for r in appeals} == set(world.appeal)
    raised = [r for r in appeals if r["event_type"] == "Raised"]
    assert all(set(r["data"]["appellant"].values()) <= {"(hidden)", ""} for r in raised), (
        "every field of the appellant is hidden (an empty contact stays empty)"
    )
    assert len(raised) == 2
    shown = json.dumps(appeals, ensure_ascii=False)
    assert PEOPLE[Role.EMPLOYEE] not in shown
    assert OTHER_EMPLOYEE not in shown


@pytest.mark.parametrize(
    ("path", "figure", "kind"),
    [
        ("/metrics/appeals/cases", "raised", "appeal"),
        ("/metrics/action-items/cases", "due", "item"),
        ("/metrics/penalties/cases", "penalties", "penalty"),
    ],
)
def test_the_cases_behind_a_figure_are_the_readers_own_departments(
    path: str, figure: str, kind: str, world: World, http: TestClient
) -> None:
    inside, outside = getattr(world, kind)
    period = http.get("/metrics/penalties", headers=world.tokens[Role.COMMITTEE]).json()["period"]
    ids = {
        c.get("id") or c.get("item_id") or c.get("penalty_id")
        for c in _rows(http, world, Role.DEPARTMENT, path, figure=figure, period=period[:4])
    }
    everyone = {
        c.get("id") or c.get("item_id") or c.get("penalty_id")
        for c in _rows(http, world, Role.COMMITTEE, path, figure=figure, period=period[:4])
    }

    assert inside in ids
    assert outside not in ids
    assert {inside, outside} <= everyone


def test_me_says_who_the_token_stands_for_and_what_their_role_may_do(
    world: World, http: TestClient
) -> None:
    me = http.get("/me", headers=world.tokens[Role.DEPARTMENT]).json()

    assert (me["id"], me["role"], me["departments"]) == (
        PEOPLE[Role.DEPARTMENT],
        "department",
        [world.a],
    )
    assert me["permissions"]["appeal.respond"] == ["holding"]
    assert "appeal.transfer" not in me["permissions"]
