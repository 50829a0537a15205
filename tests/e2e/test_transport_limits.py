"""The HTTP connection itself, as `huiyin serve` guards it: raw UTF-8 in the request line is
read as a browser would send it, oversized and unparseable requests get problem+json, and a
client that stalls is cut off. Raw sockets, because an HTTP library would not misbehave."""

from __future__ import annotations

import json
import socket
import time
from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest

from infrastructure.settings import Settings
from tests.e2e.conftest import running_server, server_env_for

pytestmark = pytest.mark.e2e

READ_TIMEOUT_S = 1.0


@pytest.fixture(scope="module")
def address(
    database_url: str, settings: Settings, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[str, int]]:
    """A server with short limits, shared by the module (each test opens its own socket)."""
    env = server_env_for(database_url, settings, tmp_path_factory.mktemp("transport"))
    env.update(
        HUIYIN_READ_TIMEOUT_SECONDS=str(READ_TIMEOUT_S),
        HUIYIN_MAX_REQUEST_LINE_BYTES="2048",
        HUIYIN_MAX_HEADER_BYTES="8192",
    )
    with running_server(env) as base:
        parts = urlsplit(base)
        yield parts.hostname or "127.0.0.1", parts.port or 80


def exchange(address: tuple[str, int], *chunks: bytes, pause: float = 0.0) -> bytes:
    """Sends `chunks` (pausing between them) and reads until the server closes."""
    with socket.create_connection(address, timeout=10) as sock:
        for chunk in chunks:
            try:
                sock.sendall(chunk)
            except OSError:
                break  # the server hung up: read what it said
            time.sleep(pause)
        received = b""
        while block := sock.recv(65536):
            received += block
    return received


def status_and_problem(answer: bytes) -> tuple[int, dict[str, object]]:
    head, _, body = answer.partition(b"\r\n\r\n")
    assert b"content-type: application/problem+json" in head.lower()
    return int(head.split()[1]), json.loads(body)


def test_raw_chinese_in_the_query_is_read_as_percent_encoded(address: tuple[str, int]) -> None:
    line = "GET /health?部门=后勤服务中心 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"

    answer = exchange(address, line.encode())

    assert answer.startswith(b"HTTP/1.1 200")


def test_a_request_line_past_the_limit_is_414(address: tuple[str, int]) -> None:
    status, problem = status_and_problem(exchange(address, b"GET /appeals?q=" + b"x" * 3000))

    assert status == 414
    assert "2,048 bytes" in str(problem["detail"])


def test_headers_past_the_limit_are_431_even_unfinished(address: tuple[str, int]) -> None:
    unfinished = b"GET /health HTTP/1.1\r\nX-Filler: " + b"y" * 20_000

    status, problem = status_and_problem(exchange(address, unfinished))

    assert status == 431
    assert "8,192 bytes" in str(problem["detail"])


def test_what_is_not_http_gets_a_problem_document_not_plain_text(
    address: tuple[str, int],
) -> None:
    status, problem = status_and_problem(exchange(address, b"HELLO THERE\r\n\r\n"))

    assert status == 400
    assert str(problem["type"]).endswith("/malformed-request")


@pytest.mark.parametrize(
    "chunks",
    [
        (),  # connects and says nothing
        (b"GET /health HTTP/1.1\r\n", b"Host: x\r\n"),  # never finishes its headers
    ],
    ids=["silent", "unfinished-headers"],
)
def test_a_client_that_stalls_is_answered_408_and_cut_off(
    address: tuple[str, int], chunks: tuple[bytes, ...]
) -> None:
    started = time.monotonic()

    status, _ = status_and_problem(exchange(address, *chunks))

    assert status == 408
    assert time.monotonic() - started < READ_TIMEOUT_S + 5


def test_a_body_that_stops_arriving_closes_the_connection(address: tuple[str, int]) -> None:
    head = b"POST /appeals HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
    started = time.monotonic()

    answer = exchange(address, head + b"Content-Length: 1000\r\n\r\n", b'{"text": ')

    assert answer == b""  # the route never ran: nothing to answer
    assert time.monotonic() - started < READ_TIMEOUT_S + 5


def test_a_slow_drip_of_headers_is_cut_off_however_steady(address: tuple[str, int]) -> None:
    drip = [bytes([byte]) for byte in b"GET /health HTTP/1.1\r\nHost: x\r\nX-Slow: abcdefgh"]
    started = time.monotonic()

    answer = exchange(address, *drip, pause=0.1)

    assert answer.startswith(b"HTTP/1.1 408")
    assert time.monotonic() - started < len(drip) * 0.1
