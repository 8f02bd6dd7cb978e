"""The plan manifest: what a saved plan was made from, so that `apply` runs only the reviewed plan."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import orjson

from tfoidc.errors import PolicyBlocked
from tfoidc.files import write_atomic

MANIFEST_VERSION = 1
# Claims worth recording: who planned, from where. Never the token itself.
RECORDED_CLAIMS = (
    "iss", "sub", "aud", "project_path", "project_id", "namespace_path", "ref", "ref_type", "ref_protected",
    "pipeline_id", "pipeline_source", "job_id", "user_login", "sha", "environment",
)  # fmt: skip


@dataclass(frozen=True)
class PlanManifest:
    environment: str
    plan_sha256: str
    terraform_version: str
    root: str
    commit_sha: str | None
    pipeline_id: str | None
    job_id: str | None
    claims: dict[str, Any] = field(default_factory=dict)
    has_changes: bool = False
    blocking_findings: list[str] = field(default_factory=list)
    local: bool = False
    # The remote state the plan was made against (None: no state yet), so that an apply after the
    # state moved on, e.g. a retried apply job, is refused even where Terraform would not notice.
    state_lineage: str | None = None
    state_serial: int | None = None
    version: int = MANIFEST_VERSION


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def recorded_claims(claims: Mapping[str, Any]) -> dict[str, Any]:
    return {k: claims[k] for k in RECORDED_CLAIMS if k in claims}


def write_manifest(path: Path, manifest: PlanManifest) -> None:
    write_atomic(path, orjson.dumps(asdict(manifest), option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS))


def read_manifest(path: Path) -> PlanManifest:
    """The manifest at `path`; a missing or unreadable one blocks the apply (exit 3)."""
    try:
        raw = orjson.loads(path.read_bytes())
    except FileNotFoundError:
        raise PolicyBlocked(
            f"no plan manifest at {path}", hint="run `tfoidc plan` first and pass its output directory"
        ) from None
    except (OSError, orjson.JSONDecodeError) as exc:
        raise PolicyBlocked(f"plan manifest {path} is unreadable: {exc}") from None
    try:
        if raw.get("version") != MANIFEST_VERSION:
            raise PolicyBlocked(f"plan manifest {path} has unsupported version {raw.get('version')!r}")
        return PlanManifest(**raw)
    except (TypeError, AttributeError):
        raise PolicyBlocked(f"plan manifest {path} is malformed") from None


def verify_state_unchanged(manifest: PlanManifest, *, lineage: str | None, serial: int | None) -> None:
    """Refuse (exit 3) when the state changed since the plan: applying it would act on a stale view, and
    a plan made against no state would create everything a second time."""
    if (lineage, serial) != (manifest.state_lineage, manifest.state_serial):
        then = _describe_state(manifest.state_lineage, manifest.state_serial)
        now = _describe_state(lineage, serial)
        raise PolicyBlocked(
            f"stale plan: the state changed since this plan was made ({then} then, {now} now)",
            hint="it was applied already, or another run changed the state; run `tfoidc plan` again",
        )


def _describe_state(lineage: str | None, serial: int | None) -> str:
    # Terraform 1.0 reports an absent state as serial 0 without a lineage.
    return "no state" if not lineage else f"state {lineage[:8]} serial {serial}"


def verify_manifest(
    manifest: PlanManifest,
    *,
    plan_file: Path,
    environment: str,
    root: str,
    commit_sha: str | None,
    terraform_version: str,
) -> None:
    """Refuse (PolicyBlocked, exit 3) a plan that is missing, tampered with or made for something else."""
    if not plan_file.is_file():
        raise PolicyBlocked(f"saved plan {plan_file} is missing", hint="run `tfoidc plan` again")
    if sha256_file(plan_file) != manifest.plan_sha256:
        raise PolicyBlocked(f"saved plan {plan_file} does not match its manifest (sha256 differs): tampered")
    mismatches = [
        f"{what} is {now!r} but the plan was made for {then!r}"
        for what, then, now in (
            ("environment", manifest.environment, environment),
            ("Terraform root", manifest.root, root),
            ("commit", manifest.commit_sha, commit_sha),
            ("Terraform version", manifest.terraform_version, terraform_version),
        )
        if then != now
    ]
    if mismatches:
        raise PolicyBlocked(f"stale plan: {'; '.join(mismatches)}", hint="run `tfoidc plan` again")
    if manifest.blocking_findings:
        raise PolicyBlocked(
            f"the plan has {len(manifest.blocking_findings)} blocking guardrail finding(s): "
            + ", ".join(manifest.blocking_findings[:5])
        )
