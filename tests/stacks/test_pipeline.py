"""The generated child pipeline: valid for GitLab (its CI schema), within its limits (50 needs, job
names), applies in dependency order, the parent's merge request passed in, and an empty change."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import networkx as nx
import pytest

from tests.stacks.repo import remote_state, s3_backend
from tests.stacks.schema import check_gitlab_ci, jobs
from tfoidc.config import Config
from tfoidc.errors import InputError
from tfoidc.stacks.discovery import StackSet, discover
from tfoidc.stacks.hcl import read_facts
from tfoidc.stacks.order import StackGraph, build_graph
from tfoidc.stacks.pipeline import MAX_NEEDS, PipelineContext, PlannedStack, generate, job_name, to_yaml

MR = PipelineContext(
    on_default_branch=False, merge_request_iid="42", diff_base="a" * 40, parent_pipeline_id="1001"
)
MAIN = PipelineContext(on_default_branch=True, parent_pipeline_id="1002")


def stack_set(files: dict[str, str], config: Config | None = None) -> tuple[StackSet, StackGraph]:
    stacks = discover({p: read_facts(p, t.encode()) for p, t in files.items()}, config or Config())
    return stacks, build_graph(stacks)


def chain() -> dict[str, str]:
    """net <- db <- app <- web, plus a lone stack."""
    return {
        "live/net/main.tf": s3_backend("s", "net"),
        "live/db/main.tf": s3_backend("s", "db") + remote_state("net", "s", "net"),
        "live/app/main.tf": s3_backend("s", "app")
        + remote_state("db", "s", "db")
        + remote_state("net", "s", "net"),
        "live/web/main.tf": s3_backend("s", "web") + remote_state("app", "s", "app"),
        "live/lone/main.tf": "",
    }


def planned(stacks: StackSet, names: list[str] | None = None) -> list[PlannedStack]:
    return [PlannedStack(stacks.stacks[n], "changed") for n in (names or list(stacks.stacks))]


def write(tmp_path: Path, name: str, doc: dict[str, Any]) -> Path:
    path = tmp_path / f"{name}.yml"
    path.write_text(to_yaml(doc))
    return path


def needs_of(job: dict[str, Any]) -> list[str]:
    return [n["job"] for n in job.get("needs", []) if "pipeline" not in n]


def assert_within_limits(doc: dict[str, Any]) -> None:
    """GitLab's rules the schema does not check: at most 50 needs, names, needs of known jobs in the
    same or an earlier stage."""
    all_jobs = jobs(doc)
    stages = doc.get("stages", ["test"])
    for name, job in all_jobs.items():
        assert len(name) <= 255 and not name.startswith(".")
        assert len(job.get("needs", [])) <= MAX_NEEDS, name
        assert job.get("stage", "test") in stages, name
        for need in needs_of(job):
            assert need in all_jobs, f"{name} needs unknown job {need}"
            assert stages.index(all_jobs[need]["stage"]) <= stages.index(job["stage"]), (
                f"{name} needs a later {need}"
            )


def test_pipelines_are_valid_gitlab_ci(tmp_path: Path) -> None:
    stacks, graph = stack_set(chain())
    many, many_graph = stack_set({f"live/s{i:03}/main.tf": "" for i in range(200)})
    docs = {
        "mr": generate(planned(stacks), graph, MR),
        "main": generate(planned(stacks), graph, MAIN),
        "mr-200": generate(planned(many), many_graph, MR),
        "main-200": generate(planned(many), many_graph, MAIN),
        "empty": generate([], graph, MR),
    }
    paths = [write(tmp_path, name, doc) for name, doc in docs.items()]
    result = check_gitlab_ci(*paths)
    assert result.returncode == 0, result.stdout + result.stderr
    for doc in docs.values():
        assert_within_limits(doc)


def test_the_schema_check_catches_a_broken_generated_pipeline(tmp_path: Path) -> None:
    stacks, graph = stack_set(chain())
    doc = generate(planned(stacks), graph, MAIN)
    doc["apply:live/app"]["needs"] = [{"job": "plan:live/app", "artefacts": True}]
    assert check_gitlab_ci(write(tmp_path, "broken", doc)).returncode != 0


def test_an_empty_change_is_one_job_saying_so() -> None:
    _, graph = stack_set(chain())
    doc = generate([], graph, MR)
    assert list(doc) == ["tfoidc:no-stack-changed"]
    assert doc["tfoidc:no-stack-changed"]["script"] == ['echo "tfoidc: no stack changed"']


def test_merge_request_plans_each_stack_with_its_audience_and_resource_group_and_one_note() -> None:
    from tfoidc.config import load_config  # noqa: F401  (the settings come from a real [stacks] table)

    config = Config.model_validate(
        {"stacks": {"settings": {"live/web": {"audience": "https://gitlab.example.com"}}}}
    )
    stacks, graph = stack_set(chain(), config)
    doc = generate(planned(stacks), graph, MR)
    plan = doc["plan:live/web"]
    assert plan["id_tokens"] == {"GITLAB_OIDC_TOKEN": {"aud": "https://gitlab.example.com"}}
    assert doc["plan:live/net"]["id_tokens"] == {"GITLAB_OIDC_TOKEN": {"aud": "sts.amazonaws.com"}}
    assert plan["resource_group"] == "tfoidc/live/web"
    assert plan["needs"] == []  # every plan starts at once
    assert plan["script"] == ['tfoidc plan "$TFOIDC_STACK" --out-dir "tfoidc-out/live/web"']
    assert plan["artifacts"]["access"] == "developer" and plan["artifacts"]["when"] == "always"
    assert plan["artifacts"]["reports"]["terraform"] == "tfoidc-out/live/web/gitlab-terraform.json"
    assert not [j for j in jobs(doc) if j.startswith("apply:")]
    note = doc["tfoidc:note"]
    assert note["when"] == "always"
    assert {"pipeline": "$TFOIDC_PARENT_PIPELINE_ID", "job": "tfoidc:generate", "artifacts": True} in note[
        "needs"
    ]
    assert sorted(needs_of(note)) == sorted(f"plan:{n}" for n in stacks.stacks)
    # The child pipeline cannot see the parent's merge request: it is passed in.
    assert doc["variables"]["TFOIDC_MR_IID"] == "42"
    assert doc["variables"]["TFOIDC_MR_DIFF_BASE_SHA"] == "a" * 40
    assert doc["variables"]["TFOIDC_PARENT_PIPELINE_ID"] == "1001"


def test_applies_follow_the_dependency_order_and_dependents_plan_after_their_dependencies_apply() -> None:
    stacks, graph = stack_set(chain())
    doc = generate(planned(stacks), graph, MAIN)
    assert_within_limits(doc)
    assert doc["stages"] == [
        "plan-1",
        "apply-1",
        "plan-2",
        "apply-2",
        "plan-3",
        "apply-3",
        "plan-4",
        "apply-4",
    ]
    assert (doc["plan:live/net"]["stage"], doc["apply:live/web"]["stage"]) == ("plan-1", "apply-4")
    assert "tfoidc:note" not in doc
    app = doc["apply:live/app"]
    assert app["rules"] == [
        {
            "if": '$CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH && $CI_COMMIT_REF_PROTECTED == "true"',
            "when": "manual",
        }
    ]
    assert app["environment"] == {"name": "live/app"} and app["allow_failure"] is False
    assert app["resource_group"] == doc["plan:live/app"]["resource_group"]
    # Only apply jobs hold a token of the apply audience, which only apply roles trust.
    assert app["id_tokens"] == {"GITLAB_OIDC_TOKEN": {"aud": "${CI_SERVER_URL}/apply"}}
    assert doc["plan:live/app"]["id_tokens"] == {"GITLAB_OIDC_TOKEN": {"aud": "sts.amazonaws.com"}}
    # app reads db and net; db reads net: app needs only db's apply (net's is implied).
    assert app["needs"] == [
        {"job": "plan:live/app", "artifacts": True},
        {"job": "apply:live/db", "artifacts": True},
    ]
    assert doc["plan:live/app"]["needs"] == [{"job": "apply:live/db", "artifacts": True}]
    assert doc["plan:live/net"]["needs"] == [] and doc["plan:live/lone"]["needs"] == []
    waits = nx.DiGraph((name, need) for name, job in jobs(doc).items() for need in needs_of(job))
    for stack, dependency in graph.edges:
        assert nx.has_path(waits, f"apply:{stack}", f"apply:{dependency}")
        assert nx.has_path(waits, f"plan:{stack}", f"apply:{dependency}")


def test_a_dependency_outside_the_change_is_not_waited_for() -> None:
    stacks, graph = stack_set(chain())
    doc = generate(planned(stacks, ["live/web"]), graph, MAIN)
    assert doc["apply:live/web"]["needs"] == [{"job": "plan:live/web", "artifacts": True}]


def test_the_note_for_200_stacks_needs_at_most_50_jobs_through_collectors() -> None:
    stacks, graph = stack_set({f"live/s{i:04}/main.tf": "" for i in range(2600)})
    doc = generate(planned(stacks), graph, MR)
    assert_within_limits(doc)
    reached: set[str] = set()
    todo = needs_of(doc["tfoidc:note"])
    while todo:
        name = todo.pop()
        reached.add(name)
        todo.extend(needs_of(doc[name]))
    assert {n for n in reached if n.startswith("plan:")} == {f"plan:{n}" for n in stacks.stacks}
    collectors = [n for n in jobs(doc) if n.startswith("note:collect")]
    assert all(doc[c]["when"] == "always" for c in collectors)  # a failed plan is still in the note
    assert any(n.startswith("note:collect 2.") for n in collectors)  # 2,600 plans: collectors of collectors
    assert all(
        doc[c]["artifacts"]["paths"]
        == ["tfoidc-out/**/tfoidc.json", "tfoidc-out/**/manifest.json", "tfoidc-out/**/stack.json"]
        for c in collectors
    )


def test_an_apply_waiting_for_more_than_49_dependencies_goes_through_gates() -> None:
    files = {f"live/d{i:02}/main.tf": s3_backend("s", f"d{i}") for i in range(60)}
    files["live/top/main.tf"] = "".join(remote_state(f"d{i}", "s", f"d{i}") for i in range(60))
    stacks, graph = stack_set(files)
    doc = generate(planned(stacks), graph, MAIN)
    assert_within_limits(doc)
    assert len(doc["apply:live/top"]["needs"]) <= MAX_NEEDS
    gates = [n for n in jobs(doc) if n.startswith("apply:live/top after")]
    assert gates and all("when" not in doc[g] for g in gates)  # a failed dependency stops the apply


def test_long_names_fit_gitlabs_job_name_rules_and_stay_unique() -> None:
    a, b = "x/" + "a" * 300, "x/" + "a" * 299 + "b"
    assert len(job_name("plan:", a)) == 255 and job_name("plan:", a) != job_name("plan:", b)


@pytest.mark.parametrize("name", ["live/$CI_JOB_TOKEN", "live/with space", "live/`x`", 'live/"q"', "live/é"])
def test_stack_names_gitlab_would_expand_or_reject_are_refused(name: str) -> None:
    stacks, graph = stack_set({f"{name}/main.tf": ""})
    with pytest.raises(InputError, match="cannot have jobs in a generated pipeline"):
        generate(planned(stacks), graph, MR)


def test_values_from_the_parent_are_checked_before_they_are_embedded() -> None:
    stacks, graph = stack_set(chain())
    bad = PipelineContext(on_default_branch=False, merge_request_iid="42; rm -rf /", parent_pipeline_id="1")
    with pytest.raises(InputError, match="TFOIDC_MR_IID: unexpected value"):
        generate(planned(stacks), graph, bad)
