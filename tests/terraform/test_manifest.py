"""Where a plan was made (its provenance, in the manifest) and the apply's refusal of a plan made for
review, on an unprotected ref, in another pipeline or on another ref."""

from __future__ import annotations

import json
from dataclasses import asdict, replace
from pathlib import Path

import pytest

from tfoidc.errors import PolicyBlocked
from tfoidc.sandbox.issuer import gitlab_claims
from tfoidc.terraform.manifest import (
    PlanManifest,
    Provenance,
    job_provenance,
    read_manifest,
    verify_provenance,
    write_manifest,
)

MAIN = gitlab_claims(issuer="https://gitlab.example.com", audience="sts.amazonaws.com", pipeline_id="900")


def manifest(**changes: object) -> PlanManifest:
    base = PlanManifest(
        environment="prod", plan_sha256="0" * 64, terraform_version="1.9.8", root="envs/prod",
        commit_sha="a" * 40, pipeline_id="900", job_id="1",
        **job_provenance(MAIN, {"CI_JOB_NAME": "plan:prod"}).recorded(),
    )  # fmt: skip
    return replace(base, **changes)  # type: ignore[arg-type]


def test_provenance_comes_from_the_signed_claims_before_the_ci_variables() -> None:
    environ = {
        "CI_PIPELINE_ID": "1", "CI_COMMIT_REF_NAME": "evil", "CI_COMMIT_REF_PROTECTED": "true",
        "CI_PIPELINE_SOURCE": "push", "CI_COMMIT_BRANCH": "evil", "CI_JOB_NAME": "plan:prod",
    }  # fmt: skip
    mr = gitlab_claims(
        issuer="https://gitlab.example.com", audience="a", ref="feature/x", ref_protected="false",
        pipeline_source="merge_request_event", pipeline_id="901",
    )  # fmt: skip
    assert job_provenance(mr, environ) == Provenance(
        pipeline_id="901", ref="feature/x", ref_type="branch", ref_protected=False,
        pipeline_source="merge_request_event", job_name="plan:prod",
    )  # fmt: skip
    assert job_provenance({}, environ) == Provenance("1", "evil", "branch", True, "push", "plan:prod")
    assert job_provenance({}, {"CI_COMMIT_TAG": "v1", "CI_COMMIT_REF_NAME": "v1"}).ref_type == "tag"
    assert job_provenance({}, {}) == Provenance()


def test_the_manifest_records_and_reads_back_its_provenance(tmp_path: Path) -> None:
    write_manifest(tmp_path / "manifest.json", manifest())
    read = read_manifest(tmp_path / "manifest.json")
    assert read.provenance == Provenance("900", "main", "branch", True, "push", "plan:prod")


def test_a_plan_of_this_pipeline_on_a_protected_branch_applies() -> None:
    verify_provenance(manifest(), job_provenance(MAIN, {}))


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"pipeline_source": "merge_request_event"}, "made in a merge request pipeline"),
        ({"pipeline_source": "external_pull_request_event"}, "made in a merge request pipeline"),
        ({"ref": "feature/x", "ref_protected": False}, "ref 'feature/x', which is unprotected"),
        ({"ref_protected": None}, "not known to be protected"),
        ({"pipeline_id": "899"}, "made in pipeline 899, not in this pipeline (900)"),
        ({"pipeline_id": None}, "made in pipeline (unknown)"),
        ({"ref_type": "tag"}, "made on tag 'main', this job runs on branch 'main'"),
    ],
)
def test_apply_refuses_a_plan_not_made_here(changes: dict[str, object], message: str) -> None:
    with pytest.raises(PolicyBlocked, match=message.replace("(", r"\(").replace(")", r"\)")) as caught:
        verify_provenance(manifest(**changes), job_provenance(MAIN, {}))
    assert caught.value.exit_code == 3


def test_a_local_plan_is_governed_by_allow_local_apply_instead() -> None:
    verify_provenance(manifest(local=True, pipeline_id=None, ref=None, ref_protected=None), Provenance())


@pytest.mark.parametrize("bad", [{"ref_protected": "true"}, {"pipeline_id": 900}, {"version": 1}])
def test_a_manifest_with_malformed_provenance_blocks(tmp_path: Path, bad: dict[str, object]) -> None:
    path = tmp_path / "manifest.json"
    path.write_text(json.dumps({**asdict(manifest()), **bad}))
    with pytest.raises(PolicyBlocked):
        read_manifest(path)
