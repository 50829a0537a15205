"""The master key on a real store: checked before anything is written, refused when weak
in production, and rotated without touching an event."""

from __future__ import annotations

from base64 import b64decode
from pathlib import Path
from uuid import UUID

import psycopg
import pytest
from eventsourcing.cryptography import AESCipher
from eventsourcing.utils import Environment as LibraryEnvironment

from api.bootstrap import build_services
from application.casework import AppealDraft
from domain.actors import Actor, Role
from domain.appeal import Appellant
from domain.terms import Channel, Kind
from infrastructure.database import conninfo
from infrastructure.keyring import Keyring
from infrastructure.keys import CipherKeyError, KeyDoesNotOpen, new_key
from infrastructure.settings import Environment, Settings
from tests.conftest import SETUP
from tests.organisation import PLAN

CLERK = Actor("union-clerk-key", Role.UNION_STAFF)
DRAFT = AppealDraft(
    Channel.GRID_LIAISON,
    Kind.COMPLAINT,
    "canteen",
    "夜班食堂供餐时间太短",
    "夜班下井前食堂只开放20分钟。",
    department="后勤服务中心",
    appellant=Appellant("王建国", "E10234", "13800001234"),
)


def _settings(url: str, key: str, tmp_path: Path, **more: object) -> Settings:
    return Settings(
        environment=Environment.TEST,
        database_url=url,
        data_dir=tmp_path,
        cipher_key=key,  # type: ignore[arg-type]
        projections=False,
        chain_follow=False,
        watcher=False,
        background_process=False,
        **more,  # type: ignore[arg-type]
    )


def _raised_appeal(settings: Settings) -> str:
    """A named appeal raised through the service; its id."""
    with build_services(settings) as services:
        services.casework.directory.apply_plan(PLAN, actor=SETUP)
        return str(services.casework.raise_appeal(DRAFT, CLERK).id)


def _table_counts(url: str) -> tuple[int, int]:
    with psycopg.connect(conninfo(url)) as conn:
        events = conn.execute("SELECT count(*) FROM huiyin_events").fetchone()
        keys = conn.execute("SELECT count(*) FROM huiyin_keys").fetchone()
    assert events is not None
    assert keys is not None
    return events[0], keys[0]


def test_a_process_with_another_master_key_refuses_to_start_and_writes_nothing(
    scratch_url: str, tmp_path: Path
) -> None:
    _raised_appeal(_settings(scratch_url, new_key(), tmp_path))
    before = _table_counts(scratch_url)

    with (
        pytest.raises(KeyDoesNotOpen, match="does not open this store") as refused,
        build_services(_settings(scratch_url, new_key(), tmp_path)),
    ):
        pass  # pragma: no cover - never reached

    assert "master key" in str(refused.value)
    assert _table_counts(scratch_url) == before


def test_a_store_written_before_the_key_table_keeps_its_key_and_refuses_another(
    scratch_url: str,
) -> None:
    """Events encrypted with the master key directly (releases before the key table):
    that key becomes the store key; any other key is refused before a table is made."""
    key = new_key()
    with psycopg.connect(conninfo(scratch_url), autocommit=True) as conn:
        conn.execute("CREATE TABLE huiyin_events (notification_id bigint, state bytea)")
        stored = AESCipher(LibraryEnvironment("x", {"CIPHER_KEY": key})).encrypt(b"{}")
        conn.execute("INSERT INTO huiyin_events VALUES (1, %s)", (stored,))

    with pytest.raises(KeyDoesNotOpen, match="does not decrypt the events"):
        Keyring.open(conninfo(scratch_url), bytes(32))
    with psycopg.connect(conninfo(scratch_url)) as conn:
        assert conn.execute("SELECT to_regclass('huiyin_keys')").fetchone() == (None,)

    keyring = Keyring.open(conninfo(scratch_url), b64decode(key))
    try:
        assert keyring.store_key == b64decode(key)
    finally:
        keyring.close()


@pytest.mark.parametrize(
    ("key", "complaint"),
    [
        ("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=", "distinct byte values"),  # all zeros
        ("AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=", "counting sequence"),  # 0, 1, 2…
        (new_key()[:22] + "==", "production needs 32"),  # 16 bytes
    ],
    ids=["all-zero", "counting", "short"],
)
def test_a_weak_master_key_is_refused_in_production(
    scratch_url: str, tmp_path: Path, key: str, complaint: str
) -> None:
    settings = _settings(scratch_url, key, tmp_path).model_copy(
        update={"environment": Environment.PRODUCTION}
    )

    with pytest.raises(CipherKeyError, match=complaint), build_services(settings):
        pass  # pragma: no cover - never reached


def test_rotation_rewraps_the_keys_old_data_still_reads_and_the_old_key_opens_nothing(
    scratch_url: str, tmp_path: Path
) -> None:
    old, new = new_key(), new_key()
    appeal_id = _raised_appeal(_settings(scratch_url, old, tmp_path))
    with psycopg.connect(conninfo(scratch_url)) as conn:
        events_before = conn.execute(
            "SELECT notification_id, state FROM huiyin_events ORDER BY 1"
        ).fetchall()
    keyring = Keyring.open(conninfo(scratch_url), b64decode(old))
    try:
        rewrapped = keyring.rotate(b64decode(new))
    finally:
        keyring.close()

    assert rewrapped >= 2  # the store key and the appellant's key (and the actors')
    with pytest.raises(KeyDoesNotOpen):
        Keyring.open(conninfo(scratch_url), b64decode(old))
    with build_services(_settings(scratch_url, new, tmp_path)) as services:
        appeal = services.casework.get_appeal(UUID(appeal_id))
        assert appeal.appellant is not None
        assert appeal.appellant.name == "王建国"
    with psycopg.connect(conninfo(scratch_url)) as conn:
        events_after = conn.execute(
            "SELECT notification_id, state FROM huiyin_events WHERE notification_id <= %s"
            " ORDER BY 1",
            (events_before[-1][0],),
        ).fetchall()
    assert events_after == events_before  # not one event rewritten
