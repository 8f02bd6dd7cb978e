"""A repository of sandbox stacks for the stacks tests and benchmark: each stack a null-provider root with
its state in the sandbox's S3 bucket, `live/network` read by `live/app` through terraform_remote_state
(a built-in data source: no provider to download), and `live/cache` applied after `live/db`
(`depends_on` in tfoidc.toml)."""

from __future__ import annotations

from pathlib import Path

from tfoidc.lifecycle.demo import sandbox_backend_config
from tfoidc.sandbox import Sandbox

NULL_PROVIDER = """terraform {
  required_providers {
    null = {
      source  = "hashicorp/null"
      version = "2.1.2"
    }
  }
  backend "s3" {}
}
"""

NETWORK = (
    NULL_PROVIDER
    + """
resource "null_resource" "network" {
  triggers = { cidr = "10.0.0.0/16" }
}

output "network_id" {
  value = null_resource.network.id
}
"""
)

PLAIN = (
    NULL_PROVIDER
    + """
resource "null_resource" "this" {
  triggers = { name = "{name}" }
}
"""
)


def app_root(sandbox: Sandbox, network_key: str) -> str:
    """A root reading live/network's outputs from its state in the sandbox bucket."""
    endpoint = sandbox.moto_endpoint
    return (
        NULL_PROVIDER
        + f"""
data "terraform_remote_state" "network" {{
  backend = "s3"
  config = {{
    bucket                      = "{sandbox.state_bucket}"
    key                         = "{network_key}"
    region                      = "{sandbox.region}"
    endpoint                    = "{endpoint}"
    sts_endpoint                = "{endpoint}"
    force_path_style            = true
    skip_credentials_validation = true
    skip_metadata_api_check     = true
    skip_region_validation      = true
  }}
}}

resource "null_resource" "app" {{
  triggers = {{ network = data.terraform_remote_state.network.outputs.network_id }}
}}
"""
    )


def write_sandbox_stacks(
    root: Path, sandbox: Sandbox, *, state_prefix: str, plugin_dir: Path, extra: int = 0
) -> list[str]:
    """Write the stacks and tfoidc.toml under `root`; returns the stack names. `extra` more plain stacks
    (`live/extra-N`) make a larger set for the benchmark."""
    names = ["live/network", "live/app", "live/db", "live/cache"] + [f"live/extra-{i}" for i in range(extra)]
    for name in names:
        folder = root / name
        folder.mkdir(parents=True, exist_ok=True)
        if name == "live/network":
            text = NETWORK
        elif name == "live/app":
            text = app_root(sandbox, f"{state_prefix}/live/network.tfstate")
        else:
            text = PLAIN.replace("{name}", name)
        (folder / "main.tf").write_text(text)
    backend = sandbox_backend_config(sandbox, f"{state_prefix}/{{stack}}.tfstate")
    lines = [
        '[stacks.settings."live/**"]',
        f'role_arn = "{sandbox.roles["dev"]}"',
        f'audience = "{sandbox.issuer.audience}"',
        f'issuer = "{sandbox.issuer.url}"',
        f'region = "{sandbox.region}"',
        f'plugin_dir = "{plugin_dir}"',
        'apply_refs = ["main"]',
        "require_protected_ref = true",
        "backend_config = { "
        + ", ".join(
            f"{k} = {str(v).lower() if isinstance(v, bool) else repr(str(v)).replace(chr(39), chr(34))}"
            for k, v in backend.items()
        )
        + " }",
        "",
        '[stacks.settings."live/cache"]',
        'depends_on = ["live/db"]',
        "",
    ]
    (root / "tfoidc.toml").write_text("\n".join(lines))
    return names
