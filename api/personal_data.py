"""Personal data as each reader may see it: the one place responses decide it.

What is personal, and whether it says who someone is (identity) or what an appellant said
(words), is declared by the domain (`domain.personal_data`). Here:
- identity shows only to those the policy lets see who a case names
  (`domain.policy.may_see_identity`: `APPELLANT_IDENTITY` for an appeal, `PEOPLE_IDENTITY`
  for a meeting, proposal or competition), decided on the case as it stands now, whichever
  version is read (`sees_identity`). Others see `(hidden)`, and an employee acting in person
  as `appellant` (on an appeal) or `(hidden)`;
- words show to whoever may read the case;
- an erased person's values read as erased (`[erased 1a2b3c4d]`) to everyone.

Aggregates read through the applications hold values opened already (or erased); views
hold them sealed (`{"sealed": token}`), opened here as rows leave.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import replace
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate

from application.aggregates import parties_of
from domain.actors import Actor
from domain.appeal import Appeal
from domain.personal_data import Shown, acts_in_person, fields_of, is_erased, rewrite
from domain.policy import may_see_identity, may_see_identity_somewhere
from infrastructure.keyring import Keyring
from infrastructure.sealed import Sealed, unseal
from projections.audit_entries import PERSON_ACTOR
from projections.audit_trail import AuditRow
from projections.sealed import SEALED_KEY

#: What stands for a value the reader may not see.
HIDDEN = "(hidden)"
#: What stands for an appellant acting on their own appeal, for those who may not see who.
APPELLANT = "appellant"

#: Cases whose identity decision an audit read remembers (an export may pass many).
REMEMBERED_CASES = 1_000


def case_type_of(aggregate: Aggregate) -> str:
    """The case type an aggregate is (as the audit trail names it)."""
    return "appeal" if isinstance(aggregate, Appeal) else type(aggregate).__name__.lower()


def sees_identity(actor: Actor, aggregate: Aggregate, now: Aggregate | None = None) -> bool:
    """Whether `actor` may see who this case names (`domain.policy.may_see_identity`),
    decided on the case as it stands now: `now`, when `aggregate` is an earlier version."""
    case = aggregate if now is None else now
    return may_see_identity(actor, parties_of(case), case_type_of(case))


def event_data(event: Any) -> dict[str, Any]:
    """An event's own fields, without the envelope the library adds."""
    envelope = {
        "originator_id",
        "originator_version",
        "timestamp",
        "originator_topic",
        "actor_id",
        "actor_role",
    }
    return {k: v for k, v in event.__dict__.items() if k not in envelope}


def shown_event(event: Any, *, identity: bool, appeal: bool) -> tuple[dict[str, Any], str]:
    """An event's data and actor id as a reader sees them (values opened by the
    application's mapper: identity hidden unless `identity`)."""
    data: dict[str, Any] = event_data(event)
    actor = str(event.actor_id)
    if identity:
        return data, actor
    for place in fields_of(type(event)):
        if place.shown is Shown.IDENTITY:
            rewrite(data, place.path, _hidden)
    if acts_in_person(vars(event)):
        actor = APPELLANT if appeal else HIDDEN
    return data, actor


def shown_ids(ids: Iterable[str], identity: bool) -> list[str]:
    """People's ids as a reader sees them."""
    return list(ids) if identity else [_hidden(person) for person in ids]


def shown_id(person: str, identity: bool) -> str:
    """One person's id as a reader sees it."""
    return person if identity else _hidden(person)


def _hidden(value: Any) -> Any:
    return value if is_erased(value) else HIDDEN


# -- rows of the audit trail ----------------------------------------------------------------


def shown_rows(
    rows: Iterable[AuditRow],
    actor: Actor,
    keyring: Keyring,
    load: Callable[[UUID], Aggregate],
) -> Iterator[AuditRow]:
    """Audit rows with their sealed values opened as `actor` may see them; each case's
    identity decision is made once (`load` gets the case, for whom it names)."""
    decided: dict[UUID, bool] = {}
    anyone = may_see_identity_somewhere(actor)

    def identity(row: AuditRow) -> bool:
        if not anyone:
            return False
        if row.case_id not in decided:
            if len(decided) >= REMEMBERED_CASES:
                decided.clear()
            decided[row.case_id] = sees_identity(actor, load(row.case_id))
        return decided[row.case_id]

    for row in rows:
        if row.actor_token is None and not _holds_sealed(row.data):
            yield row
            continue
        shown = identity(row)
        actor_id = row.actor_id
        if row.actor_token is not None:
            opened = unseal(keyring, Sealed.from_token(row.actor_token))
            actor_id = opened if shown or is_erased(opened) else _in_person(row)
        yield replace(row, actor_id=actor_id, data=opened_json(row.data, keyring, shown))


def _in_person(row: AuditRow) -> str:
    return APPELLANT if row.case_type == "appeal" else HIDDEN


def opened_json(value: Any, keyring: Keyring, identity: bool) -> Any:
    """A view's JSON with each `{"sealed": token}` opened: words always, identity if
    `identity`, otherwise hidden (erased values read as erased either way)."""
    if isinstance(value, dict):
        if len(value) == 1 and isinstance(value.get(SEALED_KEY), str):
            sealed = Sealed.from_token(value[SEALED_KEY])
            opened = unseal(keyring, sealed)
            if sealed.shown is Shown.WORDS or identity or is_erased(opened):
                return opened
            return HIDDEN
        return {key: opened_json(item, keyring, identity) for key, item in value.items()}
    if isinstance(value, list):
        return [opened_json(item, keyring, identity) for item in value]
    return value


def _holds_sealed(value: Any) -> bool:
    if isinstance(value, dict):
        if len(value) == 1 and SEALED_KEY in value:
            return True
        return any(_holds_sealed(item) for item in value.values())
    if isinstance(value, list):
        return any(_holds_sealed(item) for item in value)
    return False


def person_actor(person: str, keyring: Keyring) -> str | None:
    """The audit trail's actor column for an employee acting in person (their reference),
    if anything was ever sealed under their key."""
    key = keyring.key_of(person)
    return None if key is None else f"{PERSON_ACTOR}{key.key_id}"
