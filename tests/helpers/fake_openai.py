"""An in-process fake OpenAI-compatible server on 127.0.0.1 for unit tests of the openai backend.

Completions echo what they were sent: text ``"<len(prompt ids)>:<seed>:<sample index>"`` with `token_ids`
of length 3; chat completions echo the last user message. `script` (a list of status codes, consumed one
per request) makes requests fail first; `bodies` and `headers` keep what every request sent.
"""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


class FakeOpenAI:
    def __init__(self, *, script: list[int] | None = None, status: int | None = None, delay_s: float = 0.0,
                 prompt_logprobs: bool = True) -> None:
        self.script = list(script or [])
        self.status = status              # answer every request with this status (after the script)
        self.delay_s = delay_s
        self.prompt_logprobs = prompt_logprobs
        self.bodies: list[dict[str, Any]] = []
        self.headers: list[dict[str, str]] = []
        self.paths: list[str] = []
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}/v1"
        threading.Thread(target=self._server.serve_forever, args=(0.05,), daemon=True).start()

    @property
    def calls(self) -> int:
        return len(self.bodies)

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def respond(self, path: str, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        with self._lock:
            status = self.script.pop(0) if self.script else self.status
        if status is not None and status != 200:
            return status, {"error": {"message": f"scripted {status}"}}
        n = body.get("n", 1)
        if path.endswith("/chat/completions"):
            content = body["messages"][-1]["content"]
            choices = [{"index": j, "message": {"role": "assistant", "content": f"re:{content}:{j}"},
                        "finish_reason": "stop"} for j in range(n)]
            return 200, {"choices": choices, "usage": {"prompt_tokens": 11, "completion_tokens": 2 * n}}
        ids = body["prompt"]
        if body.get("prompt_logprobs") is not None:
            logprobs = [None] + [{str(t): {"logprob": -0.5 * (1 + i % 2)}} for i, t in enumerate(ids[1:])]
            choice: dict[str, Any] = {"index": 0, "text": "x", "finish_reason": "length"}
            if self.prompt_logprobs:
                choice["prompt_logprobs"] = logprobs
            return 200, {"choices": [choice], "usage": {}}
        choices = [{"index": j, "text": f"{len(ids)}:{body.get('seed')}:{j}", "token_ids": [1, 2, 3],
                    "finish_reason": "length"} for j in reversed(range(n))]
        return 200, {"choices": choices, "usage": {"prompt_tokens": len(ids), "completion_tokens": 3 * n}}

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:
                pass

            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers.get("Content-Length") or 0)))
                with fake._lock:
                    fake.bodies.append(body)
                    fake.headers.append(dict(self.headers))
                    fake.paths.append(self.path)
                if fake.delay_s:
                    time.sleep(fake.delay_s)
                status, payload = fake.respond(self.path, body)
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        return Handler
