"""Slow clients: connections that send a request a byte at a time, or never, held open against a server.

Three kinds, as a slowloris attacker mixes them: ``headers`` (a request line and headers that
never end), ``body`` (a POST whose headers announce a body that then trickles in, as R.U.D.Y.
does), ``idle`` (connects and sends nothing). Each connection the server closes is recorded with how long it lived and
replaced at once by a new one, so the server always has ``count`` of them to deal with.
"""

from __future__ import annotations

import selectors
import socket
import threading
import time
from dataclasses import dataclass, field

KINDS = ("headers", "body", "idle")

#: Bytes each kind sends when it connects; then one more byte every interval (but ``idle``).
OPENINGS = {
    "headers": b"GET /api/search?q=giao+duc HTTP/1.1\r\nHost: 127.0.0.1\r\nX-a: ",
    "body": b"POST /api/search HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 1000000\r\n\r\n",
    "idle": b"",
}


@dataclass
class _Held:
    kind: str
    opened: float
    sock: socket.socket


@dataclass
class SlowClients:
    """``count`` slow connections to ``port``, kinds in turn, each sending a byte every ``interval`` s."""

    port: int
    count: int = 200
    interval: float = 2.0
    lifetimes: dict = field(default_factory=lambda: {kind: [] for kind in KINDS})  # seconds, per kind
    refused: int = 0

    def __enter__(self) -> "SlowClients":
        self._stop = threading.Event()
        # A replacement is opened before the connection it replaces is forgotten: readers of
        # ``open_now`` wait for both steps, so they count neither one missing nor one twice.
        self._replacing = threading.Lock()
        self._selector = selectors.DefaultSelector()
        self._held: dict[int, _Held] = {}
        for n in range(self.count):
            self._open(KINDS[n % len(KINDS)])
        self._thread = threading.Thread(target=self._run, name="slow-clients", daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()
        for held in self._held.values():
            held.sock.close()
        self._selector.close()

    @property
    def open_now(self) -> int:
        with self._replacing:
            return len(self._held)

    @property
    def longest(self) -> dict:
        """The longest a connection of each kind was kept open by the server, in seconds."""
        return {kind: max(times, default=0.0) for kind, times in self.lifetimes.items()}

    def _open(self, kind: str) -> None:
        try:
            sock = socket.create_connection(("127.0.0.1", self.port), timeout=5)
            sock.sendall(OPENINGS[kind])
        except OSError:
            self.refused += 1
            return
        sock.setblocking(False)
        self._held[sock.fileno()] = _Held(kind, time.monotonic(), sock)
        self._selector.register(sock, selectors.EVENT_READ)

    def _closed(self, held: _Held) -> None:
        """The server has closed ``held``: record its lifetime and put a new one in its place.

        The new one is opened first, so ``open_now`` never counts a connection being replaced as
        missing, and both steps hold ``_replacing``, so it never counts one twice either.
        """
        self.lifetimes[held.kind].append(time.monotonic() - held.opened)
        self._selector.unregister(held.sock)
        with self._replacing:
            if not self._stop.is_set():
                self._open(held.kind)
            del self._held[held.sock.fileno()]
        held.sock.close()

    def _run(self) -> None:
        next_byte = time.monotonic() + self.interval
        while not self._stop.is_set():
            for key, _ in self._selector.select(timeout=min(0.2, max(0.0, next_byte - time.monotonic()))):
                held = self._held.get(key.fd)
                if held is not None and not _still_open(held.sock):
                    self._closed(held)
            if time.monotonic() >= next_byte:
                next_byte += self.interval
                for held in list(self._held.values()):
                    if held.kind != "idle":
                        try:
                            held.sock.send(b"a")
                        except OSError:
                            self._closed(held)


def _still_open(sock: socket.socket) -> bool:
    """Read what the server sent (e.g. a response before the body was drained); False once it has closed."""
    try:
        return bool(sock.recv(65536))
    except BlockingIOError:
        return True
    except OSError:
        return False
