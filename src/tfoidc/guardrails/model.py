"""Findings: what a guardrail rule reports (pure data)."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class Severity(StrEnum):
    BLOCK = "block"
    WARN = "warn"
    INFO = "info"

    @property
    def rank(self) -> int:
        return {"info": 0, "warn": 1, "block": 2}[self.value]


@dataclass(frozen=True, slots=True)
class Finding:
    rule: str  # e.g. "TFO-S3-001"
    severity: Severity
    address: str
    message: str  # why it matters, one sentence
    title: str = ""
    attribute: str | None = None  # the offending attribute path, e.g. "ingress[0].cidr_blocks"
    fix: str | None = None
    blast_radius: tuple[str, ...] = ()
    waived: bool = False
    waiver_reason: str | None = None
    references: tuple[str, ...] = field(default=())  # equivalent Checkov / Trivy ids
    source: str = "tfoidc"  # the tool that found it: "tfoidc", or "checkov", "trivy", "conftest", ...
    also_reported_by: tuple[str, ...] = ()  # external results this finding stands for ("checkov:CKV_AWS_20")

    @property
    def blocking(self) -> bool:
        return self.severity is Severity.BLOCK and not self.waived
