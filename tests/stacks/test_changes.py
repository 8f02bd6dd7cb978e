"""Change detection on real git repositories: what reaches a stack and why, the base in each context,
and shallow clones."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from tests.stacks.repo import Repo, module, remote_state, s3_backend
from tfoidc.errors import InputError, OperationalError
from tfoidc.stacks.project import ChangeReport, change_report, open_project

LOCAL: dict[str, str] = {}  # a laptop: no CI variables
CI = {"CI": "true", "GITLAB_CI": "true"}


@pytest.fixture
def repo(tmp_path: Path) -> Repo:
    r = Repo(tmp_path / "repo")
    r.write("live/prod/app/main.tf", module("app", "../../../modules/app") + s3_backend("acme", "prod/app"))
    r.write("live/prod/app/templates/user_data.sh", "#!/bin/sh\n")
    r.write("live/prod/net/main.tf", module("net", "../../../modules/net") + s3_backend("acme", "prod/net"))
    r.write("live/prod/db/main.tf", remote_state("net", "acme", "prod/net") + s3_backend("acme", "prod/db"))
    r.write("live/dev/app/main.tf", module("app", "../../../modules/app"))
    r.write("live/dev/app/nested/main.tf", 'variable "nested" {}\n')  # a stack inside a stack
    r.write("modules/app/main.tf", module("net", "../net"))
    r.write("modules/net/main.tf", module("base", "../base"))
    r.write("modules/base/variables.tf", 'variable "x" {}\n')
    r.write("shared/prod.tfvars", 'x = "1"\n')
    r.write("shared/ips.json", "[]\n")
    r.write(
        "tfoidc.toml",
        '[stacks.settings."live/prod/*"]\nvar_files = ["../../../shared/prod.tfvars"]\n'
        '[stacks.settings."live/dev/app"]\nwatch = ["shared/*.json"]\nregion = "eu-west-1"\n',
    )
    r.commit("base")
    r.branch("feature")
    return r


def changes(repo: Repo, environ: dict[str, str] | None = None, base: str | None = None) -> ChangeReport:
    return change_report(open_project(None, repo.path), base, LOCAL if environ is None else environ)


def why(report: ChangeReport) -> dict[str, list[str]]:
    return {c.name: list(c.why) for c in report.changes}


def test_a_module_change_reaches_every_stack_calling_it_through_any_depth(repo: Repo) -> None:
    repo.write("modules/base/variables.tf", 'variable "x" {}\nvariable "y" {}\n')
    repo.commit()
    report = changes(repo)
    assert report.base.why == "the merge base with main"
    assert why(report) == {
        "live/dev/app": ["calls module modules/app → modules/net → modules/base, whose variables.tf changed"],
        "live/prod/app": [
            "calls module modules/app → modules/net → modules/base, whose variables.tf changed"
        ],
        "live/prod/net": ["calls module modules/net → modules/base, whose variables.tf changed"],
    }


def test_files_under_a_stack_count_but_not_those_of_a_nested_stack(repo: Repo) -> None:
    repo.write("live/prod/app/templates/user_data.sh", "#!/bin/sh\necho hi\n")
    repo.write("live/dev/app/nested/main.tf", 'variable "nested2" {}\n')
    repo.commit()
    assert why(changes(repo)) == {
        "live/dev/app/nested": ["file live/dev/app/nested/main.tf changed"],
        "live/prod/app": ["file live/prod/app/templates/user_data.sh changed"],
    }


def test_var_files_watched_paths_and_settings(repo: Repo) -> None:
    repo.write("shared/prod.tfvars", 'x = "2"\n')
    repo.write("shared/ips.json", '["10.0.0.0/8"]\n')
    toml = (repo.path / "tfoidc.toml").read_text().replace('region = "eu-west-1"', 'region = "eu-west-2"')
    repo.write("tfoidc.toml", toml)
    repo.commit()
    got = why(changes(repo))
    assert got["live/prod/app"] == ["var file shared/prod.tfvars changed"]
    assert got["live/prod/db"] == ["var file shared/prod.tfvars changed"]
    assert got["live/dev/app"] == [
        "watched path shared/ips.json changed (watch in stacks.settings.live/dev/app)",
        "its settings in tfoidc.toml changed: region",
    ]
    assert "live/dev/app/nested" not in got


def test_removed_and_renamed_stacks(repo: Repo) -> None:
    repo.rm("live/prod/db")
    repo.mv("live/dev/app", "live/test/app")
    repo.commit()
    report = changes(repo)
    by_name = {c.name: c for c in report.changes}
    assert by_name["live/prod/db"].status == "removed"
    assert by_name["live/dev/app"].status == "removed"
    assert by_name["live/dev/app"].why == ("live/dev/app no longer holds Terraform files",)
    assert by_name["live/test/app"].status == "changed"
    assert by_name["live/test/app"].why[0] == "new stack in live/test/app"
    assert any(
        "stack live/prod/db was removed: merging this does not destroy its resources" in w
        for w in report.warnings
    )


def test_uncommitted_and_untracked_files_count_locally_but_not_in_ci(repo: Repo) -> None:
    repo.write("live/prod/net/extra.tf", 'variable "new" {}\n')  # untracked
    repo.write("live/prod/db/main.tf", "# edited, not committed\n")
    assert why(changes(repo)) == {
        "live/prod/db": ["file live/prod/db/main.tf changed"],
        "live/prod/net": ["file live/prod/net/extra.tf added"],
    }
    base = repo.git("rev-parse", "main")
    assert why(changes(repo, {**CI, "CI_MERGE_REQUEST_DIFF_BASE_SHA": base})) == {}


def test_dependents_are_affected_when_configured(repo: Repo) -> None:
    toml = (repo.path / "tfoidc.toml").read_text()
    repo.write(
        "live/prod/net/main.tf",
        module("net", "../../../modules/net") + s3_backend("acme", "prod/net") + "# x\n",
    )
    repo.commit()
    assert [c.name for c in changes(repo).changes] == ["live/prod/net"]
    repo.write("tfoidc.toml", "[stacks]\nplan_affected = true\n" + toml)
    report = changes(repo)
    affected = {c.name: c for c in report.changes}["live/prod/db"]
    assert affected.status == "affected"
    assert affected.why == (
        "depends on live/prod/net, which changed (reads its state (data.terraform_remote_state.net))",
    )


def test_the_base_in_a_merge_request_on_the_default_branch_and_locally(repo: Repo) -> None:
    first = repo.git("rev-parse", "HEAD")
    repo.write("live/prod/db/main.tf", "# 1\n")
    second = repo.commit()
    repo.write("live/prod/net/main.tf", "# 2\n")
    repo.commit()
    mr = changes(repo, {**CI, "CI_MERGE_REQUEST_DIFF_BASE_SHA": first})
    assert mr.base.why == "the merge request's diff base" and {c.name for c in mr.changes} == {
        "live/prod/db",
        "live/prod/net",
    }
    push = changes(repo, {**CI, "CI_COMMIT_BEFORE_SHA": second})
    assert push.base.why.startswith("the previous pipeline's commit") and [c.name for c in push.changes] == [
        "live/prod/net"
    ]
    new_branch = changes(repo, {**CI, "CI_COMMIT_BEFORE_SHA": "0" * 40})
    assert new_branch.base_sha == second and new_branch.base.why.startswith("the parent commit")
    assert changes(repo, LOCAL, base=first).base.why == "--base"
    with pytest.raises(InputError, match="is not a commit of this repository"):
        changes(repo, LOCAL, base="no-such-ref")


def _clone(source: Repo, dest: Path, depth: int) -> Repo:
    subprocess.run(
        ["git", "clone", "-q", f"--depth={depth}", "--no-local", f"file://{source.path}", str(dest)],
        check=True,
        capture_output=True,
    )
    clone = Repo.__new__(Repo)
    clone.path = dest
    return clone


def test_a_shallow_clone_fetches_the_base_it_lacks(repo: Repo, tmp_path: Path) -> None:
    base = repo.git("rev-parse", "HEAD")
    for i in range(3):
        repo.write("live/prod/db/main.tf", f"# {i}\n")
        repo.commit(f"c{i}")
    clone = _clone(repo, tmp_path / "clone", depth=1)
    assert clone.git("rev-parse", "--is-shallow-repository") == "true"
    report = changes(clone, {**CI, "CI_MERGE_REQUEST_DIFF_BASE_SHA": base})
    assert [c.name for c in report.changes] == ["live/prod/db"]
    parent = changes(_clone(repo, tmp_path / "clone2", depth=1), {**CI, "CI_COMMIT_BEFORE_SHA": "0" * 40})
    assert [c.name for c in parent.changes] == ["live/prod/db"]


def test_a_shallow_clone_that_cannot_fetch_says_what_is_missing(repo: Repo, tmp_path: Path) -> None:
    base = repo.git("rev-parse", "HEAD")
    repo.write("live/prod/db/main.tf", "# x\n")
    repo.commit()
    clone = _clone(repo, tmp_path / "clone", depth=1)
    clone.git("remote", "set-url", "origin", str(tmp_path / "gone"))
    with pytest.raises(OperationalError) as err:
        changes(clone, {**CI, "CI_MERGE_REQUEST_DIFF_BASE_SHA": base})
    assert f"base '{base}' (the merge request's diff base) is not in this shallow clone" in err.value.message
    assert "GIT_DEPTH: 0" in (err.value.hint or "")


def test_an_unreadable_base_configuration_plans_every_stack(repo: Repo) -> None:
    repo.git("checkout", "-q", "main")
    repo.write("tfoidc.toml", "[stacks\n")
    repo.commit("broken config on main")
    repo.git("checkout", "-q", "feature")
    repo.git("merge", "-q", "-X", "theirs", "main", "-m", "m")
    repo.write("tfoidc.toml", "")
    repo.commit("fixed")
    report = changes(repo, {**CI, "CI_MERGE_REQUEST_DIFF_BASE_SHA": repo.git("rev-parse", "main")})
    assert len(report.changes) == 5
    assert (
        report.changes[0].why[0].startswith("every stack is planned: tfoidc.toml or the stacks at the base")
    )


def test_blob_cache_reads_only_what_it_has_not_seen(repo: Repo, tmp_path: Path) -> None:
    repo.write("live/prod/db/main.tf", "# 1\n")
    repo.commit()
    cached = {"TFOIDC_CACHE_DIR": str(tmp_path / "cache")}
    project = open_project(None, repo.path, cached)
    first = change_report(project, None, LOCAL)
    tf_files = len(list(repo.path.rglob("*.tf")))
    assert project.cache.parsed == tf_files + 1  # every file once, plus the one that differs at the base
    again = open_project(None, repo.path, cached)
    assert change_report(again, None, LOCAL).changes == first.changes
    assert again.cache.parsed == 0  # a later run reads no file git already identified
    repo.write("live/prod/net/main.tf", 'variable "edited" {}\n')  # not committed: read from disk
    third = open_project(None, repo.path, cached)
    assert "live/prod/net" in {c.name for c in change_report(third, None, LOCAL).changes}
    assert third.cache.parsed == 1


def test_a_project_in_a_subfolder_of_the_repository(tmp_path: Path) -> None:
    repo = Repo(tmp_path / "mono")
    repo.write("infra/tfoidc.toml", "")
    repo.write("infra/live/a/main.tf", module("m", "../../modules/m"))
    repo.write("infra/modules/m/main.tf", "")
    repo.write("app/terraform/main.tf", "")  # outside the project: not a stack of it
    repo.commit("base")
    repo.branch("feature")
    repo.write("infra/modules/m/main.tf", "# changed\n")
    repo.write("app/terraform/main.tf", "# changed\n")
    repo.commit()
    report = change_report(open_project(None, repo.path / "infra" / "live"), None, LOCAL)
    assert list(report.stacks.stacks) == ["live/a"]
    assert [(c.name, c.why) for c in report.changes] == [
        ("live/a", ("calls module modules/m, whose main.tf changed",))
    ]
