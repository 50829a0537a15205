"""Personal data never reaches the events table in plaintext; anonymous appeals hold none."""

from __future__ import annotations

import psycopg

from api.bootstrap import Services
from application.casework import AppealDraft, Casework
from domain.actors import Actor, Role
from domain.appeal import Appellant
from domain.policy import may_see_identity
from domain.terms import Channel, Kind
from infrastructure.database import conninfo
from infrastructure.store import token_hash

CLERK = Actor("union-clerk", Role.UNION_STAFF)


def raw_events(services: Services) -> bytes:
    """Every stored event's bytes, exactly as PostgreSQL holds them."""
    table = services.casework.recorder.events_table_name  # type: ignore[attr-defined]
    with psycopg.connect(conninfo(services.database_url)) as conn:
        rows = conn.execute(f"SELECT topic, state FROM {table}").fetchall()  # noqa: S608
    return b"".join(topic.encode() + bytes(state) for topic, state in rows)


def test_a_known_name_is_not_in_the_raw_events_table(
    casework: Casework, services: Services
) -> None:
    name, employee_no, contact = "欧阳振华", "E77123", "13912345678"
    draft = AppealDraft(
        Channel.LEGAL_CLINIC,
        Kind.HARDSHIP,
        "family",
        "家中老人病重",
        "需要请长假照顾",
        appellant=Appellant(name, employee_no, contact),
    )
    appeal_id = casework.raise_appeal(draft, CLERK).id

    stored = raw_events(services)

    for secret in (name, employee_no, contact, "家中老人病重"):
        assert secret.encode() not in stored
    # Decrypted again for whoever the policy lets see the appellant (union staff do).
    appeal = casework.read_appeal(appeal_id, CLERK)
    assert may_see_identity(CLERK, appeal.parties)
    assert appeal.appellant == Appellant(name, employee_no, contact)


def test_anonymous_appeal_events_carry_no_identity_even_decrypted(casework: Casework) -> None:
    draft = AppealDraft(
        Channel.ANONYMOUS_BOX, Kind.COMPLAINT, "fairness", "评优不公开", "评优名单未公示"
    )
    result = casework.raise_appeal(draft, Actor("E55555", Role.EMPLOYEE))

    raised = casework.history(result.id)[0]
    assert result.receipt_code is not None
    assert raised.__dict__["appellant"] is None
    assert raised.__dict__["actor_id"] == "anonymous"
    assert "E55555" not in repr(raised.__dict__)
    assert result.receipt_code not in repr(raised.__dict__)


def test_tokens_and_receipts_are_stored_only_as_hashes(
    casework: Casework, services: Services
) -> None:
    token = services.credentials.issue("E1", Role.EMPLOYEE).token
    draft = AppealDraft(
        Channel.ANONYMOUS_BOX, Kind.SUGGESTION, "safety", "加装扶手", "斜巷加装扶手"
    )
    code = casework.raise_appeal(draft, Actor("E1", Role.EMPLOYEE)).receipt_code
    assert code is not None

    with psycopg.connect(conninfo(services.database_url)) as conn:
        tokens = conn.execute("SELECT t::text FROM huiyin_tokens t").fetchall()
    assert not any(token in row[0] for row in tokens)
    assert any(token_hash(token) in row[0] for row in tokens)
    assert code.encode() not in raw_events(services)
    assert casework.find_by_receipt(code).title == "加装扶手"
