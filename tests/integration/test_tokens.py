"""Bearer tokens: kept only as hashes, issued only for a role the directory gives, ending at
their expiry or when revoked, and checked afresh on every request in every process (no
cache), while a token refused once costs no query again."""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from typing import Any, LiteralString

import psycopg
import pytest

from api.bootstrap import Services
from application.clock import ManualClock
from application.credentials import MAX_LIFETIME, Credentials
from application.directory import Directory
from domain.actors import Actor, Role
from domain.errors import InvalidInput, Unauthenticated
from infrastructure.database import conninfo
from infrastructure.store import TOKEN_ID_LENGTH, TOKEN_PREFIX, SupportStore, token_hash
from tests.conftest import SETUP, open_department, scoped


def _person(prefix: str) -> str:
    """Someone no other test issues tokens for."""
    return f"{prefix}-{secrets.token_hex(4)}"


def _stored(services: Services, sql: LiteralString, *params: object) -> list[tuple[Any, ...]]:
    with psycopg.connect(conninfo(services.database_url)) as conn:
        return conn.execute(sql, params).fetchall()


@pytest.fixture
def other_store(services: Services) -> Iterator[SupportStore]:
    """A second token store on the same database: another process, in effect."""
    store = SupportStore(conninfo(services.database_url))
    store.open()
    yield store
    store.close()


@pytest.fixture
def other_process(services: Services, other_store: SupportStore) -> Credentials:
    """Token checks as another process makes them: its own store and its own copy of the
    directory."""
    casework = services.casework
    return Credentials(other_store, Directory(casework, casework.now), casework.now)


def _counted_connections(store: SupportStore, monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Counts the connections `store` takes from its pool from now on (one per query)."""
    taken: list[int] = []
    connection: Callable[..., object] = store.pool.connection

    def counted(*args: object, **kwargs: object) -> object:
        taken.append(1)
        return connection(*args, **kwargs)

    monkeypatch.setattr(store.pool, "connection", counted)
    return taken


def test_a_token_is_shown_once_and_kept_only_as_its_hash(services: Services) -> None:
    person = _person("E")
    issued = services.credentials.issue(person, Role.EMPLOYEE, label="phone")

    assert issued.token.startswith(TOKEN_PREFIX)
    assert issued.record.id == token_hash(issued.token)[:TOKEN_ID_LENGTH]
    assert (issued.record.actor_id, issued.record.role, issued.record.label) == (
        person,
        Role.EMPLOYEE,
        "phone",
    )
    assert _stored(
        services,
        "SELECT token_hash, role, label FROM huiyin_tokens WHERE actor_id = %s",
        person,
    ) == [(token_hash(issued.token), "employee", "phone")]
    every_row = _stored(services, "SELECT t::text FROM huiyin_tokens t")
    assert not any(issued.token in str(row[0]) for row in every_row)
    assert services.credentials.authenticate(issued.token) == Actor(person, Role.EMPLOYEE)


def test_a_token_is_issued_only_for_a_role_the_directory_gives(services: Services) -> None:
    casework, credentials = services.casework, services.credentials
    person = _person("handler")
    first, second = open_department(casework, "tokens"), open_department(casework, "tokens")

    with pytest.raises(InvalidInput, match=f"{person} holds no department role") as refused:
        credentials.issue(person, Role.DEPARTMENT)
    assert refused.value.field == "role"
    with pytest.raises(InvalidInput, match="system role") as refused:
        credentials.issue("huiyin", Role.SYSTEM)
    assert refused.value.field == "role"
    with pytest.raises(InvalidInput, match="must not be empty") as refused:
        credentials.issue("  ", Role.EMPLOYEE)
    assert refused.value.field == "actor"
    with pytest.raises(InvalidInput, match="a person's id is letters") as refused:
        credentials.issue("=cmd|' /C calc'!A0", Role.EMPLOYEE)
    assert refused.value.field == "actor"

    scoped(casework, person, Role.DEPARTMENT, departments=[first])
    token = credentials.issue(person, Role.DEPARTMENT).token
    assert credentials.authenticate(token) == Actor(
        person, Role.DEPARTMENT, departments=frozenset({first})
    )
    # The scope is not in the token: each check reads it from the directory as it is now.
    scoped(casework, person, Role.DEPARTMENT, departments=[first, second])
    assert credentials.authenticate(token).departments == {first, second}
    casework.directory.revoke(person, Role.DEPARTMENT, actor=SETUP)
    with pytest.raises(Unauthenticated, match="no longer holds the department role"):
        credentials.authenticate(token)


def test_a_token_ends_at_its_expiry(services: Services, clock: ManualClock) -> None:
    credentials = services.credentials
    now = datetime.now().astimezone()
    clock.set(now)
    person = _person("E")

    default = credentials.issue(person, Role.EMPLOYEE)
    assert default.record.expires_at == now + credentials.lifetime
    hour = credentials.issue(person, Role.EMPLOYEE, expires_at=now + timedelta(hours=1)).token
    clock.advance(timedelta(minutes=59))
    assert credentials.authenticate(hour) == Actor(person, Role.EMPLOYEE)
    clock.advance(timedelta(minutes=1))
    with pytest.raises(Unauthenticated, match="expired"):
        credentials.authenticate(hour)
    assert credentials.authenticate(default.token) == Actor(person, Role.EMPLOYEE)

    for refused in (
        now - timedelta(minutes=1),  # passed already
        now + MAX_LIFETIME + timedelta(days=1),  # longer than a token may last
        (now + timedelta(days=1)).replace(tzinfo=None),  # no time zone
    ):
        with pytest.raises(InvalidInput) as error:
            credentials.issue(person, Role.EMPLOYEE, expires_at=refused)
        assert error.value.field == "expires", refused


def test_a_revocation_holds_in_another_process_from_its_next_check_without_a_cache(
    services: Services,
    other_store: SupportStore,
    other_process: Credentials,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    person = _person("E")
    token = services.credentials.issue(person, Role.EMPLOYEE).token
    taken = _counted_connections(other_store, monkeypatch)

    for checks in range(1, 4):  # a live token is looked up afresh every time
        assert other_process.authenticate(token) == Actor(person, Role.EMPLOYEE)
        assert len(taken) == checks
    revoked = services.credentials.revoke(token)

    assert revoked is not None
    assert revoked.id == token_hash(token)[:TOKEN_ID_LENGTH]
    with pytest.raises(Unauthenticated, match="revoked"):
        other_process.authenticate(token)
    assert len(taken) == 4
    # Revoked is for good: the other process remembers it and asks no more.
    with pytest.raises(Unauthenticated):
        other_process.authenticate(token)
    assert len(taken) == 4


def test_a_role_revoked_in_the_directory_ends_its_tokens_in_another_process_at_once(
    services: Services, other_process: Credentials
) -> None:
    casework = services.casework
    person = _person("clerk")
    scoped(casework, person, Role.UNION_STAFF)
    token = services.credentials.issue(person, Role.UNION_STAFF).token
    assert other_process.authenticate(token) == Actor(person, Role.UNION_STAFF)

    casework.directory.revoke(person, Role.UNION_STAFF, actor=SETUP)

    # Within the second its copy of the directory would otherwise be trusted for.
    with pytest.raises(Unauthenticated, match="no longer holds the union_staff role"):
        other_process.authenticate(token)


def test_an_unknown_token_is_refused_and_remembered_so_it_costs_no_query_again(
    other_store: SupportStore, other_process: Credentials, monkeypatch: pytest.MonkeyPatch
) -> None:
    guessed = TOKEN_PREFIX + secrets.token_urlsafe(32)
    taken = _counted_connections(other_store, monkeypatch)

    assert other_store.lookup_token(guessed) is None
    assert len(taken) == 1
    for _ in range(3):
        with pytest.raises(Unauthenticated, match="unknown"):
            other_process.authenticate(guessed)
    assert other_store.lookup_token(guessed) is None
    assert len(taken) == 1


def test_a_token_is_revoked_by_itself_or_by_its_id_or_a_prefix_of_it(
    services: Services,
) -> None:
    credentials = services.credentials
    person = _person("E")
    by_id, by_prefix, by_token = (credentials.issue(person, Role.EMPLOYEE) for _ in range(3))

    revoked = credentials.revoke(by_id.record.id)
    assert revoked is not None
    assert (revoked.id, revoked.actor_id) == (by_id.record.id, person)
    assert credentials.revoke(by_id.record.id) is None  # no live token has it now

    half = TOKEN_ID_LENGTH // 2
    assert credentials.revoke(by_prefix.record.id[: half - 1]) is None  # too short to name one
    assert credentials.authenticate(by_prefix.token) == Actor(person, Role.EMPLOYEE)
    revoked = credentials.revoke(by_prefix.record.id[:half].upper())
    assert revoked is not None
    assert revoked.id == by_prefix.record.id

    revoked = credentials.revoke(by_token.token)
    assert revoked is not None
    assert revoked.id == by_token.record.id
    for issued in (by_id, by_prefix, by_token):
        with pytest.raises(Unauthenticated, match=r"revoked|unknown"):
            credentials.authenticate(issued.token)
    ended = _stored(
        services,
        "SELECT count(*) FROM huiyin_tokens WHERE actor_id = %s AND revoked_at IS NULL",
        person,
    )
    assert ended == [(0,)]


def test_a_prefix_that_names_several_tokens_revokes_none(services: Services) -> None:
    """Two hashes sharing their first twelve digits: written here, since issuing tokens
    until two collide would take millions."""
    person, shared = _person("E"), secrets.token_hex(TOKEN_ID_LENGTH // 2)
    with psycopg.connect(conninfo(services.database_url)) as conn:
        for tail in ("0", "1"):
            conn.execute(
                "INSERT INTO huiyin_tokens (token_hash, actor_id, role, expires_at)"
                " VALUES (%s, %s, 'employee', now() + interval '1 day')",
                (shared + tail * 52, person),
            )

    assert services.credentials.revoke(shared) is None
    assert services.credentials.revoke(shared[:-2]) is None
    live = {r.id for r in services.credentials.list() if r.actor_id == person}
    assert live == {shared}  # both still live (their ids are the same twelve digits)
    assert len(_stored(services, "SELECT 1 FROM huiyin_tokens WHERE actor_id = %s", person)) == 2


def test_the_list_shows_live_tokens_newest_first_without_their_secrets(
    services: Services,
) -> None:
    credentials, store = services.credentials, services.store
    person = _person("E")
    kept = credentials.issue(person, Role.EMPLOYEE, label="laptop")
    revoked = credentials.issue(person, Role.EMPLOYEE, label="lost phone")
    credentials.revoke(revoked.record.id)
    expired = store.issue_token(  # the store keeps what it is given; issue() refuses it
        person, Role.EMPLOYEE, datetime.now().astimezone() - timedelta(minutes=1), "old"
    )

    live = [r for r in credentials.list() if r.actor_id == person]
    everything = credentials.list(include_ended=True)
    mine = {r.id: r for r in everything if r.actor_id == person}

    assert live == [kept.record]
    assert set(mine) == {kept.record.id, revoked.record.id, expired.record.id}
    assert mine[revoked.record.id].revoked_at is not None
    assert mine[expired.record.id].label == "old"
    assert [r.issued_at for r in everything] == sorted(
        (r.issued_at for r in everything), reverse=True
    )
    shown = repr(everything)
    for issued in (kept, revoked, expired):
        assert issued.token not in shown
        assert token_hash(issued.token) not in shown  # only the first digits name it
