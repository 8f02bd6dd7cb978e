"""Everything the shipped Terraform would create that decides access: roles with their trust, inline and
managed policies, and the resource policies of buckets, tables, keys, topics and event buses, rendered
from the `.tf` files (tests/terraform/hcl.py) for the example inputs, per AWS account."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from tests.terraform.hcl import ModuleInstance, Resource
from tfoidc.iam.document import PolicyDocument, parse_policy_document

REPO = Path(__file__).resolve().parents[2]
# Another tree can be checked the same way (e.g. an older revision): TFOIDC_TERRAFORM_DIR=/path/terraform
TERRAFORM = Path(os.environ.get("TFOIDC_TERRAFORM_DIR", REPO / "terraform"))
ENVIRONMENTS = ("dev", "staging", "prod")

# AWS managed policies the shipped Terraform attaches, as AWS publishes them.
AWS_MANAGED: dict[str, dict[str, Any]] = {
    # https://docs.aws.amazon.com/aws-managed-policy/latest/reference/PowerUserAccess.html (v12)
    "arn:aws:iam::aws:policy/PowerUserAccess": {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "NotAction": ["iam:*", "organizations:*", "account:*"], "Resource": "*"},
            {
                "Effect": "Allow",
                "Action": [
                    "account:GetAccountInformation",
                    "account:GetGovCloudAccountInformation",
                    "account:GetPrimaryEmail",
                    "account:ListRegions",
                    "iam:CreateServiceLinkedRole",
                    "iam:DeleteServiceLinkedRole",
                    "iam:ListRoles",
                    "organizations:DescribeEffectivePolicy",
                    "organizations:DescribeOrganization",
                ],
                "Resource": "*",
            },
        ],
    },
    # https://docs.aws.amazon.com/aws-managed-policy/latest/reference/ReadOnlyAccess.html: only the
    # statements about S3, DynamoDB and KMS (the document lists several thousand actions); enough to see
    # what a role holding it reads of the state, never to prove it reads nothing else.
    "arn:aws:iam::aws:policy/ReadOnlyAccess": {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Action": [
                    "s3:Get*",
                    "s3:List*",
                    "dynamodb:BatchGet*",
                    "dynamodb:Describe*",
                    "dynamodb:Get*",
                    "dynamodb:List*",
                    "dynamodb:Query",
                    "dynamodb:Scan",
                    "kms:Describe*",
                    "kms:Get*",
                    "kms:List*",
                ],
                "Resource": "*",
            }
        ],
    },
}


@dataclass
class Role:
    arn: str
    account: str
    name: str
    address: str
    tags: dict[str, str]
    trust: dict[str, Any]
    inline: dict[str, dict[str, Any]] = field(default_factory=dict)
    managed: list[str] = field(default_factory=list)
    boundary: str | None = None
    _parsed: dict[str, PolicyDocument] | None = field(default=None, repr=False)

    @property
    def environment(self) -> str | None:
        env = self.tags.get("gitlab-environment")
        return env.removesuffix("-plan") if env else None

    @property
    def identity_policies(self) -> dict[str, PolicyDocument]:
        """Inline and managed policies, parsed once (the evaluator takes documents as they are)."""
        if self._parsed is None:
            policies = dict(self.inline)
            for arn in self.managed:
                if arn not in AWS_MANAGED:
                    raise KeyError(
                        f"{self.address}: managed policy {arn} is not known to the test; add it to AWS_MANAGED"
                    )
                policies[arn] = AWS_MANAGED[arn]
            self._parsed = {name: parse_policy_document(doc) for name, doc in policies.items()}
        return self._parsed


@dataclass(frozen=True)
class ResourcePolicy:
    kind: str  # aws_s3_bucket_policy, aws_kms_key, ...
    account: str
    arns: tuple[str, ...]  # the resources it is the policy of (a bucket: the bucket and its objects)
    policy: PolicyDocument
    address: str


@dataclass
class Rendered:
    roles: dict[str, Role]
    resource_policies: list[ResourcePolicy]
    resources: list[Resource]  # every managed resource, for attribute checks
    management_account: str
    root: ModuleInstance

    def resource_policy(self, arn: str) -> ResourcePolicy | None:
        for policy in self.resource_policies:
            if any(arn == a or (a.endswith("/*") and arn.startswith(a[:-1])) for a in policy.arns):
                return policy
        return None

    def of_type(self, rtype: str) -> list[Resource]:
        return [r for r in self.resources if r.type == rtype]


def instances(module: ModuleInstance) -> list[ModuleInstance]:
    found = [module]
    for child in module.modules():
        found += instances(child)
    return found


@cache
def render(root_dir: Path = TERRAFORM / "environments" / "management") -> Rendered:
    root = ModuleInstance(root_dir)
    resources = [r for m in instances(root) for r in m.all_resources()]
    roles: dict[str, Role] = {}
    by_name: dict[tuple[int, str], Role] = {}
    for resource in (r for r in resources if r.type == "aws_iam_role"):
        role = Role(
            arn=resource.attribute("arn"),
            account=resource.provider.account,
            name=resource.argument("name"),
            address=resource.address,
            tags=resource.argument("tags") or {},
            trust=json.loads(resource.argument("assume_role_policy")),
            managed=list(resource.argument("managed_policy_arns") or []),
            boundary=resource.argument("permissions_boundary"),
        )
        roles[role.arn] = role
        by_name[(id(resource.module), role.name)] = role
    for resource in resources:
        if resource.type == "aws_iam_role_policy":
            role = by_name[(id(resource.module), resource.argument("role"))]
            role.inline[str(resource.argument("name"))] = json.loads(resource.argument("policy"))
        elif resource.type == "aws_iam_role_policy_attachment":
            by_name[(id(resource.module), resource.argument("role"))].managed.append(
                resource.argument("policy_arn")
            )
    return Rendered(
        roles=roles,
        resource_policies=_resource_policies(resources),
        resources=resources,
        management_account=root.providers["aws"].account,
        root=root,
    )


def _resource_policies(resources: list[Resource]) -> list[ResourcePolicy]:
    found: list[ResourcePolicy] = []
    for r in resources:
        account = r.provider.account
        if r.type == "aws_s3_bucket_policy":
            bucket = r.argument("bucket")
            arns: tuple[str, ...] = (f"arn:aws:s3:::{bucket}", f"arn:aws:s3:::{bucket}/*")
        elif r.type == "aws_dynamodb_resource_policy":
            arns = (r.argument("resource_arn"),)
        elif r.type == "aws_kms_key" and r.argument("policy"):
            arns = (r.attribute("arn"),)
        elif r.type == "aws_sns_topic_policy":
            arns = (r.argument("arn"),)
        elif r.type == "aws_cloudwatch_event_bus_policy":
            arns = (
                f"arn:aws:events:{r.provider.region}:{account}:event-bus/{r.argument('event_bus_name') or 'default'}",
            )
        else:
            continue
        found.append(
            ResourcePolicy(r.type, account, arns, parse_policy_document(r.argument("policy")), r.address)
        )
    return found


@dataclass(frozen=True)
class Backend:
    root: str
    bucket: str
    key: str
    region: str
    table: str
    settings: dict[str, Any]


@cache
def backends() -> dict[str, Backend]:
    """The backend "s3" block of every environment root."""
    found: dict[str, Backend] = {}
    for directory in sorted((TERRAFORM / "environments").iterdir()):
        instance = ModuleInstance(directory)
        terraform = next(b for b in instance.blocks if b.type == "terraform")
        backend = next(b for b in terraform.blocks if b.type == "backend")
        settings = {k: instance.evaluate(v) for k, v in backend.attributes.items()}
        found[directory.name] = Backend(
            root=directory.name,
            bucket=settings["bucket"],
            key=settings["key"],
            region=settings["region"],
            table=settings.get("dynamodb_table", ""),
            settings=settings,
        )
    return found


@cache
def root_account(name: str) -> str:
    """The account an environment root's provider is allowed to reach."""
    return ModuleInstance(TERRAFORM / "environments" / name).providers["aws"].account
