"""A local GitLab notes API (http.server in a thread) that records every request it receives.

It implements what python-gitlab calls for merge request notes: the paginated list (page/per_page,
X-* pagination headers and a Link header), create and update; failures are injected per request.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

PROJECT_ID = "42"
MR_IID = 7
NOTES_PATH = f"/api/v4/projects/{PROJECT_ID}/merge_requests/{MR_IID}/notes"


@dataclass
class Recorded:
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: Any
    at: float


@dataclass
class Failure:
    method: str
    status: int = 500
    headers: dict[str, str] = field(default_factory=dict)
    hang: float = 0.0  # seconds to wait before answering (the client times out)


class FakeGitLab:
    def __init__(self, max_per_page: int = 100) -> None:
        self.notes: list[dict[str, Any]] = []
        self.requests: list[Recorded] = []
        self.failures: list[Failure] = []
        self.max_per_page = max_per_page
        self.lock = threading.Lock()
        self.url = ""

    def add_note(self, body: str, *, system: bool = False) -> int:
        note_id = 1000 + len(self.notes)
        self.notes.append({"id": note_id, "body": body, "system": system, "author": {"id": 1}})
        return note_id

    def body_of(self, note_id: int) -> str:
        return next(n["body"] for n in self.notes if n["id"] == note_id)

    def writes(self) -> list[Recorded]:
        return [r for r in self.requests if r.method in ("POST", "PUT")]


def _handler(fake: FakeGitLab) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:
            return

        def _handle(self, method: str) -> None:
            parts = urlsplit(self.path)
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            body: Any = json.loads(raw) if raw else {}
            record = Recorded(
                method=method,
                path=parts.path,
                query={k: v[-1] for k, v in parse_qs(parts.query).items()},
                headers={k: v for k, v in self.headers.items()},
                body=body,
                at=time.monotonic(),
            )
            with fake.lock:
                fake.requests.append(record)
                failure = next((f for f in fake.failures if f.method == method), None)
                if failure is not None:
                    fake.failures.remove(failure)
            if failure is not None:
                if failure.hang:
                    time.sleep(failure.hang)
                    return  # the client gave up already; close without an answer
                self._send(failure.status, {"message": f"{failure.status} injected"}, failure.headers)
                return
            if not parts.path.startswith(NOTES_PATH):
                self._send(404, {"message": "404 Not Found"})
                return
            if method == "GET":
                self._list(record)
            elif method == "POST":
                with fake.lock:
                    note_id = fake.add_note(body["body"])
                self._send(201, next(n for n in fake.notes if n["id"] == note_id))
            elif method == "PUT":
                note_id = int(parts.path.rsplit("/", 1)[1])
                with fake.lock:
                    note = next((n for n in fake.notes if n["id"] == note_id), None)
                    if note is not None:
                        note["body"] = body["body"]
                self._send(200, note) if note else self._send(404, {"message": "404 Note Not Found"})

        def _list(self, record: Recorded) -> None:
            per_page = min(int(record.query.get("per_page", 20)), fake.max_per_page)
            page = int(record.query.get("page", 1))
            total_pages = max(1, -(-len(fake.notes) // per_page))
            items = fake.notes[(page - 1) * per_page : page * per_page]
            headers = {
                "X-Page": str(page),
                "X-Per-Page": str(per_page),
                "X-Total": str(len(fake.notes)),
                "X-Total-Pages": str(total_pages),
                "X-Next-Page": str(page + 1) if page < total_pages else "",
            }
            if page < total_pages:
                headers["Link"] = f'<{fake.url}{NOTES_PATH}?page={page + 1}&per_page={per_page}>; rel="next"'
            self._send(200, items, headers)

        def _send(self, status: int, payload: Any, headers: dict[str, str] | None = None) -> None:
            data = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            for k, v in (headers or {}).items():
                self.send_header(k, v)
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self) -> None:
            self._handle("GET")

        def do_POST(self) -> None:
            self._handle("POST")

        def do_PUT(self) -> None:
            self._handle("PUT")

    return Handler


@pytest.fixture
def fake_gitlab() -> Iterator[FakeGitLab]:
    fake = FakeGitLab()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(fake))
    server.daemon_threads = True
    fake.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield fake
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def mr_env(fake_gitlab: FakeGitLab) -> dict[str, str]:
    """The variables a GitLab merge request pipeline job sees, pointing at the local server."""
    return {
        "CI_API_V4_URL": f"{fake_gitlab.url}/api/v4",
        "CI_PROJECT_ID": PROJECT_ID,
        "CI_MERGE_REQUEST_IID": str(MR_IID),
        "TFOIDC_GITLAB_TOKEN": "glpat-SENTINEL-token-123",
        "CI_PIPELINE_ID": "500",
        "CI_JOB_URL": "https://gitlab.example.com/group/infra/-/jobs/9001",
    }
