"""HTTP/1.1 as `huiyin serve` speaks it: uvicorn's httptools protocol with the limits a
server on a shared network needs, and answers a client can read.

uvicorn leaves four things open that this closes:

- **Header size.** llhttp has no limit, and uvicorn keeps every header line it is sent: an
  unfinished 50 MB header grew the server from 123 to 314 MB. Here the request line may hold
  `max_request_line_bytes` (414 past it) and the whole header section `max_header_bytes`
  (431 past it); the connection is closed after either answer.
- **Slow and silent clients.** A connection that sends nothing, or sends its headers a byte
  at a time, was kept for ever. Here a request's headers must arrive within
  `read_timeout_seconds` of the connection opening (or of their first byte, on a kept-alive
  connection), and its body may not pause longer than that: 408, and the connection closes.
  Between requests, uvicorn's own keep-alive timeout (`keep_alive_seconds`) closes idle ones.
- **Raw UTF-8 in the request line.** curl sends `?department=后勤服务中心` as it is typed;
  llhttp refuses bytes over 0x7F there, and uvicorn answered a plain-text 400. Here they are
  percent-encoded before parsing, exactly as a browser would have sent them.
- **Unparseable requests** get `application/problem+json` like every other error.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from infrastructure.settings import Settings

PROBLEM_BASE = "https://huiyin.local/problems/"
REASONS = {400: "Bad Request", 408: "Request Timeout", 414: "URI Too Long"}
REASONS[431] = "Request Header Fields Too Large"


def problem_response(status: int, slug: str, title: str, detail: str) -> bytes:
    """A complete HTTP/1.1 problem+json response that closes the connection."""
    body = json.dumps(
        {"type": PROBLEM_BASE + slug, "title": title, "status": status, "detail": detail},
        ensure_ascii=False,
    ).encode()
    head = (
        f"HTTP/1.1 {status} {REASONS[status]}\r\n"
        "content-type: application/problem+json\r\n"
        f"content-length: {len(body)}\r\n"
        "connection: close\r\n\r\n"
    )
    return head.encode("ascii") + body


def percent_encode_high_bytes(line: bytes) -> bytes:
    """The request line with every byte over 0x7F percent-encoded (UTF-8 stays UTF-8)."""
    if line.isascii():
        return line
    return b"".join(b"%%%02X" % byte if byte > 0x7F else bytes((byte,)) for byte in line)


class GuardedHttpProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol with limits (class attributes set by `guarded_protocol`)."""

    max_request_line = 8192
    max_header_bytes = 32768
    read_timeout = 10.0

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._line = bytearray()  # a request line still arriving, not yet parsed
        self._at_request_line = True  # the next byte starts a request
        self._in_headers = False
        self._in_body = False
        self._header_bytes = 0  # of the request now arriving, counted as it comes
        self._header_total = 0  # of its request line and complete header lines
        self._oversized = False  # its headers passed the limit: it never reaches the app
        self._timer: asyncio.TimerHandle | None = None

    # Connection and data

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm()  # a connection that never sends a byte is closed too

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        if self.transport.is_closing():
            return
        if self._at_request_line:
            if self._timer is None:
                self._arm()  # the first byte of a request on a kept-alive connection
            self._unset_keepalive_if_required()
            self._line += data
            start = len(self._line) - len(self._line.lstrip(b"\r\n"))
            end = self._line.find(b"\n", start)
            line_length = (end if end >= 0 else len(self._line)) - start
            if line_length > self.max_request_line:
                self._refuse(
                    414,
                    "request-line-too-long",
                    "The request line is too long",
                    f"the request line may hold {self.max_request_line:,} bytes; "
                    "send long filters in a request body or split the request",
                )
                return
            if end < 0:
                return  # wait for the rest of the line
            data = bytes(self._line[:start]) + percent_encode_high_bytes(
                bytes(self._line[start:end])
            )
            data += bytes(self._line[end:])
            self._line.clear()
            self._at_request_line = False
        if self._in_body:
            self._arm()  # the body is still coming: the pause starts again
        super().data_received(data)  # a parse error is answered by `send_400_response`
        if self._in_headers:
            self._header_bytes += len(data)  # llhttp buffers an unfinished header line
        too_large = self._oversized or self._header_bytes > self.max_header_bytes
        if too_large and not self.transport.is_closing():
            self._refuse(
                431,
                "headers-too-large",
                "The request headers are too large",
                f"the request line and headers may hold {self.max_header_bytes:,} bytes",
            )

    def send_400_response(self, msg: str) -> None:
        self._disarm()
        if self.transport.is_closing():
            return
        self.transport.write(
            problem_response(
                400,
                "malformed-request",
                "The request is not valid HTTP/1.1",
                "the request could not be parsed as HTTP/1.1 (RFC 9112)",
            )
        )
        self.transport.close()

    # Parser callbacks

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._at_request_line = False
        self._in_headers = True
        self._header_bytes = self._header_total = 0

    def on_url(self, url: bytes) -> None:
        self._count(len(url))
        super().on_url(url)

    def on_header(self, name: bytes, value: bytes) -> None:
        self._count(len(name) + len(value) + 4)
        super().on_header(name, value)

    def on_headers_complete(self) -> None:
        self._in_headers = False
        if self._oversized:
            return  # refused once the parser returns
        self._in_body = True
        self._arm()
        super().on_headers_complete()

    def on_body(self, body: bytes) -> None:
        if not self._oversized:
            super().on_body(body)

    def on_message_complete(self) -> None:
        self._in_body = False
        self._at_request_line = True
        self._disarm()  # the answer may take its time; keep-alive takes over after it
        if not self._oversized:
            super().on_message_complete()

    def _count(self, size: int) -> None:
        self._header_total += size
        if self._header_total > self.max_header_bytes:
            self._oversized = True

    # Timing

    def _arm(self) -> None:
        self._disarm()
        self._timer = self.loop.call_later(self.read_timeout, self._too_slow)

    def _disarm(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None

    def _too_slow(self) -> None:
        self._timer = None
        if self.transport.is_closing():
            return
        if self._in_body:  # the app is reading it: it sees the client leave
            self.transport.close()
            return
        self._refuse(
            408,
            "request-timeout",
            "The request took too long to arrive",
            f"a request's headers must arrive within {self.read_timeout:g} s",
        )

    def _refuse(self, status: int, slug: str, title: str, detail: str) -> None:
        self._disarm()
        self.logger.warning("%s: %s", title, detail)
        self.transport.write(problem_response(status, slug, title, detail))
        self.transport.close()


def guarded_protocol(settings: Settings) -> type[GuardedHttpProtocol]:
    """The protocol class for uvicorn's `http=`, with the settings' limits."""
    protocol = type("HuiyinHttpProtocol", (GuardedHttpProtocol,), {})
    set_limits(protocol, settings)
    return protocol


def set_limits(protocol: type[GuardedHttpProtocol], settings: Settings) -> None:
    """Gives a protocol class the settings' limits (`huiyin serve --workers N` sets them on a
    class of its own in each worker process: uvicorn sends a class there by name)."""
    protocol.max_request_line = settings.max_request_line_bytes
    protocol.max_header_bytes = settings.max_header_bytes
    protocol.read_timeout = settings.read_timeout_seconds
