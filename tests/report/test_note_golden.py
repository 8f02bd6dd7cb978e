"""Golden files of the merge request note, on real fixture plans and plans derived from them.

A golden is the exact note a reviewer would read. After an intended change, regenerate them with
`TFOIDC_UPDATE_GOLDEN=1 pytest tests/report/test_note_golden.py` and review the diff by eye.
The version in the footer is normalised so a release does not touch every golden.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Callable
from pathlib import Path

import pytest
from markdown_it import MarkdownIt

from tests.report.mdcheck import fence_count, structure_problems
from tests.report.plans import analysis_of, analysis_of_fixture, load_fixture, review_mix_plan
from tfoidc import __version__
from tfoidc.guardrails.model import Finding, Severity
from tfoidc.report.render import render, render_note

GOLDEN = Path(__file__).parent / "golden"
UPDATE = os.environ.get("TFOIDC_UPDATE_GOLDEN") == "1"
ARTIFACTS = "https://gitlab.example.com/infra/live/-/jobs/987/artifacts/browse"


def _one(fixture: str, env: str | None) -> Callable[[], str]:
    return lambda: render(analysis_of_fixture(fixture, env), "md")


def _review_mix() -> str:
    return render(analysis_of(review_mix_plan(), "staging"), "md")


def _multi_env() -> str:
    analyses = [
        analysis_of_fixture("infracost/example_plan.json", "prod"),
        analysis_of(review_mix_plan(), "staging"),
    ]
    return render_note(analyses, pipeline_id=4321, artifact_url=ARTIFACTS)


CASES: dict[str, Callable[[], str]] = {
    "create_findings_cost": _one("infracost/example_plan.json", "prod"),
    "update_modules_not_priced": _one(
        "terraform-compliance/issue_249_alb_ecs_modules_update.json", "staging"
    ),
    "delete_and_update": _one("opentofu/show_json_basic_delete.json", None),
    "drift_non_aws": _one("tf-summarize/github_provider_modules.json", "github"),
    "no_changes_with_drift": _one("infracost/instance_with_attachment_after_deploy.json", "prod"),
    "plan_errored": _one("opentofu/show_json_plan_error.json", "dev"),
    "review_mix_replace_iam_sensitive": _review_mix,
    "note_two_environments": _multi_env,
}


def _normalised(text: str) -> str:
    return text.replace(f"tfoidc {__version__}", "tfoidc VERSION")


@pytest.mark.parametrize("name", sorted(CASES))
def test_note_matches_golden(name: str) -> None:
    text = _normalised(CASES[name]())
    path = GOLDEN / f"{name}.md"
    if UPDATE:
        path.write_text(text, encoding="utf-8")
    assert path.exists(), f"no golden {path.name}: run with TFOIDC_UPDATE_GOLDEN=1 and review it"
    expected = path.read_text(encoding="utf-8")
    assert text == expected, f"{path.name} differs: if intended, regenerate with TFOIDC_UPDATE_GOLDEN=1"
    assert structure_problems(text) == []


# What the goldens must show, asserted on the rendered note so a careless regeneration cannot
# bless a regression.


def test_verdict_line_counts_blocking_findings_and_cost() -> None:
    text = _review_mix()
    first, _, summary = text.splitlines()[:3]
    # The first line says what to do, naming the environment, the rule (linked to its section of
    # the docs) and the resource.
    assert first == (
        "### ⛔ staging: Blocked: [`TFO-S3-001`](docs/guardrails.md#tfo-s3-001) on "
        "`aws_s3_bucket.test-bucket1` — fix it or waive it"
    )
    assert summary.startswith("1 to add, 1 to change, 1 to replace, 0 to destroy")
    # Info findings are not warnings.
    assert "1 blocking finding, 2 warnings, 2 info" in summary
    assert "/mo" in summary


def test_a_blocking_finding_offers_the_waiver_to_paste() -> None:
    import tomllib

    text = _review_mix()
    block = text.split("```toml\n", 1)[1].split("```", 1)[0]
    waiver = tomllib.loads(block)["guardrails"]["waivers"][0]
    assert waiver["rule"] == "TFO-S3-001" and waiver["address"] == "aws_s3_bucket.test-bucket1"
    assert waiver["environments"] == ["staging"]
    # Pasted without thought it waives nothing: no reason (refused) and an expiry in the past.
    assert waiver["reason"] == "" and waiver["expires"].year == 1970


def test_a_clean_plan_is_green_and_ready_to_apply() -> None:
    doc = load_fixture("infracost/example_plan.json")
    doc["resource_changes"] = [rc for rc in doc["resource_changes"] if rc["type"] == "aws_lambda_function"]
    text = render(analysis_of(doc, "dev"), "md")
    assert text.startswith("### ✅ dev: Ready to apply\n")
    assert "warning" not in text.split("\n---", 1)[0]


def test_without_an_environment_the_plan_is_called_plan_not_default() -> None:
    text = render(analysis_of_fixture("opentofu/show_json_basic_delete.json", None), "md")
    assert text.startswith("### ✅ plan: Ready to apply\n") and "default" not in text.split("\n", 1)[0]


def test_replace_is_its_own_group_with_the_attribute_that_forces_it() -> None:
    text = _review_mix()
    section = text.split("<b>Replace (destroy and re-create)</b> (1)", 1)[1].split("</details>", 1)[0]
    assert (
        "| `aws_dynamodb_table.cross-environment-violations`<br>🗄️ **holds data** | `aws_dynamodb_table` | `name` |"
        in section
    )
    create = text.split("<b>Create</b>", 1)[1].split("</details>", 1)[0]
    assert "aws_dynamodb_table" not in create


def test_iam_policy_update_is_a_compact_semantic_diff() -> None:
    text = _review_mix()
    block = text.split("- `aws_iam_policy.policy`", 1)[1].split("```diff\n", 1)[1].split("```", 1)[0]
    lines = [line.strip() for line in block.splitlines() if line.strip().startswith(("-", "+"))]
    assert '- policy ▸ Statement[0].Action[] = "*"' in lines
    assert '+ policy ▸ Statement[0].Action[] = "s3:GetObject"' in lines
    assert '+ policy ▸ Statement[0].Action[] = "s3:PutObject"' in lines
    assert '+ policy ▸ Statement[0].Condition.Bool.aws:SecureTransport = "true"' in lines
    # Unchanged parts of the document (Effect, Resource, Version) are not repeated.
    assert not any("Effect" in line or "Resource" in line or "Version" in line for line in lines)
    assert all(len(line) < 120 for line in lines)


def test_sensitive_attribute_is_redacted_in_the_diff() -> None:
    text = _review_mix()
    assert "Read and write the reports bucket" not in text
    assert '+ description = "(sensitive value)"' in text
    assert '- description = "My test policy"' in text


def test_cost_section_shows_delta_and_not_priced_count() -> None:
    doc = load_fixture("terraform-compliance/issue_249_alb_ecs_modules_update.json")
    record = next(rc for rc in doc["resource_changes"] if rc["type"] == "aws_route53_record")
    record["change"]["after_unknown"]["alias"] = True  # an alias decided at apply: not priced
    text = render(analysis_of(doc, "staging"), "md")
    assert "1 warning · +$36.77/mo + usage (1 not priced)\n" in text  # the verdict says the total is partial
    summary = next(line for line in text.splitlines() if "<b>Cost</b>" in line)
    assert "+$36.77/mo" in summary and "1 not priced" in summary
    assert "Not priced (1): `aws_route53_record` \u00d7 1." in text
    assert "| **Total** |" in text


def test_drift_and_graph_sections() -> None:
    text = render(analysis_of_fixture("tf-summarize/github_provider_modules.json", "github"), "md")
    assert "<b>Drift</b>: 3 resources changed outside Terraform" in text
    # No resource has a price: the verdict must not claim the change costs nothing.
    assert "0 blocking findings · no priced resources · drift on 3\n" in text
    assert '| `module.github["terraform-plan-summary"].github_branch.demo` | delete |' in text
    assert fence_count(text) == 1 and "```mermaid\nflowchart LR\n" in text
    graph = text.split("```mermaid", 1)[1].split("```", 1)[0]
    # Resources only: variables, outputs and module calls are looked through, not drawn.
    assert ".var." not in graph and "output." not in graph


def test_long_sections_are_folded_and_short_ones_open() -> None:
    text = render(analysis_of_fixture("tf-summarize/github_provider_modules.json", "github"), "md")
    assert "<details><summary><b>Create</b> (7)</summary>" in text  # > 5 items: folded
    assert "<details open><summary><b>Drift</b>" in text  # 3 items: open


def test_several_environments_make_one_note_with_one_section_each() -> None:
    text = _multi_env()
    assert text.startswith("<!-- tfoidc:envs=prod,staging pipeline=4321 -->\n")
    assert text.count("#### prod") == 1 and text.count("#### staging") == 1
    verdicts = [line for line in text.splitlines() if line.startswith(("⚠️ **", "⛔ **", "✅ **"))]
    assert [v.split("**")[1].split(":")[0] for v in verdicts] == ["prod", "staging"]
    assert text.index("#### prod") < text.index("#### staging")
    assert ARTIFACTS in text


def test_golden_set_has_no_stray_files() -> None:
    on_disk = {p.stem for p in GOLDEN.glob("*.md")}
    assert on_disk <= set(CASES), f"goldens without a case: {sorted(on_disk - set(CASES))}"


DOCS_NOTE = Path(__file__).resolve().parents[2] / "docs" / "example-note.md"
DOCS_HEADER = (
    "<!-- Generated by tests/report/test_note_golden.py (TFOIDC_UPDATE_GOLDEN=1) from the fixture plans "
    "infracost/example_plan.json (prod) and terraform-compliance/issue_249_alb_ecs_modules_update.json "
    "(staging). -->\n"
)


def test_docs_example_note_is_current() -> None:
    """docs/example-note.md, linked from the README, is a real note from fixture plans."""
    note = render_note(
        [
            analysis_of_fixture("infracost/example_plan.json", "prod"),
            analysis_of_fixture("terraform-compliance/issue_249_alb_ecs_modules_update.json", "staging"),
        ],
        pipeline_id=4321,
        artifact_url=ARTIFACTS,
    )
    text = DOCS_HEADER + note
    if UPDATE:
        DOCS_NOTE.write_text(text, encoding="utf-8")
    current = _normalised(DOCS_NOTE.read_text(encoding="utf-8"))
    assert current == _normalised(text), "regenerate with TFOIDC_UPDATE_GOLDEN=1"


def test_plan_controlled_text_cannot_inject_markup_links_or_mentions() -> None:
    base = analysis_of(review_mix_plan(), "staging")
    hostile = (
        "owner @all said [click](https://evil.example) ![x](https://evil.example/t.png) <img src=x> | cell"
    )
    finding = Finding(
        rule="TFO-TEST-001",
        severity=Severity.WARN,
        address='aws_s3_bucket.b["`x|y`"]',
        message=hostile,
        title="Tag value",
        fix="ask @platform-team",
    )
    text = render(dataclasses.replace(base, findings=(finding,)), "md")
    row = next(line for line in text.splitlines() if "TFO-TEST-001" in line)
    assert structure_problems(text) == []
    assert "@all" not in row and "@platform-team" not in row  # no notification
    assert "&#91;click&#93;" in row  # the brackets are character references: never a link
    assert "<img" not in row and "&lt;img src=x&gt;" in row
    assert "``" in row  # the address with a backtick is still one code span
    html = MarkdownIt("commonmark").enable("table").render(text)
    assert "evil.example" in html and "href=" not in html and "<img" not in html
