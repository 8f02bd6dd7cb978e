"""`tfoidc doctor --role-arn`: the role's trust policy read from moto's IAM, evaluated for a real token,
shown condition by condition, with warnings for trust other projects could satisfy."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import boto3
import pytest

from tests.identity.support import Cli, CliResult, ScriptedSts, serving
from tfoidc.sandbox import Sandbox
from tfoidc.sandbox.issuer import LocalIssuer

MAIN = "project_path:acme/infra:ref_type:branch:ref:main"
Row = tuple[str, str, str]  # (statement, check with the issuer host written as H, result)

PolicyFactory = Callable[
    [str, str, str], list[dict[str, Any]]
]  # (host, provider arn, audience) -> statements


def allow(
    conditions: dict[str, dict[str, Any]], *, sid: str | None = None, principal: str | None = None
) -> Any:
    """An Allow statement for web identity, `conditions` written with H for the issuer host."""

    def make(host: str, provider: str, _: str) -> dict[str, Any]:
        statement: dict[str, Any] = {
            "Effect": "Allow",
            "Principal": {
                "Federated": principal.replace("ACCOUNT", provider.split(":")[4]) if principal else provider
            },
            "Action": "sts:AssumeRoleWithWebIdentity",
            "Condition": {
                op: {k.replace("H", host, 1): v for k, v in keys.items()} for op, keys in conditions.items()
            },
        }
        if sid:
            statement["Sid"] = sid
        return statement

    return make


def deny(conditions: dict[str, dict[str, Any]], *, sid: str) -> Any:
    def make(host: str, provider: str, audience: str) -> dict[str, Any]:
        statement: dict[str, Any] = allow(conditions, sid=sid)(host, provider, audience)
        statement["Effect"] = "Deny"
        return statement

    return make


AUD = {"H:aud": "sts.amazonaws.com"}


@dataclass(frozen=True)
class Case:
    statements: list[Callable[[str, str, str], dict[str, Any]]]
    token: dict[str, Any]
    code: int
    rows: list[Row]
    reason: str
    warnings: set[str] = field(default_factory=set)


CASES: dict[str, Case] = {
    "allowed: main pinned": Case(
        [allow({"StringEquals": {**AUD, "H:sub": MAIN}})],
        {},
        0,
        [("0 Allow", "principal", "matched"), ("0 Allow", "StringEquals H:aud", "matched"),
         ("0 Allow", "StringEquals H:sub", "matched")],
        "allowed by statement 0",
    ),
    "denied by ref: feature branch on a main-only role": Case(
        [allow({"StringEquals": {**AUD, "H:sub": MAIN}})],
        {"ref": "feature/login"},
        4,
        [("0 Allow", "principal", "matched"), ("0 Allow", "StringEquals H:aud", "matched"),
         ("0 Allow", "StringEquals H:sub", "not matched")],
        "implicitly denied: statement 0: H:sub did not match",
    ),
    "denied by sub: another project": Case(
        [allow({"StringEquals": AUD, "StringLike": {"H:sub": "project_path:acme/website:ref_type:branch:ref:*"}})],
        {},
        4,
        [("0 Allow", "principal", "matched"), ("0 Allow", "StringEquals H:aud", "matched"),
         ("0 Allow", "StringLike H:sub", "not matched")],
        "implicitly denied: statement 0: H:sub did not match",
        {"sub-any-ref"},
    ),
    "denied by ref type: a tag where release branches are trusted": Case(
        [allow({"StringEquals": AUD, "StringLike": {"H:sub": "project_path:acme/infra:ref_type:branch:ref:release/*"}})],
        {"ref": "release/1.0", "ref_type": "tag"},
        4,
        [("0 Allow", "principal", "matched"), ("0 Allow", "StringEquals H:aud", "matched"),
         ("0 Allow", "StringLike H:sub", "not matched")],
        "implicitly denied: statement 0: H:sub did not match",
        {"sub-any-ref"},
    ),
    "allowed: release branch against a list of patterns": Case(
        [allow({"StringEquals": AUD, "StringLike": {"H:sub": [MAIN, "project_path:acme/infra:ref_type:branch:ref:release/*"]}})],
        {"ref": "release/2.0"},
        0,
        [("0 Allow", "principal", "matched"), ("0 Allow", "StringEquals H:aud", "matched"),
         ("0 Allow", "StringLike H:sub", "matched")],
        "allowed by statement 0",
        {"sub-any-ref"},
    ),
    "denied by audience": Case(
        [allow({"StringEquals": {"H:aud": "https://gitlab.example.com", "H:sub": MAIN}})],
        {},
        4,
        [("0 Allow", "principal", "matched"), ("0 Allow", "StringEquals H:aud", "not matched"),
         ("0 Allow", "StringEquals H:sub", "matched")],
        "implicitly denied: statement 0: H:aud did not match",
    ),
    "allowed but any project could: no sub condition": Case(
        [allow({"StringEquals": AUD})],
        {"project_path": "mallory/fork"},
        0,
        [("0 Allow", "principal", "matched"), ("0 Allow", "StringEquals H:aud", "matched")],
        "allowed by statement 0",
        {"no-sub"},
    ),
    "allowed but any project could: project_path:*": Case(
        [allow({"StringEquals": AUD, "StringLike": {"H:sub": "project_path:*"}})],
        {"project_path": "mallory/fork"},
        0,
        [("0 Allow", "principal", "matched"), ("0 Allow", "StringEquals H:aud", "matched"),
         ("0 Allow", "StringLike H:sub", "matched")],
        "allowed by statement 0",
        {"sub-any-project"},
    ),
    "allowed but group-wide: acme/*": Case(
        [allow({"StringEquals": AUD, "StringLike": {"H:sub": "project_path:acme/*:ref_type:branch:ref:main"}})],
        {"project_path": "acme/sandbox"},
        0,
        [("0 Allow", "principal", "matched"), ("0 Allow", "StringEquals H:aud", "matched"),
         ("0 Allow", "StringLike H:sub", "matched")],
        "allowed by statement 0",
        {"sub-group-wide"},
    ),
    "allowed but no audience pinned": Case(
        [allow({"StringEquals": {"H:sub": MAIN}})],
        {},
        0,
        [("0 Allow", "principal", "matched"), ("0 Allow", "StringEquals H:sub", "matched")],
        "allowed by statement 0",
        {"no-aud"},
    ),
    "Deny statement: tags explicitly denied": Case(
        [
            allow({"StringEquals": AUD, "StringLike": {"H:sub": "project_path:acme/infra:*"}}),
            deny({"StringLike": {"H:sub": "project_path:acme/infra:ref_type:tag:*"}}, sid="NoTags"),
        ],
        {"ref": "v1.0.0", "ref_type": "tag"},
        4,
        [("0 Allow", "principal", "matched"), ("0 Allow", "StringEquals H:aud", "matched"),
         ("0 Allow", "StringLike H:sub", "matched"), ("1 (NoTags) Deny", "principal", "matched"),
         ("1 (NoTags) Deny", "StringLike H:sub", "matched")],
        "explicitly denied by Deny statement 1 (NoTags)",
        {"sub-any-ref"},
    ),
    "Deny statement: a branch is not denied": Case(
        [
            allow({"StringEquals": AUD, "StringLike": {"H:sub": "project_path:acme/infra:*"}}),
            deny({"StringLike": {"H:sub": "project_path:acme/infra:ref_type:tag:*"}}, sid="NoTags"),
        ],
        {},
        0,
        [("0 Allow", "principal", "matched"), ("0 Allow", "StringEquals H:aud", "matched"),
         ("0 Allow", "StringLike H:sub", "matched"), ("1 (NoTags) Deny", "principal", "matched"),
         ("1 (NoTags) Deny", "StringLike H:sub", "not matched")],
        "allowed by statement 0",
        {"sub-any-ref"},
    ),
    "StringEquals with a wildcard never matches": Case(
        [allow({"StringEquals": {**AUD, "H:sub": "project_path:acme/infra:ref_type:branch:ref:*"}})],
        {},
        4,
        [("0 Allow", "principal", "matched"), ("0 Allow", "StringEquals H:aud", "matched"),
         ("0 Allow", "StringEquals H:sub", "not matched")],
        "implicitly denied: statement 0: H:sub did not match",
        {"wildcard-under-stringequals"},
    ),
    "second statement allows": Case(
        [
            allow({"StringEquals": {**AUD, "H:sub": "project_path:acme/website:ref_type:branch:ref:main"}}, sid="Website"),
            allow({"StringEquals": {**AUD, "H:sub": MAIN}}, sid="Infra"),
        ],
        {},
        0,
        [("0 (Website) Allow", "principal", "matched"), ("0 (Website) Allow", "StringEquals H:aud", "matched"),
         ("0 (Website) Allow", "StringEquals H:sub", "not matched"), ("1 (Infra) Allow", "principal", "matched"),
         ("1 (Infra) Allow", "StringEquals H:aud", "matched"), ("1 (Infra) Allow", "StringEquals H:sub", "matched")],
        "allowed by statement 1 (Infra)",
    ),
    "ForAnyValue:StringLike on sub": Case(
        [allow({"StringEquals": AUD, "ForAnyValue:StringLike": {"H:sub": [MAIN, "project_path:acme/infra:ref_type:tag:ref:v*"]}})],
        {"ref": "v2.1", "ref_type": "tag"},
        0,
        [("0 Allow", "principal", "matched"), ("0 Allow", "StringEquals H:aud", "matched"),
         ("0 Allow", "ForAnyValue:StringLike H:sub", "matched")],
        "allowed by statement 0",
        {"sub-any-ref"},  # v* admits any tag, protected or not
    ),
    "trusts another provider only": Case(
        [allow({"StringEquals": {"gitlab.com:aud": "sts.amazonaws.com", "gitlab.com:sub": MAIN}},
               principal="arn:aws:iam::ACCOUNT:oidc-provider/gitlab.com")],
        {},
        4,
        [("0 Allow", "principal", "not matched"), ("0 Allow", "StringEquals gitlab.com:aud", "not matched"),
         ("0 Allow", "StringEquals gitlab.com:sub", "not matched")],
        "implicitly denied: no Allow statement trusts",
    ),
}  # fmt: skip


def provision_role(sandbox: Sandbox, name: str, statements: list[dict[str, Any]]) -> str:
    iam = boto3.client(
        "iam",
        endpoint_url=sandbox.moto_endpoint,
        region_name=sandbox.region,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    document = json.dumps({"Version": "2012-10-17", "Statement": statements})
    try:
        return str(iam.create_role(RoleName=name, AssumeRolePolicyDocument=document)["Role"]["Arn"])
    except iam.exceptions.EntityAlreadyExistsException:
        iam.update_assume_role_policy(RoleName=name, PolicyDocument=document)
        return str(iam.get_role(RoleName=name)["Role"]["Arn"])


def verdict_rows(out: str, host: str) -> list[Row]:
    """(statement, check, result) of every principal and condition row of the doctor's table."""
    rows: list[Row] = []
    for line in out.splitlines():
        if not line.startswith("│"):
            continue
        statement, check, _expected, _token, result = (c.strip() for c in line.strip("│").split("│"))
        if statement != "-" and check != "action":
            rows.append((statement, check.replace(host, "H"), result))
    return rows


def warning_codes(err: str) -> set[str]:
    return set(re.findall(r"^warning: \[([\w-]+)\] ", err, flags=re.MULTILINE))


@pytest.mark.parametrize("name", list(CASES))
def test_doctor_verdicts(tfoidc: Cli, sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch, name: str) -> None:
    case = CASES[name]
    host, provider, audience = sandbox.issuer.host, sandbox.oidc_provider_arn, sandbox.issuer.audience
    role_arn = provision_role(
        sandbox,
        f"doctor-{list(CASES).index(name)}",
        [make(host, provider, audience) for make in case.statements],
    )
    monkeypatch.setenv("GITLAB_OIDC_TOKEN", sandbox.issuer.mint(**case.token))
    result = tfoidc("doctor", "--role-arn", role_arn)
    assert result.code == case.code, result
    assert verdict_rows(result.out, host) == case.rows
    assert warning_codes(result.err) == case.warnings
    provider_row = next(line for line in result.out.splitlines() if "OIDC provider " in line)
    assert provider in provider_row and provider_row.rstrip("│ ").endswith(" matched")
    audience_row = next(line for line in result.out.splitlines() if "OIDC provider audiences" in line)
    assert audience_row.rstrip("│ ").endswith(" matched")
    reason = case.reason.replace("H:", f"{host}:")
    if case.code == 0:
        assert f"allowed: {reason}" in result.out
        assert "error" not in result.err
    else:
        (error,) = [line for line in result.err.splitlines() if line.startswith("tfoidc: error: ")]
        assert f"IAM would refuse sts:AssumeRoleWithWebIdentity on {role_arn}: {reason}" in error
        assert "allowed:" not in result.out


def test_doctor_shows_expected_and_actual_values_of_each_condition(
    tfoidc: Cli, sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GITLAB_OIDC_TOKEN", sandbox.issuer.mint(ref="feature/x"))
    result = tfoidc("doctor", "--role-arn", sandbox.roles["prod"])
    assert result.code == 4
    sub_row = next(line for line in result.out.splitlines() if f"{sandbox.issuer.host}:sub" in line)
    cells = [c.strip() for c in sub_row.strip("│").split("│")]
    assert cells[2:] == [MAIN, "project_path:acme/infra:ref_type:branch:ref:feature/x", "not matched"]


@pytest.mark.parametrize(
    ("role", "token", "code", "warnings"),
    [
        ("dev", {"ref": "feature/x"}, 0, {"sub-any-ref"}),
        ("staging", {"ref": "release/3"}, 0, {"sub-any-ref"}),
        ("staging", {"ref": "feature/x"}, 4, {"sub-any-ref"}),
        ("prod", {}, 0, set()),
        ("readonly", {"ref": "v1", "ref_type": "tag"}, 0, {"sub-any-ref"}),
    ],
)
def test_doctor_on_the_sandboxs_own_environment_roles(
    tfoidc: Cli,
    sandbox: Sandbox,
    monkeypatch: pytest.MonkeyPatch,
    role: str,
    token: dict[str, str],
    code: int,
    warnings: set[str],
) -> None:
    monkeypatch.setenv("GITLAB_OIDC_TOKEN", sandbox.issuer.mint(**token))
    result = tfoidc("doctor", "--role-arn", sandbox.roles[role])
    assert result.code == code, result
    assert warning_codes(result.err) == warnings


def test_doctor_says_when_the_account_has_no_provider_for_the_issuer(
    tfoidc: Cli, sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    other = LocalIssuer(audience=sandbox.issuer.audience)
    other.start()
    try:
        monkeypatch.setenv("TFOIDC_ISSUER", other.url)
        monkeypatch.setenv("GITLAB_OIDC_TOKEN", other.mint())
        result = tfoidc("doctor", "--role-arn", sandbox.roles["dev"])
    finally:
        other.stop()
    assert result.code == 4, result
    provider_row = next(line for line in result.out.splitlines() if "OIDC provider" in line)
    assert "(not registered in the account)" in provider_row and "not matched" in provider_row
    assert f"the account has no IAM OIDC provider for {other.host}" in result.err


def failure(result: CliResult) -> str:
    assert result.out == "" and result.err.count("\n") == 1 and "Traceback" not in result.err, result
    return result.err


def test_doctor_on_a_role_that_does_not_exist_is_one_line(
    tfoidc: Cli, sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GITLAB_OIDC_TOKEN", sandbox.issuer.mint())
    arn = f"arn:aws:iam::{sandbox.account_id}:role/no-such-role"
    result = tfoidc("doctor", "--role-arn", arn)
    assert result.code == 2
    assert f"{arn} does not exist in the account of the credentials used" in failure(result)


def test_doctor_says_which_iam_permissions_its_reader_lacks(
    tfoidc: Cli, sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GITLAB_OIDC_TOKEN", sandbox.issuer.mint())
    with serving(ScriptedSts()) as iam:  # the same Query-API error body as STS
        iam.fail(
            "GetRole",
            "AccessDenied",
            "User: arn:aws:iam::123456789012:user/dev is not authorized to perform: iam:GetRole",
            status=403,
        )
        monkeypatch.setenv("AWS_ENDPOINT_URL_IAM", iam.url)
        result = tfoidc("doctor", "--role-arn", sandbox.roles["dev"])
    assert result.code == 4
    line = failure(result)
    assert (
        f"AWS refused iam:GetRole for {sandbox.roles['dev']}" in line
        and "iam:ListOpenIDConnectProviders" in line
    )


def test_doctor_refuses_what_is_not_a_role_arn(
    tfoidc: Cli, sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GITLAB_OIDC_TOKEN", sandbox.issuer.mint())
    result = tfoidc("doctor", "--role-arn", "tfoidc-sandbox-dev")
    assert result.code == 2 and "is not an IAM role ARN" in failure(result)


def test_doctor_names_a_missing_aws_profile(
    tfoidc: Cli, sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GITLAB_OIDC_TOKEN", sandbox.issuer.mint())
    result = tfoidc("doctor", "--role-arn", sandbox.roles["dev"], "--profile", "nobody")
    assert result.code == 2 and "'nobody' (--profile) is not configured" in failure(result)
    monkeypatch.setenv("AWS_PROFILE", "laptop")
    result = tfoidc("doctor", "--role-arn", sandbox.roles["dev"])
    assert result.code == 2 and "'laptop' ($AWS_PROFILE) is not configured" in failure(result)


def test_doctor_checks_the_token_before_reading_iam(
    tfoidc: Cli, sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GITLAB_OIDC_TOKEN", sandbox.issuer.mint(expires_in=-600))
    result = tfoidc("doctor", "--role-arn", sandbox.roles["dev"])
    assert result.code == 4 and "expired" in failure(result)


def test_doctor_checks_the_providers_client_ids_hold_the_tokens_audience(
    tfoidc: Cli, sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    host = sandbox.issuer.host
    role_arn = provision_role(
        sandbox,
        "doctor-custom-audience",
        [
            allow({"StringEquals": {"H:aud": "custom-aud", "H:sub": MAIN}})(
                host, sandbox.oidc_provider_arn, ""
            )
        ],
    )
    monkeypatch.setenv("GITLAB_OIDC_TOKEN", sandbox.issuer.mint(aud="custom-aud"))
    refused = tfoidc("doctor", "--role-arn", role_arn, "--audience", "custom-aud")
    assert refused.code == 4, refused
    assert (
        f"the IAM OIDC provider for {host} does not list the token's audience custom-aud among its client IDs "
        f"(sts.amazonaws.com, {sandbox.issuer.url}/apply)" in refused.err
    )
    row = next(line for line in refused.out.splitlines() if "OIDC provider audiences" in line)
    assert [c.strip() for c in row.strip("│").split("│")][2:] == [
        f"sts.amazonaws.com, {sandbox.issuer.url}/apply",
        "custom-aud",
        "not matched",
    ]


def test_doctor_refuses_a_role_arn_of_another_account_than_the_one_it_reads(
    tfoidc: Cli, sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GITLAB_OIDC_TOKEN", sandbox.issuer.mint())
    elsewhere = sandbox.roles["dev"].replace(sandbox.account_id, "999999999999")
    result = tfoidc("doctor", "--role-arn", elsewhere)
    assert result.code == 2
    assert (
        f"is in account 999999999999, but the credentials used read account {sandbox.account_id}"
        in failure(result)
    )
