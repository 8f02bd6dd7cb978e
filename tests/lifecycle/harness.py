"""Driving the real `tfoidc` CLI against the sandbox: a Terraform workspace per test, its own state key,
and a recording forwarder in front of STS that shows which STS calls a command made (or did not make)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import threading
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

from tfoidc.config import default_apply_audience
from tfoidc.lifecycle.demo import sandbox_backend_config
from tfoidc.sandbox import Sandbox
from tfoidc.sandbox.pytest_fixtures import LEAKY_VARIABLES

REPO = Path(__file__).resolve().parents[2]
SANDBOX_ROOT = REPO / "terraform" / "sandbox"
COMMIT = "c0ffee0000000000000000000000000000000001"
# Every CI variable a developer's shell or an outer pipeline could leak into the command under test.
_CI_VARIABLES = ("CI_COMMIT_SHA", "CI_PIPELINE_ID", "CI_JOB_ID", "TFOIDC_CONFIG", "TFOIDC_TERRAFORM_BIN")


class StsRecorder:
    """A forwarder to the moto server that records the STS `Action` of every request it passes on."""

    def __init__(self, upstream: str) -> None:
        self.upstream = upstream
        self.actions: list[str] = []
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def clear(self) -> None:
        with self._lock:
            self.actions.clear()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        recorder = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                action = parse_qs(body.decode("utf-8", "replace")).get("Action", ["?"])[0]
                with recorder._lock:
                    recorder.actions.append(action)
                headers = {
                    k: v for k, v in self.headers.items() if k.lower() not in ("host", "content-length")
                }
                request = urllib.request.Request(
                    recorder.upstream + self.path, data=body, headers=headers, method="POST"
                )
                try:
                    with urllib.request.urlopen(request, timeout=30) as response:
                        status, payload, ctype = response.status, response.read(), response.headers
                except urllib.error.HTTPError as exc:
                    status, payload, ctype = exc.code, exc.read(), exc.headers
                self.send_response(status)
                self.send_header("Content-Type", ctype.get("Content-Type", "text/xml"))
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, format: str, *args: Any) -> None:
                return

        return Handler


@dataclass
class Result:
    returncode: int
    stdout: str
    stderr: str

    @property
    def output(self) -> str:
        return self.stdout + self.stderr

    @property
    def last_line(self) -> str:
        lines = [line for line in self.stderr.splitlines() if line.strip()]
        return lines[-1] if lines else ""


@dataclass
class Workspace:
    """A copy of terraform/sandbox with a tfoidc.toml whose environments keep their state under a key
    no other test uses."""

    path: Path
    sandbox: Sandbox
    sts: StsRecorder
    mirror: Path
    state_prefix: str = field(default_factory=lambda: f"tests/{uuid.uuid4().hex}")
    environments: dict[str, dict[str, Any]] = field(default_factory=dict)
    extra_toml: str = ""
    backend_overrides: dict[str, dict[str, Any]] = field(default_factory=dict)

    @property
    def root(self) -> Path:
        return self.path / "root"

    @property
    def config(self) -> Path:
        return self.path / "tfoidc.toml"

    def out(self, environment: str) -> Path:
        return self.path / "out" / environment

    def state_key(self, environment: str) -> str:
        return f"{self.state_prefix}/{environment}.tfstate"

    def add_environment(self, name: str, *, role: str = "dev", **settings: Any) -> None:
        env: dict[str, Any] = {
            "root": "root",
            "role_arn": self.sandbox.roles[role],
            "audience": self.sandbox.issuer.audience,
            "issuer": self.sandbox.issuer.url,
            "region": self.sandbox.region,
            "plugin_dir": str(self.mirror),
        }
        env.update(settings)
        self.environments[name] = env
        self.write_config()

    def write_config(self) -> None:
        lines: list[str] = []
        for name, env in self.environments.items():
            lines.append(f"[environments.{name}]")
            lines += [f"{key} = {toml_value(value)}" for key, value in env.items()]
            lines.append(f"[environments.{name}.backend_config]")
            backend = {
                **sandbox_backend_config(self.sandbox, self.state_key(name)),
                **self.backend_overrides.get(name, {}),
            }
            lines += [f"{key} = {toml_value(value)}" for key, value in backend.items()]
            lines.append("")
        self.config.write_text("\n".join(lines) + "\n" + self.extra_toml)

    def env(self, token: str | None = None, **extra: str) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if k not in (*LEAKY_VARIABLES, *_CI_VARIABLES)}
        env.update(self.sandbox.env())
        env.update(
            {
                "AWS_ENDPOINT_URL_STS": self.sts.url,
                "CI_COMMIT_SHA": COMMIT,
                "PATH": f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}",
                "COLUMNS": "200",
            }
        )
        if token is not None:
            env["GITLAB_OIDC_TOKEN"] = token
        env.update(extra)
        return env

    def token(self, **claims: Any) -> str:
        """A plan job's token: the plan audience."""
        return self.sandbox.issuer.mint(**{"ref": "main", "ref_protected": "true", **claims})

    @property
    def apply_audience(self) -> str:
        return default_apply_audience(self.sandbox.issuer.url)

    def apply_token(self, **claims: Any) -> str:
        """An apply job's token: the apply audience (<issuer>/apply by default)."""
        return self.token(aud=self.apply_audience, **claims)

    def tfoidc(self, *args: str, token: str | None = None, env: dict[str, str] | None = None) -> Result:
        argv = [sys.executable, "-m", "tfoidc", "--config", str(self.config), *args]
        done = subprocess.run(
            argv,
            cwd=self.path,
            env=env if env is not None else self.env(token if token is not None else self.token()),
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        return Result(done.returncode, done.stdout, done.stderr)

    def plan(self, environment: str, *args: str, **kwargs: Any) -> Result:
        return self.tfoidc("plan", environment, "--out-dir", str(self.out(environment)), *args, **kwargs)

    def apply(self, environment: str, *args: str, **kwargs: Any) -> Result:
        if kwargs.get("token") is None and kwargs.get("env") is None:
            kwargs["token"] = self.apply_token()
        return self.tfoidc("apply", environment, "--out-dir", str(self.out(environment)), *args, **kwargs)


def toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    return '"' + str(value).replace("\\", "\\\\").replace('"', '\\"') + '"'


def copy_sandbox_root(dest: Path) -> Path:
    shutil.copytree(SANDBOX_ROOT, dest, ignore=shutil.ignore_patterns(".terraform*", "*.tfstate*"))
    return dest
