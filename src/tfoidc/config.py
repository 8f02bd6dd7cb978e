"""tfoidc.toml: schema, validation with key paths, defaults.

Each stage owns the schema of its own section (`guardrails.policy`, `cost.config`, `report.config`);
this module composes them and turns validation errors into one line naming every bad key path.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from tfoidc.cost.config import CostConfig
from tfoidc.errors import InputError
from tfoidc.guardrails.policy import GuardrailsPolicy
from tfoidc.report.config import ReportConfig

CONFIG_FILENAME = "tfoidc.toml"
ROLE_ARN_PATTERN = r"^arn:aws[a-z-]*:iam::\d{12}:role/[\w+=,.@/-]+$"


BackendValue = str | int | bool


class EnvironmentConfig(BaseModel):
    """One environment: a Terraform root, the role it runs as and who may apply it."""

    model_config = ConfigDict(extra="forbid")

    root: str = Field(description="Terraform root directory, relative to tfoidc.toml.")
    role_arn: str | None = Field(default=None, pattern=ROLE_ARN_PATTERN)
    plan_role_arn: str | None = Field(
        default=None,
        pattern=ROLE_ARN_PATTERN,
        description="Read-only role for plan/drift (merge request pipelines); default: role_arn.",
    )
    chain_role_arn: str | None = Field(default=None, pattern=ROLE_ARN_PATTERN)
    audience: str | None = Field(default=None, description="Expected `aud` of the GitLab ID token.")
    issuer: str | None = Field(default=None, description="Expected `iss`, e.g. https://gitlab.com.")
    region: str | None = None
    session_duration: int = Field(default=3600, ge=900, le=43200)
    backend_config: dict[str, BackendValue] = Field(default_factory=dict)
    var_files: list[str] = Field(default_factory=list, description="Relative to the Terraform root.")
    plugin_dir: str | None = Field(default=None, description="Offline provider directory for init.")
    lock_timeout: str = Field(default="0s", pattern=r"^\d+(ms|s|m|h)$")
    mask_env: list[str] = Field(
        default_factory=list, description="Environment variables whose values never reach the output."
    )
    apply_refs: list[str] = Field(
        default_factory=list, description="fnmatch patterns of the refs that may apply; empty: any ref."
    )
    require_protected_ref: bool = False
    local_role_arn: str | None = Field(default=None, pattern=ROLE_ARN_PATTERN)
    allow_local_apply: bool = False

    @field_validator("apply_refs")
    @classmethod
    def _no_blank_patterns(cls, refs: list[str]) -> list[str]:
        if any(not r.strip() for r in refs):
            raise ValueError("apply_refs entries must not be blank")
        return refs


class Config(BaseModel):
    model_config = ConfigDict(extra="forbid")

    environments: dict[str, EnvironmentConfig] = Field(default_factory=dict)
    guardrails: GuardrailsPolicy = Field(default_factory=GuardrailsPolicy)
    cost: CostConfig = Field(default_factory=CostConfig)
    report: ReportConfig = Field(default_factory=ReportConfig)


def load_config(path: str | Path | None) -> Config:
    """Read `path`, or return the defaults when `path` is None."""
    if path is None:
        return Config()
    p = Path(path)
    try:
        raw = tomllib.loads(p.read_text(encoding="utf-8"))
    except OSError as exc:
        raise InputError(f"cannot read {p}: {exc.strerror or exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"{p}: not valid TOML ({exc})") from None
    try:
        return Config.model_validate(raw)
    except ValidationError as exc:
        raise InputError(f"{p}: {describe_validation_error(exc)}") from None


def find_config(start: Path) -> Path | None:
    """The nearest tfoidc.toml at or above `start`."""
    for folder in (start, *start.parents):
        candidate = folder / CONFIG_FILENAME
        if candidate.is_file():
            return candidate
    return None


def describe_validation_error(exc: ValidationError) -> str:
    parts = []
    for err in exc.errors():
        path = ".".join(str(p) for p in err["loc"]) or "(top level)"
        parts.append(f"{path}: {err['msg']}")
    return "; ".join(parts)
