"""Who may do what to which case: the one policy table, and the checks every use case runs.

One module although long: it is the whole table, one entry per permission, with the few
checks that read it, so that the answer to "who may do this?" is always in this one file.

Every command and every read names a `Permission`. `POLICY` says, for each permission,
which roles hold it and how far each reaches (`domain.access.Reach`): every case, or only
the cases a role's scope touches — the employee's own, the department's, the tier's. A case
states whom it concerns as `Parties` (each aggregate's `parties` property); `authorise`
compares the two. Reads of views turn the same reaches into the WHERE clause of their
query, so an out-of-scope row is never read. `docs/access.md` is generated from this table.
Who may see who a case names is a permission too (`APPELLANT_IDENTITY` for an appeal,
`PEOPLE_IDENTITY` for any other case), decided for every reader by `may_see_identity`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

from domain.access import Parties, Reach, reaches
from domain.actors import Actor, Role
from domain.errors import NotPermitted


class Permission(StrEnum):
    """What a route or use case needs; `POLICY` says who holds it."""

    APPEAL_RAISE = "appeal.raise"
    APPEAL_ANSWER_ON_SPOT = "appeal.answer_on_spot"
    APPEAL_TRANSFER = "appeal.transfer"
    APPEAL_CONTACT = "appeal.contact"
    APPEAL_RESPOND = "appeal.respond"
    APPEAL_EXTEND_DEADLINE = "appeal.extend_deadline"
    APPEAL_PUBLISH = "appeal.publish"
    APPEAL_RATE = "appeal.rate"
    APPEAL_DECIDE = "appeal.decide"
    APPEAL_CLOSE = "appeal.close"
    APPEAL_WITHDRAW = "appeal.withdraw"
    DEADLINE_RECORD_MISSED = "deadline.record_missed"
    APPEAL_READ = "appeal.read"
    APPELLANT_IDENTITY = "appeal.identity"
    PEOPLE_IDENTITY = "people.identity"
    MEETING_SCHEDULE = "meeting.schedule"
    MEETING_RUN = "meeting.run"
    MEETING_READ = "meeting.read"
    ACTION_ITEM_CREATE = "action_item.create"
    ACTION_ITEM_WORK = "action_item.work"
    ACTION_ITEM_ACCEPT = "action_item.accept"
    ACTION_ITEM_MARK_OVERDUE = "action_item.mark_overdue"
    ACTION_ITEM_READ = "action_item.read"
    PROPOSAL_REGISTER = "proposal.register"
    PROPOSAL_ASSIGN = "proposal.assign"
    PROPOSAL_REPORT = "proposal.report"
    PROPOSAL_READ = "proposal.read"
    IDEA_REVIEW_MANAGE = "idea_review.manage"
    IDEA_REVIEW_SCORE = "idea_review.score"
    IDEA_REVIEW_READ = "idea_review.read"
    COMPETITION_MANAGE = "competition.manage"
    COMPETITION_SCORE = "competition.score"
    COMPETITION_READ = "competition.read"
    COLLABORATION_MANAGE = "collaboration_review.manage"
    COLLABORATION_RATE = "collaboration_review.rate"
    COLLABORATION_READ = "collaboration_review.read"
    PENALTY_RECORD = "penalty.record"
    PENALTY_RECORD_AUTOMATIC = "penalty.record_automatic"
    PENALTY_CONTEST = "penalty.contest"
    PENALTY_DECIDE = "penalty.decide"
    PENALTY_READ = "penalty.read"
    CARD_ISSUE = "card.issue"
    CARD_RECTIFY = "card.rectify"
    DISCLOSURE_PROPOSE = "disclosure.propose"
    DISCLOSURE_REVIEW = "disclosure.review"
    DISCLOSURE_PUBLISH = "disclosure.publish"
    DISCLOSURE_WITHDRAW = "disclosure.withdraw"
    DISCLOSURE_READ = "disclosure.read"
    MONTHLY_REPORT_DRAFT = "monthly_report.draft"
    MONTHLY_REPORT_EDIT = "monthly_report.edit"
    MONTHLY_REPORT_READ = "monthly_report.read"
    AUDIT_READ = "audit.read"
    AUDIT_VERIFY = "audit.verify"
    METRICS_READ = "metrics.read"
    METRICS_CASES = "metrics.cases"
    PROJECTIONS_READ = "projections.read"
    DIRECTORY_READ = "directory.read"
    DIRECTORY_MANAGE = "directory.manage"
    DIRECTORY_ROLES = "directory.roles"
    ERASURE_REQUEST = "erasure.request"
    ERASURE_CONFIRM = "erasure.confirm"
    ERASURE_READ = "erasure.read"
    WEBHOOK_MANAGE = "webhook.manage"
    WEBHOOK_READ = "webhook.read"


@dataclass(frozen=True)
class Rule:
    """One permission: what it allows, and each role's reach (any one of them suffices)."""

    allows: str
    grants: Mapping[Role, frozenset[Reach]]


def _rule(allows: str, **grants: Reach | tuple[Reach, ...]) -> Rule:
    return Rule(
        allows,
        {
            Role(role): frozenset(reach if isinstance(reach, tuple) else (reach,))
            for role, reach in grants.items()
        },
    )


ANY, OWN, RAISED, DEPARTMENT, HOLDING, SUPERVISED, PANEL = (
    Reach.ANY,
    Reach.OWN,
    Reach.RAISED,
    Reach.DEPARTMENT,
    Reach.HOLDING,
    Reach.SUPERVISED,
    Reach.PANEL,
)
_P = Permission

#: Everyone who may see the staff side of the work: the union, HR, the committee, auditors.
_OVERSIGHT: dict[str, Reach | tuple[Reach, ...]] = {
    "union_staff": ANY,
    "hr": ANY,
    "committee": ANY,
    "auditor": ANY,
}
#: A panel (reviewers, judges, raters) may come from any role a person holds.
_PANELLISTS: dict[str, Reach | tuple[Reach, ...]] = {
    role: PANEL
    for role in ("employee", "union_staff", "department", "supervisor", "hr", "committee")
}

#: The policy: permission → what it allows, and role → reach. The one place it is decided.
POLICY: Mapping[Permission, Rule] = {
    _P.APPEAL_RAISE: _rule(
        "raise an appeal: an employee in their own name (or anonymously), others on an "
        "employee's behalf; a tier's lead at its talks",
        employee=OWN,
        liaison=ANY,
        union_staff=ANY,
        supervisor=SUPERVISED,
    ),
    _P.APPEAL_ANSWER_ON_SPOT: _rule(
        "answer an appeal on the spot (现场答复)", union_staff=ANY, supervisor=SUPERVISED
    ),
    _P.APPEAL_TRANSFER: _rule("transfer or re-transfer an appeal (转办)", union_staff=ANY),
    _P.APPEAL_CONTACT: _rule(
        "record that the appellant was reached, and how (a first response)",
        union_staff=ANY,
        supervisor=SUPERVISED,
    ),
    _P.APPEAL_RESPOND: _rule(
        "acknowledge and reply to an appeal, for the department now handling it",
        department=HOLDING,
    ),
    _P.APPEAL_EXTEND_DEADLINE: _rule(
        "extend an appeal's reply deadline", union_staff=ANY, supervisor=SUPERVISED
    ),
    _P.APPEAL_PUBLISH: _rule("publish an appeal's answer (公示)", union_staff=ANY),
    _P.APPEAL_RATE: _rule(
        "rate the answer: the appellant, or union staff for them", employee=OWN, union_staff=ANY
    ),
    _P.APPEAL_DECIDE: _rule("adopt or decline a suggestion", union_staff=ANY, committee=ANY),
    _P.APPEAL_CLOSE: _rule("close an appeal (办结)", union_staff=ANY),
    _P.APPEAL_WITHDRAW: _rule(
        "withdraw an appeal: the appellant, or union staff for them",
        employee=OWN,
        union_staff=ANY,
    ),
    _P.DEADLINE_RECORD_MISSED: _rule(
        "record a missed deadline of an appeal, meeting or proposal (the watcher)", system=ANY
    ),
    _P.APPEAL_READ: _rule(
        "read an appeal, its history and lists of appeals",
        employee=OWN,
        liaison=RAISED,
        union_staff=ANY,
        department=DEPARTMENT,
        supervisor=SUPERVISED,
        committee=ANY,
        auditor=ANY,
    ),
    _P.APPELLANT_IDENTITY: _rule(
        "see who raised a named appeal (name, employee number, contact), and the appellant "
        "as the actor of what they did",
        employee=OWN,
        union_staff=ANY,
        supervisor=SUPERVISED,
    ),
    _P.PEOPLE_IDENTITY: _rule(
        "see who a meeting, proposal or competition names (participants, attendees, "
        "proposers, contestants), and an employee acting in person on it",
        **{
            **_PANELLISTS,
            "union_staff": ANY,
            "hr": ANY,
            "committee": ANY,
            "supervisor": (SUPERVISED, PANEL),
            "employee": (OWN, PANEL),
        },
    ),
    _P.MEETING_SCHEDULE: _rule(
        "schedule a meeting; a tier's lead, the talks of their tier",
        union_staff=ANY,
        hr=ANY,
        supervisor=SUPERVISED,
    ),
    _P.MEETING_RUN: _rule(
        "invite to, hold, minute, decide and publish a meeting",
        union_staff=ANY,
        hr=ANY,
        supervisor=SUPERVISED,
    ),
    _P.MEETING_READ: _rule(
        "read a meeting, lists of meetings and a tier's coverage",
        **_OVERSIGHT,
        supervisor=SUPERVISED,
        department=DEPARTMENT,
        employee=OWN,
    ),
    _P.ACTION_ITEM_CREATE: _rule(
        "create an action item from a meeting's decision", union_staff=ANY, hr=ANY
    ),
    _P.ACTION_ITEM_WORK: _rule(
        "report progress on and submit an action item, for its department", department=HOLDING
    ),
    _P.ACTION_ITEM_ACCEPT: _rule("accept or reject an action item's work", union_staff=ANY, hr=ANY),
    _P.ACTION_ITEM_MARK_OVERDUE: _rule(
        "mark an action item overdue", union_staff=ANY, hr=ANY, system=ANY
    ),
    _P.ACTION_ITEM_READ: _rule(
        "read an action item and lists of them", **_OVERSIGHT, department=DEPARTMENT
    ),
    _P.PROPOSAL_REGISTER: _rule(
        "register a congress proposal (职代会提案)", union_staff=ANY, committee=ANY
    ),
    _P.PROPOSAL_ASSIGN: _rule(
        "publish a proposal's assignment result", union_staff=ANY, committee=ANY
    ),
    _P.PROPOSAL_REPORT: _rule(
        "report a proposal's completion", department=HOLDING, union_staff=ANY
    ),
    _P.PROPOSAL_READ: _rule(
        "read a proposal and lists of them", **_OVERSIGHT, department=DEPARTMENT, employee=OWN
    ),
    _P.IDEA_REVIEW_MANAGE: _rule(
        "open, fill, decide and publish a golden-idea review", union_staff=ANY, committee=ANY
    ),
    _P.IDEA_REVIEW_SCORE: _rule("score ideas, as one of the review's reviewers", **_PANELLISTS),
    _P.IDEA_REVIEW_READ: _rule(
        "read a golden-idea review",
        **{**_PANELLISTS, **_OVERSIGHT},
    ),
    _P.COMPETITION_MANAGE: _rule(
        "open a skill competition, register contestants, finalise it",
        union_staff=ANY,
        hr=ANY,
        committee=ANY,
    ),
    _P.COMPETITION_SCORE: _rule("score contestants, as one of the judges", **_PANELLISTS),
    _P.COMPETITION_READ: _rule(
        "read a skill competition",
        **{**_PANELLISTS, **_OVERSIGHT, "employee": (OWN, PANEL)},
    ),
    _P.COLLABORATION_MANAGE: _rule(
        "open a collaboration review, record its KPIs, close it",
        union_staff=ANY,
        hr=ANY,
        committee=ANY,
    ),
    _P.COLLABORATION_RATE: _rule("rate departments, as one of the review's raters", **_PANELLISTS),
    _P.COLLABORATION_READ: _rule(
        "read a collaboration review; a department, its own",
        **{**_PANELLISTS, **_OVERSIGHT, "department": (PANEL, DEPARTMENT)},
    ),
    _P.PENALTY_RECORD: _rule(
        "record perfunctory handling (搪塞应付) against an appeal's department, as the "
        "supervisor the appeal names",
        supervisor=SUPERVISED,
    ),
    _P.PENALTY_RECORD_AUTOMATIC: _rule(
        "record a penalty a rule gives by itself (overdue, absent)", system=ANY
    ),
    _P.PENALTY_CONTEST: _rule(
        "contest a penalty, for the penalised department", department=HOLDING
    ),
    _P.PENALTY_DECIDE: _rule("reverse a penalty or reject its contest", committee=ANY),
    _P.PENALTY_READ: _rule("read penalties and cards", **_OVERSIGHT, department=DEPARTMENT),
    _P.CARD_ISSUE: _rule(
        "evaluate a department's cards (红黄牌) and escalate one", committee=ANY, system=ANY
    ),
    _P.CARD_RECTIFY: _rule(
        "record a card's rectification",
        department=HOLDING,
        union_staff=ANY,
        hr=ANY,
        committee=ANY,
    ),
    _P.DISCLOSURE_PROPOSE: _rule(
        "propose or revise a disclosure (公示)", union_staff=ANY, hr=ANY, committee=ANY
    ),
    _P.DISCLOSURE_REVIEW: _rule("approve or return a disclosure", committee=ANY),
    _P.DISCLOSURE_PUBLISH: _rule(
        "publish an approved disclosure", union_staff=ANY, hr=ANY, committee=ANY
    ),
    _P.DISCLOSURE_WITHDRAW: _rule("withdraw a published disclosure", committee=ANY),
    _P.DISCLOSURE_READ: _rule("read the disclosure queue and its history", **_OVERSIGHT),
    _P.MONTHLY_REPORT_DRAFT: _rule(
        "have the monthly report drafted from the events",
        union_staff=ANY,
        committee=ANY,
        system=ANY,
    ),
    _P.MONTHLY_REPORT_EDIT: _rule(
        "edit and file the monthly report", union_staff=ANY, committee=ANY
    ),
    _P.MONTHLY_REPORT_READ: _rule("read a monthly report", **_OVERSIGHT),
    _P.AUDIT_READ: _rule(
        "read and export the audit trail; a department, the events concerning it",
        union_staff=ANY,
        committee=ANY,
        auditor=ANY,
        department=DEPARTMENT,
    ),
    _P.AUDIT_VERIFY: _rule(
        "check the hash chain, or a printed chain head, against the store",
        **{role.value: ANY for role in Role if role is not Role.SYSTEM},
    ),
    _P.METRICS_READ: _rule(
        "read the figures (rates, counts, points)",
        **_OVERSIGHT,
        department=ANY,
        supervisor=ANY,
    ),
    _P.METRICS_CASES: _rule("list the cases behind a figure", **_OVERSIGHT, department=DEPARTMENT),
    _P.PROJECTIONS_READ: _rule("read the views' positions and errors", admin=ANY, auditor=ANY),
    _P.DIRECTORY_READ: _rule(
        "read the directory: departments and the tiers' leads",
        **{role.value: ANY for role in Role if role is not Role.SYSTEM},
    ),
    _P.DIRECTORY_MANAGE: _rule(
        "open, rename and close departments, appoint heads and tier leads", admin=ANY, hr=ANY
    ),
    _P.DIRECTORY_ROLES: _rule("grant and revoke roles, and list who holds them", admin=ANY),
    _P.ERASURE_REQUEST: _rule(
        "ask for a person's data to be erased (PIPL art. 47), or withdraw the request",
        committee=ANY,
    ),
    _P.ERASURE_CONFIRM: _rule(
        "confirm another member's erasure request: the person's keys are destroyed",
        committee=ANY,
    ),
    _P.ERASURE_READ: _rule(
        "read erasure requests and what became of them; a person, their own",
        committee=ANY,
        auditor=ANY,
        employee=OWN,
    ),
    _P.WEBHOOK_MANAGE: _rule(
        "register, change, pause and remove webhook and e-mail endpoints (their URLs and "
        "secrets), and replay deliveries that were given up",
        admin=ANY,
    ),
    _P.WEBHOOK_READ: _rule(
        "list endpoints (never their secrets) and the deliveries and attempts made to them",
        admin=ANY,
        auditor=ANY,
    ),
}


class Forbidden(NotPermitted):
    """The actor's role does not hold the permission, or not for this case."""

    def __init__(self, permission: Permission, message: str) -> None:
        super().__init__(message)
        self.permission = permission


def reach_of(actor: Actor, permission: Permission) -> frozenset[Reach]:
    """How far `actor`'s role reaches with `permission` (empty: not at all)."""
    return POLICY[permission].grants.get(actor.role, frozenset())


def may(actor: Actor, permission: Permission, parties: Parties) -> bool:
    """Whether `actor` may use `permission` on a case with these parties."""
    return any(reaches(reach, actor, parties) for reach in reach_of(actor, permission))


def check_role(actor: Actor, permission: Permission) -> frozenset[Reach]:
    """The actor's reach with `permission`; Forbidden if their role holds none."""
    reach = reach_of(actor, permission)
    if not reach:
        raise Forbidden(
            permission,
            f"{permission.value} is not granted to the {actor.role.value} role "
            f"({POLICY[permission].allows})",
        )
    return reach


def authorise(actor: Actor, permission: Permission, parties: Parties) -> None:
    """Refuses (Forbidden) unless `actor` may use `permission` on a case with these parties."""
    check_role(actor, permission)
    if not may(actor, permission, parties):
        reach = ", ".join(sorted(r.value for r in reach_of(actor, permission)))
        raise Forbidden(
            permission,
            f"{permission.value}: a {actor.role.value} reaches only {reach} cases, "
            "and this one is not among them",
        )


# -- who may see who a case names ------------------------------------------------------------

#: The permissions to see who cases name: an appeal's appellant, and the people any other
#: case names (participants, proposers, contestants…).
IDENTITY_PERMISSIONS = (Permission.APPELLANT_IDENTITY, Permission.PEOPLE_IDENTITY)


def identity_permission(case_type: str) -> Permission:
    """The permission to see who a case of this type (as the audit trail names it) names."""
    return Permission.APPELLANT_IDENTITY if case_type == "appeal" else Permission.PEOPLE_IDENTITY


def may_see_identity(actor: Actor, parties: Parties, case_type: str = "appeal") -> bool:
    """Whether `actor` may see who a case with these parties names (by default, who raised
    a named appeal). Like who may read a case, it is decided on the case as it stands now,
    also when an earlier version of it is read."""
    return may(actor, identity_permission(case_type), parties)


def may_see_identity_somewhere(actor: Actor) -> bool:
    """Whether `actor` may see who some case names (if not, no case needs looking at)."""
    return any(reach_of(actor, permission) for permission in IDENTITY_PERMISSIONS)


def may_see_every_identity(actor: Actor) -> bool:
    """Whether `actor` may see who every case names. Only then may they find a person's
    own acts by the person's id: the cases such a search finds say who acted in them."""
    return all(Reach.ANY in reach_of(actor, permission) for permission in IDENTITY_PERMISSIONS)
