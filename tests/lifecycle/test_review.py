"""Apply bound to the review, against the local GitLab: the plan to apply is compared with the tfoidc.json
the merge request's latest pipeline left in its plan job's artifacts (a real zip archive, found through
the commit's merge request, its pipelines and their jobs), and the note says what changed.

The analyses are real ones, of real plans in ../shared and plans derived from them; tests/e2e/
test_review.py does the same with real `tfoidc plan` runs and the real Terraform binary.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import orjson
import pytest

from tests.gitlab.server import MALLORY_USER, MR_IID, TFOIDC_TOKEN, Failure, FakeGitLab, Job, zip_artifacts
from tests.report.plans import analysis_of, load_fixture
from tfoidc.analysis.contract import analysis_to_dict
from tfoidc.config import EnvironmentConfig
from tfoidc.errors import OperationalError, PolicyBlocked
from tfoidc.gitlab.marker import note_marker
from tfoidc.lifecycle.artifacts import analysis_path
from tfoidc.lifecycle.review import verify_review
from tfoidc.lifecycle.target import Target
from tfoidc.sandbox.issuer import gitlab_claims
from tfoidc.terraform.manifest import PlanManifest, job_provenance

PLAN = "infracost/example_plan.json"
COMMIT = "c0mm1t" + "0" * 34
CLAIMS = gitlab_claims(issuer="https://gitlab.example.com", audience="sts.amazonaws.com", pipeline_id="900")


@dataclass
class Project:
    target: Target
    environ: dict[str, str]
    manifest: PlanManifest
    fake: FakeGitLab
    dir: Path

    def current(self, doc: dict[str, Any]) -> None:
        """The plan about to be applied: its analysis where `tfoidc plan` leaves it."""
        path = analysis_path(self.target.out_dir, "prod")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(orjson.dumps(tfoidc_json(doc)))

    def reviewed(self, doc: dict[str, Any] | None, *, pipeline: int = 800, status: str = "success") -> None:
        """The merge request's pipeline, its plan job's artifacts holding the analysis of `doc`."""
        folder = self.dir / "mr-job"
        out = folder / "tfoidc-out" / "prod"
        out.mkdir(parents=True, exist_ok=True)
        if doc is not None:
            (out / "tfoidc.json").write_bytes(orjson.dumps(tfoidc_json(doc)))
        (out / "report.md").write_text("the report")
        archive = zip_artifacts(folder / "tfoidc-out", folder)
        jobs = [
            Job(pipeline * 10, "plan:staging", artifacts=archive),
            Job(pipeline * 10 + 1, "plan:prod", status, archive),
        ]
        self.fake.add_pipeline(MR_IID, pipeline, "feed" * 10, jobs)
        self.fake.commit_merge_requests[COMMIT] = [MR_IID]

    def verify(self, **env: str) -> str | None:
        return verify_review(
            self.target, self.manifest, claims=CLAIMS, environ={**self.environ, **env}, timeout=2.0
        )


def tfoidc_json(doc: dict[str, Any]) -> dict[str, Any]:
    return analysis_to_dict(analysis_of(doc, "prod"))


@pytest.fixture
def project(tmp_path: Path, fake_gitlab: FakeGitLab) -> Project:
    target = Target(
        name="prod",
        env=EnvironmentConfig(root="root"),
        root=tmp_path / "root",
        out_dir=tmp_path / "tfoidc-out" / "prod",
    )
    environ = {
        "CI_API_V4_URL": f"{fake_gitlab.url}/api/v4",
        "CI_PROJECT_ID": "42",
        "TFOIDC_GITLAB_TOKEN": TFOIDC_TOKEN,
        "CI_DEFAULT_BRANCH": "main",
        "CI_PROJECT_DIR": str(tmp_path),
    }
    manifest = PlanManifest(
        environment="prod", plan_sha256="0" * 64, terraform_version="1.9.8", root="root", commit_sha=COMMIT,
        pipeline_id="900", job_id="9", **job_provenance(CLAIMS, {"CI_JOB_NAME": "plan:prod"}).recorded(),
    )  # fmt: skip
    return Project(target, environ, manifest, fake_gitlab, tmp_path)


def _changed_value(doc: dict[str, Any]) -> dict[str, Any]:
    doc = copy.deepcopy(doc)
    web = next(rc for rc in doc["resource_changes"] if rc["address"] == "aws_instance.web_app")
    web["change"]["after"]["instance_type"] = "m5.24xlarge"
    return doc


def test_the_reviewed_plan_is_applied(project: Project) -> None:
    plan = load_fixture(PLAN)
    project.current(plan)
    project.reviewed(plan)

    said = project.verify()

    assert said == "prod: the plan to apply is the plan reviewed on !7 (pipeline 800)"
    paths = [r.path.removeprefix("/api/v4/projects/42") for r in project.fake.requests]
    assert paths == [
        f"/repository/commits/{COMMIT}/merge_requests",
        f"/merge_requests/{MR_IID}/pipelines",
        "/pipelines/800/jobs",
        "/jobs/8001/artifacts/tfoidc-out/prod/tfoidc.json",
    ]
    assert project.fake.writes() == []


def test_the_latest_merge_request_pipeline_is_the_reviewed_one(project: Project) -> None:
    plan = load_fixture(PLAN)
    project.current(plan)
    project.reviewed(_changed_value(plan), pipeline=790)
    project.reviewed(plan, pipeline=800)
    assert "reviewed on !7 (pipeline 800)" in (project.verify() or "")


def test_a_value_changed_since_review_is_refused_and_shown_in_tfoidcs_note(project: Project) -> None:
    plan = load_fixture(PLAN)
    project.current(_changed_value(plan))
    project.reviewed(plan)
    own = project.fake.add_note(f"{note_marker(['prod', 'staging'], 800)}\n### tfoidc plan report\n")
    forged = project.fake.add_note(f"{note_marker(['prod'], 9)}\nforged", author=MALLORY_USER)

    with pytest.raises(PolicyBlocked) as caught:
        project.verify()

    line = caught.value.one_line()
    assert line.startswith("changed since review: 1 resource change(s) differ from the plan reviewed on !7")
    assert f"shown in the merge request note (updated note {own})" in line
    body = project.fake.body_of(own)
    assert "#### ⚠️ prod: changed since review" in body and "**tfoidc refused to apply it.**" in body
    assert "| `aws_instance.web_app` | create | create (other values) |" in body
    assert project.fake.body_of(forged).endswith("forged")


def test_a_resource_added_since_review_is_refused(project: Project) -> None:
    plan = load_fixture(PLAN)
    reviewed = copy.deepcopy(plan)
    reviewed["resource_changes"] = [
        rc for rc in plan["resource_changes"] if rc["address"] != "aws_s3_bucket.usage"
    ]
    project.current(plan)
    project.reviewed(reviewed)

    with pytest.raises(PolicyBlocked, match="changed since review"):
        project.verify()

    (note,) = project.fake.notes  # no tfoidc note yet: one is posted for the environment
    assert note["body"].startswith(note_marker(["prod"], None))
    assert "| `aws_s3_bucket.usage` | — (not in the reviewed plan) | create |" in note["body"]


def test_an_environment_may_accept_changes_since_review(project: Project) -> None:
    plan = load_fixture(PLAN)
    project.current(_changed_value(plan))
    project.reviewed(plan)
    project.target = replace(project.target, env=EnvironmentConfig(root="root", review_check="report"))

    said = project.verify()

    assert said is not None and said.startswith("changed since review") and "applying anyway" in said
    assert "the apply went ahead" in project.fake.notes[0]["body"]


@pytest.mark.parametrize(
    ("setup", "expected"),
    [
        ("no-merge-request", f"not reviewed: no merge request brought commit {COMMIT[:12]}"),
        (
            "failed-plan-job",
            "job 'plan:prod' (failed) of pipeline 800 has no tfoidc-out/prod/tfoidc.json",
        ),
        ("errored-analysis", "is of a plan that failed or errored"),
        ("hostile-analysis", "changes[0] has no address or action"),
        ("not-json", "not valid JSON"),
    ],
)
def test_without_a_usable_reviewed_plan_the_apply_is_refused(
    project: Project, setup: str, expected: str
) -> None:
    plan = load_fixture(PLAN)
    project.current(plan)
    if setup == "failed-plan-job":
        project.reviewed(None, status="failed")
    elif setup != "no-merge-request":
        project.reviewed(plan)
        path = project.dir / "mr-job" / "tfoidc-out" / "prod" / "tfoidc.json"
        doc = orjson.loads(path.read_bytes())
        broken = {
            "errored-analysis": orjson.dumps({**doc, "plan": {**doc["plan"], "errored": True}}),
            "hostile-analysis": orjson.dumps({**doc, "changes": [{"address": ["x"], "action": "create"}]}),
            "not-json": b'{"schema_version": "1.1", "changes": [',
        }[setup]
        path.write_bytes(broken)
        project.fake.pipeline_jobs[800][1].artifacts = zip_artifacts(
            project.dir / "mr-job" / "tfoidc-out", project.dir / "mr-job"
        )

    with pytest.raises(PolicyBlocked) as caught:
        project.verify()

    assert expected in caught.value.one_line()
    assert caught.value.exit_code == 3


def test_only_an_apply_on_the_default_branch_is_compared(project: Project) -> None:
    assert project.verify(CI_DEFAULT_BRANCH="develop") is None
    assert project.fake.requests == []


def test_provenance_is_checked_first(project: Project) -> None:
    project.manifest = replace(project.manifest, pipeline_source="merge_request_event")
    with pytest.raises(PolicyBlocked, match="merge request pipeline"):
        project.verify()
    assert project.fake.requests == []


def test_without_the_token_the_comparison_cannot_run(project: Project) -> None:
    project.current(load_fixture(PLAN))
    with pytest.raises(OperationalError, match="TFOIDC_GITLAB_TOKEN is not set") as caught:
        project.verify(TFOIDC_GITLAB_TOKEN="")
    assert caught.value.exit_code == 1


@pytest.mark.parametrize(
    ("failures", "expected"),
    [
        ([Failure("GET", 502) for _ in range(10)], "GitLab answered HTTP 502"),
        ([Failure("GET", raw=b'[{"iid": 7, "st', path="/merge_requests")], "not valid JSON"),
        ([Failure("GET", hang=3.0) for _ in range(10)], "unreachable (ReadTimeout)"),
        ([Failure("GET", 401)], "GitLab refused TFOIDC_GITLAB_TOKEN (HTTP 401)"),
    ],
    ids=["5xx", "truncated-json", "timeout", "refused-token"],
)
def test_gitlab_faults_refuse_the_apply_in_one_line(
    project: Project, failures: list[Failure], expected: str
) -> None:
    plan = load_fixture(PLAN)
    project.current(plan)
    project.reviewed(plan)
    project.fake.failures = failures
    with pytest.raises(OperationalError) as caught:
        project.verify()
    line = caught.value.one_line()
    assert line.startswith("cannot fetch the plan reviewed on the merge request: ") and expected in line
    assert TFOIDC_TOKEN not in line


def test_429_with_retry_after_is_waited_for(project: Project) -> None:
    plan = load_fixture(PLAN)
    project.current(plan)
    project.reviewed(plan)
    project.fake.failures = [Failure("GET", 429, {"Retry-After": "1"}, path="/jobs/")]
    assert project.verify() is not None
    first, second = [r for r in project.fake.requests if "/artifacts/" in r.path]
    assert second.at - first.at >= 1.0
