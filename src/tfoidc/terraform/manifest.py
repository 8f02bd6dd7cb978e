"""The plan manifest: what a saved plan was made from and where, so that `apply` runs only the reviewed
plan, made in this pipeline on a protected ref.

Where a plan was made (its provenance) comes from the ID token's claims, which GitLab signs, and from
the CI variables where a claim is absent. The job's script could write any manifest: these checks guard
against mistakes (a plan from a merge request pipeline, another pipeline's artifacts); the boundary is
the apply role's trust policy and GitLab's protected environments (docs/security.md).
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import orjson

from tfoidc.errors import PolicyBlocked
from tfoidc.files import write_atomic

MANIFEST_VERSION = 2
# Pipelines that run for a merge request: their plans are for review, never for apply.
MERGE_REQUEST_SOURCES = frozenset({"merge_request_event", "external_pull_request_event"})
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
    # Where the plan was made: the ref, its type and protection, the pipeline's source, and the job
    # (whose namesake in the merge request's pipeline made the plan a reviewer saw).
    ref: str | None = None
    ref_type: str | None = None
    ref_protected: bool | None = None
    pipeline_source: str | None = None
    job_name: str | None = None
    version: int = MANIFEST_VERSION

    @property
    def provenance(self) -> Provenance:
        return Provenance(
            pipeline_id=self.pipeline_id,
            ref=self.ref,
            ref_type=self.ref_type,
            ref_protected=self.ref_protected,
            pipeline_source=self.pipeline_source,
            job_name=self.job_name,
        )


@dataclass(frozen=True)
class Provenance:
    """Where a job runs: the pipeline, the ref, its type and protection, the pipeline's source."""

    pipeline_id: str | None = None
    ref: str | None = None
    ref_type: str | None = None  # branch | tag
    ref_protected: bool | None = None
    pipeline_source: str | None = None  # push, web, schedule, merge_request_event, ...
    job_name: str | None = None

    def recorded(self) -> dict[str, Any]:
        """The manifest fields (pipeline_id is one already)."""
        return {k: v for k, v in asdict(self).items() if k != "pipeline_id"}


def job_provenance(claims: Mapping[str, Any], environ: Mapping[str, str]) -> Provenance:
    """Where this job runs: the ID token's claims first (GitLab signs them), else the CI variables."""

    def pick(claim: str, variable: str) -> str | None:
        value = claims.get(claim)
        if value is None or value == "":
            value = environ.get(variable) or None
        return None if value is None else str(value)

    ref_type = pick("ref_type", "")
    if ref_type is None:
        ref_type = (
            "tag" if environ.get("CI_COMMIT_TAG") else "branch" if environ.get("CI_COMMIT_BRANCH") else None
        )
    protected = pick("ref_protected", "CI_COMMIT_REF_PROTECTED")
    return Provenance(
        pipeline_id=pick("pipeline_id", "CI_PIPELINE_ID"),
        ref=pick("ref", "CI_COMMIT_REF_NAME"),
        ref_type=ref_type,
        ref_protected=None if protected is None else protected.lower() == "true",
        pipeline_source=pick("pipeline_source", "CI_PIPELINE_SOURCE"),
        job_name=environ.get("CI_JOB_NAME") or None,
    )


def verify_provenance(manifest: PlanManifest, current: Provenance) -> None:
    """Refuse (exit 3) a CI plan made for review (a merge request pipeline), on an unprotected ref, in
    another pipeline or on another ref. Local plans are governed by `allow_local_apply` instead."""
    if manifest.local:
        return
    if manifest.pipeline_source in MERGE_REQUEST_SOURCES:
        raise PolicyBlocked(
            f"the saved plan was made in a merge request pipeline ({manifest.pipeline_source}): "
            "such plans are for review, never applied",
            hint="apply the plan made on the protected branch after the merge",
        )
    if manifest.ref_protected is not True:
        state = "unprotected" if manifest.ref_protected is False else "not known to be protected"
        raise PolicyBlocked(
            f"the saved plan was made on ref {manifest.ref or '(unknown)'!r}, which is {state}",
            hint="plans are applied only when made on a protected ref",
        )
    if manifest.pipeline_id != current.pipeline_id:
        raise PolicyBlocked(
            f"the saved plan was made in pipeline {manifest.pipeline_id or '(unknown)'}, "
            f"not in this pipeline ({current.pipeline_id or 'unknown'})",
            hint="apply the plan of this pipeline's plan job",
        )
    made = (manifest.ref_type, manifest.ref)
    now = (current.ref_type, current.ref)
    if made != now:
        raise PolicyBlocked(
            f"the saved plan was made on {made[0] or 'ref'} {made[1]!r}, this job runs on {now[0] or 'ref'} {now[1]!r}"
        )


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
            raise PolicyBlocked(
                f"plan manifest {path} has unsupported version {raw.get('version')!r}",
                hint="plan and apply with the same tfoidc version",
            )
        manifest = PlanManifest(**raw)
    except (TypeError, AttributeError):
        raise PolicyBlocked(f"plan manifest {path} is malformed") from None
    if not isinstance(manifest.ref_protected, bool | None) or not all(
        isinstance(v, str | None)
        for v in (manifest.pipeline_id, manifest.ref, manifest.ref_type, manifest.pipeline_source)
    ):
        raise PolicyBlocked(f"plan manifest {path} is malformed")
    return manifest


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
