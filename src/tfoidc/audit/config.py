"""`[audit]` in tfoidc.toml: what the audit commands expect of the account and its CloudTrail."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class AuditConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    projects: list[str] = Field(
        default_factory=list,
        description="fnmatch patterns of the GitLab project paths expected to assume the roles "
        "(e.g. 'platform/infra', 'platform/*'); empty: any project is expected.",
    )
    failure_threshold: int = Field(
        default=5,
        ge=1,
        description="This many refused assumptions of one role by one subject or source IP is reported "
        "as probing.",
    )
