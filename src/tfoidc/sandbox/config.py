"""A tfoidc.toml for the sandbox: one environment per sandbox role, every endpoint setting written out.

`tfoidc sandbox up --write-config` and `tfoidc demo` both write it, so `tfoidc plan dev --local` (with the
`export` lines of `sandbox up` in the shell) and the demo's own jobs run against the same settings.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

# The sandbox roles that stand for environments (provision.SANDBOX_ROLE_NAMES minus the read-only one).
CONFIG_ENVIRONMENTS = ("dev", "staging", "prod")
# prod and staging apply from main only, on a protected ref: the branch rules the demo shows refusing.
PROTECTED_ENVIRONMENTS = frozenset({"staging", "prod"})
# The first line of every config written here: only such a file is ever replaced.
CONFIG_HEADER = "# Written by `tfoidc sandbox up --write-config` for the local sandbox"


@dataclass(frozen=True)
class SandboxEndpoints:
    """What a config needs to know about a running sandbox (a `Sandbox` or a background state file)."""

    region: str
    moto_endpoint: str
    issuer_url: str
    audience: str
    state_bucket: str
    lock_table: str
    roles: Mapping[str, str]


def backend_config(endpoints: SandboxEndpoints, key: str) -> dict[str, str | bool]:
    """S3 backend settings for Terraform 1.0's S3 backend talking to the sandbox's moto server."""
    endpoint = endpoints.moto_endpoint
    return {
        "bucket": endpoints.state_bucket,
        "key": key,
        "region": endpoints.region,
        "dynamodb_table": endpoints.lock_table,
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


def environment_toml(
    name: str,
    endpoints: SandboxEndpoints,
    *,
    root: str,
    plugin_dir: str,
    role: str,
    state_key: str,
    protected: bool,
    allow_local_apply: bool = False,
) -> str:
    lines = [
        f"[environments.{name}]",
        f"root = {toml_str(root)}",
        f"role_arn = {toml_str(endpoints.roles[role])}",
        f"audience = {toml_str(endpoints.audience)}",
        f"issuer = {toml_str(endpoints.issuer_url)}",
        f"region = {toml_str(endpoints.region)}",
        f"plugin_dir = {toml_str(plugin_dir)}",
    ]
    if protected:
        lines += ['apply_refs = ["main"]', "require_protected_ref = true"]
    # --local assumes local_role_arn with the caller's own keys (the sandbox's `testing` keys); moto does
    # not enforce trust policies, so the environment's role serves. A real account has a developer role.
    lines.append(f"local_role_arn = {toml_str(endpoints.roles[role])}")
    if allow_local_apply:
        lines.append("allow_local_apply = true")
    lines += ["", f"[environments.{name}.backend_config]"]
    for key, value in backend_config(endpoints, state_key).items():
        lines.append(f"{key} = {str(value).lower() if isinstance(value, bool) else toml_str(value)}")
    return "\n".join(lines) + "\n"


def sandbox_config_toml(endpoints: SandboxEndpoints, *, root: str, plugin_dir: str) -> str:
    """dev, staging and prod on the same Terraform root, each with its role and its own state key."""
    header = (
        f"{CONFIG_HEADER} (moto + a GitLab-like issuer).\n"
        '# Use it in a shell that ran `eval "$(tfoidc sandbox up)"`: `tfoidc plan dev --local`.\n\n'
    )
    sections = [
        environment_toml(
            name,
            endpoints,
            root=root,
            plugin_dir=plugin_dir,
            role=name,
            state_key=f"{name}.tfstate",
            protected=name in PROTECTED_ENVIRONMENTS,
            allow_local_apply=name == "dev",
        )
        for name in CONFIG_ENVIRONMENTS
    ]
    return header + "\n".join(sections)


def toml_str(value: str) -> str:
    """A TOML basic string; control characters escaped so no value can end the line."""
    escaped = value.replace("\\", "\\\\").replace('"', '\\"')
    escaped = "".join(c if c >= " " and c != "\x7f" else f"\\u{ord(c):04x}" for c in escaped)
    return f'"{escaped}"'
