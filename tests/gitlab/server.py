"""A local GitLab REST API (http.server in a thread) that records every request it receives.

It speaks the documented endpoints tfoidc uses, the way GitLab answers them:

- `GET /user`: the token's user (401 without a known token);
- merge request notes: the paginated list (page/per_page, X-* pagination headers, a Link header; newest
  first unless `sort=asc`, ordered by `order_by`), create (authored by the token's user), update (only
  by the note's author, else 403);
- `GET /projects/:id/repository/commits/:sha/merge_requests`, `GET /projects/:id/merge_requests/:iid/
  pipelines` (newest first), `GET /projects/:id/pipelines/:id/jobs`, and `GET /projects/:id/jobs/:id/
  artifacts/*path`, which answers with one file from the job's artifacts archive (a real zip, as a runner
  uploads it).

Several users, each with its own token. Failures are injected per request: a status with headers, a
hang (the client times out), or a raw body (truncated JSON).
"""

from __future__ import annotations

import io
import json
import re
import threading
import time
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

import pytest

PROJECT_ID = "42"
MR_IID = 7
API = f"/api/v4/projects/{PROJECT_ID}"
NOTES_PATH = f"{API}/merge_requests/{MR_IID}/notes"
TFOIDC_TOKEN = "glpat-SENTINEL-token-123"
TFOIDC_USER = {"id": 50, "username": "project_42_bot_tfoidc", "bot": True}
MALLORY_TOKEN = "glpat-mallory-0000"
MALLORY_USER = {"id": 60, "username": "mallory", "bot": False}


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
    raw: bytes | None = None  # answer 200 with this body instead (e.g. truncated JSON)
    path: str = ""  # only requests whose path contains this


@dataclass
class Job:
    id: int
    name: str
    status: str = "success"
    artifacts: bytes | None = None  # the zip archive


class FakeGitLab:
    def __init__(self, max_per_page: int = 100) -> None:
        self.users: dict[str, dict[str, Any]] = {TFOIDC_TOKEN: TFOIDC_USER, MALLORY_TOKEN: MALLORY_USER}
        self.mr_notes: dict[int, list[dict[str, Any]]] = {MR_IID: []}
        self.requests: list[Recorded] = []
        self.failures: list[Failure] = []
        self.max_per_page = max_per_page
        self.lock = threading.Lock()
        self.url = ""
        self.commit_merge_requests: dict[str, list[int]] = {}
        self.merge_request_states: dict[int, str] = {}  # default: merged
        self.mr_pipelines: dict[int, list[dict[str, Any]]] = {}
        self.pipeline_jobs: dict[int, list[Job]] = {}
        self._next_note = 1000

    @property
    def notes(self) -> list[dict[str, Any]]:
        """The notes of the default merge request, oldest first."""
        return self.mr_notes[MR_IID]

    def add_note(
        self, body: str, *, system: bool = False, author: dict[str, Any] | None = None, mr: int = MR_IID
    ) -> int:
        note_id = self._next_note
        self._next_note += 1
        created = f"2026-01-01T00:{note_id // 60 % 60:02d}:{note_id % 60:02d}.000Z"
        self.mr_notes.setdefault(mr, []).append(
            {
                "id": note_id,
                "body": body,
                "system": system,
                "author": dict(author or TFOIDC_USER),
                "created_at": created,
                "updated_at": created,
            }
        )
        return note_id

    def body_of(self, note_id: int) -> str:
        return next(n["body"] for notes in self.mr_notes.values() for n in notes if n["id"] == note_id)

    def writes(self) -> list[Recorded]:
        return [r for r in self.requests if r.method in ("POST", "PUT")]

    def add_pipeline(
        self, mr: int, pipeline_id: int, sha: str, jobs: list[Job], *, source: str = "merge_request_event"
    ) -> None:
        """A merge request pipeline with its jobs (newest pipelines first, as GitLab lists them)."""
        pipeline = {"id": pipeline_id, "iid": pipeline_id, "sha": sha, "ref": f"refs/merge-requests/{mr}/head",
                    "status": "success", "source": source, "project_id": int(PROJECT_ID)}  # fmt: skip
        pipelines = self.mr_pipelines.setdefault(mr, [])
        pipelines.append(pipeline)
        pipelines.sort(key=lambda p: -p["id"])
        self.pipeline_jobs[pipeline_id] = jobs
        self.mr_notes.setdefault(mr, [])


def zip_artifacts(folder: Path, base: Path) -> bytes:
    """A job's artifacts archive: every file under `folder`, named by its path relative to `base`."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(p for p in folder.rglob("*") if p.is_file()):
            archive.write(path, path.relative_to(base).as_posix())
    return buffer.getvalue()


_ROUTES = [
    ("GET", re.compile(r"^/api/v4/user$"), "_user"),
    ("GET", re.compile(rf"^{API}/merge_requests/(\d+)/notes$"), "_list_notes"),
    ("POST", re.compile(rf"^{API}/merge_requests/(\d+)/notes$"), "_create_note"),
    ("PUT", re.compile(rf"^{API}/merge_requests/(\d+)/notes/(\d+)$"), "_update_note"),
    ("GET", re.compile(rf"^{API}/repository/commits/([^/]+)/merge_requests$"), "_commit_mrs"),
    ("GET", re.compile(rf"^{API}/merge_requests/(\d+)/pipelines$"), "_mr_pipelines"),
    ("GET", re.compile(rf"^{API}/pipelines/(\d+)/jobs$"), "_pipeline_jobs"),
    ("GET", re.compile(rf"^{API}/jobs/(\d+)/artifacts/(.+)$"), "_artifact"),
]


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
                failure = next(
                    (f for f in fake.failures if f.method == method and f.path in parts.path), None
                )
                if failure is not None:
                    fake.failures.remove(failure)
            if failure is not None:
                if failure.hang:
                    time.sleep(failure.hang)
                    return  # the client gave up already; close without an answer
                if failure.raw is not None:
                    self._send_raw(200, failure.raw, failure.headers)
                    return
                self._send(failure.status, {"message": f"{failure.status} injected"}, failure.headers)
                return
            user = fake.users.get(self.headers.get("PRIVATE-TOKEN", ""))
            if user is None:
                self._send(401, {"message": "401 Unauthorized"})
                return
            for verb, pattern, name in _ROUTES:
                match = pattern.match(parts.path)
                if verb == method and match:
                    getattr(self, name)(record, user, *match.groups())
                    return
            self._send(404, {"message": "404 Not Found"})

        # --- endpoints ----------------------------------------------------------------------------

        def _user(self, record: Recorded, user: dict[str, Any]) -> None:
            self._send(200, user)

        def _list_notes(self, record: Recorded, user: dict[str, Any], iid: str) -> None:
            notes = fake.mr_notes.get(int(iid))
            if notes is None:
                self._send(404, {"message": "404 Merge Request Not Found"})
                return
            key = "updated_at" if record.query.get("order_by") == "updated_at" else "created_at"
            ordered = sorted(notes, key=lambda n: (n[key], n["id"]))
            if record.query.get("sort", "desc") != "asc":  # GitLab's default: newest first
                ordered.reverse()
            self._paginated(record, ordered)

        def _create_note(self, record: Recorded, user: dict[str, Any], iid: str) -> None:
            with fake.lock:
                note_id = fake.add_note(record.body["body"], author=user, mr=int(iid))
            self._send(201, next(n for n in fake.mr_notes[int(iid)] if n["id"] == note_id))

        def _update_note(self, record: Recorded, user: dict[str, Any], iid: str, note_id: str) -> None:
            with fake.lock:
                note = next((n for n in fake.mr_notes.get(int(iid), []) if n["id"] == int(note_id)), None)
                if note is not None and note["author"]["id"] == user["id"]:
                    note["body"] = record.body["body"]
                    fake._next_note += 1
                    note["updated_at"] = f"2026-01-02T00:00:{fake._next_note % 60:02d}.000Z"
            if note is None:
                self._send(404, {"message": "404 Note Not Found"})
            elif note["author"]["id"] != user["id"]:
                self._send(403, {"message": "403 Forbidden"})
            else:
                self._send(200, note)

        def _commit_mrs(self, record: Recorded, user: dict[str, Any], sha: str) -> None:
            iids = fake.commit_merge_requests.get(unquote(sha), [])
            states = fake.merge_request_states
            merge_requests = [
                {"iid": i, "id": 9000 + i, "project_id": int(PROJECT_ID), "state": states.get(i, "merged")}
                for i in iids
            ]
            self._send(200, merge_requests)

        def _mr_pipelines(self, record: Recorded, user: dict[str, Any], iid: str) -> None:
            self._paginated(record, fake.mr_pipelines.get(int(iid), []))

        def _pipeline_jobs(self, record: Recorded, user: dict[str, Any], pipeline_id: str) -> None:
            jobs = fake.pipeline_jobs.get(int(pipeline_id))
            if jobs is None:
                self._send(404, {"message": "404 Not found"})
                return
            items = [
                {
                    "id": j.id,
                    "name": j.name,
                    "status": j.status,
                    "pipeline": {"id": int(pipeline_id)},
                    "artifacts": [{"file_type": "archive"}] if j.artifacts else [],
                }
                for j in jobs
            ]
            self._paginated(record, items)

        def _artifact(self, record: Recorded, user: dict[str, Any], job_id: str, path: str) -> None:
            job = next((j for jobs in fake.pipeline_jobs.values() for j in jobs if j.id == int(job_id)), None)
            if job is None or job.artifacts is None:
                self._send(404, {"message": "404 Not Found"})
                return
            with zipfile.ZipFile(io.BytesIO(job.artifacts)) as archive:
                try:
                    data = archive.read(unquote(path))
                except KeyError:
                    self._send(404, {"message": "404 Not Found"})
                    return
            self._send_raw(200, data, {"Content-Type": "application/octet-stream"})

        # --- answers ------------------------------------------------------------------------------

        def _paginated(self, record: Recorded, everything: list[Any]) -> None:
            per_page = min(int(record.query.get("per_page", 20)), fake.max_per_page)
            page = int(record.query.get("page", 1))
            total_pages = max(1, -(-len(everything) // per_page))
            items = everything[(page - 1) * per_page : page * per_page]
            headers = {
                "X-Page": str(page),
                "X-Per-Page": str(per_page),
                "X-Total": str(len(everything)),
                "X-Total-Pages": str(total_pages),
                "X-Next-Page": str(page + 1) if page < total_pages else "",
            }
            if page < total_pages:
                query = {**record.query, "page": str(page + 1), "per_page": str(per_page)}
                link = "&".join(f"{k}={v}" for k, v in query.items())
                headers["Link"] = f'<{fake.url}{record.path}?{link}>; rel="next"'
            self._send(200, items, headers)

        def _send(self, status: int, payload: Any, headers: dict[str, str] | None = None) -> None:
            self._send_raw(
                status, json.dumps(payload).encode(), {"Content-Type": "application/json", **(headers or {})}
            )

        def _send_raw(self, status: int, data: bytes, headers: dict[str, str]) -> None:
            self.send_response(status)
            headers = {"Content-Type": "application/json", **headers}
            for k, v in headers.items():
                self.send_header(k, v)
            if "Content-Length" not in headers:
                self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
            if int(headers.get("Content-Length", len(data))) != len(data):
                self.close_connection = True

        def do_GET(self) -> None:
            self._handle("GET")

        def do_POST(self) -> None:
            self._handle("POST")

        def do_PUT(self) -> None:
            self._handle("PUT")

    return Handler


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        return  # a client that timed out and left (the injected hangs): not worth a traceback


@pytest.fixture
def fake_gitlab() -> Iterator[FakeGitLab]:
    fake = FakeGitLab()
    server = _Server(("127.0.0.1", 0), _handler(fake))
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
        "TFOIDC_GITLAB_TOKEN": TFOIDC_TOKEN,
        "CI_PIPELINE_ID": "500",
        "CI_JOB_URL": "https://gitlab.example.com/group/infra/-/jobs/9001",
    }
