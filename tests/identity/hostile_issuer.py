"""An OpenID issuer on 127.0.0.1 that misbehaves on request: oversized or drip-fed documents, redirects to
another host, relative or file: jwks_uri, a JWKS endpoint that is down, slow or has rotated its keys."""

from __future__ import annotations

import contextlib
import json
import socket
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from tfoidc.sandbox.issuer import DISCOVERY_PATH, JWKS_PATH, LocalIssuer, new_signing_key, public_jwk

# What the issuer does wrong, by name.
BEHAVIOURS = (
    "ok",
    "huge-discovery",  # a valid document padded to 8 MiB, streamed without a length
    "huge-declared",  # Content-Length: 600 MB
    "drip-discovery",  # one byte every 0.1 s
    "redirect-other-host",
    "redirect-same-host",
    "relative-jwks",
    "file-jwks",
    "jwks-down",
    "jwks-slow",  # the key set, one byte every 0.1 s
    "jwks-500",
    "rotated",  # publishes only a new key
    "rotated-both",  # publishes the new key and the old one
    "not-json",
)


@dataclass
class HostileIssuer:
    behaviour: str = "ok"
    issuer: LocalIssuer = field(default_factory=LocalIssuer)
    requests: list[str] = field(default_factory=list)

    @property
    def url(self) -> str:
        return self.issuer.url

    def mint(self, **claims: Any) -> str:
        return self.issuer.mint(**claims)

    def discovery(self) -> dict[str, Any]:
        jwks_uri = {
            "relative-jwks": JWKS_PATH,
            "file-jwks": "file:///etc/passwd",
            "jwks-down": f"http://127.0.0.1:{_closed_port()}{JWKS_PATH}",
        }.get(self.behaviour, self.url + JWKS_PATH)
        return {**self.issuer.discovery_document(), "jwks_uri": jwks_uri}

    def jwks(self) -> dict[str, Any]:
        rotated = public_jwk(new_signing_key(), "rotated-in")
        if self.behaviour == "rotated":
            return {"keys": [rotated]}
        if self.behaviour == "rotated-both":
            return {"keys": [rotated, *self.issuer.jwks()["keys"]]}
        return self.issuer.jwks()


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _handler(hostile: HostileIssuer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:
            hostile.requests.append(self.path)
            behaviour = hostile.behaviour
            if self.path == DISCOVERY_PATH:
                if behaviour == "redirect-other-host":
                    return self._redirect(hostile.url.replace("127.0.0.1", "localhost") + "/elsewhere")
                if behaviour == "redirect-same-host":
                    return self._redirect("/real" + DISCOVERY_PATH)
                return self._discovery(behaviour)
            if self.path == "/real" + DISCOVERY_PATH:
                return self._send(json.dumps(hostile.discovery()).encode())
            if self.path == JWKS_PATH:
                if behaviour == "jwks-500":
                    return self._send(b"oops", status=500)
                body = json.dumps(hostile.jwks()).encode()
                return self._drip(body) if behaviour == "jwks-slow" else self._send(body)
            self._send(b"not found", status=404)

        def _discovery(self, behaviour: str) -> None:
            body = json.dumps(hostile.discovery()).encode()
            if behaviour == "not-json":
                return self._send(b"<html>maintenance</html>")
            if behaviour == "huge-declared":
                self.send_response(200)
                self.send_header("Content-Length", str(600 * 1024 * 1024))
                self.end_headers()
                with contextlib.suppress(OSError):  # the client hung up: what it should do
                    self.wfile.write(body[:-1])
                self.close_connection = True  # the rest never comes: no second request on this one
                return None
            if behaviour == "huge-discovery":
                self.send_response(200)
                self.send_header("Connection", "close")
                self.end_headers()
                self.wfile.write(body[:-1] + b', "padding": "')
                chunk = b"x" * 65536
                try:
                    for _ in range(128):  # 8 MiB
                        self.wfile.write(chunk)
                    self.wfile.write(b'"}')
                except OSError:
                    pass  # the client hung up: what it should do
                self.close_connection = True
                return None
            if behaviour == "drip-discovery":
                return self._drip(body)
            return self._send(body)

        def _drip(self, body: bytes) -> None:
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            try:
                for byte in body:
                    self.wfile.write(bytes([byte]))
                    self.wfile.flush()
                    time.sleep(0.1)
            except OSError:
                pass
            self.close_connection = True

        def _redirect(self, location: str) -> None:
            self.send_response(302)
            self.send_header("Location", location)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def _send(self, body: bytes, status: int = 200) -> None:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            return

    return Handler


class _QuietServer(ThreadingHTTPServer):
    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that hangs up on a hostile answer is what tfoidc should do: not an error to print
        (the in-process CLI's captured stderr would carry it)."""
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


@contextmanager
def hostile_issuer(behaviour: str = "ok") -> Iterator[HostileIssuer]:
    hostile = HostileIssuer(behaviour)
    server = _QuietServer(("127.0.0.1", 0), _handler(hostile))
    server.daemon_threads = True
    hostile.issuer = LocalIssuer(url=f"http://127.0.0.1:{server.server_address[1]}")
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield hostile
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
