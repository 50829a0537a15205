"""A rate limit per token and per client address: token buckets, answered 429 with
`Retry-After` before the request reaches a route (or the database).

Every request draws from its address's bucket; a request with a bearer token also from that
token's. A bucket holds a minute's allowance (`requests_per_minute_per_*`) and refills
continuously, so a client may burst up to the allowance and then keeps to the rate. 0 turns a
limit off. Buckets live in the process: with several worker processes each counts its own
share. Tokens are keyed by a digest, never kept in clear; a flood of distinct keys cannot
grow the table past `MAX_BUCKETS` (full buckets, which have nothing to remember, go first).
"""

from __future__ import annotations

import hashlib
import math
import threading
import time
from collections.abc import Callable

from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Receive, Scope, Send

MAX_BUCKETS = 100_000
PROBLEM_TYPE = "https://huiyin.local/problems/rate-limited"


class Buckets:
    """Token buckets of `per_minute` each, keyed by anything hashable."""

    def __init__(self, per_minute: int, *, clock: Callable[[], float] = time.monotonic) -> None:
        self.per_minute = per_minute
        self.rate = per_minute / 60.0
        self.clock = clock
        self._levels: dict[str, tuple[float, float]] = {}  # key → (tokens, when)
        self._lock = threading.Lock()

    def take(self, key: str) -> float:
        """Takes one request from `key`'s bucket: 0 if allowed, else the seconds to wait."""
        now = self.clock()
        with self._lock:
            tokens, when = self._levels.get(key, (float(self.per_minute), now))
            tokens = min(float(self.per_minute), tokens + (now - when) * self.rate)
            if tokens < 1.0:
                self._levels[key] = (tokens, now)
                return (1.0 - tokens) / self.rate
            self._levels[key] = (tokens - 1.0, now)
            if len(self._levels) > MAX_BUCKETS:
                self._forget_full(now)
            return 0.0

    def _forget_full(self, now: float) -> None:
        full = float(self.per_minute)
        self._levels = {
            key: (tokens, when)
            for key, (tokens, when) in self._levels.items()
            if tokens + (now - when) * self.rate < full
        }
        if len(self._levels) > MAX_BUCKETS:  # all busy at once: start counting again
            self._levels.clear()


class RateLimit:
    """ASGI middleware applying the per-address and per-token buckets to HTTP requests."""

    def __init__(self, app: ASGIApp, *, per_token: int, per_address: int) -> None:
        self.app = app
        self.tokens = Buckets(per_token) if per_token else None
        self.addresses = Buckets(per_address) if per_address else None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] == "/health":
            await self.app(scope, receive, send)
            return
        wait, which = self._wait(scope)
        if wait:
            seconds = max(1, math.ceil(wait))
            limit = self.tokens if which == "token" else self.addresses
            assert limit is not None  # noqa: S101  # only a bucket that exists refuses
            response = JSONResponse(
                {
                    "type": PROBLEM_TYPE,
                    "title": "Too many requests",
                    "status": 429,
                    "detail": f"this {which} may send {limit.per_minute} requests a minute; "
                    f"retry in {seconds} s",
                    "instance": scope["path"],
                },
                status_code=429,
                media_type="application/problem+json",
                headers={"Retry-After": str(seconds)},
            )
            await response(scope, receive, send)
            return
        await self.app(scope, receive, send)

    def _wait(self, scope: Scope) -> tuple[float, str]:
        if self.addresses is not None:
            client = scope.get("client")
            wait = self.addresses.take(client[0] if client else "unknown")
            if wait:
                return wait, "address"
        if self.tokens is not None:
            for name, value in scope["headers"]:
                if name == b"authorization" and value[:7].lower() == b"bearer ":
                    key = hashlib.blake2b(value[7:].strip(), digest_size=16).hexdigest()
                    return self.tokens.take(key), "token"
        return 0.0, ""
