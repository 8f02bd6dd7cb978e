"""`tfoidc audit roles` against roles, providers and policies provisioned in moto (which stores trust
policies without enforcing them: tfoidc's evaluator reads them as IAM would)."""

from __future__ import annotations

import contextlib
import json
from pathlib import Path
from typing import Any

import boto3
import pytest

from tests.identity.support import Cli
from tfoidc.sandbox import Sandbox

HOST = "gitlab.example.com"


# The statements AWS documents for these managed policies (PowerUserAccess abridged to its first
# statement; ReadOnlyAccess to three of its read actions).
MANAGED: dict[str, list[dict[str, Any]]] = {
    "AdministratorAccess": [{"Effect": "Allow", "Action": "*", "Resource": "*"}],
    "PowerUserAccess": [
        {"Effect": "Allow", "NotAction": ["iam:*", "organizations:*", "account:*"], "Resource": "*"}
    ],
    "ReadOnlyAccess": [
        {"Effect": "Allow", "Action": ["s3:Get*", "s3:List*", "ec2:Describe*"], "Resource": "*"}
    ],
}


def _policy(iam: Any, name: str, statements: list[dict[str, Any]]) -> str:
    arn = f"arn:aws:iam::{_account(iam)}:policy/{name}"
    with contextlib.suppress(iam.exceptions.EntityAlreadyExistsException):
        iam.create_policy(
            PolicyName=name, PolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": statements})
        )
    return arn


def _account(iam: Any) -> str:
    return str(boto3.client("sts", region_name=iam.meta.region_name).get_caller_identity()["Account"])


def _trust(provider_arn: str, conditions: dict[str, dict[str, Any]]) -> str:
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"Federated": provider_arn},
                    "Action": "sts:AssumeRoleWithWebIdentity",
                    "Condition": conditions,
                }
            ],
        }
    )


@pytest.fixture
def account(sandbox: Sandbox, sandbox_env: dict[str, str]) -> dict[str, str]:
    """A GitLab provider with roles good and bad, a GitHub-trusting role, and 110 unrelated roles."""
    iam = boto3.client("iam", region_name=sandbox.region)
    existing = {p["Arn"] for p in iam.list_open_id_connect_providers()["OpenIDConnectProviderList"]}
    gitlab = (
        next((a for a in existing if a.endswith(f"/{HOST}")), None)
        or iam.create_open_id_connect_provider(
            Url=f"https://{HOST}", ClientIDList=["sts.amazonaws.com"], ThumbprintList=["0" * 40]
        )["OpenIDConnectProviderArn"]
    )
    github_url = "token.actions.githubusercontent.com"
    github = (
        next((a for a in existing if a.endswith(f"/{github_url}")), None)
        or iam.create_open_id_connect_provider(
            Url=f"https://{github_url}", ClientIDList=["sts.amazonaws.com"], ThumbprintList=["1" * 40]
        )["OpenIDConnectProviderArn"]
    )
    aud = {f"{HOST}:aud": "sts.amazonaws.com"}
    # moto does not load AWS's managed policies: customer copies of their documented statements stand in.
    policy = {name: _policy(iam, name, statements) for name, statements in MANAGED.items()}
    roles = {
        "audit-prod-apply": (
            {"StringEquals": {**aud, f"{HOST}:sub": "project_path:platform/infra:ref_type:branch:ref:main"}},
            policy["PowerUserAccess"],
        ),
        "audit-staging-apply": (  # broader than its environment's branch rules (main only)
            {
                "StringEquals": aud,
                "StringLike": {f"{HOST}:sub": "project_path:platform/infra:ref_type:branch:ref:release/*"},
            },
            policy["PowerUserAccess"],
        ),
        "audit-dev": (  # any ref, administrator: the finding that matters most
            {
                "StringEquals": aud,
                "StringLike": {f"{HOST}:sub": "project_path:platform/infra:ref_type:*:ref:*"},
            },
            policy["AdministratorAccess"],
        ),
        "audit-anyone": ({"StringEquals": aud}, policy["ReadOnlyAccess"]),  # no sub at all
        "audit-forgotten": (
            {"StringEquals": {**aud, f"{HOST}:sub": "project_path:old/thing:ref_type:branch:ref:main"}},
            None,
        ),
    }
    arns = {}
    for name, (conditions, policy) in roles.items():
        try:
            arns[name] = iam.create_role(RoleName=name, AssumeRolePolicyDocument=_trust(gitlab, conditions))[
                "Role"
            ]["Arn"]
        except iam.exceptions.EntityAlreadyExistsException:
            arns[name] = iam.get_role(RoleName=name)["Role"]["Arn"]
        if policy:
            iam.attach_role_policy(RoleName=name, PolicyArn=policy)
    iam.put_role_policy(
        RoleName="audit-forgotten",
        PolicyName="deploy",
        PolicyDocument=json.dumps(
            {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}
        ),
    )
    with contextlib.suppress(iam.exceptions.EntityAlreadyExistsException):
        iam.create_role(
            RoleName="audit-github",
            AssumeRolePolicyDocument=_trust(
                github,
                {
                    "StringLike": {f"{github_url}:sub": "repo:acme/app:*"},
                    "StringEquals": {f"{github_url}:aud": "sts.amazonaws.com"},
                },
            ),
        )
    for n in range(110):  # ListRoles pages at 100: the audit must see past the first page
        with contextlib.suppress(iam.exceptions.EntityAlreadyExistsException):
            iam.create_role(
                RoleName=f"audit-filler-{n:03d}",
                AssumeRolePolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": []}),
            )
    return arns


def test_roles_who_can_assume_what_they_can_do_and_the_cross_check(
    tfoidc: Cli, tmp_path: Path, account: dict[str, str]
) -> None:
    account_id = account["audit-dev"].split(":")[4]
    config = tmp_path / "tfoidc.toml"
    config.write_text(
        f"""
[environments.prod]
root = "."
role_arn = "{account["audit-prod-apply"]}"
issuer = "https://{HOST}"
apply_refs = ["main"]

[environments.staging]
root = "."
role_arn = "{account["audit-staging-apply"]}"
issuer = "https://{HOST}"
apply_refs = ["main"]

[environments.dev]
root = "."
role_arn = "{account["audit-dev"]}"
plan_role_arn = "arn:aws:iam::{account_id}:role/audit-missing-plan"
issuer = "https://{HOST}"
"""
    )
    result = tfoidc("--config", str(config), "audit", "roles", "--format", "json")
    assert result.code == 3, result.err  # blocking findings fail the job by default
    doc = json.loads(result.out)
    roles = {r["name"]: r for r in doc["roles"]}
    assert roles["audit-github"]["trusts"] == "other-oidc"
    assert {roles[n]["trusts"] for n in ("audit-prod-apply", "audit-dev", "audit-anyone")} == {"gitlab"}
    assert not any(name.startswith("audit-filler") for name in roles)
    prod = roles["audit-prod-apply"]["providers"][0]
    assert (prod["host"], prod["any_project"]) == (HOST, False)
    assert [(s["project"], s["ref_type"], s["ref"]) for s in prod["subjects"]] == [
        ("platform/infra", "branch", "main")
    ]
    assert roles["audit-prod-apply"]["power"] == "write"
    assert roles["audit-dev"]["power"] == "administrator"
    assert roles["audit-anyone"]["providers"][0]["any_project"] is True
    assert "any project on gitlab.example.com" in roles["audit-anyone"]["who"]
    assert (
        roles["audit-forgotten"]["power"] == "write"
        and "inline deploy: Action s3:* on *" in roles["audit-forgotten"]["can_do"]
    )

    by_rule: dict[str, set[str]] = {}
    for finding in doc["findings"]:
        by_rule.setdefault(finding["rule"], set()).add(finding["address"].rsplit("/", 1)[-1])
    # Administrator from any ref; write from a wildcard of release branches (not all provably protected).
    assert by_rule["TFO-AUDIT-010"] == {"audit-dev", "audit-staging-apply"}
    assert by_rule["TFO-AUDIT-012"] == {"audit-staging-apply", "audit-dev"}
    assert by_rule["TFO-AUDIT-011"] == {"audit-missing-plan"}
    assert {"audit-forgotten", "audit-anyone"} <= by_rule["TFO-AUDIT-013"]
    assert {"audit-anyone", "audit-dev"} <= by_rule["TFO-IAM-003"]
    blocking_no_sub = [
        f for f in doc["findings"] if f["rule"] == "TFO-IAM-003" and "[no-sub]" in f["message"]
    ]
    assert blocking_no_sub and blocking_no_sub[0]["severity"] == "block"
    assert any("roles in the account" in t and "trust a web identity" in t for t in doc["totals"])
    listed = int(doc["totals"][0].split(" roles in the account")[0].replace(",", ""))
    assert listed >= 115  # past ListRoles' first page


def test_waivers_from_tfoidc_toml_apply_to_audit_findings(
    tfoidc: Cli, tmp_path: Path, account: dict[str, str]
) -> None:
    config = tmp_path / "tfoidc.toml"
    waivers = "".join(
        f"""
[[guardrails.waivers]]
rule = "{rule}"
address = "{account["audit-dev"]}"
reason = "sandbox account, torn down nightly"
expires = "2099-01-01"
"""
        for rule in ("TFO-AUDIT-010", "TFO-IAM-003")
    )
    config.write_text(waivers)
    result = tfoidc("--config", str(config), "audit", "roles", "--format", "json", "--fail-on", "never")
    assert result.code == 0, result.err
    dev = [f for f in json.loads(result.out)["findings"] if f["address"] == account["audit-dev"]]
    assert dev and all(f["waived"] for f in dev if f["rule"] in ("TFO-AUDIT-010", "TFO-IAM-003"))


def test_every_format_renders_the_roles(tfoidc: Cli, tmp_path: Path, account: dict[str, str]) -> None:
    config = tmp_path / "tfoidc.toml"
    config.write_text("")
    for fmt in ("text", "md", "html", "sarif"):
        result = tfoidc("--config", str(config), "audit", "roles", "--format", fmt, "--fail-on", "never")
        assert result.code == 0, (fmt, result.err)
        assert "audit-dev" in result.out
    sarif = json.loads(
        tfoidc("--config", str(config), "audit", "roles", "--format", "sarif", "--fail-on", "never").out
    )
    assert {r["ruleId"] for r in sarif["runs"][0]["results"]} >= {"TFO-IAM-003", "TFO-AUDIT-010"}
