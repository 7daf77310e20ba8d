"""A small OpenAI-compatible HTTP server on 127.0.0.1 that stands in for the OpenAI API.

The machines that run these tests cannot reach api.openai.com, and a real model is not
deterministic. This server speaks the real wire protocol of `POST /v1/chat/completions`
(JSON in, a `chat.completion` object or an OpenAI-style error out), so the agent's real
`openai` SDK (v3, HTTPX2 transport: respx cannot intercept it) is exercised end to end over a
socket. Each test scripts the model's turns in order: tool calls, a final text, an HTTP error
status, or a delay longer than the agent's timeout. Every request is recorded for assertions.
"""

from __future__ import annotations

import contextlib
import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

API_KEY = "sk-test-fake-key"


@dataclass
class Turn:
    """One scripted answer. `sticky` turns are served again and again (retries, loops)."""

    content: str | None = None
    tool_calls: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    status: int = 200
    delay: float = 0.0
    sticky: bool = False
    before_answer: Callable[[], None] | None = None  # e.g. stop the backend mid-turn


def text(content: str) -> Turn:
    return Turn(content=content)


def calls(*tool_calls: tuple[str, dict[str, Any]], sticky: bool = False) -> Turn:
    return Turn(tool_calls=list(tool_calls), sticky=sticky)


def error(status: int, sticky: bool = True) -> Turn:
    return Turn(status=status, sticky=sticky)


def slow(delay: float, sticky: bool = True) -> Turn:
    return Turn(content="too late", delay=delay, sticky=sticky)


class FakeOpenAI:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._script: list[Turn] = []
        self.requests: list[dict[str, Any]] = []
        self.auth_headers: list[str | None] = []
        self._counter = 0
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self.base_url = f"http://127.0.0.1:{self._server.server_address[1]}/v1"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def __enter__(self) -> FakeOpenAI:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    def script(self, *turns: Turn) -> None:
        with self._lock:
            self._script = list(turns)
            self.requests.clear()
            self.auth_headers.clear()

    def _next_turn(self) -> Turn | None:
        with self._lock:
            if not self._script:
                return None
            turn = self._script[0]
            if not turn.sticky or len(self._script) > 1:
                self._script.pop(0)
            return turn

    def _completion(self, body: dict[str, Any], turn: Turn) -> dict[str, Any]:
        with self._lock:
            self._counter += 1
            n = self._counter
        message: dict[str, Any] = {"role": "assistant", "content": turn.content}
        if turn.tool_calls:
            message["tool_calls"] = [
                {
                    "id": f"call_{n}_{i}",
                    "type": "function",
                    "function": {"name": name, "arguments": json.dumps(args)},
                }
                for i, (name, args) in enumerate(turn.tool_calls)
            ]
        return {
            "id": f"chatcmpl-{n}",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": body.get("model", "fake"),
            "choices": [
                {
                    "index": 0,
                    "message": message,
                    "finish_reason": "tool_calls" if turn.tool_calls else "stop",
                    "logprobs": None,
                }
            ],
            "usage": {"prompt_tokens": 10, "completion_tokens": 5, "total_tokens": 15},
        }

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:
                pass  # keep test output clean

            def _send(self, status: int, payload: dict[str, Any]) -> None:
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                # Tell the SDK not to wait long between retries (it honours this header).
                self.send_header("retry-after-ms", "10")
                self.end_headers()
                self.wfile.write(data)

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                body = json.loads(self.rfile.read(length) or b"{}")
                if self.path != "/v1/chat/completions":
                    self._send(404, {"error": {"message": "unknown path", "type": "not_found"}})
                    return
                with fake._lock:
                    fake.requests.append(body)
                    fake.auth_headers.append(self.headers.get("Authorization"))
                turn = fake._next_turn()
                if turn is None:
                    self._send(500, {"error": {"message": "no scripted turn left", "type": "x"}})
                    return
                if turn.before_answer is not None:
                    turn.before_answer()
                if turn.delay:
                    time.sleep(turn.delay)
                if turn.status != 200:
                    error = {"message": f"scripted {turn.status}", "type": "server_error"}
                    self._send(turn.status, {"error": error})
                    return
                # The client may have given up already (the timeout tests).
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                    self._send(200, fake._completion(body, turn))

        return Handler
