"""Fetching the issuer's discovery document and signing keys, bounded in every way a hostile or broken
server could stretch: https only (a loopback issuer, the local sandbox, is the one explicit exception),
no redirect to another host, a size limit, and one deadline for the whole exchange that a server
dripping one byte at a time cannot stretch either."""

from __future__ import annotations

import contextlib
import http.client
import ipaddress
import json
import os
import socket
import ssl
import threading
import time
import urllib.parse
import urllib.request
from dataclasses import dataclass
from typing import Any

from tfoidc.errors import AuthError, OperationalError

# GitLab's discovery document and key set are a few kilobytes.
MAX_DOCUMENT_BYTES = 1 << 20
MAX_REDIRECTS = 3
DEFAULT_TIMEOUT = 10.0
TIMEOUT_ENV_VAR = "TFOIDC_NETWORK_TIMEOUT"
_LOOPBACK_NAMES = ("localhost",)


def network_timeout() -> float:
    """Seconds: $TFOIDC_NETWORK_TIMEOUT, else 10 (the deadline of the issuer fetches; each AWS call's
    connect and read timeout)."""
    raw = os.environ.get(TIMEOUT_ENV_VAR, "")
    try:
        value = float(raw)
    except ValueError:
        return DEFAULT_TIMEOUT
    return value if 0 < value <= 600 else DEFAULT_TIMEOUT


@dataclass(frozen=True)
class Deadline:
    """One deadline shared by every request of an exchange."""

    at: float
    seconds: float

    @classmethod
    def after(cls, seconds: float) -> Deadline:
        return cls(time.monotonic() + seconds, seconds)

    @property
    def left(self) -> float:
        return self.at - time.monotonic()


def is_loopback(host: str) -> bool:
    if host.lower() in _LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def acceptable(url: str) -> bool:
    """Absolute https, or http to a loopback host (the local sandbox, the one explicit exception)."""
    parts = urllib.parse.urlsplit(url)
    host = parts.hostname or ""
    return bool(host) and (parts.scheme == "https" or (parts.scheme == "http" and is_loopback(host)))


def fetch_json(url: str, *, what: str, deadline: Deadline, hint: str | None = None) -> Any:
    """GET `url` and decode it as JSON, within `deadline` and MAX_DOCUMENT_BYTES; redirects are followed
    only within the same scheme, host and port."""
    if not acceptable(url):
        raise AuthError(f"{what} {url!r} is not an https URL", hint=hint)
    parts = urllib.parse.urlsplit(url)
    origin = (parts.scheme, parts.hostname, parts.port)
    current = url
    for _ in range(MAX_REDIRECTS + 1):
        status, location, body = _get(current, what=what, deadline=deadline, hint=hint)
        if status in (301, 302, 303, 307, 308) and location:
            target = urllib.parse.urlsplit(urllib.parse.urljoin(current, location))
            if (target.scheme, target.hostname, target.port) != origin:
                raise AuthError(
                    f"{what} {url} redirects to another host ({target.scheme}://{target.netloc})",
                    hint="the issuer must serve its discovery document and keys itself",
                )
            current = target.geturl()
            continue
        if status != 200:
            raise OperationalError(f"{what} {current} answered HTTP {status}", hint=hint)
        try:
            return json.loads(body)
        except ValueError:
            raise OperationalError(f"{what} {current} is not JSON", hint=hint) from None
    raise OperationalError(f"{what} {url} redirects more than {MAX_REDIRECTS} times", hint=hint)


def _get(url: str, *, what: str, deadline: Deadline, hint: str | None) -> tuple[int, str | None, bytes]:
    parts = urllib.parse.urlsplit(url)
    if deadline.left <= 0:
        raise _late(what, url, deadline, hint)
    connection, target = _connect(parts, deadline)
    # The deadline holds however slowly the server answers: at its end the socket is shut down, which
    # ends any read in progress.
    watchdog = threading.Timer(max(deadline.left, 0.0), _shut, args=(connection,))
    watchdog.daemon = True
    watchdog.start()
    try:
        connection.request("GET", target, headers={"Accept": "application/json", "User-Agent": "tfoidc"})
        response = connection.getresponse()
        length = response.getheader("Content-Length")
        if length and length.isdigit() and int(length) > MAX_DOCUMENT_BYTES:
            raise _too_large(what, url, hint)
        body = bytearray()
        while chunk := response.read(65536):
            body += chunk
            if len(body) > MAX_DOCUMENT_BYTES:
                raise _too_large(what, url, hint)
            if deadline.left <= 0:
                raise _late(what, url, deadline, hint)
        if deadline.left <= 0:
            raise _late(what, url, deadline, hint)
        return response.status, response.getheader("Location"), bytes(body)
    except (OSError, http.client.HTTPException) as exc:
        if deadline.left <= 0:
            raise _late(what, url, deadline, hint) from None
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else exc
        raise OperationalError(f"cannot fetch {what} {url}: {reason}", hint=hint) from None
    finally:
        watchdog.cancel()
        connection.close()


def _connect(parts: urllib.parse.SplitResult, deadline: Deadline) -> tuple[http.client.HTTPConnection, str]:
    """A connection for `parts` (through $HTTPS_PROXY / $HTTP_PROXY unless $NO_PROXY or a loopback
    host says otherwise) and the request target to send on it."""
    host, port = parts.hostname or "", parts.port
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    proxy = None if is_loopback(host) else _proxy_for(parts)
    if parts.scheme == "https":
        context = ssl.create_default_context()
        if proxy is None:
            return http.client.HTTPSConnection(host, port, timeout=deadline.left, context=context), path
        connection = http.client.HTTPSConnection(
            proxy.hostname or "", proxy.port, timeout=deadline.left, context=context
        )
        connection.set_tunnel(host, port)  # CONNECT: the proxy sees the host, never the exchange
        return connection, path
    if proxy is None:
        return http.client.HTTPConnection(host, port, timeout=deadline.left), path
    return http.client.HTTPConnection(proxy.hostname or "", proxy.port, timeout=deadline.left), parts.geturl()


def _proxy_for(parts: urllib.parse.SplitResult) -> urllib.parse.SplitResult | None:
    proxies = urllib.request.getproxies_environment()
    proxy = proxies.get(parts.scheme)
    if not proxy or urllib.request.proxy_bypass(parts.netloc):  # $NO_PROXY
        return None
    return urllib.parse.urlsplit(proxy if "://" in proxy else f"http://{proxy}")


def _shut(connection: http.client.HTTPConnection) -> None:
    sock = connection.sock
    if sock is not None:
        with contextlib.suppress(OSError):
            sock.shutdown(socket.SHUT_RDWR)


def _late(what: str, url: str, deadline: Deadline, hint: str | None) -> OperationalError:
    return OperationalError(
        f"{what} {url} did not arrive within {deadline.seconds:g} s (${TIMEOUT_ENV_VAR})", hint=hint
    )


def _too_large(what: str, url: str, hint: str | None) -> OperationalError:
    return OperationalError(f"{what} {url} is larger than {MAX_DOCUMENT_BYTES // 1024} KiB", hint=hint)
