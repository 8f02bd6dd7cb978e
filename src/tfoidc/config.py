"""tfoidc.toml: schema, validation with key paths, defaults.

Each stage owns the schema of its own section (`guardrails.policy`, `cost.config`, `report.config`);
this module composes them and turns validation errors into one line naming every bad key path.
"""

from __future__ import annotations

import difflib
import tomllib
from pathlib import Path
from typing import Annotated, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    ValidationInfo,
    field_validator,
)
from pydantic_core import ErrorDetails

from tfoidc.audit.config import AuditConfig
from tfoidc.cost.config import CostConfig
from tfoidc.errors import InputError, KeyPathError
from tfoidc.guardrails.policy import GuardrailsPolicy
from tfoidc.report.config import ReportConfig
from tfoidc.stacks.config import StacksConfig, StackSettings

CONFIG_FILENAME = "tfoidc.toml"
ROLE_ARN_PATTERN = r"^arn:aws[a-z-]*:iam::\d{12}:role/[\w+=,.@/-]+$"
DURATION_PATTERN = r"^\d+(ms|s|m|h)$"
ENVIRONMENT_NAME_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.-]*$"
ENVIRONMENT_NAME_MAX = 128  # a folder name, with room to spare
# What a failed `pattern` means, in words, for the one-line error.
_PATTERN_MEANING = {
    ROLE_ARN_PATTERN: "not an IAM role ARN (arn:aws:iam::<12-digit account>:role/<name>)",
    DURATION_PATTERN: "not a duration such as 30s, 5m or 1h",
    ENVIRONMENT_NAME_PATTERN: "an environment name must be letters, digits, '.', '_' or '-'",
}


BackendValue = str | int | bool
# The `aud` the shipped pipeline's plan and drift jobs request (id_tokens), and how its apply jobs'
# differs: only apply roles accept the apply audience, so a plan job's token cannot apply.
DEFAULT_PLAN_AUDIENCE = "sts.amazonaws.com"
APPLY_AUDIENCE_SUFFIX = "/apply"


def default_apply_audience(issuer: str) -> str:
    """`<issuer>/apply`, e.g. https://gitlab.com/apply: what the shipped pipeline's apply jobs request."""
    return issuer.rstrip("/") + APPLY_AUDIENCE_SUFFIX


# Environment names become directory names (tfoidc-out/<name>) and GitLab environment names.
EnvironmentName = Annotated[
    str, StringConstraints(pattern=ENVIRONMENT_NAME_PATTERN, max_length=ENVIRONMENT_NAME_MAX)
]


class EnvironmentConfig(BaseModel):
    """One environment: a Terraform root, the role it runs as and who may apply it."""

    model_config = ConfigDict(extra="forbid")

    root: str = Field(min_length=1, description="Terraform root directory, relative to tfoidc.toml.")
    role_arn: str | None = Field(default=None, pattern=ROLE_ARN_PATTERN)
    plan_role_arn: str | None = Field(
        default=None,
        pattern=ROLE_ARN_PATTERN,
        description="Read-only role for plan/drift (merge request pipelines); default: role_arn.",
    )
    chain_role_arn: str | None = Field(
        default=None,
        pattern=ROLE_ARN_PATTERN,
        description="Assumed with role_arn's credentials, for apply only.",
    )
    plan_chain_role_arn: str | None = Field(
        default=None,
        pattern=ROLE_ARN_PATTERN,
        description="Assumed with the plan role's credentials, for plan and drift; default: none.",
    )
    audience: str | None = Field(
        default=None,
        min_length=1,
        description=f"The `aud` plan and drift require; default {DEFAULT_PLAN_AUDIENCE}.",
    )
    apply_audience: str | None = Field(
        default=None,
        min_length=1,
        description=f"The `aud` apply requires; default <issuer>{APPLY_AUDIENCE_SUFFIX}.",
    )
    issuer: str | None = Field(default=None, description="Expected `iss`, e.g. https://gitlab.com.")
    region: str | None = None
    session_duration: int = Field(default=3600, ge=900, le=43200)
    backend_config: dict[str, BackendValue] = Field(default_factory=dict)
    var_files: list[str] = Field(default_factory=list, description="Relative to the Terraform root.")
    plugin_dir: str | None = Field(default=None, description="Offline provider directory for init.")
    lock_timeout: str = Field(default="0s", pattern=DURATION_PATTERN)
    mask_env: list[str] = Field(
        default_factory=list, description="Environment variables whose values never reach the output."
    )
    apply_refs: list[str] = Field(
        default_factory=list, description="fnmatch patterns of the refs that may apply; empty: any ref."
    )
    require_protected_ref: bool = False
    local_role_arn: str | None = Field(default=None, pattern=ROLE_ARN_PATTERN)
    allow_local_apply: bool = False
    review_check: Literal["enforce", "report", "off"] = Field(
        default="enforce",
        description=(
            "On the default branch, compare the plan to apply with the last plan reviewed on its merge "
            "request (through the GitLab API, with TFOIDC_GITLAB_TOKEN). enforce: any difference, or no "
            "reviewed plan, is posted to the merge request note and refuses the apply (exit 3); report: "
            "posted, the apply goes ahead; off: not compared."
        ),
    )
    allow_incomplete_apply: bool = Field(
        default=False,
        description="Apply a plan Terraform says is incomplete (deferred changes, complete: false); "
        "by default `tfoidc apply` refuses it (exit 3).",
    )
    terraform_credentials: Literal["keys", "web_identity"] = Field(
        default="keys",
        description=(
            "keys: the STS credentials tfoidc obtained, in Terraform's environment; web_identity: the ID "
            "token in a private file (AWS_ROLE_ARN + AWS_WEB_IDENTITY_TOKEN_FILE), so the AWS provider and "
            "the S3 backend assume the role themselves and refresh during long runs."
        ),
    )

    @field_validator("apply_refs")
    @classmethod
    def _no_blank_patterns(cls, refs: list[str]) -> list[str]:
        if any(not r.strip() for r in refs):
            raise ValueError("apply_refs entries must not be blank")
        return refs

    @field_validator("apply_audience")
    @classmethod
    def _apply_audience_is_its_own(cls, apply_audience: str | None, info: ValidationInfo) -> str | None:
        plan_audience = info.data.get("audience") or DEFAULT_PLAN_AUDIENCE
        if apply_audience is not None and apply_audience == plan_audience:
            raise ValueError(
                f"must differ from the plan audience {plan_audience!r}: a plan job's token would be "
                "accepted for apply"
            )
        return apply_audience

    @field_validator("terraform_credentials")
    @classmethod
    def _web_identity_cannot_chain(cls, mode: str, info: ValidationInfo) -> str:
        for key in ("chain_role_arn", "plan_chain_role_arn"):
            if mode == "web_identity" and info.data.get(key):
                raise ValueError(f"web_identity cannot be combined with {key} (Terraform would not chain)")
        return mode

    @field_validator("allow_local_apply")
    @classmethod
    def _local_apply_needs_local_role(cls, allowed: bool, info: ValidationInfo) -> bool:
        if allowed and not info.data.get("local_role_arn"):
            raise ValueError("allow_local_apply = true needs a valid local_role_arn")
        return allowed


class Config(BaseModel):
    model_config = ConfigDict(extra="forbid")

    environments: dict[EnvironmentName, EnvironmentConfig] = Field(default_factory=dict)
    guardrails: GuardrailsPolicy = Field(default_factory=GuardrailsPolicy)
    cost: CostConfig = Field(default_factory=CostConfig)
    report: ReportConfig = Field(default_factory=ReportConfig)
    audit: AuditConfig = Field(default_factory=AuditConfig)
    stacks: StacksConfig = Field(default_factory=StacksConfig)


def load_config(path: str | Path | None) -> Config:
    """Read `path`, or return the defaults when `path` is None."""
    if path is None:
        return Config()
    p = Path(path)
    try:
        data = p.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read {p}: {exc.strerror or exc}") from None
    try:
        raw = tomllib.loads(toml_text(data, p))
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"{p}: not valid TOML ({exc})") from None
    except RecursionError:  # nested arrays or inline tables thousands deep
        raise InputError(f"{p}: not valid TOML (nested too deeply)") from None
    try:
        return Config.model_validate(raw)
    except ValidationError as exc:
        raise InputError(f"{p}: {describe_validation_error(exc)}") from None


def toml_text(data: bytes, path: Path) -> str:
    """TOML is UTF-8 (a leading byte order mark, which some Windows editors add, is dropped);
    anything else is one line saying where the first bad byte is."""
    try:
        return data.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise InputError(
            f"{path}: not UTF-8 text (byte 0x{data[exc.start]:02x} at line {line}); TOML files are UTF-8",
            hint="save tfoidc.toml as UTF-8",
        ) from None


def find_config(start: Path) -> Path | None:
    """The nearest tfoidc.toml at or above `start`."""
    for folder in (start, *start.parents):
        candidate = folder / CONFIG_FILENAME
        if candidate.is_file():
            return candidate
    return None


def describe_validation_error(exc: ValidationError) -> str:
    """Every mistake with its key path, in one line: `a.b: what is wrong; c: ...`."""
    return "; ".join(f"{_key_path(err)}: {_explain(err)}" for err in exc.errors())


def _key_path(err: ErrorDetails) -> str:
    path = [str(p) for p in err["loc"]]
    error = (err.get("ctx") or {}).get("error")
    if isinstance(error, KeyPathError):  # a validator named a key below the one it checks
        path.append(error.path)
    return ".".join(path) or "(top level)"


def _explain(err: ErrorDetails) -> str:
    kind = err["type"]
    ctx = err.get("ctx") or {}
    if kind == "extra_forbidden":
        return "unknown key" + _did_you_mean(err)
    if kind == "missing":
        return "required key is missing"
    if kind == "string_pattern_mismatch" and ctx.get("pattern") in _PATTERN_MEANING:
        return f"{_PATTERN_MEANING[ctx['pattern']]}, got {err['input']!r}"
    message = err["msg"].removeprefix("Value error, ")
    return message


def _did_you_mean(err: ErrorDetails) -> str:
    """A close known key for a misspelt one (`rol_arn` -> `role_arn`), when the model is known."""
    name = str(err["loc"][-1]) if err["loc"] else ""
    parent = _model_at(err["loc"][:-1])
    if parent is None:
        return ""
    close = difflib.get_close_matches(name, list(parent.model_fields), n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""


def _model_at(loc: tuple[int | str, ...]) -> type[BaseModel] | None:
    if not loc:
        return Config
    if loc[0] == "environments" and len(loc) == 2:
        return EnvironmentConfig
    if loc[0] == "stacks":
        return StacksConfig if len(loc) == 1 else StackSettings if len(loc) == 3 else None
    return None
