"""Parsing JSON fast must not change a single value the standard library would give."""

from __future__ import annotations

import json

import pytest

from infrastructure import jsontext

DOCUMENTS = [
    b'{"title": "\\u591c\\u73ed\\u98df\\u5802", "points": 3, "ratio": 0.1, "ok": true}',
    '{"text": "夜班食堂", "nested": [1, 2.5, null, {"a": []}]}'.encode(),
    b'{"largest": 18446744073709551615, "smallest": -9223372036854775808}',
    b'{"past 64 bits": 123456789012345678901234567890}',
    b'{"below": -9223372036854775809}',
    b"[1e400, -1e400]",
    b'{"id card": "110101199003077777", "account": "6222020200112233445566"}',
]


@pytest.mark.parametrize("document", DOCUMENTS)
def test_documents_read_exactly_as_the_standard_library_reads_them(document: bytes) -> None:
    parsed = jsontext.loads(document)

    assert parsed == json.loads(document)
    assert repr(parsed) == repr(json.loads(document))  # same types: an int stays an int


def test_an_integer_past_64_bits_is_not_rounded() -> None:
    assert jsontext.loads(b"[123456789012345678901234567890]") == [123456789012345678901234567890]


def test_text_reads_as_its_utf8_bytes_do() -> None:
    assert jsontext.loads('{"a": "中"}') == {"a": "中"}


def test_only_runs_of_19_digits_or_more_go_to_the_slower_parser() -> None:
    assert not jsontext.may_hold_long_integer(b'{"n": 999999999999999999, "f": 1e19}')
    assert jsontext.may_hold_long_integer(b'{"n": -9223372036854775809}')
    assert jsontext.may_hold_long_integer(b'["8123456789012345678"]')
    assert jsontext.loads(b'{"n": 999999999999999999}') == {"n": 999999999999999999}
    assert jsontext.loads(b'{"n": 1e19}') == {"n": 1e19}  # a float stays a float


def test_a_document_that_is_not_json_fails_as_the_standard_library_fails() -> None:
    with pytest.raises(json.JSONDecodeError):
        jsontext.loads(b'{"a": ')
