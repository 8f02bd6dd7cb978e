"""`[stacks]` in tfoidc.toml: where stacks are, and settings given to them by glob.

Kept free of heavy imports: `tfoidc.config` composes this schema, and loading tfoidc.toml must not load
the stacks stage. The role, backend and branch settings a glob gives are the ones `[environments.X]`
takes, validated the same way (by `EnvironmentConfig`, imported when a setting is checked).
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from tfoidc.errors import KeyPathError

ACCOUNT_PATTERN = r"^\d{12}$"
# Placeholders a string setting may hold, filled in per stack (`key = "{stack}.tfstate"`).
PLACEHOLDERS = ("{stack}", "{account}")

# The settings a stack shares with `[environments.X]` (everything but `root`).
ENVIRONMENT_KEYS = (
    "role_arn",
    "plan_role_arn",
    "chain_role_arn",
    "plan_chain_role_arn",
    "audience",
    "apply_audience",
    "issuer",
    "region",
    "session_duration",
    "backend_config",
    "var_files",
    "plugin_dir",
    "lock_timeout",
    "mask_env",
    "apply_refs",
    "require_protected_ref",
    "local_role_arn",
    "allow_local_apply",
    "review_check",
    "allow_incomplete_apply",
    "terraform_credentials",
)

DeploymentTier = Literal["production", "staging", "testing", "development", "other"]


class StackSettings(BaseModel):
    """What one glob of `[stacks.settings]` gives every stack it matches (unset keys give nothing)."""

    model_config = ConfigDict(extra="forbid")

    # Shared with [environments.X]; validated by EnvironmentConfig (see _valid_as_environment).
    role_arn: str | None = None
    plan_role_arn: str | None = None
    chain_role_arn: str | None = None
    plan_chain_role_arn: str | None = None
    audience: str | None = None
    apply_audience: str | None = None
    issuer: str | None = None
    region: str | None = None
    session_duration: int | None = None
    backend_config: dict[str, str | int | bool] | None = None
    var_files: list[str] | None = Field(default=None, description="Relative to the stack's folder.")
    plugin_dir: str | None = None
    lock_timeout: str | None = None
    mask_env: list[str] | None = None
    apply_refs: list[str] | None = None
    require_protected_ref: bool | None = None
    local_role_arn: str | None = None
    allow_local_apply: bool | None = None
    review_check: Literal["enforce", "report", "off"] | None = None
    allow_incomplete_apply: bool | None = None
    terraform_credentials: Literal["keys", "web_identity"] | None = None

    # Stack-only settings.
    account: str | None = Field(default=None, pattern=ACCOUNT_PATTERN, description="12-digit AWS account.")
    depends_on: list[str] | None = Field(default=None, description="Stacks applied before these ones.")
    watch: list[str] | None = Field(
        default=None, description="Globs of other files (repository-relative) that change these stacks."
    )
    deployment_tier: DeploymentTier | None = None
    exclude: bool | None = Field(default=None, description="true: these folders are not stacks.")

    def given(self) -> dict[str, Any]:
        """The keys this glob sets."""
        return {k: v for k, v in self.__dict__.items() if v is not None}

    @model_validator(mode="after")
    def _valid_as_environment(self) -> StackSettings:
        from tfoidc.config import EnvironmentConfig  # composed by tfoidc.config: imported when used

        given = {
            k: v for k in ENVIRONMENT_KEYS if (v := getattr(self, k)) is not None and not _has_placeholder(v)
        }
        try:
            EnvironmentConfig.model_validate({"root": ".", **given})
        except ValidationError as exc:
            first = exc.errors()[0]
            path = ".".join(str(p) for p in first["loc"])
            raise KeyPathError(path, _explain(exc)) from None
        return self


def _has_placeholder(value: Any) -> bool:
    if isinstance(value, str):
        return any(p in value for p in PLACEHOLDERS)
    if isinstance(value, dict):
        return any(_has_placeholder(v) for v in value.values())
    if isinstance(value, list):
        return any(_has_placeholder(v) for v in value)
    return False


def _explain(exc: ValidationError) -> str:
    from tfoidc.config import describe_validation_error

    errors = describe_validation_error(exc).split("; ")
    first = errors[0].split(": ", 1)[-1]
    more = f" (and {len(errors) - 1} more: {'; '.join(errors[1:])})" if len(errors) > 1 else ""
    return first + more


class StacksConfig(BaseModel):
    """`[stacks]`: discovery, change detection and the generated pipeline."""

    model_config = ConfigDict(extra="forbid")

    include: list[str] = Field(
        default_factory=lambda: ["**"], description="Globs of the folders that may be stacks."
    )
    exclude: list[str] = Field(default_factory=list, description="Globs of folders that are never stacks.")
    plan_affected: bool = Field(
        default=False,
        description="Also plan the stacks that depend on a changed stack (listed as 'affected').",
    )
    default_branch: str | None = Field(
        default=None, description="Branch a local change is compared with (default: origin's HEAD, main)."
    )
    settings: dict[str, StackSettings] = Field(
        default_factory=dict, description="Settings by stack-name glob; the most specific pattern wins."
    )
    image: str = Field(default="python:3.11-slim", description="Image of the generated pipeline's jobs.")

    @field_validator("include", "exclude")
    @classmethod
    def _valid_globs(cls, patterns: list[str]) -> list[str]:
        from tfoidc.stacks.globs import glob_problem  # only when tfoidc.toml has these keys

        for i, pattern in enumerate(patterns):
            problem = glob_problem(pattern)
            if problem:
                raise KeyPathError(str(i), f"{problem}, got {pattern!r}")
        return patterns

    @field_validator("settings")
    @classmethod
    def _valid_setting_globs(cls, settings: dict[str, StackSettings]) -> dict[str, StackSettings]:
        from tfoidc.stacks.globs import glob_problem

        for pattern, given in settings.items():
            problem = glob_problem(pattern)
            if problem:
                raise KeyPathError(pattern, f"{problem}, got {pattern!r}")
            for i, watched in enumerate(given.watch or ()):
                problem = glob_problem(watched)
                if problem:
                    raise KeyPathError(f"{pattern}.watch.{i}", f"{problem}, got {watched!r}")
        return settings
