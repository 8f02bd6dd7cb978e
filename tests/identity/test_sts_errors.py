"""STS refusals become one line with the likely fix; throttling and IDP hiccups are retried.

moto accepts every web identity, so these run against a local STS Query API on 127.0.0.1 that answers
with the documented XML error bodies; boto3 reaches it through AWS_ENDPOINT_URL_STS, the token is a
real RS256 token verified against the sandbox issuer first.
"""

from __future__ import annotations

import time

import pytest

from tests.identity.support import Cli, CliResult, ScriptedSts
from tfoidc.sandbox import Sandbox

ROLE = "arn:aws:iam::210987654321:role/deploy"
CHAINED = "arn:aws:iam::210987654321:role/admin"
SUB = "project_path:acme/infra:ref_type:branch:ref:main"

WEB = "AssumeRoleWithWebIdentity"


def one_line(result: CliResult, code: int) -> str:
    assert result.code == code, result
    assert result.out == ""
    assert result.err.startswith("tfoidc: error: ") and result.err.count("\n") == 1, result.err
    assert "Traceback" not in result.err
    return result.err


@pytest.fixture
def token(sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch) -> str:
    minted = sandbox.issuer.mint()
    monkeypatch.setenv("GITLAB_OIDC_TOKEN", minted)
    return minted


def test_the_exchange_is_an_unsigned_call_carrying_the_token_session_name_and_duration(
    tfoidc: Cli, scripted_sts: ScriptedSts, token: str
) -> None:
    result = tfoidc("auth", "--role-arn", ROLE, "--duration", "1200")
    assert result.code == 0, result
    (call,) = scripted_sts.calls(WEB)
    assert call["RoleArn"] == ROLE
    assert call["WebIdentityToken"] == token
    assert call["RoleSessionName"] == "gitlab-42-1001-5001"
    assert call["DurationSeconds"] == "1200"
    assert call["_authorization"] == ""  # the token is the only credential
    assert scripted_sts.credentials.secret_access_key in result.out


def test_the_chained_call_is_signed_with_the_first_session(
    tfoidc: Cli, scripted_sts: ScriptedSts, token: str
) -> None:
    result = tfoidc("auth", "--role-arn", ROLE, "--chain-role-arn", CHAINED)
    assert result.code == 0, result
    (call,) = scripted_sts.calls("AssumeRole")
    assert call["RoleArn"] == CHAINED and call["DurationSeconds"] == "3600"
    assert f"Credential={scripted_sts.credentials.access_key_id}/" in call["_authorization"]


# (action, status, code, message) -> exit code and what the one line must say
REFUSALS = [
    pytest.param(
        WEB, 403, "AccessDenied", "Not authorized to perform sts:AssumeRoleWithWebIdentity",
        4, ["refused sts:AssumeRoleWithWebIdentity on " + ROLE, f"sub={SUB!r}", "aud='sts.amazonaws.com'",
            "trust policy must allow", f"tfoidc doctor --role-arn {ROLE}"],
        id="AccessDenied",
    ),
    pytest.param(
        WEB, 400, "InvalidIdentityToken", "No OpenIDConnect provider found in your account for https://gitlab.example.com",
        4, ["no IAM OIDC identity provider for 127.0.0.1:", "create-open-id-connect-provider",
            "audience (client ID) 'sts.amazonaws.com'"],
        id="InvalidIdentityToken-no-provider",
    ),
    pytest.param(
        WEB, 400, "InvalidIdentityToken", "Incorrect token audience",
        4, ["rejected the token's audience 'sts.amazonaws.com'", "client ID list", "id_tokens:"],
        id="InvalidIdentityToken-audience",
    ),
    pytest.param(
        WEB, 400, "InvalidIdentityToken",
        "Couldn't retrieve verification key from your identity provider, please reference "
        "AssumeRoleWithWebIdentity documentation for requirements",
        4, ["could not retrieve the signing keys of 127.0.0.1:", "/oauth/discovery/keys", "public HTTPS"],
        id="InvalidIdentityToken-keys",
    ),
    pytest.param(
        WEB, 400, "InvalidIdentityToken", "The ID Token provided is not a valid JWT. (You may see this error if you sent an Access Token)",
        4, ["AWS rejected the ID token: The ID Token provided is not a valid JWT", "tfoidc whoami"],
        id="InvalidIdentityToken-other",
    ),
    pytest.param(
        WEB, 400, "ExpiredTokenException",
        "Token expired: current date/time 1795645000 must be before the expiration date/time1795644900",
        4, ["STS says the ID token has expired", "inside the job"],
        id="ExpiredTokenException",
    ),
    pytest.param(
        WEB, 403, "IDPRejectedClaim", "The identity provider rejected the claim",
        4, ["identity provider rejected the token's claims"],
        id="IDPRejectedClaim",
    ),
    pytest.param(
        WEB, 400, "ValidationError", "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.",
        2, ["exceeds the MaxSessionDuration of " + ROLE, "raise the role's MaxSessionDuration"],
        id="MaxSessionDuration",
    ),
    pytest.param(
        WEB, 403, "RegionDisabledException", "STS is not activated in this region for account:210987654321.",
        4, ["STS is not activated in this region", "--region"],
        id="RegionDisabled",
    ),
    pytest.param(
        "AssumeRole", 400, "ValidationError",
        "The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.",
        2, ["(3600s) exceeds the 1 hour limit for role chaining into " + CHAINED, "set --duration to 3600 or less"],
        id="role-chaining-duration",
    ),
    pytest.param(
        "AssumeRole", 403, "AccessDenied",
        f"User: arn:aws:sts::210987654321:assumed-role/deploy/gitlab-42-1001-5001 is not authorized to perform: sts:AssumeRole on resource: {CHAINED}",
        4, ["refused sts:AssumeRole on " + CHAINED, "Principal.AWS"],
        id="chained-AccessDenied",
    ),
]  # fmt: skip


@pytest.mark.parametrize(("action", "status", "code", "message", "exit_code", "fragments"), REFUSALS)
def test_each_sts_refusal_is_one_line_with_the_fix(
    tfoidc: Cli,
    scripted_sts: ScriptedSts,
    token: str,
    action: str,
    status: int,
    code: str,
    message: str,
    exit_code: int,
    fragments: list[str],
) -> None:
    scripted_sts.fail(action, code, message, status=status)
    args = ["auth", "--role-arn", ROLE]
    if action == "AssumeRole":
        args += ["--chain-role-arn", CHAINED]
    line = one_line(tfoidc(*args), exit_code)
    for fragment in fragments:
        assert fragment in line, (fragment, line)
    assert len(scripted_sts.calls(action)) == 1  # refusals are not retried
    assert token not in line


@pytest.mark.parametrize(
    ("code", "message"),
    [("Throttling", "Rate exceeded"), ("IDPCommunicationError", "Couldn't connect to the identity provider")],
)
def test_throttling_and_idp_trouble_are_retried_with_backoff_then_succeed(
    tfoidc: Cli, scripted_sts: ScriptedSts, token: str, code: str, message: str
) -> None:
    scripted_sts.fail(WEB, code, message, times=2)
    result = tfoidc("auth", "--role-arn", ROLE)
    assert result.code == 0, result
    calls = scripted_sts.calls(WEB)
    assert len(calls) == 3
    assert {c["WebIdentityToken"] for c in calls} == {token}
    assert scripted_sts.credentials.access_key_id in result.out


@pytest.mark.parametrize(
    ("code", "message"),
    [("Throttling", "Rate exceeded"), ("IDPCommunicationError", "Couldn't connect to the identity provider")],
)
def test_retries_run_out_as_an_operational_failure(
    tfoidc: Cli,
    scripted_sts: ScriptedSts,
    token: str,
    monkeypatch: pytest.MonkeyPatch,
    code: str,
    message: str,
) -> None:
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "2")
    scripted_sts.fail(WEB, code, message, times=5)
    line = one_line(tfoidc("auth", "--role-arn", ROLE), 1)
    assert f"still failed after retries: {code}: {message}" in line
    assert len(scripted_sts.calls(WEB)) == 2


def test_a_server_error_is_retried(tfoidc: Cli, scripted_sts: ScriptedSts, token: str) -> None:
    scripted_sts.fail(WEB, "InternalFailure", "internal error", status=500)
    assert tfoidc("auth", "--role-arn", ROLE).code == 0
    assert len(scripted_sts.calls(WEB)) == 2


def test_an_unreachable_sts_is_an_operational_failure(
    tfoidc: Cli, token: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL_STS", "http://127.0.0.1:9")
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "1")
    line = one_line(tfoidc("auth", "--role-arn", ROLE), 1)
    assert "cannot reach AWS for AssumeRoleWithWebIdentity" in line and "AWS_ENDPOINT_URL_STS" in line


def test_a_stalled_sts_times_out_as_an_operational_failure(
    tfoidc: Cli, scripted_sts: ScriptedSts, token: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """botocore waits 60 s per attempt by default: a stalled STS held the job for minutes."""
    monkeypatch.setenv("TFOIDC_NETWORK_TIMEOUT", "1")
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "2")
    scripted_sts.stall = 20
    started = time.monotonic()
    line = one_line(tfoidc("auth", "--role-arn", ROLE), 1)
    assert time.monotonic() - started < 10
    assert "AssumeRoleWithWebIdentity" in line and "timeout" in line.lower()
    assert scripted_sts.credentials.secret_access_key not in line


def test_whoami_maps_a_refusal_the_same_way(tfoidc: Cli, scripted_sts: ScriptedSts, token: str) -> None:
    scripted_sts.fail(
        WEB, "AccessDenied", "Not authorized to perform sts:AssumeRoleWithWebIdentity", status=403
    )
    result = tfoidc("whoami", "--role-arn", ROLE, "--format", "json")
    assert result.code == 4
    assert "refused sts:AssumeRoleWithWebIdentity" in result.err and result.err.count("\n") == 1


def test_exec_does_not_run_the_command_when_sts_refuses(
    tfoidc: Cli, scripted_sts: ScriptedSts, token: str, tmp_path: pytest.TempPathFactory
) -> None:
    scripted_sts.fail(WEB, "InvalidIdentityToken", "Incorrect token audience")
    result = tfoidc("exec", "--role-arn", ROLE, "--", "sh", "-c", "echo ran")
    assert "ran" not in result.out
    one_line(result, 4)


def test_expired_session_credentials_are_not_blamed_on_the_id_token(
    tfoidc: Cli, scripted_sts: ScriptedSts, token: str
) -> None:
    scripted_sts.fail(
        "GetCallerIdentity", "ExpiredToken", "The security token included in the request is expired"
    )
    result = tfoidc("whoami", "--role-arn", ROLE)
    assert result.code == 4
    assert "AWS GetCallerIdentity refused the session credentials as expired" in result.err
    assert "ID token" not in result.err
