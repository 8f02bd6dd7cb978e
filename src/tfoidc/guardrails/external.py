"""Findings from the user's own policy tools: SARIF 2.1.0, Checkov JSON, Trivy JSON, conftest JSON.

`parse_findings` reads one tool output (already read from disk by the caller: this package does no
I/O) into `ExternalResult`s; `resolve` maps a result to the plan addresses it is about. The engine puts
them through the same severities, waivers, gate and reports as built-in findings, under the rule id
`<tool>:<id>` (e.g. `checkov:CKV_AWS_20`, `trivy:AWS-0107`), and drops a result a built-in rule already
reports on the same resource under a corresponding id (the built-in finding then says who else found it).

Formats, as their tools document them:
- SARIF 2.1.0 (OASIS): runs[].tool.driver.name, results[].ruleId / level / message.text, the resource in
  locations[].logicalLocations[] (fullyQualifiedName or name), properties.resource, or the message.
- Checkov `-o json`: one report or a list of reports, results.failed_checks[] with check_id, check_name,
  resource / resource_address, file_path, file_line_range, severity, guideline.
- Trivy `--format json`: Results[].Misconfigurations[] with ID / AVDID, Title, Message, Resolution,
  Severity, Status, PrimaryURL and CauseMetadata.Resource / StartLine.
- conftest `--output json`: a list of {filename, namespace, successes, warnings[], failures[],
  exceptions[]}, each item {msg, metadata}; failures are deny rules, warnings warn rules.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any, Literal

from tfoidc.errors import InputError
from tfoidc.plan.addresses import strip_instance_keys
from tfoidc.plan.model import Plan

ToolSeverity = Literal["critical", "high", "medium", "low", "unknown"]
TOOL_SEVERITIES: tuple[ToolSeverity, ...] = ("critical", "high", "medium", "low", "unknown")
# conftest's own verdicts keep their meaning: a failing deny rule blocks, a warn rule warns.
CONFTEST_FAILURE = "deny"
CONFTEST_WARNING = "warn"

_ADDRESS = re.compile(
    r'(?:module\.[A-Za-z0-9_-]+(?:\[(?:\d+|"(?:[^"\\]|\\.)*")\])?\.)*'
    r'(?:data\.)?[a-z][a-z0-9]*_[a-z0-9_]+\.[A-Za-z0-9_-]+(?:\[(?:\d+|"(?:[^"\\]|\\.)*")\])?'
)


@dataclass(frozen=True)
class ExternalResult:
    tool: str  # "checkov", "trivy", "conftest", or a SARIF driver's name in lower case
    id: str  # the tool's rule id ("CKV_AWS_20", "AWS-0107", conftest: metadata id or namespace)
    title: str
    message: str
    severity: str  # one of TOOL_SEVERITIES, or conftest's "deny" / "warn"
    resource: str | None  # the resource as the tool names it
    file: str | None  # the scanned file the tool reports
    line: int | None
    findings_file: str  # which --findings file it came from
    help: str | None = None  # the tool's resolution text or documentation URL

    @property
    def rule(self) -> str:
        return f"{self.tool}:{self.id}"

    @property
    def location(self) -> str:
        if self.file and self.line:
            return f"{self.file}:{self.line}"
        return self.file or self.findings_file


def normalise_id(rule_id: str) -> str:
    """Trivy writes AVD-AWS-0107 or AWS-0107 for the same check; tfoidc references use AWS-0107."""
    upper = rule_id.strip().upper()
    return upper.removeprefix("AVD-")


def parse_findings(name: str, data: bytes) -> list[ExternalResult]:
    """Every failing result in one tool output; InputError (one line, exit 2) when it is none of the
    four formats or is malformed."""
    try:
        doc = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise InputError(f"{name}: findings file is not JSON ({exc})") from None
    try:
        if isinstance(doc, dict) and "runs" in doc and str(doc.get("version", "")).startswith("2.1"):
            return list(_sarif(name, doc))
        if isinstance(doc, dict) and "SchemaVersion" in doc:
            return list(_trivy(name, doc))
        if _is_checkov(doc):
            return list(_checkov(name, doc))
        if isinstance(doc, list) and all(isinstance(r, dict) and "filename" in r for r in doc):
            return list(_conftest(name, doc))
    except (KeyError, TypeError, AttributeError, ValueError) as exc:
        raise InputError(f"{name}: malformed findings file ({type(exc).__name__}: {exc})") from None
    raise InputError(
        f"{name}: not a SARIF 2.1.0, Checkov JSON, Trivy JSON or conftest JSON document",
        hint="produce it with checkov -o json / -o sarif, trivy --format json / sarif, or conftest -o json",
    )


def _is_checkov(doc: Any) -> bool:
    reports = doc if isinstance(doc, list) else [doc]
    return bool(reports) and all(
        isinstance(r, dict) and ("check_type" in r or "checkov_version" in r or "results" in r)
        for r in reports
    )


def _checkov(name: str, doc: Any) -> Iterator[ExternalResult]:
    for report in doc if isinstance(doc, list) else [doc]:
        results = report.get("results") or {}
        for failed in results.get("failed_checks") or ():
            lines = failed.get("file_line_range") or [None]
            yield ExternalResult(
                tool="checkov",
                id=str(failed["check_id"]),
                title=str(failed.get("check_name") or failed["check_id"]),
                message=str(failed.get("check_name") or ""),
                severity=_scale(failed.get("severity")),
                resource=str(failed.get("resource_address") or failed.get("resource") or "") or None,
                file=str(failed.get("file_path") or "") or None,
                line=_int(lines[0]),
                findings_file=name,
                help=failed.get("guideline") or None,
            )


def _trivy(name: str, doc: dict[str, Any]) -> Iterator[ExternalResult]:
    for result in doc.get("Results") or ():
        for misconf in result.get("Misconfigurations") or ():
            if str(misconf.get("Status") or "FAIL").upper() != "FAIL":
                continue
            cause = misconf.get("CauseMetadata") or {}
            rule_id = str(misconf.get("AVDID") or misconf["ID"])
            yield ExternalResult(
                tool="trivy",
                id=normalise_id(rule_id),
                title=str(misconf.get("Title") or rule_id),
                message=str(misconf.get("Message") or misconf.get("Description") or ""),
                severity=_scale(misconf.get("Severity")),
                resource=str(cause.get("Resource") or "") or None,
                file=str(result.get("Target") or "") or None,
                line=_int(cause.get("StartLine")),
                findings_file=name,
                help=" ".join(str(x) for x in (misconf.get("Resolution"), misconf.get("PrimaryURL")) if x)
                or None,
            )


def _conftest(name: str, doc: list[dict[str, Any]]) -> Iterator[ExternalResult]:
    for result in doc:
        namespace = str(result.get("namespace") or "main")
        for key, verdict in (("failures", CONFTEST_FAILURE), ("warnings", CONFTEST_WARNING)):
            for item in result.get(key) or ():
                metadata = item.get("metadata") or {}
                details = metadata.get("details")
                fields: dict[str, Any] = {**(details if isinstance(details, dict) else {}), **metadata}
                rule_id = str(fields.get("id") or fields.get("rule") or f"{namespace}.{verdict}")
                resource = next(
                    (str(fields[k]) for k in ("address", "resource", "resource_address") if fields.get(k)),
                    None,
                )
                yield ExternalResult(
                    tool="conftest",
                    id=rule_id,
                    title=f"{namespace} {verdict} rule",
                    message=str(item.get("msg") or ""),
                    severity=verdict,
                    resource=resource,
                    file=str(result.get("filename") or "") or None,
                    line=None,
                    findings_file=name,
                )


def _sarif(name: str, doc: dict[str, Any]) -> Iterator[ExternalResult]:
    for run in doc.get("runs") or ():
        driver = (run.get("tool") or {}).get("driver") or {}
        tool = re.sub(r"[^a-z0-9_.-]+", "-", str(driver.get("name") or "sarif").lower()).strip("-") or "sarif"
        listed = [r for r in driver.get("rules") or () if isinstance(r, dict)]
        rules = {str(r.get("id")): r for r in listed}
        for result in run.get("results") or ():
            if result.get("suppressions") or result.get("baselineState") == "absent":
                continue  # suppressed in the tool, or fixed since the baseline
            if result.get("kind", "fail") not in ("fail", "open", "review"):
                continue
            rule_id = str(result.get("ruleId") or (result.get("rule") or {}).get("id") or "result")
            index = result.get("ruleIndex")
            described = (
                listed[index]
                if isinstance(index, int) and 0 <= index < len(listed)
                else rules.get(rule_id) or {}
            )
            text = str((result.get("message") or {}).get("text") or "")
            location = (result.get("locations") or [{}])[0]
            physical = location.get("physicalLocation") or {}
            logical = [
                str(loc.get("fullyQualifiedName") or loc.get("name") or "")
                for loc in location.get("logicalLocations") or ()
            ]
            properties = result.get("properties") or {}
            # Checkov names the resource in its rule's help text ("Resource: aws_s3_bucket.b")
            helped = re.search(r"Resource: (\S+)", str((described.get("help") or {}).get("text") or ""))
            named = [*logical, str(properties.get("resource") or ""), helped.group(1) if helped else ""]
            resource = next((r for r in named if r), None)
            title = (described.get("shortDescription") or {}).get("text") or described.get("name") or rule_id
            yield ExternalResult(
                tool=tool,
                id=rule_id,
                title=str(title),
                message=text,
                severity=_sarif_severity(result, described),
                resource=resource,
                file=str((physical.get("artifactLocation") or {}).get("uri") or "") or None,
                line=_int((physical.get("region") or {}).get("startLine")),
                findings_file=name,
                help=str(described.get("helpUri") or "") or None,
            )


def _sarif_severity(result: dict[str, Any], rule: dict[str, Any]) -> str:
    score = (rule.get("properties") or {}).get("security-severity")
    try:
        number = float(score) if score is not None else None
    except (TypeError, ValueError):
        number = None
    if number is not None:  # GitHub's convention, which Trivy and Checkov's SARIF follow
        return "critical" if number >= 9 else "high" if number >= 7 else "medium" if number >= 4 else "low"
    level = result.get("level") or (rule.get("defaultConfiguration") or {}).get("level") or "warning"
    return {"error": "high", "warning": "medium", "note": "low", "none": "low"}.get(str(level), "unknown")


def _scale(raw: Any) -> str:
    text = str(raw or "").strip().lower()
    return text if text in TOOL_SEVERITIES else "unknown"


def _int(raw: Any) -> int | None:
    try:
        return int(raw)
    except (TypeError, ValueError):
        return None


# --- mapping to the plan --------------------------------------------------------------------------


def resolve(result: ExternalResult, plan: Plan, addresses: dict[str, Any]) -> list[str]:
    """The plan addresses `result` is about: its resource as an exact address, as a configuration
    address (every instance of a counted resource), or, for a resource named without its module
    (tools scanning .tf files), every instance of that type and name whose module lives where the
    reported file does; for conftest and SARIF without a resource, the addresses its message names."""
    candidates = [result.resource] if result.resource else []
    if not candidates or result.tool == "conftest":
        candidates += sorted(set(_ADDRESS.findall(result.message)), key=len, reverse=True)
    for candidate in candidates:
        found = _match(candidate or "", plan, addresses, result.file)
        if found:
            return found
    return []


def _match(candidate: str, plan: Plan, addresses: dict[str, Any], file: str | None) -> list[str]:
    candidate = candidate.strip()
    if not candidate:
        return []
    if candidate in addresses:
        return [candidate]
    configured = [a for a in addresses if strip_instance_keys(a) == strip_instance_keys(candidate)]
    if configured:
        return sorted(configured)
    local = strip_instance_keys(candidate).split(".")
    if len(local) < 2:
        return []
    kind, name = local[-2], local[-1]
    same = [
        rc
        for rc in plan.resource_changes
        if rc.type == kind and rc.name == name and rc.deposed is None and (local[0] == "data") == rc.is_data
    ]
    if len(same) > 1 and file:
        directory = _directory(file)
        here = [rc for rc in same if _module_directory(plan, rc.module_address) == directory]
        same = here or same
    return sorted({rc.address for rc in same})


def _directory(file: str) -> str:
    parts = [p for p in file.replace("\\", "/").split("/")[:-1] if p not in ("", ".")]
    return "/".join(parts)


def _module_directory(plan: Plan, module_address: str) -> str | None:
    """The source directory of a local module call chain ("" for the root), from the configuration."""
    module: Any = (plan.configuration or {}).get("root_module") or {}
    directory = ""
    for step in re.finditer(r"module\.([^.\[]+)", module_address):
        call = (module.get("module_calls") or {}).get(step.group(1)) or {}
        source = str(call.get("source") or "")
        if not source.startswith(("./", "../")):
            return None
        directory = _join(directory, source)
        module = call.get("module") or {}
    return directory


def _join(base: str, relative: str) -> str:
    parts = [p for p in base.split("/") if p]
    for piece in relative.split("/"):
        if piece in ("", "."):
            continue
        if piece == "..":
            if parts:
                parts.pop()
        else:
            parts.append(piece)
    return "/".join(parts)


def corresponding(result: ExternalResult, references: Iterable[str]) -> bool:
    """Whether a built-in rule documenting `references` covers the tool's check."""
    wanted = normalise_id(result.id)
    return any(normalise_id(ref) == wanted for ref in references)
