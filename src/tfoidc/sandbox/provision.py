"""What the sandbox creates in moto: the OIDC provider, one role per environment, state bucket, lock table.

Trust policies follow AWS's documented GitLab setup; moto does not enforce them, tfoidc's `doctor`
evaluates them, so they are written exactly as a real account would have them.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import boto3
from botocore.exceptions import ClientError

from tfoidc.config import default_apply_audience

PROJECT_PATH = "acme/infra"
SANDBOX_ROLE_NAMES = ("dev", "staging", "prod", "readonly")
CHAINED_ROLE_NAME = "chained"


@dataclass(frozen=True)
class Provisioned:
    oidc_provider_arn: str
    roles: dict[str, str]
    state_bucket: str
    lock_table: str


def web_identity_trust_policy(
    provider_arn: str, issuer_host: str, audience: str, conditions: dict[str, dict[str, Any]]
) -> dict[str, Any]:
    merged: dict[str, dict[str, Any]] = {"StringEquals": {f"{issuer_host}:aud": audience}}
    for operator, keys in conditions.items():
        merged.setdefault(operator, {}).update({f"{issuer_host}:{k}": v for k, v in keys.items()})
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Federated": provider_arn},
                "Action": "sts:AssumeRoleWithWebIdentity",
                "Condition": merged,
            }
        ],
    }


def environment_trust_policies(
    provider_arn: str, issuer_host: str, audience: str
) -> dict[str, dict[str, Any]]:
    """dev: any ref of the project; staging: main and release branches; prod: the main branch only.

    IAM copies only `sub`, `aud` (and `amr`) of an OIDC token into condition keys, so `ref_protected`
    cannot be a trust condition: prod relies on `main` being a protected branch in GitLab.
    """
    sub = f"project_path:{PROJECT_PATH}:ref_type"
    per_env: dict[str, dict[str, dict[str, Any]]] = {
        "dev": {"StringLike": {"sub": f"{sub}:*:ref:*"}},
        "staging": {"StringLike": {"sub": [f"{sub}:branch:ref:main", f"{sub}:branch:ref:release/*"]}},
        "prod": {"StringEquals": {"sub": f"{sub}:branch:ref:main"}},
        "readonly": {"StringLike": {"sub": f"project_path:{PROJECT_PATH}:*"}},
    }
    return {
        name: web_identity_trust_policy(provider_arn, issuer_host, audience, conditions)
        for name, conditions in per_env.items()
    }


def chained_trust_policy(trusted_role_arns: list[str]) -> dict[str, Any]:
    return {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Principal": {"AWS": sorted(trusted_role_arns)}, "Action": "sts:AssumeRole"}
        ],
    }


def provision(*, endpoint: str, region: str, issuer_url: str, issuer_host: str, audience: str) -> Provisioned:
    """Create (or bring up to date, when the in-process moto backend is shared) every sandbox resource."""
    session = boto3.Session(aws_access_key_id="testing", aws_secret_access_key="testing", region_name=region)
    iam = session.client("iam", endpoint_url=endpoint)
    provider_arn = _ensure_oidc_provider(iam, issuer_url, audience)
    roles: dict[str, str] = {}
    for name, policy in environment_trust_policies(provider_arn, issuer_host, audience).items():
        roles[name] = _ensure_role(iam, f"tfoidc-sandbox-{name}", policy)
    roles[CHAINED_ROLE_NAME] = _ensure_role(
        iam, f"tfoidc-sandbox-{CHAINED_ROLE_NAME}", chained_trust_policy(list(roles.values()))
    )
    account = session.client("sts", endpoint_url=endpoint).get_caller_identity()["Account"]
    bucket = f"tfoidc-sandbox-state-{account}"
    table = "tfoidc-sandbox-locks"
    _ensure_bucket(session.client("s3", endpoint_url=endpoint), bucket)
    _ensure_lock_table(session.client("dynamodb", endpoint_url=endpoint), table)
    return Provisioned(oidc_provider_arn=provider_arn, roles=roles, state_bucket=bucket, lock_table=table)


def _ensure_oidc_provider(iam: Any, issuer_url: str, audience: str) -> str:
    # Plan jobs request `audience`, apply jobs the apply audience: the provider lists both.
    client_ids = [audience, default_apply_audience(issuer_url)]
    try:
        response = iam.create_open_id_connect_provider(
            Url=issuer_url, ClientIDList=client_ids, ThumbprintList=["0" * 40]
        )
        return str(response["OpenIDConnectProviderArn"])
    except ClientError as exc:
        if exc.response["Error"]["Code"] != "EntityAlreadyExists":
            raise
    host = issuer_url.split("://", 1)[1]
    for provider in iam.list_open_id_connect_providers()["OpenIDConnectProviderList"]:
        if provider["Arn"].endswith(f":oidc-provider/{host}"):
            arn = str(provider["Arn"])
            listed = iam.get_open_id_connect_provider(OpenIDConnectProviderArn=arn).get("ClientIDList", [])
            for client_id in client_ids:
                if client_id not in listed:
                    iam.add_client_id_to_open_id_connect_provider(
                        OpenIDConnectProviderArn=arn, ClientID=client_id
                    )
            return arn
    raise RuntimeError(f"moto reported an OIDC provider for {issuer_url} but does not list it")


def _ensure_role(iam: Any, name: str, trust_policy: dict[str, Any]) -> str:
    document = json.dumps(trust_policy)
    try:
        response = iam.create_role(RoleName=name, AssumeRolePolicyDocument=document, MaxSessionDuration=43200)
        return str(response["Role"]["Arn"])
    except ClientError as exc:
        if exc.response["Error"]["Code"] != "EntityAlreadyExists":
            raise
    iam.update_assume_role_policy(RoleName=name, PolicyDocument=document)
    return str(iam.get_role(RoleName=name)["Role"]["Arn"])


def _ensure_bucket(s3: Any, bucket: str) -> None:
    try:
        s3.create_bucket(Bucket=bucket)
    except ClientError as exc:
        if exc.response["Error"]["Code"] not in ("BucketAlreadyOwnedByYou", "BucketAlreadyExists"):
            raise
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})


def _ensure_lock_table(dynamodb: Any, table: str) -> None:
    try:
        dynamodb.create_table(
            TableName=table,
            KeySchema=[{"AttributeName": "LockID", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "LockID", "AttributeType": "S"}],
            BillingMode="PAY_PER_REQUEST",
        )
    except ClientError as exc:
        if exc.response["Error"]["Code"] != "ResourceInUseException":
            raise
