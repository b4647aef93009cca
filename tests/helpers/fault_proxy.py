"""A loopback HTTP proxy that injects faults in front of an OpenAI-compatible server (tests only).

Each request draws from a seeded RNG (one draw per request, in arrival order): with probability `rate` it gets
the next fault of `kinds` (in turn, so a handful of faults covers every kind), else it is forwarded untouched:

* ``500``, ``503``, ``429``: that status with a short JSON error, the server never sees the request;
* ``reset``: the connection is reset (TCP RST) before any answer;
* ``reset_after``: the request reaches the server, which does the work, then the answer is dropped by a reset
  (the client must retry without writing the record twice);
* ``stall``: nothing is answered for `stall_s` seconds (longer than the client's timeout), then a reset.

`down = True` resets every connection (a server that stays down); `down = False` brings it back.
`down_after = N` lets N more requests pass, then goes down.
`counts` tallies what happened ("pass", each kind, "down").
"""

from __future__ import annotations

import http.client
import json
import random
import socket
import struct
import threading
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

KINDS = ("500", "503", "429", "reset", "reset_after", "stall")


class FaultProxy:
    """Start with `FaultProxy(upstream_port, rate=0.3, seed=0)`; `.url` is its base URL; `.close()` stops it."""

    def __init__(self, upstream_port: int, *, rate: float = 0.0, kinds: tuple[str, ...] = KINDS, seed: int = 0,
                 stall_s: float = 3.0, upstream_host: str = "127.0.0.1") -> None:
        self.upstream = (upstream_host, upstream_port)
        self.rate = rate
        self.kinds = kinds
        self.stall_s = stall_s
        self.down = False
        self.down_after: int | None = None
        self.counts: Counter[str] = Counter()
        self._rng = random.Random(seed)
        self._faults = 0
        self._lock = threading.Lock()
        self._closing = threading.Event()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self.port = self._server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}/v1"
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,), daemon=True)
        self._thread.start()

    def decide(self) -> str:
        with self._lock:
            if self.down_after is not None and self.down_after <= 0:
                self.down, self.down_after = True, None
            if self.down:
                kind = "down"
            else:
                if self._rng.random() < self.rate:
                    kind = self.kinds[self._faults % len(self.kinds)]
                    self._faults += 1
                else:
                    kind = "pass"
                if kind == "pass" and self.down_after is not None:
                    self.down_after -= 1
            self.counts[kind] += 1
            return kind

    def close(self) -> None:
        self._closing.set()
        self._server.shutdown()
        self._server.server_close()

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:  # quiet
                pass

            def do_GET(self) -> None:
                self._handle(b"")

            def do_POST(self) -> None:
                self._handle(self.rfile.read(int(self.headers.get("Content-Length") or 0)))

            def _handle(self, body: bytes) -> None:
                kind = proxy.decide()
                if kind in ("500", "503", "429"):
                    self._reply(int(kind), json.dumps({"error": {"message": f"injected {kind}"}}).encode(),
                                "application/json")
                elif kind in ("reset", "down"):
                    self._reset()
                elif kind == "stall":
                    proxy._closing.wait(proxy.stall_s)
                    self._reset()
                else:
                    status, ctype, data = self._forward(body)
                    if kind == "reset_after":
                        self._reset()
                    else:
                        self._reply(status, data, ctype)

            def _forward(self, body: bytes) -> tuple[int, str, bytes]:
                conn = http.client.HTTPConnection(*proxy.upstream, timeout=600)
                try:
                    headers = {k: v for k, v in self.headers.items() if k.lower() not in ("host", "connection")}
                    conn.request(self.command, self.path, body=body or None, headers=headers)
                    resp = conn.getresponse()
                    return resp.status, resp.getheader("Content-Type") or "application/json", resp.read()
                finally:
                    conn.close()

            def _reply(self, status: int, data: bytes, ctype: str) -> None:
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _reset(self) -> None:
                self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                self.close_connection = True
                self.connection.close()

        return Handler
