"""Binding an apply to the review: where the saved plan was made, and, on the default branch after a
merge, whether it is the plan reviewed on the merge request.

1. The manifest's provenance (terraform.manifest.verify_provenance): a plan from a merge request
   pipeline, from an unprotected ref or from another pipeline is refused (exit 3).
2. On the default branch, the plan's analysis (tfoidc.json) is compared with the one the merge
   request's latest pipeline left in the artifacts of the plan job of the same name (gitlab.review):
   identical resource changes let the apply proceed; otherwise the difference is posted to tfoidc's
   merge request note ("changed since review") and, unless `review_check = "report"`, the apply is
   refused (exit 3).

Both are guards against mistakes (docs/security.md): the job's script is the job author's, and the
boundary is the apply role's trust policy and GitLab's protected environments.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import orjson

from tfoidc.analysis.review import compare_with_review
from tfoidc.errors import InputError, OperationalError, PolicyBlocked, TfoidcError
from tfoidc.gitlab.client import access_from_env
from tfoidc.gitlab.notes import MergeRequestTarget, post_section
from tfoidc.gitlab.review import fetch_reviewed_plan
from tfoidc.lifecycle.artifacts import analysis_path
from tfoidc.lifecycle.target import Target
from tfoidc.report.review import ReviewContext, cannot_compare, changed_since_review
from tfoidc.terraform.manifest import PlanManifest, Provenance, job_provenance, verify_provenance


def verify_review(
    target: Target,
    manifest: PlanManifest,
    *,
    claims: Mapping[str, Any],
    environ: Mapping[str, str],
    timeout: float = 30.0,
) -> str | None:
    """Refuse (PolicyBlocked) a plan not bound to this pipeline and its review; a line to show the
    user when something was compared or is worth saying, else None."""
    current = job_provenance(claims, environ)
    verify_provenance(manifest, current)
    mode = target.env.review_check
    if mode == "off" or manifest.local or not _after_merge(current, environ):
        return None
    enforce = mode == "enforce"
    try:
        return _compare_with_review(target, manifest, environ, enforce=enforce, timeout=timeout)
    except (OperationalError, InputError) as exc:
        if enforce:
            raise
        return f"not compared with the review: {exc.one_line()}"


def _after_merge(current: Provenance, environ: Mapping[str, str]) -> bool:
    """This job runs on the default branch, where merge requests land."""
    default_branch = environ.get("CI_DEFAULT_BRANCH", "").strip()
    return bool(default_branch) and (current.ref_type, current.ref) == ("branch", default_branch)


def _compare_with_review(
    target: Target, manifest: PlanManifest, environ: Mapping[str, str], *, enforce: bool, timeout: float
) -> str:
    env = target.name
    if not manifest.commit_sha or not manifest.job_name:
        raise PolicyBlocked(
            "the plan's manifest names no commit or plan job (CI_COMMIT_SHA, CI_JOB_NAME): "
            "cannot find the plan reviewed on its merge request"
        )
    access = access_from_env(environ, purpose="compare the plan with the one reviewed on its merge request")
    current_file = analysis_path(target.out_dir, env)
    current = _read_analysis(current_file)
    reviewed = fetch_reviewed_plan(
        access,
        commit_sha=manifest.commit_sha,
        job_name=manifest.job_name,
        artifact_path=_in_artifacts(current_file, environ),
        timeout=timeout,
    )
    context = ReviewContext(
        env, manifest.commit_sha, manifest.pipeline_id, reviewed.pipeline_id, refused=enforce
    )
    if reviewed.merge_request_iid is None:
        return _outcome(enforce, f"not reviewed: {reviewed.problem}", "")
    where = f"!{reviewed.merge_request_iid}" + (
        f" (pipeline {reviewed.pipeline_id})" if reviewed.pipeline_id is not None else ""
    )
    mr = MergeRequestTarget(access, reviewed.merge_request_iid)
    problem = reviewed.problem
    if reviewed.document is not None:
        try:
            comparison = compare_with_review(_json(reviewed.document), current)
        except InputError as exc:
            problem = exc.message
        else:
            if comparison.identical:
                return f"{env}: the plan to apply is the plan reviewed on {where}"
            posted = _post(mr, env, changed_since_review(context, comparison))
            count = len(comparison.differences)
            return _outcome(
                enforce,
                f"changed since review: {count} resource change(s) differ from the plan reviewed on {where}",
                posted,
            )
    reason = problem or "no reviewed plan"
    posted = _post(mr, env, cannot_compare(context, reason))
    return _outcome(enforce, f"not compared with a review on {where}: {reason}", posted)


def _outcome(enforce: bool, what: str, posted: str) -> str:
    if enforce:
        raise PolicyBlocked(
            what + posted,
            hint='plan again through a merge request, or set review_check = "report" for this environment',
        )
    return f'{what}{posted} (review_check = "report": applying anyway)'


def _post(mr: MergeRequestTarget, environment: str, section: str) -> str:
    try:
        result = post_section(mr, environment, section)
    except TfoidcError as exc:
        return f"; the merge request note could not be updated ({exc.one_line()})"
    return f"; shown in the merge request note ({result.message})"


def _read_analysis(path: Path) -> Any:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise PolicyBlocked(
            f"cannot read the plan's analysis {path} ({exc.strerror or exc}): cannot compare with the review"
        ) from None
    return _json(data)


def _json(data: bytes) -> Any:
    try:
        return orjson.loads(data)
    except orjson.JSONDecodeError:
        raise InputError("not valid JSON") from None


def _in_artifacts(path: Path, environ: Mapping[str, str]) -> str:
    """`path` as GitLab names it inside a job's artifacts: relative to the project directory."""
    project_dir = Path(environ.get("CI_PROJECT_DIR") or os.getcwd()).resolve()
    try:
        return path.resolve().relative_to(project_dir).as_posix()
    except ValueError:
        raise InputError(
            f"{path} is outside the project directory {project_dir}: it cannot be in the job's artifacts"
        ) from None
