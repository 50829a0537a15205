"""A ceiling on request bodies, enforced before anything reads them into memory.

Without it a client (some routes need no token) could send a body of any size: the server
read a 200 MB body whole before the schema refused its text, and grew from 98 MB to 665 MB
resident. A declared `Content-Length` over the limit is answered 413 at once, unread; a body
sent without one (chunked) is counted as it arrives and refused as soon as it passes.
"""

from __future__ import annotations

from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send


class BodyTooLarge(StarletteHTTPException):
    """A request body over the limit (`api.errors` answers it 413)."""

    def __init__(self, limit: int) -> None:
        super().__init__(413, f"the request body is larger than {limit:,} bytes")
        self.limit = limit


class BodyLimit:
    """ASGI middleware refusing request bodies over `limit` bytes."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.limit
        for name, value in scope["headers"]:
            if name == b"content-length" and value.isdigit() and int(value) > limit:
                # Raised inside the app, so that the one error mapping answers it.
                await self.app(scope, _refusing(limit), send)
                return
        received = 0

        async def counting() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLarge(limit)
            return message

        await self.app(scope, counting, send)


def _refusing(limit: int) -> Receive:
    async def receive() -> Message:
        raise BodyTooLarge(limit)

    return receive
