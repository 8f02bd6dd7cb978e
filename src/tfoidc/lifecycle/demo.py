"""`tfoidc demo`: the main CI job end to end on the local sandbox, with the real commands.

Starts the sandbox (moto + a GitLab-like issuer), mints an ID token for the protected main branch,
writes a tfoidc.toml for `terraform/sandbox`, then runs `tfoidc plan`, `tfoidc apply` and a second
`tfoidc plan --detailed-exitcode` in child processes exactly as a pipeline would.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from rich.console import Console

import tfoidc
from tfoidc.config import default_apply_audience
from tfoidc.errors import InputError, OperationalError
from tfoidc.sandbox import Sandbox
from tfoidc.terraform.binary import BIN_ENV_VAR, TerraformBinary, discover_terraform, packaged_terraform
from tfoidc.terraform.providers import build_null_provider_mirror

ENVIRONMENT = "sandbox"
_MARKER = ".tfoidc-demo"


def sandbox_backend_config(sandbox: Sandbox, key: str) -> dict[str, str | bool]:
    """S3 backend settings for Terraform 1.0's S3 backend talking to the sandbox's moto server."""
    endpoint = sandbox.moto_endpoint
    return {
        "bucket": sandbox.state_bucket,
        "key": key,
        "region": sandbox.region,
        "dynamodb_table": sandbox.lock_table,
        "encrypt": True,
        "endpoint": endpoint,
        "dynamodb_endpoint": endpoint,
        "sts_endpoint": endpoint,
        "iam_endpoint": endpoint,
        "force_path_style": True,
        "skip_credentials_validation": True,
        "skip_metadata_api_check": True,
        "skip_region_validation": True,
    }


def sandbox_config_toml(
    sandbox: Sandbox, *, root: Path, plugin_dir: Path, role: str = "dev", state_key: str = "sandbox.tfstate"
) -> str:
    lines = [
        f"[environments.{ENVIRONMENT}]",
        f"root = {_toml_str(str(root))}",
        f"role_arn = {_toml_str(sandbox.roles[role])}",
        f"audience = {_toml_str(sandbox.issuer.audience)}",
        f"issuer = {_toml_str(sandbox.issuer.url)}",
        f"region = {_toml_str(sandbox.region)}",
        f"plugin_dir = {_toml_str(str(plugin_dir))}",
        'apply_refs = ["main"]',
        "require_protected_ref = true",
        "",
        f"[environments.{ENVIRONMENT}.backend_config]",
    ]
    for key, value in sandbox_backend_config(sandbox, state_key).items():
        lines.append(f"{key} = {str(value).lower() if isinstance(value, bool) else _toml_str(value)}")
    return "\n".join(lines) + "\n"


def shipped_sandbox_root() -> Path:
    """`terraform/sandbox` of the checkout tfoidc runs from (editable install), else of the cwd."""
    candidates = (Path(tfoidc.__file__).resolve().parents[2], Path.cwd())
    for base in candidates:
        root = base / "terraform" / "sandbox"
        if (root / "main.tf").is_file():
            return root
    raise InputError("terraform/sandbox/main.tf not found", hint="run `tfoidc demo` from a tfoidc checkout")


def demo_terraform(environ: dict[str, str] | None = None) -> TerraformBinary:
    """$TFOIDC_TERRAFORM_BIN when set, else the packaged Terraform 1.0.3 (the sandbox's S3 backend
    settings are written for it), else whatever `discover_terraform` finds."""
    env = dict(os.environ) if environ is None else environ
    packaged = packaged_terraform()
    if env.get(BIN_ENV_VAR) or packaged is None:
        return discover_terraform(None, env)
    return discover_terraform(str(packaged), env)


def run_demo(out_dir: Path, *, console: Console) -> dict[str, Path]:
    _fresh_dir(out_dir)
    workspace = out_dir / "workspace"
    shutil.copytree(
        shipped_sandbox_root(), workspace, ignore=shutil.ignore_patterns(".terraform*", "*.tfstate*")
    )
    binary = demo_terraform()
    plugin_dir = build_null_provider_mirror(out_dir / "providers")
    console.print(f"demo: {binary.flavour} {binary.version} at {binary.path}; starting the local sandbox")
    with Sandbox() as sandbox:
        config = out_dir / "tfoidc.toml"
        config.write_text(sandbox_config_toml(sandbox, root=workspace, plugin_dir=plugin_dir))
        env = {
            **os.environ,
            **sandbox.env(),
            "GITLAB_OIDC_TOKEN": sandbox.issuer.mint(ref="main", ref_protected="true"),
            "TFOIDC_TERRAFORM_BIN": str(binary.path),
        }
        env.pop("AWS_PROFILE", None)
        plan_dir, recheck_dir = out_dir / "plan", out_dir / "plan-after-apply"
        _step(console, "plan", [ENVIRONMENT, "--out-dir", str(plan_dir)], config, env)
        # The apply job requests its own audience; only it is accepted for apply.
        apply_token = sandbox.issuer.mint(
            ref="main", ref_protected="true", aud=default_apply_audience(sandbox.issuer.url)
        )
        apply_env = {**env, "GITLAB_OIDC_TOKEN": apply_token}
        _step(console, "apply", [ENVIRONMENT, "--out-dir", str(plan_dir)], config, apply_env)
        code = _step(
            console,
            "plan",
            [ENVIRONMENT, "--detailed-exitcode", "--out-dir", str(recheck_dir)],
            config,
            env,
            ok=(0, 5),
        )
        if code != 0:
            raise OperationalError("the plan after apply still has changes: the apply did not converge")
    return {
        "configuration": config,
        "plan and reports": plan_dir,
        "second plan (no changes)": recheck_dir,
        "terraform root": workspace,
    }


def _step(
    console: Console,
    command: str,
    args: list[str],
    config: Path,
    env: dict[str, str],
    ok: tuple[int, ...] = (0,),
) -> int:
    console.rule(f"tfoidc {command} {' '.join(args[:1] + [a for a in args[1:] if a.startswith('--d')])}")
    argv = [sys.executable, "-m", "tfoidc", "--config", str(config), command, *args]
    code = subprocess.run(argv, env=env, check=False).returncode
    if code not in ok:
        raise OperationalError(f"demo step `tfoidc {command}` failed with exit code {code} (see above)")
    return code


def _fresh_dir(out_dir: Path) -> None:
    if out_dir.exists():
        if not (out_dir / _MARKER).exists():
            raise InputError(f"{out_dir} exists and was not made by `tfoidc demo`; choose another --out-dir")
        shutil.rmtree(out_dir)
    out_dir.mkdir(parents=True)
    (out_dir / _MARKER).write_text("made by tfoidc demo; replaced on each run\n")


def _toml_str(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
