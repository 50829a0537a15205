"""A TCP relay between the service and PostgreSQL that a test can cut: outages, for real.

The service talks to the real server through it. `cut()` ends every connection at once, as a
server restart or a failover does; `refuse()` also turns new connections away (the server is
down) until `restore()`. Nothing about PostgreSQL is imitated: bytes are relayed as they are.
"""

from __future__ import annotations

import contextlib
import socket
import threading
from collections.abc import Iterator
from urllib.parse import quote

from infrastructure.database import connection_parts


class DatabaseRelay:
    """Listens on a free loopback port and relays each connection to `host:port`."""

    def __init__(self, host: str, port: int) -> None:
        self._host, self._port = host, port
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port: int = self._listener.getsockname()[1]
        self._lock = threading.Lock()
        self._open: set[socket.socket] = set()
        self._refusing = False
        self._closed = False
        self._acceptor = threading.Thread(target=self._accept, name="db-relay", daemon=True)
        self._acceptor.start()

    def url(self, database_url: str) -> str:
        """`database_url` leading to the same database through the relay."""
        parts = connection_parts(database_url)
        user = quote(parts["user"], safe="")
        password = f":{quote(parts['password'], safe='')}" if parts["password"] else ""
        dbname = quote(parts["dbname"], safe="")
        return f"postgresql://{user}{password}@127.0.0.1:{self.port}/{dbname}"

    def cut(self) -> int:
        """Ends every relayed connection now; returns how many there were."""
        with self._lock:
            sockets, self._open = self._open, set()
        for sock in sockets:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()
        return len(sockets) // 2

    def refuse(self) -> None:
        """Cuts every connection and closes each new one at once, until `restore()`."""
        with self._lock:
            self._refusing = True
        self.cut()

    def restore(self) -> None:
        """Relays new connections again."""
        with self._lock:
            self._refusing = False

    def close(self) -> None:
        """Stops listening and cuts everything."""
        self._closed = True
        self._listener.close()
        self.cut()

    def _accept(self) -> None:
        while not self._closed:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            with self._lock:
                refusing = self._refusing
            if refusing:
                client.close()
                continue
            try:
                server = self._connect()
            except OSError:
                client.close()
                continue
            with self._lock:
                self._open.update((client, server))
            for source, sink in ((client, server), (server, client)):
                threading.Thread(target=self._pump, args=(source, sink), daemon=True).start()

    def _connect(self) -> socket.socket:
        if self._host.startswith("/"):  # a socket directory, as the embedded server's
            server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            server.connect(f"{self._host}/.s.PGSQL.{self._port}")
            return server
        return socket.create_connection((self._host, self._port))

    def _pump(self, source: socket.socket, sink: socket.socket) -> None:
        try:
            while chunk := source.recv(65536):
                sink.sendall(chunk)
        except OSError:
            pass
        for sock in (source, sink):
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)


@contextlib.contextmanager
def relay_to(database_url: str) -> Iterator[DatabaseRelay]:
    """A relay to the server `database_url` names, closed on exit."""
    parts = connection_parts(database_url)
    relay = DatabaseRelay(parts["host"], int(parts["port"]))
    try:
        yield relay
    finally:
        relay.close()
