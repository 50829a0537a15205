"""The rebuild's decoder gives exactly the events the library's mapper gives."""

from __future__ import annotations

from uuid import uuid4

import orjson
import pytest
from eventsourcing.cryptography import AESCipher
from eventsourcing.domain import Aggregate, event
from eventsourcing.persistence import (
    DatetimeAsISO,
    JSONTranscoder,
    Mapper,
    UUIDAsHex,
)
from eventsourcing.utils import Environment

from infrastructure.replay import Decoder, without_nul


class Tally(Aggregate):
    """An aggregate whose events carry numbers of any size."""

    def __init__(self, count: int) -> None:
        self.count = count

    @event("Counted")
    def count_to(self, count: int, note: str) -> None:
        self.count = count


def _mapper(*, cipher: bool) -> Mapper:  # type: ignore[type-arg]
    transcoder = JSONTranscoder()
    transcoder.register(UUIDAsHex())
    transcoder.register(DatetimeAsISO())
    key = AESCipher.create_key(16)
    return Mapper(
        transcoder=transcoder,
        cipher=AESCipher(Environment(env={"CIPHER_KEY": key})) if cipher else None,
    )


@pytest.mark.parametrize("cipher", [False, True], ids=["plain", "encrypted"])
@pytest.mark.parametrize(
    "count",
    [3, 2**63 - 1, -(2**63), 2**64 + 1, -(2**63) - 1, 10**30],
    ids=["small", "int64-max", "int64-min", "past-uint64", "below-int64", "10^30"],
)
def test_numbers_of_any_size_decode_exactly(cipher: bool, count: int) -> None:
    mapper = _mapper(cipher=cipher)
    tally = Tally(count=1)
    tally.count_to(count, note="账户 6222020200112233445566")
    decode = Decoder(mapper)

    for domain_event in tally.collect_events():
        stored = mapper.to_stored_event(domain_event)
        decoded = decode.decode(
            stored.originator_id, stored.originator_version, stored.topic, stored.state
        )
        assert type(decoded) is type(domain_event)
        assert vars(decoded) == vars(domain_event)
        # An int stays an int (a float equal to it would pass the comparison above).
        assert {k: type(v) for k, v in vars(decoded).items()} == {
            k: type(v) for k, v in vars(domain_event).items()
        }


def test_an_uuid_is_revived() -> None:
    mapper = _mapper(cipher=False)
    tally = Tally(count=uuid4().int)
    (created,) = tally.collect_events()
    stored = mapper.to_stored_event(created)

    decoded = Decoder(mapper).decode(
        stored.originator_id, stored.originator_version, stored.topic, stored.state
    )

    assert decoded.originator_id == tally.id
    assert decoded.count == created.count  # type: ignore[attr-defined]


@pytest.mark.parametrize("cipher", [False, True], ids=["plain", "encrypted"])
def test_a_nul_character_reaches_views_as_the_replacement_character(cipher: bool) -> None:
    """The decoder gives views what the live runner gives them (`without_nul`); a
    backslash typed before `u0000` is text, not a NUL, and stays as it was."""
    mapper = _mapper(cipher=cipher)
    tally = Tally(count=1)
    tally.count_to(2, note="夜班\x00食堂")
    tally.count_to(3, note="C:\\u0000")
    decode = Decoder(mapper)

    notes = []
    for domain_event in tally.collect_events()[1:]:
        stored = mapper.to_stored_event(domain_event)
        decoded = decode.decode(
            stored.originator_id, stored.originator_version, stored.topic, stored.state
        )
        assert vars(decoded) == vars(without_nul(domain_event))
        notes.append(decoded.note)

    assert notes == ["夜班\ufffd食堂", "C:\\u0000"]


class Ledger(Aggregate):
    """An aggregate whose creation event is at its third version."""

    class Created(Aggregate.Created):
        class_version = 3
        owner: str
        currency: str
        limit: int

        @staticmethod
        def upcast_v1_v2(state: dict[str, object]) -> None:
            state["currency"] = "CNY"

        @staticmethod
        def upcast_v2_v3(state: dict[str, object]) -> None:
            state["limit"] = 100

    def __init__(self, owner: str, currency: str, limit: int) -> None:
        self.owner = owner


@pytest.mark.parametrize("stored_as", [1, 2, 3])
def test_events_of_an_older_class_version_are_upcast_as_the_mapper_does(stored_as: int) -> None:
    """The rebuild's decoder upcasts events stored by older versions of their class
    itself (it once left every such event to the mapper, at twice the cost)."""
    mapper = _mapper(cipher=True)
    (created,) = Ledger(owner="工会", currency="USD", limit=5).collect_events()
    state = dict(vars(created))
    if stored_as < 3:
        del state["limit"]
    if stored_as < 2:
        del state["currency"]
    old = object.__new__(type(created))
    object.__setattr__(old, "__dict__", state)
    stored = mapper.to_stored_event(old)
    if stored_as < 3:  # the mapper records the class's version, 3: write the old one
        plain = mapper.cipher.decrypt(stored.state)  # type: ignore[union-attr]
        document = orjson.loads(plain)
        if stored_as == 1:
            del document["class_version"]
        else:
            document["class_version"] = stored_as
        stored = type(stored)(
            originator_id=stored.originator_id,
            originator_version=stored.originator_version,
            topic=stored.topic,
            state=mapper.cipher.encrypt(orjson.dumps(document)),  # type: ignore[union-attr]
        )

    decoded = Decoder(mapper).decode(
        stored.originator_id, stored.originator_version, stored.topic, stored.state
    )

    expected = mapper.to_domain_event(stored)
    assert vars(decoded) == vars(expected)
    assert (decoded.currency, decoded.limit) == {
        1: ("CNY", 100),
        2: ("USD", 100),
        3: ("USD", 5),
    }[stored_as]
