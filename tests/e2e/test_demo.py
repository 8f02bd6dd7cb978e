"""`tfoidc demo` from a fresh clone: sandbox token -> STS in moto -> init with the S3 backend and lock
in moto -> plan -> analysis -> reports -> apply -> a second plan without changes."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tfoidc.sandbox.pytest_fixtures import LEAKY_VARIABLES

pytestmark = pytest.mark.slow
REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def fresh_clone(tmp_path: Path) -> Path:
    git = shutil.which("git")
    if git is None or not (REPO / ".git").exists():
        pytest.skip("needs git and a git checkout to clone")
    clone = tmp_path / "clone"
    subprocess.run([git, "clone", "--quiet", str(REPO), str(clone)], check=True)
    return clone


BROWSER = """#!/bin/sh
printf '%s' "$1" > "$(dirname "$0")/opened.txt"
"""


def test_demo_tells_the_story_from_a_fresh_clone(fresh_clone: Path, tmp_path: Path) -> None:
    browser = tmp_path / "browser.sh"
    browser.write_text(BROWSER)
    browser.chmod(0o755)
    env = {k: v for k, v in os.environ.items() if k not in LEAKY_VARIABLES and not k.startswith("AWS_")}
    env.update(
        {
            # The clone's code, not the checkout the test runs from.
            "PYTHONPATH": str(fresh_clone / "src"),
            "PATH": f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}",
            "BROWSER": f"{browser} %s",  # what webbrowser starts for --open: records the URL, opens nothing
            "COLUMNS": "80",
        }
    )
    result = subprocess.run(
        [sys.executable, "-m", "tfoidc", "demo", "--open"],
        cwd=fresh_clone,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr[-3000:]
    out = fresh_clone / "tfoidc-demo"
    story = result.stdout
    titles = re.findall(r"^(\d)\. (.+)$", story, flags=re.MULTILINE)
    assert [t[1] for t in titles] == [
        "A pipeline on the protected branch main plans and applies prod",
        "A feature branch may not apply prod: refused before any STS call",
        "A token of another project is refused by prod's trust policy (tfoidc doctor)",
        "A trust policy open to every project on gitlab.com is caught before it is applied",
        "What a reviewer sees for a realistic AWS change",
        "Where the reports are",
    ]
    # 1: the real lifecycle, Terraform's own output folded into one line per command
    assert "-> STS AssumeRoleWithWebIdentity -> tfoidc-sandbox-prod (1 session)" in story
    assert "lock in DynamoDB tfoidc-sandbox-locks; Plan: 2 to add, 0 to change, 0 to destroy." in story
    assert "Apply complete! Resources: 2 added, 0 changed, 0 destroyed." in story
    assert "plan again: no changes" in story
    assert "Initializing the backend" not in story + result.stderr
    first = json.loads((out / "plan" / "manifest.json").read_text())
    second = json.loads((out / "plan-after-apply" / "manifest.json").read_text())
    assert first["has_changes"] is True and second["has_changes"] is False
    assert first["claims"]["ref"] == "main"
    for name in ("report.html", "report.md", "tfoidc.json", "gitlab-terraform.json", "junit.xml"):
        assert (out / "plan" / name).is_file(), name  # in the --out-dir itself, not nested again
    # 2: branch rules refuse before STS; another project is refused, explained by doctor
    assert "x ref 'feature/login' may not apply prod: environments.prod.apply_refs allows only main" in story
    assert "exit 3 (blocked by policy); STS sessions issued: 0." in story
    assert "sub differs in the project path: the token has 'mallory/fork'" in story
    assert '  plan_subjects = ["project_path:mallory/fork:ref_type:branch:ref:main"]' in story
    # 3 and 4: the guardrails, the note's verdict, cost with components and what is not priced, the graph
    assert (
        "x [BLOCK] TFO-IAM-003 aws_iam_role.gitlab_deploy: statement 0: gitlab.com:sub 'project_path:*'"
        in story
    )
    note = (out / "review" / "note.md").read_text(encoding="utf-8").splitlines()
    verdict = next(x for x in note if x.strip() and not x.startswith(("<!--", "#"))).replace("**", "").strip()
    assert f"x the note opens with: {verdict}\n" in story  # the note's own first line, whatever its wording
    assert "[BLOCK] TFO-NET-005 aws_db_instance.app" in story
    assert re.search(
        r"aws_db_instance\.app \$[\d,.]+: Database instance \(on-demand, Multi-AZ, db\.m5\.large\)", story
    )
    assert "aws_lambda_function.thumbnails depends on usage: Requests $0.20 per 1M requests" in story
    assert "not priced: aws_cognito_user_pool.users (aws_cognito_user_pool)" in story
    assert (
        "longest chain aws_vpc.main -> aws_subnet.private -> aws_db_subnet_group.app -> aws_db_instance.app"
        in story
    )
    # 5: the reports, and --open handed the HTML report to the browser
    html = out / "review" / "report.html"
    assert f"HTML report of the AWS change: {html}" in story and html.is_file()
    assert (out / "review" / "note.md").is_file()
    assert (tmp_path / "opened.txt").read_text() == html.as_uri()
    # The Terraform root of the clone is copied, never initialised in place.
    assert not (fresh_clone / "terraform" / "sandbox" / ".terraform").exists()


def test_demo_refuses_to_replace_a_directory_it_did_not_make(tmp_path: Path) -> None:
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "keep.txt").write_text("precious")
    result = subprocess.run(
        [sys.executable, "-m", "tfoidc", "demo", "--out-dir", str(tmp_path / "mine")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 2
    assert "was not made by `tfoidc demo`" in result.stderr
    assert (tmp_path / "mine" / "keep.txt").read_text() == "precious"


def test_verbose_shows_each_commands_own_output_which_is_folded_otherwise(
    tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    from rich.console import Console

    from tfoidc.lifecycle.demo import Story, _Jobs

    for verbose in (False, True):
        story = Story(Console(file=sys.stdout, width=100), verbose=verbose)
        ran = _Jobs(tmp_path / "tfoidc.toml", dict(os.environ), story).run(["doctor", "--help"], "unused")
        shown = capfd.readouterr().out
        assert ran.code == 0 and "Explain, condition by condition" in ran.out
        assert ("Explain, condition by condition" in shown) is verbose


@pytest.mark.parametrize(
    ("example", "rules", "not_priced"),
    [
        ("aws-web-stack.plan.json", {"TFO-NET-005", "TFO-ENC-001", "TFO-ENC-002", "TFO-S3-003"}, 1),
        ("broad-gitlab-trust.plan.json", {"TFO-IAM-003"}, 0),
    ],
)
def test_the_shipped_examples_show_what_the_demo_says(example: str, rules: set[str], not_priced: int) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "tfoidc", "analyze", str(REPO / "examples" / example), "--format", "json"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 3, result.stderr  # each has a blocking finding
    analysis = json.loads(result.stdout)
    assert rules <= {f["rule"] for f in analysis["findings"]}
    assert len(analysis["cost"]["not_priced"]) == not_priced
