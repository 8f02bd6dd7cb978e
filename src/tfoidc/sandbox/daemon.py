"""Running the sandbox in the background for `tfoidc sandbox up|down|status`.

The background process writes a state file (ports, pid, ARNs) and the issuer's throwaway signing key
under the sandbox home, so later commands can find the servers and mint tokens for them.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from tfoidc.errors import InputError, OperationalError
from tfoidc.identity.files import write_private
from tfoidc.sandbox import Sandbox
from tfoidc.sandbox.config import SandboxEndpoints
from tfoidc.sandbox.issuer import LocalIssuer, load_private_key_pem, private_key_pem

STATE_FILE = "state.json"
KEY_FILE = "issuer-key.pem"
LOG_FILE = "sandbox.log"
DAEMON_MODULE = "tfoidc.sandbox.daemon"


@dataclass(frozen=True)
class SandboxState:
    pid: int
    region: str
    moto_endpoint: str
    issuer_url: str
    audience: str
    kid: str
    account_id: str
    oidc_provider_arn: str
    state_bucket: str
    lock_table: str
    roles: dict[str, str] = field(default_factory=dict)
    env: dict[str, str] = field(default_factory=dict)

    @classmethod
    def of(cls, sb: Sandbox, pid: int) -> SandboxState:
        return cls(
            pid=pid,
            region=sb.region,
            moto_endpoint=sb.moto_endpoint,
            issuer_url=sb.issuer.url,
            audience=sb.issuer.audience,
            kid=sb.issuer.kid,
            account_id=sb.account_id,
            oidc_provider_arn=sb.oidc_provider_arn,
            state_bucket=sb.state_bucket,
            lock_table=sb.lock_table,
            roles=dict(sb.roles),
            env=sb.env(),
        )


def sandbox_home(environ: Mapping[str, str] | None = None) -> Path:
    """`$TFOIDC_HOME/sandbox`, else `.tfoidc/sandbox` in the working directory."""
    env = os.environ if environ is None else environ
    base = Path(env["TFOIDC_HOME"]) if env.get("TFOIDC_HOME") else Path.cwd() / ".tfoidc"
    return base / "sandbox"


def read_state(home: Path) -> SandboxState | None:
    path = home / STATE_FILE
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
        return SandboxState(**raw)
    except FileNotFoundError:
        return None
    except (OSError, ValueError, TypeError) as exc:
        raise InputError(f"{path}: unreadable sandbox state ({exc})", hint="remove the file") from None


def is_alive(pid: int) -> bool:
    try:
        reaped, _ = os.waitpid(pid, os.WNOHANG)  # our own exited child would otherwise linger as a zombie
        if reaped == pid:
            return False
    except ChildProcessError:
        pass
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def is_sandbox(pid: int) -> bool:
    """Alive and still the sandbox: after a crash or reboot the recorded pid may belong to anything."""
    if not is_alive(pid):
        return False
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return True  # no /proc (macOS): trust the pid
    return DAEMON_MODULE.encode() in cmdline


def endpoint_answers(url: str, timeout: float = 2.0) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=timeout):
            return True
    except urllib.error.HTTPError:
        return True  # it answered, just not with 200
    except (OSError, ValueError):
        return False


def issuer_from_state(state: SandboxState, home: Path) -> LocalIssuer:
    """The running sandbox's issuer, able to mint tokens its JWKS verifies (the server is not restarted)."""
    key = load_private_key_pem((home / KEY_FILE).read_bytes())
    return LocalIssuer(audience=state.audience, key=key, kid=state.kid, url=state.issuer_url)


def serve_until_signalled(home: Path, *, moto_port: int = 0, issuer_port: int = 0) -> None:
    """Run a sandbox in this process until SIGTERM/SIGINT; the body of the background process.
    Port 0 is any free port."""
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    with Sandbox(moto_port=moto_port, issuer_port=issuer_port) as sb:
        write_private(home / KEY_FILE, private_key_pem(sb.issuer.key))
        state = SandboxState.of(sb, os.getpid())
        write_private(home / STATE_FILE, json.dumps(asdict(state), indent=2).encode())
        try:
            stop.wait()
        finally:
            (home / STATE_FILE).unlink(missing_ok=True)
            (home / KEY_FILE).unlink(missing_ok=True)


def running_state(home: Path) -> SandboxState | None:
    """The state of a sandbox whose process is still alive, else None."""
    state = read_state(home)
    return state if state is not None and is_sandbox(state.pid) else None


def start_background(
    home: Path, *, moto_port: int = 0, issuer_port: int = 0, timeout: float = 60.0
) -> SandboxState:
    existing = running_state(home)
    if existing is not None:
        raise InputError(
            f"a sandbox is already running (pid {existing.pid}, moto {existing.moto_endpoint})",
            hint="`tfoidc sandbox down` stops it",
        )
    for option, port in (("--moto-port", moto_port), ("--issuer-port", issuer_port)):
        _check_port_free(option, port)
    (home / STATE_FILE).unlink(missing_ok=True)
    home.mkdir(parents=True, exist_ok=True)
    with open(home / LOG_FILE, "wb") as log:
        child = subprocess.Popen(
            [sys.executable, "-m", DAEMON_MODULE, str(home), str(moto_port), str(issuer_port)],
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        state = read_state(home)
        if state is not None and state.pid == child.pid:
            return state
        if child.poll() is not None:
            raise OperationalError(
                f"the sandbox process exited with status {child.returncode} before it was ready",
                hint=f"see {home / LOG_FILE}",
            )
        time.sleep(0.1)
    child.terminate()
    raise OperationalError(
        f"the sandbox did not become ready within {timeout:.0f}s", hint=f"see {home / LOG_FILE}"
    )


def _check_port_free(option: str, port: int) -> None:
    if port == 0:
        return
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        try:
            probe.bind(("127.0.0.1", port))
        except OSError as exc:
            raise InputError(
                f"{option} {port}: the port is not free on 127.0.0.1 ({exc.strerror})",
                hint="choose another port, or 0 for any free one",
            ) from None


def stop_background(home: Path, *, timeout: float = 15.0) -> SandboxState | None:
    """Stop the background sandbox; None when none was running (a stale state file is removed)."""
    state = read_state(home)
    if state is None:
        return None
    running = is_sandbox(state.pid)
    if running:
        os.kill(state.pid, signal.SIGTERM)
        deadline = time.monotonic() + timeout
        while is_alive(state.pid) and time.monotonic() < deadline:
            time.sleep(0.1)
        if is_alive(state.pid):
            os.kill(state.pid, signal.SIGKILL)
    (home / STATE_FILE).unlink(missing_ok=True)
    (home / KEY_FILE).unlink(missing_ok=True)
    return state if running else None


def status_of(state: SandboxState) -> dict[str, Any]:
    return {
        "pid": state.pid,
        "process": "running" if is_sandbox(state.pid) else "gone",
        "moto": "answering" if endpoint_answers(state.moto_endpoint + "/moto-api/") else "not answering",
        "issuer": "answering"
        if endpoint_answers(state.issuer_url + "/.well-known/openid-configuration")
        else "not answering",
    }


def endpoints_of(state: SandboxState) -> SandboxEndpoints:
    return SandboxEndpoints(
        region=state.region,
        moto_endpoint=state.moto_endpoint,
        issuer_url=state.issuer_url,
        audience=state.audience,
        state_bucket=state.state_bucket,
        lock_table=state.lock_table,
        roles=state.roles,
    )


if __name__ == "__main__":
    ports = [int(p) for p in sys.argv[2:4]] + [0, 0]
    serve_until_signalled(Path(sys.argv[1]), moto_port=ports[0], issuer_port=ports[1])
