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
import copy
import fnmatch
import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tfoidc.analysis.graph_build import build_graph
from tfoidc.errors import TfoidcError
from tfoidc.guardrails.engine import PENDING_NOTE, evaluate
from tfoidc.guardrails.policy import GuardrailsPolicy
from tfoidc.guardrails.rules import load_all
from tfoidc.plan.model import Plan
from tfoidc.plan.parse import load_plan

REPO = Path(__file__).resolve().parents[1]
DEFAULT_PLANS = REPO.parent / "shared" / "fixtures" / "plans"
DEFAULT_CHECKOV = REPO / ".venv-checkov" / "bin" / "checkov"

# Reasons, written once and cited by every disagreement they explain.
NO_RESOURCE_CHANGES = (
    "The plan has no resource_changes (only planned_values): Terraform proposes no action on any "
    "resource, so there is nothing for a pre-apply guardrail to allow or block. Checkov scans the "
    "planned_values as if they were being created."
)
PUBLIC_ACL_BLOCKED = (
    "A separate aws_s3_bucket_public_access_block with block_public_acls and ignore_public_acls "
    "protects this bucket: S3 rejects new public ACLs and ignores existing ones, so the public-read "
    "ACL grants nothing. CKV_AWS_20 reads the ACL without the block tied to the bucket."
)
VPC_ENDPOINT_IS_NOT_PUBLIC = (
    'Principal "*" is restricted by a fixed aws:SourceVpce condition: only requests through that VPC '
    "endpoint match, which S3's own definition of a public policy (Block Public Access, 'The meaning "
    "of public') treats as non-public. CKV_AWS_70 does not accept aws:SourceVpce as restricting."
)
GITLAB_OIDC = (
    "A GitLab web-identity trust with no sub condition: any project on the issuer can assume the role. "
    "CKV_AWS_358 only audits GitHub's token.actions.githubusercontent.com issuer; no Checkov check "
    "covers GitLab OIDC trust."
)
DEFAULT_SUBNET = (
    "aws_default_subnet maps public IPs on launch exactly like aws_subnet (here "
    "map_public_ip_on_launch = true, AWS's default for default subnets); CKV_AWS_130 only inspects "
    "aws_subnet."
)
DISK_ENCRYPTION_UNSET = (
    "The block device is written without `encrypted` (the plan shows it as known after apply, the "
    "configuration has no expression for it): the provider asks for nothing, so the volume is "
    "encrypted only if the AMI's snapshot is or the account encrypts EBS by default, which the plan "
    "does not say. Checkov CKV_AWS_8 fails a missing root_block_device for the same reason but passes "
    "a block that omits the key."
)
NODE_TO_NODE_UNSET = (
    "node_to_node_encryption is not configured; AWS leaves node-to-node encryption off unless it is "
    "enabled (OpenSearch developer guide, 'Node-to-node encryption'). Checkov CKV_AWS_6 passes this "
    "Elasticsearch 7.0 domain without the block."
)
NON_WEB_PORT = (
    "A single non-web TCP port (53, 8080) open to 0.0.0.0/0 is warned about as an unreviewed public "
    "service; Checkov has checks for ports 22, 3389, 80 and all ports only."
)
RULE_RESOURCE_PORT_80 = (
    "Port 80 opened to 0.0.0.0/0 by a separate aws_security_group_rule: a web entry point (info). "
    "CKV_AWS_260 inspects the port on aws_security_group resources and does not tie a separate rule "
    "resource to its group here."
)
PORT_8080_INLINE = NON_WEB_PORT

# (kind, check or rule id, plan path under fixtures/plans (a glob), resource address) -> reason.
# kind "missed": Checkov fails the check and tfoidc has no matching finding.
# kind "beyond": tfoidc reports the rule and Checkov fails none of the rule's checks there.
DISAGREEMENTS: dict[tuple[str, str, str, str], str] = {
    (
        "missed",
        "CKV_AWS_145",
        "checkov/planned_values_only_no_resource_changes.json",
        "aws_s3_bucket.example",
    ): NO_RESOURCE_CHANGES,
    (
        "missed",
        "CKV_AWS_20",
        "derived/s3_public_acl_behind_block.json",
        "aws_s3_bucket.planbucket",
    ): PUBLIC_ACL_BLOCKED,
    (
        "missed",
        "CKV_AWS_70",
        "derived/s3_policy_principal_star_from_vpc_endpoint.json",
        "aws_s3_bucket_policy.planbucket",
    ): VPC_ENDPOINT_IS_NOT_PUBLIC,
    (
        "beyond",
        "TFO-IAM-003",
        "derived/gitlab_oidc_trust_without_sub.json",
        "aws_iam_role.deploy",
    ): GITLAB_OIDC,
    (
        "beyond",
        "TFO-NET-001",
        "infracost/instance_with_attachment_after_deploy.json",
        "aws_default_subnet.default",
    ): DEFAULT_SUBNET,
    ("beyond", "TFO-ENC-001", "infracost/example_plan.json", "aws_instance.web_app"): DISK_ENCRYPTION_UNSET,
    (
        "beyond",
        "TFO-ENC-001",
        "infracost/example_plan.json",
        "aws_instance.zero_cost_instance",
    ): DISK_ENCRYPTION_UNSET,
    (
        "beyond",
        "TFO-ENC-001",
        "infracost/instance_with_attachment_before_deploy.json",
        "aws_instance.ec2",
    ): DISK_ENCRYPTION_UNSET,
    (
        "beyond",
        "TFO-ENC-001",
        "infracost/policy_data_upload_plan.json",
        "aws_instance.web_app",
    ): DISK_ENCRYPTION_UNSET,
    (
        "beyond",
        "TFO-ENC-005",
        "checkov/resource_reference_tf0_12.json",
        "aws_elasticsearch_domain.es",
    ): NODE_TO_NODE_UNSET,
    (
        "beyond",
        "TFO-NET-006",
        "terraform-compliance/issue_127_elb_security_groups.json",
        "aws_security_group.instance",
    ): PORT_8080_INLINE,
    (
        "beyond",
        "TFO-NET-006",
        "terraform-compliance/issue_181_sg_open_ports.json",
        "aws_security_group_rule.port_53",
    ): NON_WEB_PORT,
    (
        "beyond",
        "TFO-NET-007",
        "terraform-compliance/issue_181_sg_open_ports.json",
        "aws_security_group_rule.port_80",
    ): RULE_RESOURCE_PORT_80,
}


# --- derived plans ---------------------------------------------------------------------------------
# The fixtures exercise few of the covered classes, and none of the graph-aware cases, so the tool
# also writes plans derived from a real one (trivy/plan_open_sg_s3.json: a bucket, its separate
# encryption configuration, a security group) with one edit each, and runs both tools on them.

DERIVED_BASE = "trivy/plan_open_sg_s3.json"
BUCKET_REFS = ["aws_s3_bucket.planbucket.id", "aws_s3_bucket.planbucket"]
BLOCK_ALL = {
    "block_public_acls": True,
    "block_public_policy": True,
    "ignore_public_acls": True,
    "restrict_public_buckets": True,
}
PUBLIC_READ_STATEMENT: dict[str, Any] = {
    "Sid": "PublicRead",
    "Effect": "Allow",
    "Principal": "*",
    "Action": "s3:GetObject",
    "Resource": "arn:aws:s3:::tfsec-plan-testing/*",
}
GITLAB = "arn:aws:iam::111122223333:oidc-provider/gitlab.example.com"


def _document(*statements: dict[str, Any]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def _add(
    doc: dict[str, Any], address: str, after: dict[str, Any], refs: dict[str, list[str]] | None = None
) -> None:
    """A created root-module resource, in resource_changes, planned_values and the configuration."""
    rtype, name = address.split(".", 1)
    common = {"address": address, "mode": "managed", "type": rtype, "name": name}
    doc["resource_changes"].append(
        {
            **common,
            "provider_name": "registry.terraform.io/hashicorp/aws",
            "change": {"actions": ["create"], "before": None, "after": after, "after_unknown": {}},
        }
    )
    planned = {**common, "provider_name": "registry.terraform.io/hashicorp/aws", "schema_version": 0}
    doc["planned_values"]["root_module"]["resources"].append({**planned, "values": after})
    expressions = {key: {"references": value} for key, value in (refs or {}).items()}
    expressions.update({key: {"constant_value": v} for key, v in after.items() if key not in expressions})
    doc["configuration"]["root_module"]["resources"].append(
        {**common, "provider_config_key": "aws", "expressions": expressions, "schema_version": 0}
    )


def _set(doc: dict[str, Any], address: str, **values: Any) -> None:
    for rc in doc["resource_changes"]:
        if rc["address"] == address:
            rc["change"]["after"].update(values)
            for key in values:
                (rc["change"].get("after_unknown") or {}).pop(key, None)
    for resource in doc["planned_values"]["root_module"]["resources"]:
        if resource["address"] == address:
            resource["values"].update(values)


def derived_plans(plans_dir: Path) -> dict[str, dict[str, Any]]:
    """name -> plan document, each one edit away from DERIVED_BASE."""
    base = json.loads((plans_dir / DERIVED_BASE).read_text(encoding="utf-8"))
    cases: dict[str, dict[str, Any]] = {}

    def case(name: str) -> dict[str, Any]:
        cases[name] = copy.deepcopy(base)
        return cases[name]

    _add(
        case("s3_separate_public_acl"),
        "aws_s3_bucket_acl.planbucket",
        {"acl": "public-read"},
        {"bucket": BUCKET_REFS},
    )
    doc = case("s3_public_acl_behind_block")
    _set(doc, "aws_s3_bucket.planbucket", acl="public-read")
    _add(doc, "aws_s3_bucket_public_access_block.planbucket", dict(BLOCK_ALL), {"bucket": BUCKET_REFS})
    _add(
        case("s3_policy_principal_star"),
        "aws_s3_bucket_policy.planbucket",
        {"policy": _document(PUBLIC_READ_STATEMENT)},
        {"bucket": BUCKET_REFS},
    )
    _add(
        case("s3_policy_principal_star_from_vpc_endpoint"),
        "aws_s3_bucket_policy.planbucket",
        {
            "policy": _document(
                {**PUBLIC_READ_STATEMENT, "Condition": {"StringEquals": {"aws:SourceVpce": "vpce-1a2b3c4d"}}}
            )
        },
        {"bucket": BUCKET_REFS},
    )
    _add(
        case("s3_block_policy_setting_off"),
        "aws_s3_bucket_public_access_block.planbucket",
        {**BLOCK_ALL, "block_public_policy": False},
        {"bucket": BUCKET_REFS},
    )
    everything = {
        "cidr_blocks": ["0.0.0.0/0"],
        "description": "",
        "from_port": 0,
        "ipv6_cidr_blocks": [],
        "prefix_list_ids": [],
        "protocol": "-1",
        "security_groups": [],
        "self": False,
        "to_port": 0,
    }
    _set(case("sg_all_ports_from_internet"), "aws_security_group.sg", ingress=[everything])
    _add(
        case("subnet_public_ip_on_launch"),
        "aws_subnet.public",
        {"vpc_id": "vpc-0123", "cidr_block": "10.0.1.0/24", "map_public_ip_on_launch": True},
    )
    _add(
        case("rds_public_unencrypted"),
        "aws_db_instance.main",
        {
            "engine": "postgres",
            "instance_class": "db.t3.micro",
            "allocated_storage": 20,
            "publicly_accessible": True,
            "storage_encrypted": False,
        },
    )
    _add(
        case("role_assumable_by_anyone"),
        "aws_iam_role.open",
        {
            "name": "open",
            "assume_role_policy": _document(
                {"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole"}
            ),
        },
    )
    _add(
        case("gitlab_oidc_trust_without_sub"),
        "aws_iam_role.deploy",
        {
            "name": "deploy",
            "assume_role_policy": _document(
                {
                    "Effect": "Allow",
                    "Principal": {"Federated": GITLAB},
                    "Action": "sts:AssumeRoleWithWebIdentity",
                    "Condition": {"StringEquals": {"gitlab.example.com:aud": "https://gitlab.example.com"}},
                }
            ),
        },
    )
    _add(
        case("ebs_volume_unencrypted"),
        "aws_ebs_volume.data",
        {"availability_zone": "us-east-1a", "size": 20, "type": "gp3", "encrypted": False},
    )
    return {f"derived/{name}.json": doc for name, doc in cases.items()}


def listed(key: tuple[str, str, str, str]) -> tuple[str, str, str, str] | None:
    """The DISAGREEMENTS entry explaining `key` (its plan field may be a glob), if any."""
    kind, check, plan, address = key
    for entry in DISAGREEMENTS:
        if (
            entry[0] == kind
            and entry[1] == check
            and entry[3] == address
            and fnmatch.fnmatchcase(plan, entry[2])
        ):
            return entry
    return None


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


def run_checkov(checkov: str, files: dict[str, Path], checks: Iterable[str]) -> list[Hit]:
    """Checkov's failed checks among `checks` on `files` (name -> path), as (plan name, address, check)."""
    command = [checkov, "--framework", "terraform_plan", "-o", "json", "--skip-download", "--quiet"]
    command += ["--check", ",".join(sorted(set(checks)))]
    for path in files.values():
        command += ["-f", str(path)]
    names = {path.resolve(): name for name, path in files.items()}
    env = dict(os.environ, LOG_LEVEL="ERROR", BC_SKIP_MAPPING="TRUE")
    result = subprocess.run(command, capture_output=True, text=True, check=False, env=env)
    if result.returncode not in (0, 1):  # 1: some check failed
        tail = result.stderr.strip().splitlines()[-1:] or ["no output"]
        raise RuntimeError(f"checkov exited {result.returncode}: {tail[0]}")
    reports: Any = json.loads(result.stdout or "[]")
    hits = []
    for report in reports if isinstance(reports, list) else [reports]:
        for failed in (report.get("results") or {}).get("failed_checks") or ():
            plan = names[Path(failed.get("file_abs_path") or failed["file_path"]).resolve()]
            address = failed.get("resource_address") or failed["resource"]
            hits.append(Hit(plan, address, failed["check_id"]))
    return sorted(set(hits))


def tfoidc_hits(plans: Sequence[tuple[str, Plan]], rules: Iterable[str]) -> list[Hit]:
    wanted = set(rules)
    policy = GuardrailsPolicy(scope="all")
    hits = set()
    for name, plan in plans:
        for finding in evaluate(plan, build_graph(plan), policy, environment=None):
            # "cannot be judged yet" is no claim either way: not compared
            if finding.rule in wanted and PENDING_NOTE not in finding.message:
                hits.add(Hit(name, finding.address, finding.rule))
    return sorted(hits)


Related = dict[tuple[str, str], set[str]]


def related_resources(plans: Sequence[tuple[str, Plan]]) -> Related:
    """(plan, address) -> the resources it has a direct dependency edge with, either way.

    Checkov's graph checks report on the bucket when a connected aws_s3_bucket_acl makes it public;
    tfoidc reports on the resource holding the offending attribute. Both name the same problem.
    """
    related: Related = defaultdict(set)
    for name, plan in plans:
        graph = build_graph(plan).graph
        for source, target in graph.edges:
            related[(name, source)].add(target)
            related[(name, target)].add(source)
    return related


def compare(
    checkov_failed: Sequence[Hit],
    tfoidc_found: Sequence[Hit],
    plans: Sequence[str],
    related: Related | None = None,
) -> Comparison:
    """Per rule: Checkov's failures of the rule's checks found / missed by tfoidc, and tfoidc beyond."""
    related = related if related is not None else defaultdict(set)
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

    def near(plan: str, address: str) -> list[tuple[str, str]]:
        return [(plan, address)] + [(plan, other) for other in sorted(related.get((plan, address), ()))]

    agreements = []
    unexplained: list[tuple[str, Hit]] = []
    seen: set[tuple[str, str, str, str]] = set()
    for rule, checks in references.items():
        row = RuleAgreement(rule, checks)
        for hit in checkov_failed:
            if hit.check not in checks:
                continue
            row.checkov.append(hit)
            # found when tfoidc reports a rule documenting this check on the resource or one tied to it
            if any(tfoidc_at[key] & rules_for_check[hit.check] for key in near(hit.plan, hit.address)):
                row.agreed.append(hit)
            else:
                row.missed.append(hit)
        for hit in tfoidc_found:
            if hit.check == rule and not any(
                checkov_at[key] & set(checks) for key in near(hit.plan, hit.address)
            ):
                row.beyond.append(hit)
        for kind, hits in (("missed", row.missed), ("beyond", row.beyond)):
            for hit in hits:
                entry = listed((kind, hit.check, hit.plan, hit.address))
                if entry is None:
                    unexplained.append((kind, hit))
                else:
                    seen.add(entry)
        agreements.append(row)
    stale = sorted(
        key for key in DISAGREEMENTS if any(fnmatch.fnmatchcase(p, key[2]) for p in plans) and key not in seen
    )
    return Comparison(list(plans), agreements, sorted(set(unexplained)), stale)


def render(result: Comparison, title: str) -> str:
    lines = [
        f"{title}: {len(result.plans)} plans (tfoidc scope: all)",
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
    beyond = len({h for row in result.rules for h in row.beyond})
    lines += [
        "",
        f"tfoidc finds {agreed} of {total} Checkov findings in covered classes ({share}); "
        f"{beyond} finding(s) beyond Checkov.",
    ]
    for kind, heading in (
        ("missed", "Checkov finds, tfoidc does not:"),
        ("beyond", "tfoidc finds beyond Checkov:"),
    ):
        keys = sorted(
            {(kind, h.check, h.plan, h.address) for row in result.rules for h in getattr(row, kind)}
        )
        if keys:
            lines += ["", heading]
            for key in keys:
                entry = listed(key)
                reason = (
                    DISAGREEMENTS[entry] if entry else "UNEXPLAINED: review it and list it in DISAGREEMENTS"
                )
                lines += [f"  {key[1]} {key[2]} {key[3]}", f"      why: {reason}"]
    if result.stale:
        lines += ["", "Listed disagreements that no longer occur (remove them from DISAGREEMENTS):"]
        lines += [f"  {kind} {check} {plan} {address}" for kind, check, plan, address in result.stale]
    return "\n".join(lines)


def run(plans_dir: Path, checkov: str) -> tuple[Comparison, Comparison]:
    """(fixture plans, derived plans) comparisons; Checkov runs once over both sets."""
    fixtures = aws_plans(plans_dir)
    references = checkov_references()
    checks = {check for ids in references.values() for check in ids}
    with tempfile.TemporaryDirectory(prefix="checkov-compare-") as tmp:
        derived: list[tuple[str, Plan]] = []
        files = {name: plans_dir / name for name, _ in fixtures}
        for name, doc in derived_plans(plans_dir).items():
            path = Path(tmp) / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps(doc), encoding="utf-8")
            derived.append((name, load_plan(path)))
            files[name] = path
        failed = run_checkov(checkov, files, checks)
    everything = [*fixtures, *derived]
    found = tfoidc_hits(everything, references)
    related = related_resources(everything)
    results = []
    for group in (fixtures, derived):
        names = {name for name, _ in group}
        results.append(
            compare(
                [h for h in failed if h.plan in names],
                [h for h in found if h.plan in names],
                sorted(names),
                related,
            )
        )
    return results[0], results[1]


def _as_json(result: Comparison) -> dict[str, Any]:
    return {
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
    }


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
    fixtures, derived = run(args.plans, checkov)
    if args.json:
        print(json.dumps({"fixtures": _as_json(fixtures), "derived": _as_json(derived)}, indent=2))
    else:
        print(render(fixtures, "Checkov vs tfoidc on the AWS fixture plans"))
        print()
        print(render(derived, f"Checkov vs tfoidc on plans derived from {DERIVED_BASE}"))
    failing = [r for r in (fixtures, derived) if r.unexplained or r.stale]
    return 1 if failing else 0


if __name__ == "__main__":
    sys.exit(main())
