"""Tamper evidence: a hash chain over the stored events names the first one that changed.

These tests alter stored rows with SQL, so they run on a database of their own, with no
background follower: each test catches the chain up itself.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import psycopg
import pytest
from psycopg import sql
from typer.testing import CliRunner

from api.bootstrap import Services, build_services
from api.cli import cli
from application.casework import AppealDraft, CommandResult
from application.clock import ManualClock
from domain.actors import Actor, Role
from domain.appeal import Appellant
from domain.terms import Channel, Kind
from infrastructure.chain import ChainKeeper
from infrastructure.chain_links import GENESIS, ChainHead, parse_link
from infrastructure.chain_report import PrintedVerdict, Tampering
from infrastructure.database import connection_parts, conninfo
from infrastructure.settings import Settings

CLERK = Actor("union-clerk-1", Role.UNION_STAFF)

Db = psycopg.Connection[Any]

RecomputeSql = """
SELECT sha256(%s || int8send(notification_id) || uuid_send(originator_id)
    || int8send(originator_version)
    || int4send(coalesce(octet_length(convert_to(topic, 'UTF8')), -1))
    || coalesce(convert_to(topic, 'UTF8'), '')
    || int4send(coalesce(octet_length(state), -1)) || coalesce(state, ''))
FROM huiyin_events WHERE notification_id = %s
"""


@pytest.fixture(scope="module")
def own_settings(settings: Settings, database_url: str) -> Iterator[Settings]:
    """The session's settings, pointing at a database only these tests use."""
    split = urlsplit(database_url)
    name = f"{split.path.lstrip('/')}_chain"
    yield settings.model_copy(
        update={
            "database_url": urlunsplit(split._replace(path=f"/{name}")),
            "chain_follow": False,
            "projections": False,
        }
    )
    admin = {**connection_parts(database_url), "dbname": "postgres"}
    with psycopg.connect(**admin, autocommit=True) as conn:  # type: ignore[arg-type]
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )


@pytest.fixture(scope="module")
def own(own_settings: Settings) -> Iterator[Services]:
    """Services on that database."""
    with build_services(own_settings, clock=ManualClock()) as built:
        yield built


@pytest.fixture
def chain(own: Services) -> ChainKeeper:
    """The chain, caught up with every event stored so far."""
    own.chain.catch_up()
    return own.chain


@pytest.fixture
def db(own: Services) -> Iterator[Db]:
    """A raw connection, as someone with write access to the database would use."""
    with psycopg.connect(conninfo(own.database_url), autocommit=True) as conn:
        yield conn


@pytest.fixture
def env(own_settings: Settings, tmp_path: Path) -> dict[str, str]:
    """The environment a `huiyin` command needs to reach these tests' database."""
    assert own_settings.cipher_key is not None
    assert own_settings.database_url is not None
    return {
        "HUIYIN_ENVIRONMENT": "test",
        "HUIYIN_DATABASE_URL": own_settings.database_url,
        "HUIYIN_CIPHER_KEY": own_settings.cipher_key.get_secret_value(),
        "HUIYIN_DATA_DIR": str(tmp_path),
    }


def raise_appeals(own: Services, count: int) -> list[CommandResult]:
    """Raises `count` named appeals, one event each."""
    draft = AppealDraft(
        Channel.DEPARTMENT_LIAISON,
        Kind.QUESTION,
        "pay",
        "夜班津贴标准",
        "夜班津贴如何计算",
        appellant=Appellant("赵强", "E40001"),
    )
    return [own.casework.raise_appeal(draft, CLERK) for _ in range(count)]


@contextlib.contextmanager
def one_byte_added(db: Db, position: int) -> Iterator[None]:
    """The stored event at `position` with a byte added to its state; restored after."""
    db.execute(
        "UPDATE huiyin_events SET state = state || '\\x00' WHERE notification_id = %s",
        (position,),
    )
    try:
        yield
    finally:
        db.execute(
            "UPDATE huiyin_events SET state = substring(state FROM 1 FOR octet_length(state) - 1) "
            "WHERE notification_id = %s",
            (position,),
        )


def test_the_genesis_link_is_the_documented_constant() -> None:
    assert GENESIS.hex() == "ecca81e32292b0390f37dfcd3ddc72046d9be2b038897d150262efd140e73d80"


def test_a_chain_over_untouched_events_is_intact(own: Services, chain: ChainKeeper, db: Db) -> None:
    raise_appeals(own, 3)

    appended = chain.catch_up()
    report = chain.verify()

    events = db.execute("SELECT count(*), max(notification_id) FROM huiyin_events").fetchone()
    assert appended == 3
    assert report.intact
    assert report.first_mismatch is None
    assert events is not None
    assert report.checked == events[0]
    assert report.head.position == events[1]
    assert report.head == chain.head()
    assert report.unchained == 0


def test_an_auditor_recomputes_a_link_with_the_documented_sql(
    own: Services, chain: ChainKeeper, db: Db
) -> None:
    first, second = raise_appeals(own, 2)
    chain.catch_up()

    previous = db.execute(
        "SELECT link FROM huiyin_chain WHERE position = %s", (first.position,)
    ).fetchone()
    stored = db.execute(
        "SELECT link FROM huiyin_chain WHERE position = %s", (second.position,)
    ).fetchone()
    recomputed = db.execute(RecomputeSql, (previous and previous[0], second.position)).fetchone()

    assert stored is not None
    assert recomputed is not None
    assert bytes(recomputed[0]) == bytes(stored[0])


def test_new_events_are_reported_as_unchained_not_as_tampering(
    own: Services, chain: ChainKeeper
) -> None:
    raise_appeals(own, 2)

    report = chain.verify()

    assert report.intact
    assert report.unchained == 2
    assert chain.catch_up() == 2
    assert chain.verify().unchained == 0


def test_changing_one_stored_event_names_exactly_that_position(
    own: Services, chain: ChainKeeper, db: Db
) -> None:
    _, target, _ = raise_appeals(own, 3)
    chain.catch_up()
    before = chain.verify().checked
    k = target.position

    with one_byte_added(db, k):
        report = chain.verify()

    mismatch = report.first_mismatch
    assert not report.intact
    assert mismatch is not None
    assert mismatch.position == k
    assert mismatch.kind is Tampering.CHANGED
    assert (mismatch.originator_id, mismatch.originator_version) == (target.id, 1)
    assert mismatch.expected != mismatch.found
    assert report.checked == before - 2  # the links before k; the appeal after it is not reached
    assert chain.verify().intact  # the original bytes restored: the chain matches again


def test_deleting_an_event_is_detected_and_names_the_event(
    own: Services, chain: ChainKeeper, db: Db
) -> None:
    _, target, _ = raise_appeals(own, 3)
    chain.catch_up()
    k = target.position

    row = db.execute(
        "DELETE FROM huiyin_events WHERE notification_id = %s "
        "RETURNING originator_id, originator_version, topic, state, notification_id",
        (k,),
    ).fetchone()
    try:
        report = chain.verify()
    finally:
        db.execute(
            "INSERT INTO huiyin_events "
            "(originator_id, originator_version, topic, state, notification_id) "
            "VALUES (%s, %s, %s, %s, %s)",
            row,
        )

    mismatch = report.first_mismatch
    assert mismatch is not None
    assert mismatch.position == k
    assert mismatch.kind is Tampering.DELETED
    assert (mismatch.originator_id, mismatch.originator_version) == (target.id, 1)
    assert chain.verify().intact


def test_an_event_without_a_link_inside_the_chain_is_detected(
    own: Services, chain: ChainKeeper, db: Db
) -> None:
    _, target, _ = raise_appeals(own, 3)
    chain.catch_up()
    k = target.position

    row = db.execute(
        "DELETE FROM huiyin_chain WHERE position = %s "
        "RETURNING position, link, originator_id, originator_version, chained_at",
        (k,),
    ).fetchone()
    try:
        report = chain.verify()
    finally:
        db.execute("INSERT INTO huiyin_chain VALUES (%s, %s, %s, %s, %s)", row)

    mismatch = report.first_mismatch
    assert mismatch is not None
    assert (mismatch.position, mismatch.kind) == (k, Tampering.INSERTED)
    assert mismatch.originator_id == target.id
    assert chain.verify().intact


def test_an_overwritten_link_is_told_apart_from_a_changed_event(
    own: Services, chain: ChainKeeper, db: Db
) -> None:
    _, target, _ = raise_appeals(own, 3)
    chain.catch_up()
    k = target.position

    row = db.execute("SELECT link FROM huiyin_chain WHERE position = %s", (k,)).fetchone()
    assert row is not None
    db.execute("UPDATE huiyin_chain SET link = sha256('forged') WHERE position = %s", (k,))
    try:
        report = chain.verify()
    finally:
        db.execute("UPDATE huiyin_chain SET link = %s WHERE position = %s", (row[0], k))

    mismatch = report.first_mismatch
    assert mismatch is not None
    assert (mismatch.position, mismatch.kind) == (k, Tampering.LINK_ALTERED)
    assert chain.verify().intact


def test_two_keepers_catching_up_at_once_chain_every_event_exactly_once(
    own: Services, chain: ChainKeeper, db: Db
) -> None:
    raise_appeals(own, 60)
    waiting = chain.verify().unchained
    start = threading.Barrier(2)
    appended: list[int] = []

    def keep() -> None:
        with ChainKeeper(conninfo(own.database_url), batch_size=7) as keeper:
            start.wait()
            appended.append(keeper.catch_up())

    threads = [threading.Thread(target=keep) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    chained = [p for (p,) in db.execute("SELECT position FROM huiyin_chain ORDER BY position")]
    events = [n for (n,) in db.execute("SELECT notification_id FROM huiyin_events ORDER BY 1")]
    assert waiting == 60
    assert sum(appended) == 60
    assert chained == events
    assert chain.verify().intact


def test_a_follower_chains_new_events_without_being_asked(
    own: Services, chain: ChainKeeper
) -> None:
    with chain.following():
        (raised,) = raise_appeals(own, 1)
        assert chain.wait(raised.position, timeout=10)

    assert chain.head().position == raised.position


def _rechain(chain: ChainKeeper, db: Db) -> None:
    """What someone able to write to the database would do to hide a change: recompute the
    whole chain from the events stored now."""
    db.execute("DELETE FROM huiyin_chain")
    chain.catch_up()


def test_a_printed_head_the_store_still_holds_is_confirmed(
    own: Services, chain: ChainKeeper
) -> None:
    raise_appeals(own, 2)
    chain.catch_up()
    head = chain.head()
    raise_appeals(own, 1)  # events after the printed head change nothing about it
    chain.catch_up()
    # As copied off a notice: upper case, in groups.
    copied = ChainHead(
        head.position,
        parse_link(" ".join(head.link.upper()[i : i + 8] for i in range(0, 64, 8))).hex(),
    )

    report = chain.verify(printed=copied)

    assert report.printed is not None
    assert report.printed.verdict is PrintedVerdict.CONFIRMED
    assert report.printed.stored == head.link
    assert report.passed
    assert chain.verify(printed=ChainHead(0, GENESIS.hex())).passed  # before any event


def test_a_chain_recomputed_after_a_change_passes_alone_but_not_against_a_printed_head(
    own: Services, chain: ChainKeeper, db: Db
) -> None:
    target, _ = raise_appeals(own, 2)
    chain.catch_up()
    printed = chain.head()

    try:
        with one_byte_added(db, target.position):
            _rechain(chain, db)
            rewritten = chain.verify(printed=printed)
    finally:
        _rechain(chain, db)

    assert rewritten.intact  # the chain alone cannot tell
    assert rewritten.printed is not None
    assert rewritten.printed.verdict is PrintedVerdict.REWRITTEN
    assert rewritten.printed.stored != printed.link
    assert not rewritten.passed
    assert chain.verify(printed=printed).passed  # the original bytes: the same links again


def test_a_printed_head_over_a_changed_event_is_not_confirmed(
    own: Services, chain: ChainKeeper, db: Db
) -> None:
    target, _ = raise_appeals(own, 2)
    chain.catch_up()
    printed = chain.head()

    with one_byte_added(db, target.position):
        report = chain.verify(printed=printed)
        earlier = chain.verify(printed=ChainHead(target.position - 1, "00" * 32))

    assert report.printed is not None
    assert report.printed.verdict is PrintedVerdict.TAMPERED
    assert report.first_mismatch is not None
    assert report.first_mismatch.position == target.position
    assert earlier.printed is not None
    assert earlier.printed.verdict is PrintedVerdict.REWRITTEN  # a wrong link, not tampering


def test_a_printed_head_past_the_chain_is_missing(own: Services, chain: ChainKeeper) -> None:
    raise_appeals(own, 1)
    chain.catch_up()
    beyond = ChainHead(chain.head().position + 1000, "ab" * 32)

    report = chain.verify(printed=beyond)

    assert report.intact
    assert report.printed is not None
    assert report.printed.verdict is PrintedVerdict.MISSING
    assert report.printed.stored is None
    assert not report.passed


@pytest.mark.parametrize("text", ["", "ab" * 31, "ab" * 33, "zz" * 32, "0x" + "ab" * 31])
def test_a_printed_link_is_64_hexadecimal_digits(text: str) -> None:
    with pytest.raises(ValueError, match="64 hexadecimal digits"):
        parse_link(text)


def test_huiyin_verify_exits_0_when_intact_and_1_naming_the_changed_event(
    own: Services, db: Db, env: dict[str, str]
) -> None:
    _, target = raise_appeals(own, 2)
    runner = CliRunner()

    intact = runner.invoke(cli, ["verify"], env=env)
    with one_byte_added(db, target.position):
        tampered = runner.invoke(cli, ["verify"], env=env)

    assert intact.exit_code == 0, intact.output
    assert "intact" in intact.output
    assert "chained 2 new event(s)" in intact.output
    assert tampered.exit_code == 1, tampered.output
    assert f"TAMPERED at position {target.position} (changed)" in tampered.output
    assert f"event {target.id} version 1" in tampered.output


def test_huiyin_verify_checks_a_printed_head(
    own: Services, chain: ChainKeeper, env: dict[str, str]
) -> None:
    raise_appeals(own, 1)
    chain.catch_up()
    head = chain.head()
    runner = CliRunner()
    at = ["verify", "--position", str(head.position)]

    confirmed = runner.invoke(cli, [*at, "--link", head.link], env=env)
    wrong = runner.invoke(cli, [*at, "--link", "0" * 64], env=env)
    malformed = runner.invoke(cli, [*at, "--link", "abc"], env=env)
    half = runner.invoke(cli, at, env=env)

    assert confirmed.exit_code == 0, confirmed.output
    assert f"printed head, position {head.position}: CONFIRMED" in confirmed.output
    assert wrong.exit_code == 1, wrong.output
    assert "REWRITTEN" in wrong.output
    assert malformed.exit_code == 2
    assert "64 hexadecimal digits" in malformed.output
    assert half.exit_code == 2
    assert "--position and --link" in half.output


def test_an_insert_still_in_flight_is_waited_for_not_passed_over(
    own: Services, chain: ChainKeeper, db: Db
) -> None:
    insert = (
        "INSERT INTO huiyin_events (originator_id, originator_version, topic, state) "
        "VALUES (gen_random_uuid(), 1, %s, '\\x01') RETURNING notification_id"
    )
    url = conninfo(own.database_url)
    with psycopg.connect(url) as slow, psycopg.connect(url, autocommit=True) as fast:
        # A writer takes a position and has not committed yet when a later one commits.
        # (The service's own inserts lock the table and cannot interleave like this: see
        # test_event_order. These two write around that lock, as another writer might.)
        (slow_position,) = slow.execute(insert, ("test:Slow",)).fetchone() or (0,)
        (later_position,) = fast.execute(insert, ("test:Later",)).fetchone() or (0,)
        keeper = threading.Thread(target=chain.catch_up)
        keeper.start()
        keeper.join(timeout=0.5)
        waited = keeper.is_alive()
        slow.commit()
    keeper.join(timeout=10)

    report = chain.verify()
    assert slow_position < later_position
    assert report.intact  # the slow event was chained in its place, not skipped
    assert report.head.position == later_position
    assert waited
