"""`[report]` in tfoidc.toml: how reports and the merge request note are shaped."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

# GitLab rejects notes over 1,000,000 characters; stay far below so a note stays readable and
# several environments fit.
GITLAB_NOTE_LIMIT = 1_000_000


class ReportConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    note_max_chars: int = Field(
        default=200_000,
        ge=2_000,
        le=GITLAB_NOTE_LIMIT,
        description="Size budget of the merge request note, in characters.",
    )
    mermaid_max_nodes: int = Field(
        default=40, ge=1, le=500, description="Most nodes drawn in the note's Mermaid graph."
    )
    html_wiring_max_nodes: int = Field(
        default=20_000,
        ge=0,
        description="Above this many graph nodes the HTML report carries resources only, without the "
        "variable, output and module nodes between them (a 10k-resource plan has ~180k).",
    )
    diff_value_max_chars: int = Field(
        default=300, ge=20, description="Longer attribute values are cut in the middle in diffs."
    )
    details_threshold: int = Field(
        default=5, ge=0, description="Sections with more items than this are folded in <details>."
    )
    findings_path: str = Field(
        default="main.tf",
        description="Path that Code Quality and SARIF findings point at (plans have no file positions).",
    )
    rules_docs_url: str = Field(
        default="docs/guardrails.md",
        description="Where each built-in rule id links (`<url>#tfo-s3-001`): tfoidc's docs/guardrails.md. "
        "The default is relative, right in tfoidc's own repository; point it at your copy of tfoidc's docs "
        '(e.g. https://gitlab.example.com/platform/tfoidc/-/blob/v0.1.0/docs/guardrails.md), or "" for no links.',
    )
    artifact_url: str | None = Field(
        default=None, description="Where the full report lives (default: derived from CI_JOB_URL)."
    )
