"""tfoidc.toml: schema, validation with key paths, defaults.

Each stage owns the schema of its own section (`guardrails.policy`, `cost.config`, `report.config`);
this module composes them and turns validation errors into one line naming every bad key path.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from tfoidc.cost.config import CostConfig
from tfoidc.errors import InputError
from tfoidc.guardrails.policy import GuardrailsPolicy
from tfoidc.report.config import ReportConfig

CONFIG_FILENAME = "tfoidc.toml"


class EnvironmentConfig(BaseModel):
    """One environment (a Terraform root).  (Skeleton: completed in the lifecycle issue.)"""

    model_config = ConfigDict(extra="forbid")

    root: str
    role_arn: str | None = None


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
