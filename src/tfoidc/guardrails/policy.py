"""`[guardrails]` in tfoidc.toml: which rules run, how severe they are, waivers and custom rules.

Rule ids are checked against the registry (built-in rules, budget rules and this file's custom rules),
so a typo in a rule id is a configuration error with its key path rather than a silently ignored line.
"""

from __future__ import annotations

import difflib
import re
from datetime import date
from typing import Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    TypeAdapter,
    ValidationError,
    ValidationInfo,
    field_validator,
)

from tfoidc.errors import KeyPathError
from tfoidc.guardrails.model import Severity
from tfoidc.guardrails.paths import parse_path

FailOn = Literal["block", "warn", "never"]
Scope = Literal["changes", "all"]
Operator = Literal[
    "equals",
    "not_equals",
    "exists",
    "not_exists",
    "contains",
    "not_contains",
    "matches",
    "not_matches",
    "in",
    "not_in",
    "greater_than",
    "less_than",
]
OPERATORS_WITHOUT_VALUE = frozenset({"exists", "not_exists"})


class RuleSettings(BaseModel):
    """`[guardrails.rules."<ID>"]` (and the same under an environment)."""

    model_config = ConfigDict(extra="forbid")

    enabled: bool | None = None  # None: inherit (rules are enabled unless switched off)
    severity: Severity | None = None
    params: dict[str, Any] = Field(default_factory=dict)


class EnvironmentPolicy(BaseModel):
    """`[guardrails.environments.<env>]`: overrides applied on top of the global rule settings."""

    model_config = ConfigDict(extra="forbid")

    rules: dict[str, RuleSettings] = Field(default_factory=dict)


class Waiver(BaseModel):
    """`[[guardrails.waivers]]`: accept one rule's findings on matching addresses until `expires`."""

    model_config = ConfigDict(extra="forbid")

    rule: str = Field(min_length=1)
    address: str = Field(min_length=1)  # fnmatch glob over resource addresses, e.g. "module.legacy.*"
    reason: str
    expires: date
    environments: list[str] | None = None  # None: every environment

    @field_validator("reason")
    @classmethod
    def _reason_is_not_blank(cls, reason: str) -> str:
        if not reason.strip():
            raise ValueError("a waiver needs a reason")
        return reason.strip()


class CustomRule(BaseModel):
    """`[[guardrails.custom]]`: an organisation rule stating what every resource of a type must satisfy.

    A finding is raised for each resource of `resource_type` whose `attribute` does NOT satisfy
    `operator value` (like Checkov's YAML policies, the rule describes the compliant state).
    """

    model_config = ConfigDict(extra="forbid")

    id: str = Field(pattern=r"^[A-Za-z][A-Za-z0-9_.-]*$")
    title: str = Field(min_length=1)
    resource_type: str = Field(min_length=1)
    attribute: str = Field(
        min_length=1
    )  # e.g. "tags.Owner", "ingress[*].cidr_blocks", "versioning[0].enabled"
    operator: Operator
    value: Any = Field(default=None, validate_default=True)  # so a missing value is checked too
    message: str = Field(min_length=1)
    severity: Severity = Severity.WARN
    fix: str | None = None
    actions: list[Literal["create", "update", "replace"]] | None = None  # None: all of them

    @field_validator("attribute")
    @classmethod
    def _attribute_is_a_path(cls, attribute: str) -> str:
        parse_path(attribute)
        return attribute

    @field_validator("value")
    @classmethod
    def _value_fits_operator(cls, value: Any, info: ValidationInfo) -> Any:
        operator = info.data.get("operator")
        if operator is None or operator in OPERATORS_WITHOUT_VALUE:
            return value
        if value is None:
            raise ValueError(f"operator {operator!r} needs a value")
        if operator in ("in", "not_in") and not isinstance(value, list):
            raise ValueError(f"operator {operator!r} needs a list value")
        if operator in ("matches", "not_matches"):
            _check_regex(value)
        if operator in ("greater_than", "less_than") and (
            isinstance(value, bool) or not isinstance(value, int | float)
        ):
            raise ValueError(f"operator {operator!r} needs a number")
        return value


EXTERNAL_RULE_ID = re.compile(r"^[a-z0-9][a-z0-9_.-]*:\S+$")  # "<tool>:<id>", e.g. "checkov:CKV_AWS_20"
ToolSeverity = Literal["critical", "high", "medium", "low", "unknown"]


def _default_tool_severities() -> dict[ToolSeverity, Severity]:
    return {
        "critical": Severity.BLOCK,
        "high": Severity.WARN,
        "medium": Severity.WARN,
        "low": Severity.INFO,
        "unknown": Severity.WARN,
    }


class FindingsPolicy(BaseModel):
    """`[guardrails.findings]`: results of the team's own scanners (Checkov, Trivy, conftest, SARIF).

    `files` are read on every analyze/plan (relative to tfoidc.toml), besides `--findings FILE`.
    A tool's severity maps to tfoidc's through `severity`; conftest's deny rules block and its warn rules
    warn. A result that matches no address of the plan is listed at info (`unmatched = "info"`) or
    at its own severity (`"keep"`)."""

    model_config = ConfigDict(extra="forbid")

    files: list[str] = Field(default_factory=list)
    severity: dict[ToolSeverity, Severity] = Field(default_factory=_default_tool_severities)
    unmatched: Literal["info", "keep"] = "info"

    @field_validator("severity")
    @classmethod
    def _complete(cls, severity: dict[ToolSeverity, Severity]) -> dict[ToolSeverity, Severity]:
        return {**_default_tool_severities(), **severity}

    @field_validator("files")
    @classmethod
    def _no_blank_files(cls, files: list[str]) -> list[str]:
        if any(not f.strip() for f in files):
            raise ValueError("findings files must not be blank")
        return files


class GuardrailsPolicy(BaseModel):
    model_config = ConfigDict(extra="forbid")

    fail_on: FailOn = "block"
    # "changes": only resources this plan creates, updates, replaces or deletes are judged (plus the
    # data sources they read); "all": every resource in the plan, as scanners such as Checkov do.
    scope: Scope = "changes"
    production_environments: list[str] = Field(default_factory=lambda: ["production", "prod"])
    custom: list[CustomRule] = Field(default_factory=list)
    rules: dict[str, RuleSettings] = Field(default_factory=dict)
    environments: dict[str, EnvironmentPolicy] = Field(default_factory=dict)
    waivers: list[Waiver] = Field(default_factory=list)
    findings: FindingsPolicy = Field(default_factory=FindingsPolicy)

    @field_validator("custom")
    @classmethod
    def _custom_ids_are_new(cls, custom: list[CustomRule]) -> list[CustomRule]:
        builtin = known_rule_ids()
        seen: set[str] = set()
        for index, item in enumerate(custom):
            if item.id in builtin:
                raise KeyPathError(f"{index}.id", f"{item.id!r} is already a built-in rule id")
            if item.id in seen:
                raise KeyPathError(f"{index}.id", f"{item.id!r} is declared twice")
            seen.add(item.id)
        return custom

    @field_validator("rules")
    @classmethod
    def _rule_ids_are_known(
        cls, rules: dict[str, RuleSettings], info: ValidationInfo
    ) -> dict[str, RuleSettings]:
        _reject_unknown(rules, _known(info), where="")
        return rules

    @field_validator("environments")
    @classmethod
    def _environment_rule_ids_are_known(
        cls, environments: dict[str, EnvironmentPolicy], info: ValidationInfo
    ) -> dict[str, EnvironmentPolicy]:
        known = _known(info)
        for env, env_policy in environments.items():
            _reject_unknown(env_policy.rules, known, where=f"{env}.rules.")
        return environments

    @field_validator("waivers")
    @classmethod
    def _waiver_rules_are_known(cls, waivers: list[Waiver], info: ValidationInfo) -> list[Waiver]:
        known = _known(info)
        for index, waiver in enumerate(waivers):
            if waiver.rule not in known and not EXTERNAL_RULE_ID.match(waiver.rule):
                raise KeyPathError(f"{index}.rule", _unknown_message(waiver.rule, known))
        return waivers

    def is_production(self, environment: str | None) -> bool:
        return environment is not None and environment in self.production_environments

    def settings_for(self, rule_id: str, environment: str | None) -> RuleSettings:
        """The global settings of `rule_id` with the environment's overrides laid over them."""
        merged = RuleSettings(enabled=True)
        layers = [self.rules.get(rule_id)]
        if environment is not None and environment in self.environments:
            layers.append(self.environments[environment].rules.get(rule_id))
        for layer in layers:
            if layer is None:
                continue
            merged = RuleSettings(
                enabled=merged.enabled if layer.enabled is None else layer.enabled,
                severity=layer.severity or merged.severity,
                params={**merged.params, **layer.params},
            )
        return merged


def known_rule_ids() -> frozenset[str]:
    """Every registered rule id: built-in rules and any budget rules (importing them registers them).
    Imported here, not at module level: loading tfoidc.toml must not load the rules it may never run."""
    from tfoidc.guardrails.audit_rules import AUDIT_RULES
    from tfoidc.guardrails.rules import load_all

    return frozenset(load_all()) | frozenset(AUDIT_RULES)


def _known(info: ValidationInfo) -> frozenset[str]:
    custom = info.data.get("custom") or []
    return known_rule_ids() | {c.id for c in custom}


def _reject_unknown(rules: dict[str, RuleSettings], known: frozenset[str], *, where: str) -> None:
    for rule_id, settings in rules.items():
        if EXTERNAL_RULE_ID.match(rule_id):  # another tool's check: severity and enabled only
            if settings.params:
                raise KeyPathError(f"{where}{rule_id}.params", "rules of other tools take no params")
            continue
        if rule_id not in known:
            raise KeyPathError(f"{where}{rule_id}", _unknown_message(rule_id, known))
        _check_params(rule_id, settings, where=where)


def _check_params(rule_id: str, settings: RuleSettings, *, where: str) -> None:
    """Each param must be one the rule reads, of the type it declares (validated values replace raw ones)."""
    from tfoidc.guardrails.rules import load_all

    spec = load_all().get(rule_id)
    declared = spec.params if spec is not None else {}
    for name, raw in settings.params.items():
        path = f"{where}{rule_id}.params.{name}"
        if name not in declared:
            takes = ", ".join(sorted(declared)) or "no params"
            raise KeyPathError(path, f"unknown parameter ({rule_id} takes {takes})")
        try:
            settings.params[name] = TypeAdapter(declared[name]).validate_python(raw)
        except ValidationError as exc:
            error = exc.errors()[0]
            at = "".join(f".{step}" for step in error["loc"])
            raise KeyPathError(f"{path}{at}", error["msg"]) from None


def _unknown_message(rule_id: str, known: frozenset[str]) -> str:
    close = difflib.get_close_matches(rule_id, sorted(known), n=1)
    hint = f" (did you mean {close[0]}?)" if close else ""
    return f"unknown rule id {rule_id!r}{hint}"


def _check_regex(pattern: Any) -> None:
    if not isinstance(pattern, str):
        raise ValueError("operator 'matches' needs a regular expression string")
    try:
        re.compile(pattern)
    except re.error as exc:
        raise ValueError(f"invalid regular expression {pattern!r}: {exc}") from None
