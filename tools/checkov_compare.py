#!/usr/bin/env python3
"""Compare tfoidc's guardrails with Checkov on every AWS fixture plan.

For each tfoidc rule that names Checkov check ids in its `references`, Checkov's failures of those
checks are matched to tfoidc findings by plan file and resource address, and the tool prints, per
rule (class of problem): what Checkov finds that tfoidc also finds, what tfoidc misses, and what
tfoidc finds beyond Checkov. Every disagreement must be listed, with the reason, in DISAGREEMENTS
below (the reviewed table, reproduced in docs/guardrails.md); the tool exits 1 when one is not, or
when a listed one no longer occurs.

Checkov conflicts with tfoidc's dependencies, so it lives in its own virtualenv:
    python3 -m venv .venv-checkov && .venv-checkov/bin/pip install checkov==3.3.30
    python tools/checkov_compare.py            # CHECKOV_BIN overrides .venv-checkov/bin/checkov

Checkov runs once over all plans (`--framework terraform_plan -f PLAN ... -o json --check <ids>`,
with `--skip-download` so it never calls the Prisma Cloud API). tfoidc runs with scope "all" so both
tools judge every resource in the plan, changed or not; tfoidc's default scope ("changes") judges
only what the plan changes, which is a deliberate difference and not counted here.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tfoidc.errors import TfoidcError
from tfoidc.guardrails.engine import evaluate
from tfoidc.guardrails.policy import GuardrailsPolicy
from tfoidc.guardrails.rules import load_all
from tfoidc.plan import Plan, load_plan
from tfoidc.plan.graph import build_graph

REPO = Path(__file__).resolve().parents[1]
DEFAULT_PLANS = REPO.parent / "shared" / "fixtures" / "plans"
DEFAULT_CHECKOV = REPO / ".venv-checkov" / "bin" / "checkov"

# Reasons, written once and cited by every disagreement they explain.
SPECIFIC_ACTIONS_ON_STAR = (
    'CKV_AWS_355 fails any restrictable action on Resource "*"; these statements grant a short list of '
    "named CloudWatch Logs actions (the policy AWS documents for flow-log / API Gateway logging roles). "
    'tfoidc\'s class is wildcard grants (Action "*" or service:* on "*"), which hand over actions '
    "nobody listed, including future ones; least-privilege scoping of named actions is a review "
    "matter, not a block."
)
SSE_S3_IS_ENCRYPTION = (
    "CKV_AWS_145 demands SSE-KMS; this bucket has a default encryption configuration with AES256 "
    "(SSE-S3, inline or in a separate aws_s3_bucket_server_side_encryption_configuration), so its "
    "objects are encrypted at rest. tfoidc's class is 'no default encryption "
    "configuration'; choosing KMS over S3-managed keys is a key-management policy, expressible as a "
    "custom rule."
)
NO_RESOURCE_CHANGES = (
    "The plan has no resource_changes (only planned_values): Terraform proposes no action on any "
    "resource, so there is nothing for a pre-apply guardrail to allow or block. Checkov scans the "
    "planned_values as if they were being created."
)
DEFAULT_SUBNET = (
    "aws_default_subnet maps public IPs on launch exactly like aws_subnet (here "
    "map_public_ip_on_launch = true, AWS's default for default subnets); CKV_AWS_130 only inspects "
    "aws_subnet."
)

# (kind, check or rule id, plan path under fixtures/plans, resource address) -> reason.
# kind "missed": Checkov fails the check and tfoidc has no matching finding.
# kind "beyond": tfoidc reports the rule and Checkov fails none of the rule's checks there.
DISAGREEMENTS: dict[tuple[str, str, str, str], str] = {
    (
        "missed",
        "CKV_AWS_355",
        "regula/vpc_flow_log.json",
        "aws_iam_role_policy.example",
    ): SPECIFIC_ACTIONS_ON_STAR,
    (
        "missed",
        "CKV_AWS_355",
        "snyk-cli/tf_plan_no_op.json",
        "aws_iam_role_policy.terra_ci_job",
    ): SPECIFIC_ACTIONS_ON_STAR,
    (
        "missed",
        "CKV_AWS_355",
        "terraform-compliance/non_created_module_resource_parameter.json",
        "module.apigw_test_1.module.api_gw_log_role.aws_iam_policy.default[0]",
    ): SPECIFIC_ACTIONS_ON_STAR,
    (
        "missed",
        "CKV_AWS_145",
        "regula/s3_bucket_sse.json",
        "aws_s3_bucket.aes_encrypted",
    ): SSE_S3_IS_ENCRYPTION,
    ("missed", "CKV_AWS_145", "trivy/plan_open_sg_s3.json", "aws_s3_bucket.planbucket"): SSE_S3_IS_ENCRYPTION,
    (
        "missed",
        "CKV_AWS_145",
        "trivy/plan_with_template_open_sg.json",
        "aws_s3_bucket.planbucket",
    ): SSE_S3_IS_ENCRYPTION,
    (
        "missed",
        "CKV_AWS_145",
        "checkov/planned_values_only_no_resource_changes.json",
        "aws_s3_bucket.example",
    ): NO_RESOURCE_CHANGES,
    (
        "beyond",
        "TFO-NET-001",
        "infracost/instance_with_attachment_after_deploy.json",
        "aws_default_subnet.default",
    ): DEFAULT_SUBNET,
}


@dataclass(frozen=True, order=True)
class Hit:
    plan: str  # path under fixtures/plans
    address: str
    check: str  # a Checkov check id, or a tfoidc rule id


@dataclass
class RuleAgreement:
    rule: str
    checks: tuple[str, ...]
    checkov: list[Hit] = field(default_factory=list)
    agreed: list[Hit] = field(default_factory=list)
    missed: list[Hit] = field(default_factory=list)
    beyond: list[Hit] = field(default_factory=list)


@dataclass
class Comparison:
    plans: list[str]
    rules: list[RuleAgreement]
    unexplained: list[tuple[str, Hit]]
    stale: list[tuple[str, str, str, str]]

    @property
    def checkov_total(self) -> int:
        return len({h for r in self.rules for h in r.checkov})

    @property
    def agreed_total(self) -> int:
        return len({h for r in self.rules for h in r.agreed})


def checkov_references() -> dict[str, tuple[str, ...]]:
    """tfoidc rule id -> the Checkov check ids its documentation names (rules naming none are skipped)."""
    return {
        spec.id: tuple(ref for ref in spec.references if ref.startswith("CKV"))
        for spec in sorted(load_all().values(), key=lambda s: s.id)
        if any(ref.startswith("CKV") for ref in spec.references)
    }


def aws_plans(plans_dir: Path) -> list[tuple[str, Plan]]:
    """Every fixture plan that tfoidc parses and that holds at least one AWS resource."""
    found = []
    for path in sorted(plans_dir.rglob("*.json")):
        if path.name == "sources.json":
            continue
        try:
            plan = load_plan(path)
        except TfoidcError:
            continue
        text = json.dumps([plan.planned_values, [rc.type for rc in plan.resource_changes]])
        if '"aws_' in text:
            found.append((path.relative_to(plans_dir).as_posix(), plan))
    return found


def find_checkov(explicit: str | None = None) -> str | None:
    candidate = explicit or os.environ.get("CHECKOV_BIN") or str(DEFAULT_CHECKOV)
    if Path(candidate).is_file() and os.access(candidate, os.X_OK):
        return candidate
    return shutil.which(candidate) if os.sep not in candidate else None


def run_checkov(checkov: str, plans_dir: Path, plans: Sequence[str], checks: Iterable[str]) -> list[Hit]:
    """Checkov's failed checks among `checks` on `plans`, as (plan, address, check id)."""
    command = [checkov, "--framework", "terraform_plan", "-o", "json", "--skip-download", "--quiet"]
    command += ["--check", ",".join(sorted(set(checks)))]
    for plan in plans:
        command += ["-f", str(plans_dir / plan)]
    env = dict(os.environ, LOG_LEVEL="ERROR", BC_SKIP_MAPPING="TRUE")
    result = subprocess.run(command, capture_output=True, text=True, check=False, env=env)
    if result.returncode not in (0, 1):  # 1: some check failed
        tail = result.stderr.strip().splitlines()[-1:] or ["no output"]
        raise RuntimeError(f"checkov exited {result.returncode}: {tail[0]}")
    reports: Any = json.loads(result.stdout or "[]")
    hits = []
    for report in reports if isinstance(reports, list) else [reports]:
        for failed in (report.get("results") or {}).get("failed_checks") or ():
            path = Path(failed.get("file_abs_path") or failed["file_path"]).resolve()
            plan = path.relative_to(plans_dir.resolve()).as_posix()
            address = failed.get("resource_address") or failed["resource"]
            hits.append(Hit(plan, address, failed["check_id"]))
    return sorted(set(hits))


def tfoidc_hits(plans: Sequence[tuple[str, Plan]], rules: Iterable[str]) -> list[Hit]:
    wanted = set(rules)
    policy = GuardrailsPolicy(scope="all")
    hits = set()
    for name, plan in plans:
        for finding in evaluate(plan, build_graph(plan), policy, environment=None):
            if finding.rule in wanted:
                hits.add(Hit(name, finding.address, finding.rule))
    return sorted(hits)


def compare(checkov_failed: Sequence[Hit], tfoidc_found: Sequence[Hit], plans: Sequence[str]) -> Comparison:
    references = checkov_references()
    rules_for_check: dict[str, set[str]] = defaultdict(set)
    for rule, checks in references.items():
        for check in checks:
            rules_for_check[check].add(rule)
    tfoidc_at: dict[tuple[str, str], set[str]] = defaultdict(set)
    for hit in tfoidc_found:
        tfoidc_at[(hit.plan, hit.address)].add(hit.check)
    checkov_at: dict[tuple[str, str], set[str]] = defaultdict(set)
    for hit in checkov_failed:
        checkov_at[(hit.plan, hit.address)].add(hit.check)

    agreements = []
    unexplained: list[tuple[str, Hit]] = []
    seen: set[tuple[str, str, str, str]] = set()
    for rule, checks in references.items():
        row = RuleAgreement(rule, checks)
        for hit in checkov_failed:
            if hit.check not in checks:
                continue
            row.checkov.append(hit)
            # found when tfoidc reports any rule documenting this check on the same resource
            if tfoidc_at[(hit.plan, hit.address)] & rules_for_check[hit.check]:
                row.agreed.append(hit)
            else:
                row.missed.append(hit)
        for hit in tfoidc_found:
            if hit.check == rule and not checkov_at[(hit.plan, hit.address)] & set(checks):
                row.beyond.append(hit)
        for kind, hits in (("missed", row.missed), ("beyond", row.beyond)):
            for hit in hits:
                key = (kind, hit.check, hit.plan, hit.address)
                seen.add(key)
                if key not in DISAGREEMENTS:
                    unexplained.append((kind, hit))
        agreements.append(row)
    stale = sorted(key for key in DISAGREEMENTS if key not in seen)
    return Comparison(list(plans), agreements, sorted(set(unexplained)), stale)


def render(result: Comparison) -> str:
    lines = [
        f"Checkov vs tfoidc on {len(result.plans)} AWS fixture plans (tfoidc scope: all)",
        "",
        f"{'rule':<13} {'checkov ids':<56} {'checkov':>7} {'agreed':>6} {'missed':>6} {'beyond':>6}",
    ]
    for row in result.rules:
        lines.append(
            f"{row.rule:<13} {', '.join(row.checks):<56} {len(row.checkov):>7} {len(row.agreed):>6} "
            f"{len(row.missed):>6} {len(row.beyond):>6}"
        )
    total, agreed = result.checkov_total, result.agreed_total
    share = f"{agreed / total:.1%}" if total else "n/a"
    lines += ["", f"tfoidc finds {agreed} of {total} Checkov findings in covered classes ({share})."]
    explained = {
        (k, h.check, h.plan, h.address)
        for row in result.rules
        for k, hs in (("missed", row.missed), ("beyond", row.beyond))
        for h in hs
    }
    for kind in ("missed", "beyond"):
        keys = sorted(key for key in explained if key[0] == kind)
        if keys:
            title = "Checkov finds, tfoidc does not:" if kind == "missed" else "tfoidc finds beyond Checkov:"
            lines += ["", title]
            for _, check, plan, address in keys:
                reason = DISAGREEMENTS.get((kind, check, plan, address), "UNEXPLAINED: review and list it")
                lines.append(f"  {check} {plan} {address}")
                lines.append(f"      why: {reason}")
    if result.stale:
        lines += ["", "Listed disagreements that no longer occur (remove them from DISAGREEMENTS):"]
        lines += [f"  {kind} {check} {plan} {address}" for kind, check, plan, address in result.stale]
    return "\n".join(lines)


def run(plans_dir: Path, checkov: str) -> Comparison:
    plans = aws_plans(plans_dir)
    references = checkov_references()
    checks = {check for ids in references.values() for check in ids}
    names = [name for name, _ in plans]
    return compare(run_checkov(checkov, plans_dir, names, checks), tfoidc_hits(plans, references), names)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--plans", type=Path, default=DEFAULT_PLANS, help="fixture plans directory")
    parser.add_argument(
        "--checkov", default=None, help="checkov executable (default: $CHECKOV_BIN or .venv-checkov)"
    )
    parser.add_argument("--json", action="store_true", help="print the comparison as JSON")
    args = parser.parse_args(argv)
    checkov = find_checkov(args.checkov)
    if checkov is None:
        print(
            "checkov_compare: error: checkov not found (set CHECKOV_BIN or create .venv-checkov)",
            file=sys.stderr,
        )
        return 2
    if not args.plans.is_dir():
        print(f"checkov_compare: error: no fixture plans at {args.plans}", file=sys.stderr)
        return 2
    result = run(args.plans, checkov)
    if args.json:
        print(
            json.dumps(
                {
                    "plans": result.plans,
                    "checkov_findings": result.checkov_total,
                    "agreed": result.agreed_total,
                    "rules": [
                        {
                            "rule": r.rule,
                            "checkov_ids": list(r.checks),
                            "checkov": len(r.checkov),
                            "agreed": len(r.agreed),
                            "missed": [h.__dict__ for h in r.missed],
                            "beyond": [h.__dict__ for h in r.beyond],
                        }
                        for r in result.rules
                    ],
                    "unexplained": [{"kind": k, **h.__dict__} for k, h in result.unexplained],
                    "stale": [list(key) for key in result.stale],
                },
                indent=2,
            )
        )
    else:
        print(render(result))
    return 1 if result.unexplained or result.stale else 0


if __name__ == "__main__":
    sys.exit(main())
