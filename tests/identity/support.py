"""Helpers for the credential-flow tests: CLI results, moto's issued sessions, a scripted STS endpoint."""

from __future__ import annotations

import threading
import time
import urllib.parse
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from moto.sts.models import sts_backends

from tfoidc.sandbox import Sandbox


@dataclass(frozen=True)
class CliResult:
    code: int
    out: str
    err: str


Cli = Callable[..., CliResult]


@dataclass(frozen=True)
class Issued:
    """Credentials moto handed out, with what STS was asked for."""

    access_key_id: str
    secret_access_key: str
    session_token: str
    role_arn: str
    session_name: str
    duration: int


def issued_by_moto(sandbox: Sandbox) -> list[Issued]:
    """Every session moto's STS has issued (the sandbox's moto server runs in this process)."""
    backend = sts_backends[sandbox.account_id]["aws"]
    return [
        Issued(
            access_key_id=r.access_key_id,
            secret_access_key=r.secret_access_key,
            session_token=r.session_token,
            role_arn=r.role_arn,
            session_name=r.session_name,
            duration=round((r.expiration - r.access_key.create_date).total_seconds()),
        )
        for r in backend.assumed_roles
    ]


# --- a scripted STS endpoint ------------------------------------------------------------------------

STS_NS = "https://sts.amazonaws.com/doc/2011-06-15/"


def sts_error_xml(code: str, message: str, *, fault: str = "Sender") -> str:
    """An STS Query-API error body, as documented and as AWS sends it."""
    return (
        f'<ErrorResponse xmlns="{STS_NS}"><Error><Type>{fault}</Type><Code>{code}</Code>'
        f"<Message>{message}</Message></Error><RequestId>{uuid.uuid4()}</RequestId></ErrorResponse>"
    )


@dataclass(frozen=True)
class FakeCredentials:
    access_key_id: str = "ASIAFAKESTS0SENTINEL"
    secret_access_key: str = "SECRET-SENTINEL-" + "s" * 24
    session_token: str = "SESSION-SENTINEL-" + "t" * 64


@dataclass
class ScriptedSts:
    """An STS Query API on 127.0.0.1: answers each Action with the next scripted (status, body), then
    with success; records every request's form fields."""

    url: str = ""
    credentials: FakeCredentials = field(default_factory=FakeCredentials)
    account: str = "210987654321"
    script: dict[str, list[tuple[int, str]]] = field(default_factory=dict)
    requests: list[dict[str, str]] = field(default_factory=list)
    stall: float = 0.0  # seconds each answer waits: a stalled endpoint

    def fail(self, action: str, code: str, message: str, *, status: int = 400, times: int = 1) -> None:
        self.script.setdefault(action, []).extend([(status, sts_error_xml(code, message))] * times)

    def calls(self, action: str) -> list[dict[str, str]]:
        return [r for r in self.requests if r.get("Action") == action]

    def answer(self, form: dict[str, str]) -> tuple[int, str]:
        self.requests.append(form)
        action = form.get("Action", "")
        queue = self.script.get(action)
        if queue:
            return queue.pop(0)
        return 200, self._success(action, form)

    def _success(self, action: str, form: dict[str, str]) -> str:
        if action == "GetCallerIdentity":
            result = (
                f"<Arn>arn:aws:sts::{self.account}:assumed-role/fake/session</Arn>"
                f"<UserId>AROAFAKE:session</UserId><Account>{self.account}</Account>"
            )
        elif action in ("AssumeRoleWithWebIdentity", "AssumeRole"):
            c = self.credentials
            expires = (datetime.now(UTC) + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
            role = form.get("RoleArn", "")
            name = form.get("RoleSessionName", "")
            result = (
                f"<Credentials><AccessKeyId>{c.access_key_id}</AccessKeyId>"
                f"<SecretAccessKey>{c.secret_access_key}</SecretAccessKey>"
                f"<SessionToken>{c.session_token}</SessionToken><Expiration>{expires}</Expiration>"
                f"</Credentials><AssumedRoleUser><Arn>{role}/{name}</Arn>"
                f"<AssumedRoleId>AROAFAKE:{name}</AssumedRoleId></AssumedRoleUser>"
            )
        else:
            return sts_error_xml("InvalidAction", f"unknown action {action}")
        return (
            f'<{action}Response xmlns="{STS_NS}"><{action}Result>{result}</{action}Result>'
            f"<ResponseMetadata><RequestId>{uuid.uuid4()}</RequestId></ResponseMetadata></{action}Response>"
        )


def _sts_handler(sts: ScriptedSts) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            body = self.rfile.read(length).decode()
            form = {k: v[0] for k, v in urllib.parse.parse_qs(body).items()}
            form["_authorization"] = self.headers.get("Authorization", "")
            status, payload = sts.answer(form)
            if sts.stall:
                time.sleep(sts.stall)
            data = payload.encode()
            self.send_response(status)
            self.send_header("Content-Type", "text/xml")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args: Any) -> None:
            return

    return Handler


@contextmanager
def serving(sts: ScriptedSts) -> Iterator[ScriptedSts]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _sts_handler(sts))
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    sts.url = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        yield sts
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
