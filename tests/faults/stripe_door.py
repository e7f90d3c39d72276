"""A TCP door between Michou and the fake Stripe server that a test can close, so that Stripe is unreachable while
the fake server keeps every object it made (a restarted localstripe would start empty)."""

from __future__ import annotations

import enum
import socket
import threading
from contextlib import suppress

LOCAL_HOST = "127.0.0.1"
CHUNK = 65536


class DoorState(enum.Enum):
    OPEN = "open"
    # Every connection is closed at once: Stripe is down.
    CLOSED = "closed"
    # Requests reach Stripe, which acts on them, but each answer is dropped: a timeout after the fact.
    ANSWERS_LOST = "answers_lost"


class StripeDoor:
    def __init__(self, upstream_port: int) -> None:
        self.upstream = (LOCAL_HOST, upstream_port)
        self.state = DoorState.OPEN
        self.refused = 0
        self.answers_dropped = 0
        self._connections: set[socket.socket] = set()
        self._lock = threading.Lock()
        self._listener = socket.create_server((LOCAL_HOST, 0))
        self.url = f"http://{LOCAL_HOST}:{self._listener.getsockname()[1]}"
        threading.Thread(target=self._accept, daemon=True).start()

    def set(self, state: DoorState) -> None:
        """Changes the state for new connections and cuts the open ones, which the SDK would otherwise reuse."""
        with self._lock:
            self.state = state
            connections, self._connections = self._connections, set()
        for connection in connections:
            _close(connection)

    def close(self) -> None:
        self.set(DoorState.CLOSED)
        _close(self._listener)

    def _accept(self) -> None:
        while True:
            try:
                client, _address = self._listener.accept()
            except OSError:
                return
            with self._lock:
                state = self.state
                if state is DoorState.CLOSED:
                    self.refused += 1
                    _close(client)
                    continue
                upstream = socket.create_connection(self.upstream)
                self._connections |= {client, upstream}
            threading.Thread(target=self._pump, args=(client, upstream, False), daemon=True).start()
            threading.Thread(
                target=self._pump, args=(upstream, client, state is DoorState.ANSWERS_LOST), daemon=True
            ).start()

    def _pump(self, source: socket.socket, target: socket.socket, drop: bool) -> None:
        with suppress(OSError):
            while data := source.recv(CHUNK):
                if drop:
                    # Stripe has done the work and started answering: the caller never hears of it.
                    self.answers_dropped += 1
                    break
                target.sendall(data)
        _close(source)
        _close(target)


def _close(connection: socket.socket) -> None:
    with suppress(OSError):
        connection.shutdown(socket.SHUT_RDWR)
    with suppress(OSError):
        connection.close()
