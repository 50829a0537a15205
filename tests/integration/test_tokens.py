"""Bearer tokens: stored as hashes, revocable, trusted for a bounded time once checked."""

from __future__ import annotations

from api.bootstrap import Services
from domain.actors import Actor, Role
from infrastructure.database import conninfo
from infrastructure.store import SupportStore


def test_a_token_stands_for_its_actor_until_revoked(services: Services) -> None:
    store = services.store
    token = store.issue_token(Actor("E60001", Role.EMPLOYEE), "phone").token

    assert store.authenticate(token) == Actor("E60001", Role.EMPLOYEE)
    assert store.revoke_token(token) is True
    assert store.authenticate(token) is None
    assert store.revoke_token(token) is False


def test_revocation_by_another_process_is_seen_at_once_without_a_cache(
    services: Services,
) -> None:
    token = services.store.issue_token(Actor("E60002", Role.EMPLOYEE)).token
    other = SupportStore(conninfo(services.database_url), token_cache_seconds=0)
    other.open()
    try:
        assert other.authenticate(token) is not None
        services.store.revoke_token(token)
        assert other.authenticate(token) is None
    finally:
        other.close()


def test_a_checked_token_is_trusted_for_the_cache_time(services: Services) -> None:
    token = services.store.issue_token(Actor("E60003", Role.EMPLOYEE)).token
    caching = SupportStore(conninfo(services.database_url), token_cache_seconds=300)
    caching.open()
    try:
        assert caching.authenticate(token) is not None
        services.store.revoke_token(token)  # by another process, in effect
        assert caching.authenticate(token) == Actor("E60003", Role.EMPLOYEE)
        caching.revoke_token(token)  # revoking here drops the cached answer at once
        assert caching.authenticate(token) is None
    finally:
        caching.close()
