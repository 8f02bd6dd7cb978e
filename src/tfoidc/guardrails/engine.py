"""Run the enabled rules over a plan and turn their hits into findings.

Severity precedence, highest first: the environment's override, the rule's setting in tfoidc.toml,
the severity the rule chose for the hit (e.g. production vs other environments), the rule's default.
Waivers are applied last; an expired waiver leaves the finding active and says so.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace
from datetime import UTC, date, datetime

from tfoidc.analysis.graph import RESOURCE, PlanGraph
from tfoidc.cost.model import CostEstimate
from tfoidc.errors import InputError, PolicyBlocked
from tfoidc.guardrails.custom import custom_spec
from tfoidc.guardrails.external import ExternalResult, corresponding, resolve
from tfoidc.guardrails.model import Finding, Severity
from tfoidc.guardrails.policy import FailOn, GuardrailsPolicy, Waiver
from tfoidc.guardrails.registry import Hit, RuleContext, RuleSpec
from tfoidc.guardrails.rules import load_all
from tfoidc.iam.document import wildcard_match
from tfoidc.plan.model import Plan


def evaluate(
    plan: Plan,
    graph: PlanGraph,
    policy: GuardrailsPolicy,
    *,
    environment: str | None,
    cost: CostEstimate | None = None,
    today: date | None = None,
    external: Sequence[ExternalResult] = (),
) -> tuple[Finding, ...]:
    """Every finding of every enabled rule and of the team's own tools (`external`), severities and
    waivers applied, most severe first (deterministic)."""
    today = today or datetime.now(UTC).date()
    production = policy.is_production(environment)
    in_scope = _scope_filter(plan, policy)
    findings: set[Finding] = set()
    for spec in rule_specs(policy):
        settings = policy.settings_for(spec.id, environment)
        if not settings.enabled:
            continue
        ctx = RuleContext(plan, graph, environment, production, cost, settings.params)
        try:
            hits = list(spec.check(ctx))
        except (TypeError, AttributeError, ValueError, KeyError, IndexError) as exc:
            # Resource values are typed by provider schemas the parser cannot know: a plan with
            # values of another shape is bad input (exit 2), not a crash. --debug shows the cause.
            raise InputError(
                f"plan values have a shape rule {spec.id} cannot read ({type(exc).__name__}: {exc})"
            ) from exc
        for hit in hits:
            if in_scope(hit.address):
                severity = (
                    Severity.INFO if hit.pending else settings.severity or hit.severity or spec.severity
                )
                finding = _finding(spec, hit, severity)
                findings.add(apply_waivers(finding, policy.waivers, environment, today))
    if external:
        findings = external_findings(plan, graph, policy, findings, external, environment, today, in_scope)
    return tuple(sorted(findings, key=_order))


def external_findings(
    plan: Plan,
    graph: PlanGraph,
    policy: GuardrailsPolicy,
    builtin: set[Finding],
    results: Sequence[ExternalResult],
    environment: str | None,
    today: date,
    in_scope: Callable[[str], bool],
) -> set[Finding]:
    """Built-in findings plus one finding per external result and address. A result a built-in rule
    already reports on the same resource (or one it is tied to) under a corresponding id is not repeated:
    the built-in finding records it in `also_reported_by`."""
    addresses = plan.by_address()
    confirmed: dict[Finding, list[str]] = {}
    found: set[Finding] = set()
    for result in results:
        settings = policy.settings_for(result.rule, environment)
        if not settings.enabled:
            continue
        targets = resolve(result, plan, addresses)
        severity = settings.severity or _tool_severity(policy, result)
        if not targets:
            unmatched = (
                Severity.INFO if policy.findings.unmatched == "info" and not settings.severity else severity
            )
            finding = _external_finding(
                result, result.resource or result.location, unmatched, (), matched=False
            )
            found.add(apply_waivers(finding, policy.waivers, environment, today))
            continue
        for address in targets:
            if not in_scope(address):
                continue
            near = {address, *_neighbours(graph, address)}
            same = [f for f in builtin if f.address in near and corresponding(result, f.references)]
            if same:
                for finding in same:
                    confirmed.setdefault(finding, []).append(result.rule)
                continue
            radius = graph.blast_radius(address, kinds=(RESOURCE,)) if address in graph else ()
            finding = _external_finding(result, address, severity, radius, matched=True)
            found.add(apply_waivers(finding, policy.waivers, environment, today))
    kept = {
        replace(f, also_reported_by=tuple(sorted(set(confirmed[f])))) if f in confirmed else f
        for f in builtin
    }
    return kept | found


def _tool_severity(policy: GuardrailsPolicy, result: ExternalResult) -> Severity:
    if result.severity == "deny":
        return Severity.BLOCK
    if result.severity == "warn":
        return Severity.WARN
    return policy.findings.severity.get(result.severity, policy.findings.severity["unknown"])  # type: ignore[call-overload]


def _neighbours(graph: PlanGraph, address: str) -> set[str]:
    if address not in graph:
        return set()
    return graph.resource_neighbours(address) | graph.resource_neighbours(address, dependents=True)


def _external_finding(
    result: ExternalResult, address: str, severity: Severity, radius: tuple[str, ...], *, matched: bool
) -> Finding:
    message = result.message or result.title
    if not matched:
        named = f" ({result.resource})" if result.resource else ""
        message = f"{message} [matches no address in this plan{named}; reported at {result.location}]"
    return Finding(
        rule=result.rule,
        severity=severity,
        address=address,
        message=message,
        title=result.title,
        fix=result.help,
        blast_radius=radius,
        references=(result.id,),
        source=result.tool,
    )


def rule_specs(policy: GuardrailsPolicy) -> list[RuleSpec]:
    """Built-in and budget rules by id, then the policy's custom rules in declaration order."""
    registered = load_all()
    return [registered[i] for i in sorted(registered)] + [custom_spec(c) for c in policy.custom]


def failing(findings: Iterable[Finding], fail_on: FailOn) -> list[Finding]:
    """The findings that fail the run under `--fail-on` (waived findings never do)."""
    if fail_on == "never":
        return []
    threshold = _threshold(fail_on)
    return [f for f in findings if not f.waived and f.severity.rank >= threshold.rank]


def should_fail(findings: Iterable[Finding], fail_on: FailOn) -> bool:
    return bool(failing(findings, fail_on))


def enforce(findings: Iterable[Finding], fail_on: FailOn) -> None:
    """Raise `PolicyBlocked` (exit 3) naming the failing findings, when there are any."""
    failed = failing(findings, fail_on)
    if not failed:
        return
    shown = ", ".join(f"{f.rule} {f.address}" for f in failed[:5])
    more = f" and {len(failed) - 5} more" if len(failed) > 5 else ""
    raise PolicyBlocked(
        f"{len(failed)} guardrail finding(s) at or above {_threshold(fail_on).value}: {shown}{more}",
        hint="fix them, or add a [[guardrails.waivers]] entry with a reason and an expiry date",
    )


def _threshold(fail_on: FailOn) -> Severity:
    return Severity.BLOCK if fail_on == "block" else Severity.WARN


def apply_waivers(
    finding: Finding, waivers: Iterable[Waiver], environment: str | None, today: date
) -> Finding:
    matching = [w for w in waivers if _waives(w, finding, environment)]
    active = [w for w in matching if w.expires >= today]
    if active:
        waiver = min(active, key=lambda w: w.expires)
        return replace(finding, waived=True, waiver_reason=f"{waiver.reason} (until {waiver.expires})")
    if matching:
        waiver = max(matching, key=lambda w: w.expires)
        note = f" (waiver expired on {waiver.expires}, no longer applied: {waiver.reason})"
        return replace(finding, message=finding.message + note)
    return finding


def _waives(waiver: Waiver, finding: Finding, environment: str | None) -> bool:
    if waiver.rule != finding.rule or not wildcard_match(waiver.address, finding.address):
        return False
    return waiver.environments is None or environment in waiver.environments


def _scope_filter(plan: Plan, policy: GuardrailsPolicy) -> Callable[[str], bool]:
    """scope = "changes": keep hits on resources this plan changes or imports (an import brings a
    resource under review), on data sources it reads, and on the plan as a whole (addresses that are
    not resources, such as a budget)."""
    if policy.scope == "all":
        return lambda address: True
    by_address = plan.by_address()

    def in_scope(address: str) -> bool:
        rc = by_address.get(address)
        return rc is None or rc.is_data or rc.action.is_change or rc.importing

    return in_scope


# Every finding about a value only apply will know says so in the same words (reports and tools can
# tell "not judged yet" from a judgement).
PENDING_NOTE = "cannot be judged yet"


def _finding(spec: RuleSpec, hit: Hit, severity: Severity) -> Finding:
    message = hit.message
    if hit.pending and PENDING_NOTE not in message:
        message = f"{message}: {PENDING_NOTE}"
    return Finding(
        rule=spec.id,
        severity=severity,
        address=hit.address,
        message=message,
        title=spec.title,
        attribute=hit.attribute,
        fix=spec.fix,
        blast_radius=hit.blast_radius,
        references=spec.references,
    )


def _order(finding: Finding) -> tuple[int, str, str, str, str]:
    return (-finding.severity.rank, finding.rule, finding.address, finding.attribute or "", finding.message)
