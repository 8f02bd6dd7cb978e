"""One name for the note's GitLab token, used alike by the code, the shipped pipeline and the docs; and a
note job that exchanges no ID token and runs even when a plan job failed."""

from __future__ import annotations

import re
from pathlib import Path

from tfoidc.gitlab.client import TOKEN_VARIABLE

REPO = Path(__file__).resolve().parents[2]
# Any other name for a GitLab API token: what the pipeline and docs said before, or a generic one.
OTHER_NAMES = re.compile(r"(?<![A-Z0-9_])(GITLAB_TOKEN|GITLAB_API_TOKEN|GL_TOKEN|PRIVATE_TOKEN)(?![A-Z0-9_])")


def documents() -> list[Path]:
    return [
        REPO / ".gitlab-ci.yml",
        REPO / "README.md",
        *sorted((REPO / "templates").glob("*.yml")),
        *sorted((REPO / "docs").glob("*.md")),
    ]


def test_the_pipeline_and_the_docs_name_the_token_as_the_code_reads_it() -> None:
    assert TOKEN_VARIABLE == "TFOIDC_GITLAB_TOKEN"
    for path in documents():
        text = path.read_text(encoding="utf-8")
        for line in text.splitlines():
            # Another name may only appear beside the real one (a list of variables kept from Terraform).
            if OTHER_NAMES.search(line):
                assert TOKEN_VARIABLE in line, f"{path.name} names the note token otherwise: {line}"
        for line in text.splitlines():
            if "CI_JOB_TOKEN" in line:  # may only ever be said not to work for the note
                assert re.search(r"refuse|not|never|cannot", line), f"{path.name}: {line}"
    note_component = (REPO / "templates" / "note.yml").read_text(encoding="utf-8")
    assert TOKEN_VARIABLE in note_component
    for doc in ("report.md", "lifecycle.md"):
        assert TOKEN_VARIABLE in (REPO / "docs" / doc).read_text(encoding="utf-8"), doc


def test_the_note_job_exchanges_no_id_token_and_runs_after_failed_plans() -> None:
    from tests.components.gitlab_component import render

    note = render("note", {"environments": "dev prod"})["tfoidc:note"]
    plan = render("plan", {"environment": "dev"})
    assert "id_tokens" not in note
    assert [r.get("when") for r in note["rules"]] == ["always"]
    (plan_job,) = [job for name, job in plan.items() if not name.startswith(".") and "script" in job]
    # The error record of a failed plan reaches the note job: plan artifacts are kept on failure too.
    assert plan_job["artifacts"]["when"] == "always"
    assert plan_job["artifacts"]["paths"] == ["tfoidc-out/dev/"]  # where the note reads dev's tfoidc.json
    script = " ".join(note["script"])
    assert '--analysis "tfoidc-out/$env/tfoidc.json"' in script and "tfoidc comment" in script
