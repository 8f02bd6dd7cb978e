"""The proof: every trust and permission policy the shipped Terraform creates, rendered from the `.tf` for
the example inputs, run through tfoidc's own IAM evaluator.

A token from a feature branch, from a tag named like the protected branch, from a fork's merge request,
or a plan job's token, gets no write access anywhere and no access to another environment's state,
whatever audience it asks for; the apply token of the protected default branch writes its own
environment only. Roles, accounts, resource policies and backends are all discovered from the rendering,
so the same assertions judge any revision of terraform/ (TFOIDC_TERRAFORM_DIR).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from typing import Any

import pytest

from tests.terraform.shipped import ENVIRONMENTS, Rendered, Role, backends, render, root_account
from tfoidc.iam.permissions import Request, caller_principal, evaluate_access, evaluate_permissions
from tfoidc.iam.scope import describe_trust
from tfoidc.iam.trust import evaluate_trust_policy, issuer_host_of

# --- what the rendering says ---------------------------------------------------------------------------


@cache
def shipped() -> Rendered:
    return render()


def root_value(name: str, default: Any = None) -> Any:
    root = shipped().root
    try:
        return root.local(name)
    except Exception:
        try:
            return root.variable(name)
        except Exception:
            return default


def host() -> str:
    return issuer_host_of(root_value("gitlab_url", "https://gitlab.com"))


def project() -> str:
    return str(root_value("project_path"))


def audiences() -> list[str]:
    found = {
        aud
        for p in shipped().of_type("aws_iam_openid_connect_provider")
        for aud in p.argument("client_id_list")
    }
    return sorted(found)


def plan_audience() -> str:
    return str(root_value("plan_audience", audiences()[0]))


def apply_audience() -> str:
    return str(root_value("apply_audience", plan_audience()))


def gitlab_roles() -> list[Role]:
    return [r for r in shipped().roles.values() if r.environment is not None]


def claims(project_path: str, ref: str, ref_type: str, aud: str) -> dict[str, Any]:
    return {
        "iss": f"https://{host()}",
        "sub": f"project_path:{project_path}:ref_type:{ref_type}:ref:{ref}",
        "aud": aud,
    }


def assumable(token: dict[str, Any]) -> list[Role]:
    """The roles IAM lets this token assume (every role of every account of the rendering)."""
    found = []
    for role in shipped().roles.values():
        provider = f"arn:aws:iam::{role.account}:oidc-provider/{host()}"
        if evaluate_trust_policy(role.trust, claims=token, provider_arn=provider, issuer_host=host()).allowed:
            found.append(role)
    return found


# --- what a role can do ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Probe:
    request: Request
    account: str  # the account owning the resource
    what: str
    environment: str | None = None  # the environment whose state this is
    write: bool = True


def state_account(bucket: str) -> str:
    policy = shipped().resource_policy(f"arn:aws:s3:::{bucket}")
    return policy.account if policy else shipped().management_account


def state_key_arn(bucket: str) -> str | None:
    for resource in shipped().of_type("aws_s3_bucket_server_side_encryption_configuration"):
        if resource.argument("bucket") == bucket:
            rule = resource.block.child("rule")
            default = rule.child("apply_server_side_encryption_by_default") if rule else None
            if default is not None and "kms_master_key_id" in default.attributes:
                return str(resource.module.evaluate(default.attributes["kms_master_key_id"]))
    return None


def state_probes() -> Iterator[Probe]:
    for env in ENVIRONMENTS:
        backend = backends()[env]
        account = state_account(backend.bucket)
        table = (
            backend.table
            if backend.table.startswith("arn:")
            else f"arn:aws:dynamodb:{backend.region}:{account}:table/{backend.table}"
        )
        obj = f"arn:aws:s3:::{backend.bucket}/{backend.key}"
        lock, digest = f"{backend.bucket}/{backend.key}", f"{backend.bucket}/{backend.key}-md5"
        prefix = backend.key.rsplit("/", 1)[0] + "/"
        kms = {
            "kms:EncryptionContext:aws:s3:arn": obj,
            "kms:ViaService": f"s3.{backend.region}.amazonaws.com",
        }
        key = state_key_arn(backend.bucket)
        reads = [
            (Request("s3:GetObject", obj), f"read {env} state"),
            (
                Request("s3:ListBucket", f"arn:aws:s3:::{backend.bucket}", {"s3:prefix": prefix}),
                f"list {env} state",
            ),
            (Request("dynamodb:GetItem", table, {"dynamodb:LeadingKeys": [digest]}), f"read {env} digest"),
        ]
        writes = [
            (Request("s3:PutObject", obj), f"write {env} state"),
            (Request("s3:DeleteObject", obj), f"delete {env} state"),
            (Request("dynamodb:PutItem", table, {"dynamodb:LeadingKeys": [lock]}), f"take {env} lock"),
            (Request("dynamodb:DeleteItem", table, {"dynamodb:LeadingKeys": [lock]}), f"release {env} lock"),
            (Request("dynamodb:PutItem", table, {"dynamodb:LeadingKeys": [digest]}), f"write {env} digest"),
        ]
        if key:
            reads.append((Request("kms:Decrypt", key, kms), f"decrypt {env} state"))
            writes.append((Request("kms:GenerateDataKey", key, kms), f"encrypt {env} state"))
        for request, what in reads:
            yield Probe(request, account, what, env, write=False)
        for request, what in writes:
            yield Probe(request, account, what, env)


def accounts() -> list[str]:
    found = {shipped().management_account} | {r.account for r in shipped().roles.values()}
    return sorted(found)


def account_probes() -> Iterator[Probe]:
    """Writes to the workload, to IAM and to the audit trail, in every account of the setup."""
    region = "eu-west-1"
    for account in accounts():
        for action, resource in (
            ("ec2:CreateVpc", f"arn:aws:ec2:{region}:{account}:vpc/*"),
            ("ec2:RunInstances", f"arn:aws:ec2:{region}:{account}:instance/*"),
            ("s3:PutObject", f"arn:aws:s3:::workload-{account}/data"),
            ("s3:DeleteBucket", f"arn:aws:s3:::workload-{account}"),
            ("dynamodb:PutItem", f"arn:aws:dynamodb:{region}:{account}:table/workload"),
            ("lambda:CreateFunction", f"arn:aws:lambda:{region}:{account}:function:backdoor"),
            ("kms:ScheduleKeyDeletion", f"arn:aws:kms:{region}:{account}:key/any"),
            ("iam:CreateRole", f"arn:aws:iam::{account}:role/backdoor"),
            ("iam:CreateOpenIDConnectProvider", f"arn:aws:iam::{account}:oidc-provider/evil.example.com"),
            ("cloudtrail:StopLogging", f"arn:aws:cloudtrail:{region}:{account}:trail/any"),
            ("events:PutEvents", f"arn:aws:events:{region}:{account}:event-bus/default"),
        ):
            yield Probe(Request(action, resource), account, f"{action} in {account}")
        for role in shipped().roles.values():
            if role.account == account:
                for action in ("iam:PutRolePolicy", "iam:UpdateAssumeRolePolicy", "iam:AttachRolePolicy"):
                    yield Probe(Request(action, role.arn), account, f"{action} on {role.name}")
                yield Probe(Request("sts:AssumeRole", role.arn), account, f"assume {role.name}")
    for resource in shipped().of_type("aws_s3_bucket"):
        bucket = resource.argument("bucket")
        for action in ("s3:PutObject", "s3:DeleteObject"):
            yield Probe(
                Request(action, f"arn:aws:s3:::{bucket}/AWSLogs/x"),
                resource.provider.account,
                f"{action} in {bucket}",
            )


def allowed(role: Role, probe: Probe) -> bool:
    policy = shipped().resource_policy(probe.request.resource)
    if probe.request.action == "sts:AssumeRole":
        target = shipped().roles.get(probe.request.resource)
        trust = target.trust if target else None
        if trust is None:
            return False  # a role the setup does not create: its trust policy decides, not these
        decision = evaluate_access(
            probe.request, caller_arn=role.arn, identity_policies=role.identity_policies,
            resource_policy=trust, resource_account=probe.account,
        )  # fmt: skip
        trusted = evaluate_permissions([trust], probe.request, principal=caller_principal(role.arn)).allowed
        return decision.allowed and trusted
    return evaluate_access(
        probe.request,
        caller_arn=role.arn,
        identity_policies=role.identity_policies,
        resource_policy=policy.policy if policy else None,
        resource_account=probe.account,
        permissions_boundary=None,
    ).allowed


@cache
def probes() -> tuple[Probe, ...]:
    return (*state_probes(), *account_probes())


@cache
def _granted(arn: str) -> tuple[Probe, ...]:
    role = shipped().roles[arn]
    return tuple(p for p in probes() if allowed(role, p))


def granted(role: Role) -> list[Probe]:
    return list(_granted(role.arn))


# --- tokens ------------------------------------------------------------------------------------------------


def attacker_tokens() -> dict[str, list[dict[str, Any]]]:
    """Tokens a Developer (or an outsider with a fork) can obtain, with every audience the providers accept."""
    kinds = {
        "feature branch": (project(), "feature/login", "branch"),
        "tag named like the protected branch": (project(), "main", "tag"),
        "fork merge request (GitLab with the fix for gitlab#548165)": (
            f"mallory/{project().split('/')[-1]}",
            "main",
            "branch",
        ),
        "merge request from a branch named main in a fork project": (
            f"mallory/{project().split('/')[-1]}",
            "feature/login",
            "branch",
        ),
    }
    return {name: [claims(*parts, aud) for aud in audiences()] for name, parts in kinds.items()}


ATTACKERS = [
    "feature branch",
    "tag named like the protected branch",
    "fork merge request (GitLab with the fix for gitlab#548165)",
    "merge request from a branch named main in a fork project",
]


# --- the tests ----------------------------------------------------------------------------------------------


def test_the_setup_has_a_read_only_plan_role_and_a_protected_apply_role_per_environment() -> None:
    roles = gitlab_roles()
    for env in ENVIRONMENTS:
        kinds = sorted(r.tags.get("tfoidc-role", "?") for r in roles if r.environment == env)
        assert kinds == ["apply", "plan"], (env, kinds)


def test_one_aws_account_per_environment_apart_from_the_state() -> None:
    management = shipped().management_account
    by_env = {env: {r.account for r in gitlab_roles() if r.environment == env} for env in ENVIRONMENTS}
    assert all(len(a) == 1 for a in by_env.values()), by_env
    env_accounts = [next(iter(a)) for a in by_env.values()]
    assert len(set(env_accounts)) == len(ENVIRONMENTS) and management not in env_accounts
    for env, account in zip(ENVIRONMENTS, env_accounts, strict=True):
        assert root_account(env) == account, f"the {env} root's provider must only reach the {env} account"
    for backend in backends().values():
        assert state_account(backend.bucket) == management


@pytest.mark.parametrize("attacker", ATTACKERS)
def test_an_attackers_token_gets_no_write_access_anywhere_and_no_other_state(attacker: str) -> None:
    for token in attacker_tokens()[attacker]:
        for role in assumable(token):
            writes = [p.what for p in granted(role) if p.write]
            assert writes == [], f"{attacker} (aud {token['aud']}) assumes {role.name}, which may: {writes}"
            foreign = [p.what for p in granted(role) if p.environment not in (None, role.environment)]
            assert foreign == [], f"{attacker} assumes {role.name}, which reads: {foreign}"


def test_a_feature_branch_can_still_plan_every_environment() -> None:
    token = claims(project(), "feature/login", "branch", plan_audience())
    planned = {r.environment for r in assumable(token)}
    assert planned == set(ENVIRONMENTS)
    for role in assumable(token):
        reads = {p.what for p in granted(role) if not p.write}
        assert f"read {role.environment} state" in reads and f"read {role.environment} digest" in reads


def test_a_plan_job_on_the_default_branch_cannot_assume_an_apply_role() -> None:
    token = claims(project(), "main", "branch", plan_audience())
    roles = assumable(token)
    assert roles and all(r.tags.get("tfoidc-role") == "plan" for r in roles), [r.name for r in roles]
    for role in roles:
        assert [p.what for p in granted(role) if p.write] == []


def test_the_apply_token_of_the_protected_branch_writes_its_own_environment_only() -> None:
    token = claims(project(), "main", "branch", apply_audience())
    roles = assumable(token)
    assert {r.environment for r in roles} == set(ENVIRONMENTS)
    for role in roles:
        writes = [p for p in granted(role) if p.write]
        assert {f"write {role.environment} state", f"take {role.environment} lock"} <= {
            p.what for p in writes
        }
        elsewhere = [
            p.what
            for p in writes
            if p.environment not in (None, role.environment)
            or (p.environment is None and p.account != role.account)
        ]
        assert elsewhere == [], f"{role.name} may also: {elsewhere}"
        foreign_reads = [p.what for p in granted(role) if p.environment not in (None, role.environment)]
        assert foreign_reads == []


def test_no_role_with_write_access_is_trusted_for_an_unprotected_ref_or_another_project() -> None:
    for role in shipped().roles.values():
        if not any(p.write for p in granted(role)):
            continue
        scope = describe_trust(role.trust, issuer_host=host())
        for provider in scope.providers:
            assert provider.exposures == (), (
                role.name,
                [(e.kind, e.witness.claims) for e in provider.exposures],
            )
            for subject in provider.subjects:
                assert (subject.project, subject.ref_type, subject.ref) == (project(), "branch", "main"), (
                    role.name
                )


def test_plan_and_apply_roles_accept_only_their_own_audience() -> None:
    assert plan_audience() != apply_audience()
    for role in gitlab_roles():
        (provider,) = describe_trust(role.trust, issuer_host=host()).providers
        expected = apply_audience() if role.tags.get("tfoidc-role") == "apply" else plan_audience()
        assert provider.audiences == (expected,), role.name


def test_plan_roles_have_no_managed_policy_and_read_data_of_their_own_state_only() -> None:
    plan_roles = [r for r in gitlab_roles() if r.tags.get("tfoidc-role") == "plan"]
    assert plan_roles
    data_reads = (
        "s3:GetObject",
        "s3:GetObjectVersion",
        "dynamodb:GetItem",
        "dynamodb:Query",
        "dynamodb:Scan",
        "kms:Decrypt",
    )
    for role in plan_roles:
        assert role.managed == [], (
            f"{role.name}: {role.managed} (ReadOnlyAccess reads every object and table)"
        )
        for policy in role.inline.values():
            for statement in policy["Statement"]:
                actions = statement.get("Action", [])
                resources = statement.get("Resource", [])
                for action in [actions] if isinstance(actions, str) else actions:
                    verb = action.split(":", 1)[1]
                    assert verb.startswith(("Describe", "Get", "List")) or action in data_reads, (
                        role.name,
                        action,
                    )
                    if action in data_reads:  # object and item data: named resources, never "*"
                        assert ("*" not in resources and "Condition" in statement) or action == "s3:GetObject", (
                            role.name, action, resources,
                        )  # fmt: skip


def test_every_root_keeps_its_state_in_the_bucket_and_table_the_management_root_creates() -> None:
    state = shipped().root.module("state")
    bucket, table = state.local("bucket_arn").split(":::")[1], state.local("table_arn")
    keys = {name: b.key for name, b in backends().items()}
    assert set(keys) == {"management", *ENVIRONMENTS}
    for name, backend in backends().items():
        assert (backend.bucket, backend.table) == (bucket, table), name
        assert backend.key == f"environments/{name}/terraform.tfstate"
        assert "encrypt" not in backend.settings and "kms_key_id" not in backend.settings, (
            "the bucket encrypts with its KMS key by default; encrypt = true would ask for SSE-S3, which the policy refuses"
        )
    assert len(set(keys.values())) == len(keys)
