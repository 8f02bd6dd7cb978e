"""The sandbox is provisioned like a real account and its issuer behaves like GitLab's."""

from __future__ import annotations

import json
import urllib.request
from typing import Any

import boto3
import jwt
import pytest

from tfoidc.sandbox import Sandbox


def fetch_json(url: str) -> Any:
    with urllib.request.urlopen(url, timeout=5) as response:
        return json.load(response)


def test_discovery_document_points_at_a_jwks_that_verifies_minted_tokens(sandbox: Sandbox) -> None:
    discovery = fetch_json(sandbox.issuer.url + "/.well-known/openid-configuration")
    assert discovery["issuer"] == sandbox.issuer.url
    token = sandbox.issuer.mint()
    key = jwt.PyJWKClient(discovery["jwks_uri"]).get_signing_key_from_jwt(token).key
    claims = jwt.decode(token, key, algorithms=["RS256"], audience=sandbox.issuer.audience)
    assert claims["iss"] == sandbox.issuer.url
    assert jwt.get_unverified_header(token)["alg"] == "RS256"


def test_minted_tokens_carry_gitlabs_claim_set_with_sub_following_the_ref(sandbox: Sandbox) -> None:
    token = sandbox.issuer.mint(ref="v1.2.0", ref_type="tag", ref_protected="false")
    claims = jwt.decode(token, options={"verify_signature": False})
    expected = {
        "sub", "namespace_id", "namespace_path", "project_id", "project_path", "user_login", "pipeline_id",
        "pipeline_source", "job_id", "ref", "ref_type", "ref_path", "ref_protected", "environment",
        "environment_protected", "deployment_tier", "runner_id", "runner_environment", "sha",
        "ci_config_ref_uri", "iss", "aud", "iat", "nbf", "exp", "jti",
    }  # fmt: skip
    assert expected <= set(claims)
    assert claims["sub"] == "project_path:acme/infra:ref_type:tag:ref:v1.2.0"
    assert claims["ref_path"] == "refs/tags/v1.2.0"
    assert claims["ref_protected"] == "false"


def test_mint_removes_a_claim_overridden_with_none(sandbox: Sandbox) -> None:
    claims = jwt.decode(sandbox.issuer.mint(environment=None), options={"verify_signature": False})
    assert "environment" not in claims


def test_oidc_provider_is_registered_for_the_issuer_with_the_audience(sandbox: Sandbox) -> None:
    iam = boto3.client("iam", **_moto(sandbox))
    provider = iam.get_open_id_connect_provider(OpenIDConnectProviderArn=sandbox.oidc_provider_arn)
    # the plan audience and the apply audience (<issuer>/apply), as the shipped Terraform registers them
    assert provider["ClientIDList"] == [sandbox.issuer.audience, f"{sandbox.issuer.url}/apply"]
    assert sandbox.oidc_provider_arn.endswith(f":oidc-provider/{sandbox.issuer.host}")


@pytest.mark.parametrize(
    ("env", "operator", "sub"),
    [
        ("dev", "StringLike", "project_path:acme/infra:ref_type:*:ref:*"),
        ("prod", "StringEquals", "project_path:acme/infra:ref_type:branch:ref:main"),
    ],
)
def test_environment_roles_trust_the_provider_with_their_own_conditions(
    sandbox: Sandbox, env: str, operator: str, sub: str
) -> None:
    iam = boto3.client("iam", **_moto(sandbox))
    role = iam.get_role(RoleName=sandbox.roles[env].rsplit("/", 1)[1])["Role"]
    document = role["AssumeRolePolicyDocument"]
    policy = json.loads(document) if isinstance(document, str) else document
    (statement,) = policy["Statement"]
    assert statement["Principal"] == {"Federated": sandbox.oidc_provider_arn}
    assert statement["Action"] == "sts:AssumeRoleWithWebIdentity"
    host = sandbox.issuer.host
    assert statement["Condition"][operator][f"{host}:sub"] == sub
    assert statement["Condition"]["StringEquals"][f"{host}:aud"] == sandbox.issuer.audience


def test_state_bucket_and_terraform_lock_table_exist(sandbox: Sandbox) -> None:
    s3 = boto3.client("s3", **_moto(sandbox))
    assert s3.get_bucket_versioning(Bucket=sandbox.state_bucket)["Status"] == "Enabled"
    table = boto3.client("dynamodb", **_moto(sandbox)).describe_table(TableName=sandbox.lock_table)["Table"]
    assert table["KeySchema"] == [{"AttributeName": "LockID", "KeyType": "HASH"}]


def test_env_lets_a_child_process_reach_moto(sandbox_env: dict[str, str], sandbox: Sandbox) -> None:
    identity = boto3.client("sts").get_caller_identity()
    assert identity["Account"] == sandbox.account_id
    assert sandbox_env["AWS_ENDPOINT_URL"] == sandbox.moto_endpoint


def _moto(sandbox: Sandbox) -> dict[str, str]:
    return {
        "endpoint_url": sandbox.moto_endpoint,
        "region_name": sandbox.region,
        "aws_access_key_id": "testing",
        "aws_secret_access_key": "testing",
    }
