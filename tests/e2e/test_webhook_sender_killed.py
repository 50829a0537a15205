"""A sender killed mid-delivery (SIGKILL) loses nothing: `huiyin work` — which runs the
webhook sender by default — is killed while a receiver hangs on a request; another
`huiyin work` takes the delivery again when its lease runs out and sends it under the same
webhook-id, and sends everything else."""

from __future__ import annotations

import os
import subprocess
from base64 import b64decode
from collections import Counter
from pathlib import Path

import pytest

from infrastructure.keyring import Keyring
from infrastructure.keys import new_key
from tests.e2e.conftest import HUIYIN
from tests.outbox_rows import (
    add_endpoint,
    add_notices,
    attempts,
    new_secret,
    notice_webhook_id,
    outbox_database,
    statuses,
)
from tests.polling import until
from tests.receivers import Behaviour, receiving

pytestmark = pytest.mark.e2e


def worker(env: dict[str, str]) -> subprocess.Popen[bytes]:
    """`huiyin work` with these settings."""
    return subprocess.Popen(  # noqa: S603  # our own command, fixed arguments
        [HUIYIN, "work"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )


def test_a_sender_killed_mid_delivery_loses_nothing_and_repeats_under_one_id(
    database_url: str, tmp_path: Path
) -> None:
    key = new_key()
    with outbox_database(database_url) as info, receiving(Behaviour(hang_first=1)) as receiver:
        keyring = Keyring.open(info, b64decode(key))
        store_key = keyring.store_key
        keyring.close()
        secret = new_secret()
        endpoint = add_endpoint(info, target=receiver.url, secret=secret, store_key=store_key)
        sent = add_notices(info, endpoint, 20)
        env = {
            **os.environ,
            "HUIYIN_DATABASE_URL": f"{database_url.rsplit('/', 1)[0]}/{_dbname(info)}",
            "HUIYIN_CIPHER_KEY": key,
            "HUIYIN_ENVIRONMENT": "test",
            "HUIYIN_DATA_DIR": str(tmp_path),
            "HUIYIN_PROJECTIONS": "false",
            "HUIYIN_CHAIN_FOLLOW": "false",
            "HUIYIN_WATCHER": "false",
            "HUIYIN_WEBHOOK_TIMEOUT_SECONDS": "1",  # a lease of 3 s
            "HUIYIN_WEBHOOK_SENDERS": "2",
        }
        first = worker(env)
        try:
            until("a request hangs and others get through", lambda: len(receiver.received) >= 3)
        finally:
            first.kill()  # SIGKILL: no clean-up, the lease stays
            first.wait(10)
        second = worker(env)
        try:
            until("all delivered", lambda: set(statuses(info, sent)) == {"delivered"}, 60)
        finally:
            second.terminate()
            second.wait(20)
        expected = {notice_webhook_id(info, d): d for d in sent}
        received = Counter(receiver.ids())
        hung = receiver.received[0]
        hung_attempts = [a["outcome"] for a in attempts(info, expected[hung.webhook_id])]
    assert set(received) == set(expected)  # nothing lost, nothing foreign
    assert received[hung.webhook_id] >= 2
    assert all(r.verified for r in receiver.received)
    assert hung_attempts[0] == "interrupted"
    assert hung_attempts[-1] == "delivered"


def _dbname(info: str) -> str:
    return next(p.split("=", 1)[1] for p in info.split() if p.startswith("dbname="))
