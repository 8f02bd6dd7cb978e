"""GitLab's report artifacts and SARIF, from an `Analysis` (pure: each returns the file's text).

- `artifacts:reports:terraform`: `{"create", "update", "delete"}` counted like GitLab's own template
  (a replace is one create and one delete, as in Terraform's "Plan: 1 to add, 0 to change, 1 to
  destroy"), plus `replace` for readers that know it.
- `artifacts:reports:junit`: one testcase per rule and address; blocking = failure, waived = skipped.
- `artifacts:reports:codequality`: the CodeClimate subset GitLab reads.
- SARIF 2.1.0 for code-scanning tools.
Plans carry no file positions, so findings point at `ReportConfig.findings_path`, line 1.
"""

from __future__ import annotations

import hashlib
import xml.etree.ElementTree as ET
from typing import Any

import orjson

from tfoidc import __version__
from tfoidc.analysis.model import Analysis
from tfoidc.guardrails.model import Finding, Severity
from tfoidc.plan.model import Action
from tfoidc.report.config import ReportConfig
from tfoidc.report.escape import json_text, xml
from tfoidc.report.view import environment_name, incomplete_text

INFORMATION_URI = "https://gitlab.com/tfoidc/tfoidc"
_CODEQUALITY_SEVERITY = {Severity.BLOCK: "blocker", Severity.WARN: "major", Severity.INFO: "info"}
INCOMPLETE_CHECK = "tfoidc/plan-incomplete"
_SARIF_LEVEL = {Severity.BLOCK: "error", Severity.WARN: "warning", Severity.INFO: "note"}


def gitlab_terraform_report(analysis: Analysis) -> str:
    counts = {"create": 0, "update": 0, "delete": 0, "replace": 0}
    for rc in analysis.plan.changes():
        if rc.action is Action.REPLACE:
            counts["replace"] += 1
            counts["create"] += 1
            counts["delete"] += 1
        elif rc.action is Action.REPLACE_FORGET:  # the old object is kept: one created, none destroyed
            counts["create"] += 1
        elif rc.action.value in counts:
            counts[rc.action.value] += 1
    return orjson.dumps(counts).decode()


def fingerprint(analysis: Analysis, finding: Finding) -> str:
    key = "\0".join((environment_name(analysis), finding.rule, finding.address, finding.attribute or ""))
    return hashlib.sha256(key.encode()).hexdigest()


def junit_xml(analysis: Analysis) -> str:
    """One testcase per finding, plus one for the plan's completeness when Terraform left changes
    for a later plan (a failure, so the merge request's test summary shows it). Every text goes
    through `xml`: ElementTree escapes markup but writes control characters as they are."""
    env = environment_name(analysis)
    incomplete = analysis.plan.incomplete
    suite = ET.Element(
        "testsuite",
        name=xml(f"tfoidc guardrails ({env})"),
        tests=str(len(analysis.findings) + incomplete),
        failures=str(len(analysis.blocking_findings) + incomplete),
        skipped=str(sum(1 for f in analysis.findings if f.waived)),
        errors="0",
    )
    if incomplete:
        case = ET.SubElement(suite, "testcase", classname=xml(f"tfoidc.{env}.plan"), name="plan is complete")
        ET.SubElement(case, "failure", message=xml(incomplete_text(analysis)), type="incomplete").text = xml(
            _incomplete_detail(analysis)
        )
    for f in _ordered(analysis.findings):
        case = ET.SubElement(
            suite, "testcase", classname=xml(f"tfoidc.{env}.{f.rule}"), name=xml(f"{f.rule} {f.address}")
        )
        text = xml(_finding_text(f))
        if f.blocking:
            ET.SubElement(case, "failure", message=xml(f.message), type=f.severity.value).text = text
        elif f.waived:
            ET.SubElement(case, "skipped", message=xml(f"waived: {f.waiver_reason or 'no reason given'}"))
        else:
            ET.SubElement(case, "system-out").text = f"[{f.severity.value}] {text}"
    root = ET.Element("testsuites", name="tfoidc")
    root.append(suite)
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def fingerprints(analysis: Analysis, findings: list[Finding]) -> list[str]:
    """One fingerprint per finding, unique within the report (GitLab drops repeated fingerprints):
    a repeat of the same rule, address and attribute gets its occurrence number mixed in."""
    seen: dict[str, int] = {}
    out = []
    for f in findings:
        base = fingerprint(analysis, f)
        n = seen.get(base, 0)
        seen[base] = n + 1
        out.append(base if n == 0 else hashlib.sha256(f"{base}\0{n}".encode()).hexdigest())
    return out


def codequality(analysis: Analysis, config: ReportConfig) -> str:
    findings = _ordered(analysis.findings)
    issues = [
        {
            "type": "issue",
            "check_name": json_text(f.rule),
            "description": json_text(f"{f.address}: {f.message}" + (" (waived)" if f.waived else "")),
            "categories": ["Security"],
            "fingerprint": fp,
            "severity": "info" if f.waived else _CODEQUALITY_SEVERITY[f.severity],
            "location": {"path": config.findings_path, "lines": {"begin": 1}},
        }
        for f, fp in zip(findings, fingerprints(analysis, findings), strict=True)
    ]
    if analysis.plan.incomplete:
        issues.insert(
            0,
            {
                "type": "issue",
                "check_name": INCOMPLETE_CHECK,
                "description": json_text(_incomplete_detail(analysis)),
                "categories": ["Bug Risk"],
                "fingerprint": hashlib.sha256(
                    f"{environment_name(analysis)}\0incomplete".encode()
                ).hexdigest(),
                "severity": "major",
                "location": {"path": config.findings_path, "lines": {"begin": 1}},
            },
        )
    return orjson.dumps(issues, option=orjson.OPT_INDENT_2).decode()


def sarif(analysis: Analysis, config: ReportConfig) -> str:
    findings = _ordered(analysis.findings)
    rule_ids = sorted({f.rule for f in findings})
    titles = {f.rule: json_text(f.title or f.rule) for f in findings}
    results = [
        _sarif_result(f, rule_ids.index(f.rule), fp, config)
        for f, fp in zip(findings, fingerprints(analysis, findings), strict=True)
    ]
    doc = {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "tfoidc",
                        "version": __version__,
                        "informationUri": INFORMATION_URI,
                        "rules": [
                            {
                                "id": json_text(r),
                                "name": json_text(r),
                                "shortDescription": {"text": titles[r]},
                            }
                            for r in rule_ids
                        ],
                    }
                },
                "automationDetails": {"id": f"tfoidc/{environment_name(analysis)}/"},
                "invocations": [_sarif_invocation(analysis)],
                "results": results,
            }
        ],
    }
    return orjson.dumps(doc, option=orjson.OPT_INDENT_2).decode()


def _sarif_invocation(analysis: Analysis) -> dict[str, Any]:
    """The run itself: an incomplete plan is a warning notification (it is not a finding)."""
    invocation: dict[str, Any] = {"executionSuccessful": True}
    if analysis.plan.incomplete:
        invocation["toolExecutionNotifications"] = [
            {
                "level": "warning",
                "descriptor": {"id": INCOMPLETE_CHECK},
                "message": {"text": json_text(_incomplete_detail(analysis))},
            }
        ]
    return invocation


def _sarif_result(f: Finding, rule_index: int, fp: str, config: ReportConfig) -> dict[str, Any]:
    result: dict[str, Any] = {
        "ruleId": json_text(f.rule),
        "ruleIndex": rule_index,
        "level": _SARIF_LEVEL[f.severity],
        "message": {"text": json_text(_finding_text(f))},
        "locations": [
            {
                "physicalLocation": {
                    "artifactLocation": {"uri": config.findings_path},
                    "region": {"startLine": 1},
                },
                "logicalLocations": [{"fullyQualifiedName": json_text(f.address), "kind": "resource"}],
            }
        ],
        "partialFingerprints": {"tfoidc/v1": fp},
    }
    if f.waived:
        result["suppressions"] = [{"kind": "external", "justification": json_text(f.waiver_reason or "")}]
    return result


def _ordered(findings: tuple[Finding, ...]) -> list[Finding]:
    return sorted(findings, key=lambda f: (-f.severity.rank, f.rule, f.address, f.attribute or ""))


def _incomplete_detail(analysis: Analysis) -> str:
    """What an incomplete plan means, with the deferred resources (at most 20 named)."""
    plan = analysis.plan
    text = (
        f"{environment_name(analysis)}: {incomplete_text(analysis)}; applying this plan leaves changes "
        "for a later plan, and tfoidc apply refuses it unless allow_incomplete_apply is set."
    )
    if plan.deferred:
        named = ", ".join(f"{d.address} ({d.action.value}: {d.reason})" for d in plan.deferred[:20])
        more = f" and {len(plan.deferred) - 20} more" if len(plan.deferred) > 20 else ""
        text += f" Deferred: {named}{more}."
    return text


def _finding_text(f: Finding) -> str:
    text = f"{f.address}: {f.message}"
    if f.attribute:
        text += f" (attribute {f.attribute})"
    if f.fix:
        text += f" Fix: {f.fix}"
    return text
