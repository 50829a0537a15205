"""Raising an appeal with an idempotency key, against the real store: a retry of the same
request creates nothing new, also when both attempts arrive at once."""

from __future__ import annotations

import threading
import uuid
from dataclasses import replace

import pytest

from application.casework import AppealDraft, Casework, CommandResult
from domain.actors import Actor, Role
from domain.appeal import Appeal, Appellant
from domain.errors import InvalidInput, KeyReused
from domain.terms import Channel, Kind

CLERK = Actor("idempotency-clerk", Role.UNION_STAFF)
NAMED = AppealDraft(
    Channel.RECEPTION_DAY,
    Kind.COMPLAINT,
    "housing",
    "宿舍漏水",
    "三楼漏水",
    appellant=Appellant("李梅", "E30001"),
)
ANONYMOUS = replace(NAMED, appellant=None)


def new_key() -> str:
    return str(uuid.uuid4())


def raised_events(casework: Casework, appeal_id: uuid.UUID) -> list[object]:
    return [e for e in casework.events.get(appeal_id) if isinstance(e, Appeal.Raised)]


def test_the_same_request_sent_again_answers_with_the_appeal_it_created(
    casework: Casework,
) -> None:
    key = new_key()

    first = casework.raise_appeal(NAMED, CLERK, key=key)
    again = casework.raise_appeal(NAMED, CLERK, key=key)

    assert (again.id, again.case_number, again.version) == (first.id, first.case_number, 1)
    assert (first.replayed, again.replayed) == (False, True)
    assert again.position >= first.position
    assert len(list(casework.events.get(first.id))) == 1


def test_a_retry_takes_no_case_number(casework: Casework) -> None:
    key = new_key()
    first = casework.raise_appeal(NAMED, CLERK, key=key)

    casework.raise_appeal(NAMED, CLERK, key=key)
    after = casework.raise_appeal(NAMED, CLERK)

    year, number = first.case_number.rsplit("-", 1)
    assert after.case_number == f"{year}-{int(number) + 1:06d}"


def test_an_anonymous_retry_gets_the_same_receipt_code_and_it_opens_the_appeal(
    casework: Casework,
) -> None:
    key = new_key()

    first = casework.raise_appeal(ANONYMOUS, CLERK, key=key)
    again = casework.raise_appeal(ANONYMOUS, CLERK, key=key)

    assert first.receipt_code is not None
    assert again.receipt_code == first.receipt_code
    assert casework.find_by_receipt(first.receipt_code).id == first.id == again.id
    (raised,) = raised_events(casework, first.id)
    assert isinstance(raised, Appeal.Raised)
    assert raised.appellant is None
    assert CLERK.id not in str(first.id)


def test_the_key_with_another_request_is_refused_and_records_nothing(casework: Casework) -> None:
    key = new_key()
    first = casework.raise_appeal(NAMED, CLERK, key=key)
    head = casework.head_position()

    with pytest.raises(KeyReused):
        casework.raise_appeal(replace(NAMED, title="宿舍漏水（补充）"), CLERK, key=key)

    assert casework.head_position() == head
    assert casework.get_appeal(first.id).title == "宿舍漏水"


def test_a_request_the_rules_refuse_leaves_its_key_for_the_corrected_request(
    casework: Casework,
) -> None:
    key = new_key()

    with pytest.raises(InvalidInput):
        casework.raise_appeal(replace(NAMED, title=" "), CLERK, key=key)
    corrected = casework.raise_appeal(NAMED, CLERK, key=key)

    assert not corrected.replayed
    assert casework.get_appeal(corrected.id).title == "宿舍漏水"


def test_the_same_key_from_another_actor_is_another_request(casework: Casework) -> None:
    key = new_key()
    other = Actor("idempotency-clerk-2", Role.UNION_STAFF)

    one = casework.raise_appeal(NAMED, CLERK, key=key)
    two = casework.raise_appeal(NAMED, other, key=key)

    assert one.id != two.id
    assert not two.replayed


def test_a_first_attempt_that_claimed_its_key_but_saved_nothing_is_made_again(
    casework: Casework,
) -> None:
    key = new_key()
    claim = casework.claim(key, CLERK, "raise_appeal", {"draft": NAMED})
    assert claim is not None
    claim.confirm()  # then the process died before saving

    result = casework.raise_appeal(NAMED, CLERK, key=key)

    assert not result.replayed
    assert casework.get_appeal(result.id).title == "宿舍漏水"


def test_two_attempts_at_the_same_moment_create_one_appeal(casework: Casework) -> None:
    key = new_key()
    start = threading.Barrier(2)
    results: list[CommandResult] = []
    errors: list[BaseException] = []

    def attempt() -> None:
        start.wait()
        try:
            results.append(casework.raise_appeal(NAMED, CLERK, key=key))
        except BaseException as error:  # reported below
            errors.append(error)

    threads = [threading.Thread(target=attempt) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert len({result.id for result in results}) == 1
    assert sorted(result.replayed for result in results) == [False, True]
    assert len(raised_events(casework, results[0].id)) == 1
