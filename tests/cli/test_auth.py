"""`tfoidc auth` against the sandbox: a real RS256 token from the local issuer, verified through its
discovery document and JWKS, exchanged with moto's STS over HTTP."""

from __future__ import annotations

import json
import re
import shlex
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import boto3
import pytest

from tests.identity.support import Cli, CliResult, Issued
from tfoidc.sandbox import Sandbox
from tfoidc.sandbox.issuer import LocalIssuer, new_signing_key

Sessions = Callable[[], list[Issued]]


def exports(text: str) -> dict[str, str]:
    """The variables of `export NAME=value` lines, parsed the way a shell's eval would."""
    values: dict[str, str] = {}
    for line in text.splitlines():
        words = shlex.split(line)
        assert words[0] == "export" and len(words) == 2, line
        name, _, value = words[1].partition("=")
        values[name] = value
    return values


def assert_one_line_failure(result: CliResult, code: int, *fragments: str) -> None:
    assert result.code == code, result
    assert result.err.startswith("tfoidc: error: "), result.err
    assert result.err.count("\n") == 1, result.err
    assert "Traceback" not in result.err
    assert result.out == ""
    for fragment in fragments:
        assert fragment in result.err, (fragment, result.err)


def assert_matches_session(values: dict[str, str], session: Issued) -> None:
    assert values["AWS_ACCESS_KEY_ID"] == session.access_key_id
    assert values["AWS_SECRET_ACCESS_KEY"] == session.secret_access_key
    assert values["AWS_SESSION_TOKEN"] == session.session_token


# --- the happy path ---------------------------------------------------------------------------------


def test_auth_prints_exports_of_the_session_sts_issued_for_the_role(
    tfoidc: Cli, sandbox: Sandbox, moto_sessions: Sessions, monkeypatch: pytest.MonkeyPatch
) -> None:
    token = sandbox.issuer.mint()
    monkeypatch.setenv("GITLAB_OIDC_TOKEN", token)
    result = tfoidc("auth", "--role-arn", sandbox.roles["dev"])
    assert result.code == 0, result
    (session,) = moto_sessions()
    assert session.role_arn == sandbox.roles["dev"]
    assert session.duration == 3600
    values = exports(result.out)
    assert set(values) == {"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"}
    assert_matches_session(values, session)
    assert sandbox.roles["dev"] in result.err and session.session_name in result.err
    assert session.secret_access_key not in result.err and token not in result.out + result.err


def test_exported_credentials_act_as_the_assumed_role(
    tfoidc: Cli, sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GITLAB_OIDC_TOKEN", sandbox.issuer.mint())
    values = exports(tfoidc("auth", "--role-arn", sandbox.roles["prod"]).out)
    sts = boto3.client(
        "sts",
        aws_access_key_id=values["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=values["AWS_SECRET_ACCESS_KEY"],
        aws_session_token=values["AWS_SESSION_TOKEN"],
    )
    arn = sts.get_caller_identity()["Arn"]
    assert arn == f"arn:aws:sts::{sandbox.account_id}:assumed-role/tfoidc-sandbox-prod/gitlab-42-1001-5001"


def test_auth_json_is_the_credential_process_document(
    tfoidc: Cli, sandbox: Sandbox, moto_sessions: Sessions, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GITLAB_OIDC_TOKEN", sandbox.issuer.mint())
    result = tfoidc("auth", "--role-arn", sandbox.roles["dev"], "--format", "json", "--duration", "900")
    assert result.code == 0, result
    document = json.loads(result.out)
    (session,) = moto_sessions()
    assert session.duration == 900
    assert set(document) == {"Version", "AccessKeyId", "SecretAccessKey", "SessionToken", "Expiration"}
    assert document["Version"] == 1
    assert document["AccessKeyId"] == session.access_key_id
    assert document["SecretAccessKey"] == session.secret_access_key
    assert document["SessionToken"] == session.session_token
    expiration = datetime.fromisoformat(document["Expiration"])
    assert expiration.tzinfo is not None and expiration > datetime.now(UTC)


def test_auth_region_is_exported_with_the_credentials(
    tfoidc: Cli, sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GITLAB_OIDC_TOKEN", sandbox.issuer.mint())
    result = tfoidc("auth", "--role-arn", sandbox.roles["dev"], "--region", "eu-west-1")
    assert result.code == 0, result
    assert exports(result.out)["AWS_REGION"] == "eu-west-1"


@pytest.mark.parametrize("duration", ["899", "43201", "soon"])
def test_auth_refuses_a_duration_sts_would_refuse_before_calling_it(
    tfoidc: Cli, sandbox: Sandbox, moto_sessions: Sessions, monkeypatch: pytest.MonkeyPatch, duration: str
) -> None:
    monkeypatch.setenv("GITLAB_OIDC_TOKEN", sandbox.issuer.mint())
    result = tfoidc("auth", "--role-arn", sandbox.roles["dev"], "--duration", duration)
    assert_one_line_failure(result, 2, "--duration")
    assert moto_sessions() == []


def test_auth_takes_the_role_from_tfoidc_role_arn(
    tfoidc: Cli, sandbox: Sandbox, moto_sessions: Sessions, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GITLAB_OIDC_TOKEN", sandbox.issuer.mint())
    monkeypatch.setenv("TFOIDC_ROLE_ARN", sandbox.roles["staging"])
    assert tfoidc("auth").code == 0
    assert [s.role_arn for s in moto_sessions()] == [sandbox.roles["staging"]]


def test_a_token_for_several_audiences_is_accepted_for_any_of_them(
    tfoidc: Cli, sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(
        "GITLAB_OIDC_TOKEN", sandbox.issuer.mint(aud=["https://vault.example.com", "sts.amazonaws.com"])
    )
    assert tfoidc("auth", "--role-arn", sandbox.roles["dev"]).code == 0
    assert tfoidc("auth", "--role-arn", sandbox.roles["dev"], "--audience", "other").code == 4


def test_auth_without_role_arn_is_a_usage_error(tfoidc: Cli, sandbox: Sandbox) -> None:
    assert_one_line_failure(tfoidc("auth"), 2, "--role-arn")


# --- no token file that outlives the command ----------------------------------------------------------


def test_web_identity_file_is_refused_for_exec_web_identity(
    tfoidc: Cli, sandbox: Sandbox, moto_sessions: Sessions, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """A token file at a path of the job's choosing (the docs once said $CI_BUILDS_DIR, which shell
    runners share between projects) outlived the command: `exec --web-identity` replaces it."""
    monkeypatch.setenv("GITLAB_OIDC_TOKEN", sandbox.issuer.mint())
    target = tmp_path / "web-identity-token"
    result = tfoidc("auth", "--role-arn", sandbox.roles["staging"], "--web-identity-file", str(target))
    assert_one_line_failure(result, 2, "--web-identity-file is gone", "tfoidc exec [ENV] --web-identity")
    assert not target.exists()
    assert moto_sessions() == []


# --- RoleSessionName --------------------------------------------------------------------------------

SESSION_NAME = re.compile(r"[\w+=,.@-]{2,64}", re.ASCII)


@pytest.mark.parametrize(
    ("claims", "expected"),
    [
        ({"project_id": "42", "pipeline_id": "1001", "job_id": "5001"}, "gitlab-42-1001-5001"),
        ({"project_id": "7", "pipeline_id": "88", "job_id": "99"}, "gitlab-7-88-99"),
        ({"project_id": "4 2", "pipeline_id": "10:01", "job_id": "5/1"}, "gitlab-4_2-10_01-5_1"),
        ({"project_id": "é", "pipeline_id": "1", "job_id": "2"}, "gitlab-_-1-2"),
        ({"project_id": "1" * 40, "pipeline_id": "2" * 40, "job_id": "3"}, ("gitlab-" + "1" * 40 + "-" + "2" * 40)[:64]),
        ({"job_id": None, "pipeline_id": None, "project_id": None}, "gitlab"),
    ],
)  # fmt: skip
def test_role_session_name_names_the_job_within_stss_rules(
    tfoidc: Cli,
    sandbox: Sandbox,
    moto_sessions: Sessions,
    monkeypatch: pytest.MonkeyPatch,
    claims: dict[str, str | None],
    expected: str,
) -> None:
    monkeypatch.setenv("GITLAB_OIDC_TOKEN", sandbox.issuer.mint(**claims))
    result = tfoidc("auth", "--role-arn", sandbox.roles["dev"])
    assert result.code == 0, result
    (session,) = moto_sessions()
    assert session.session_name == expected
    assert SESSION_NAME.fullmatch(session.session_name)


# --- role chaining ----------------------------------------------------------------------------------


def test_chaining_assumes_the_second_role_with_the_first_roles_session(
    tfoidc: Cli, sandbox: Sandbox, moto_sessions: Sessions, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GITLAB_OIDC_TOKEN", sandbox.issuer.mint())
    result = tfoidc("auth", "--role-arn", sandbox.roles["dev"], "--chain-role-arn", sandbox.roles["chained"])
    assert result.code == 0, result
    first, second = moto_sessions()
    assert (first.role_arn, second.role_arn) == (sandbox.roles["dev"], sandbox.roles["chained"])
    assert first.session_name == second.session_name == "gitlab-42-1001-5001"
    assert second.duration == 3600
    values = exports(result.out)
    assert_matches_session(values, second)
    assert first.secret_access_key not in result.out + result.err
    arn = boto3.client(
        "sts",
        aws_access_key_id=values["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=values["AWS_SECRET_ACCESS_KEY"],
        aws_session_token=values["AWS_SESSION_TOKEN"],
    ).get_caller_identity()["Arn"]
    assert ":assumed-role/tfoidc-sandbox-chained/" in arn


def test_chaining_passes_a_duration_within_the_one_hour_cap(
    tfoidc: Cli, sandbox: Sandbox, moto_sessions: Sessions, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GITLAB_OIDC_TOKEN", sandbox.issuer.mint())
    result = tfoidc(
        "auth", "--role-arn", sandbox.roles["dev"], "--chain-role-arn", sandbox.roles["chained"],
        "--duration", "1800",
    )  # fmt: skip
    assert result.code == 0, result
    assert [s.duration for s in moto_sessions()] == [1800, 1800]


@pytest.mark.parametrize("duration", ["3601", "7200", "43200"])
def test_chaining_refuses_more_than_an_hour_before_any_sts_call(
    tfoidc: Cli, sandbox: Sandbox, moto_sessions: Sessions, monkeypatch: pytest.MonkeyPatch, duration: str
) -> None:
    monkeypatch.setenv("GITLAB_OIDC_TOKEN", sandbox.issuer.mint())
    result = tfoidc(
        "auth", "--role-arn", sandbox.roles["dev"], "--chain-role-arn", sandbox.roles["chained"],
        "--duration", duration,
    )  # fmt: skip
    assert_one_line_failure(result, 2, f"--duration {duration}", "3600")
    assert moto_sessions() == []


# --- token sources, in order ------------------------------------------------------------------------


def job_of(sessions: list[Issued]) -> str:
    (session,) = sessions
    return session.session_name.rsplit("-", 1)[1]


def test_token_file_comes_first(
    tfoidc: Cli, sandbox: Sandbox, moto_sessions: Sessions, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    token_file = tmp_path / "id_token"
    token_file.write_text(sandbox.issuer.mint(job_id="1") + "\n")  # a trailing newline, as `echo` writes
    monkeypatch.setenv("GITLAB_OIDC_TOKEN", sandbox.issuer.mint(job_id="2"))
    monkeypatch.setenv("CI_JOB_JWT_V2", sandbox.issuer.mint(job_id="3"))
    result = tfoidc("auth", "--role-arn", sandbox.roles["dev"], "--token-file", str(token_file))
    assert result.code == 0, result
    assert job_of(moto_sessions()) == "1"
    assert "warning" not in result.err


def test_a_token_file_saved_with_a_bom_and_crlf_is_read(
    tfoidc: Cli, sandbox: Sandbox, moto_sessions: Sessions, tmp_path: Path
) -> None:
    token_file = tmp_path / "id_token"
    token_file.write_bytes(b"\xef\xbb\xbf" + sandbox.issuer.mint(job_id="8").encode() + b"\r\n")
    result = tfoidc("auth", "--role-arn", sandbox.roles["dev"], "--token-file", str(token_file))
    assert result.code == 0, result
    assert job_of(moto_sessions()) == "8"


def test_gitlab_oidc_token_comes_before_the_legacy_variable(
    tfoidc: Cli, sandbox: Sandbox, moto_sessions: Sessions, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GITLAB_OIDC_TOKEN", sandbox.issuer.mint(job_id="2"))
    monkeypatch.setenv("CI_JOB_JWT_V2", sandbox.issuer.mint(job_id="3"))
    result = tfoidc("auth", "--role-arn", sandbox.roles["dev"])
    assert result.code == 0, result
    assert job_of(moto_sessions()) == "2"
    assert "CI_JOB_JWT_V2" not in result.err


def test_token_var_names_the_variable_declared_under_id_tokens(
    tfoidc: Cli, sandbox: Sandbox, moto_sessions: Sessions, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_ID_TOKEN", sandbox.issuer.mint(job_id="4"))
    monkeypatch.setenv("GITLAB_OIDC_TOKEN", sandbox.issuer.mint(job_id="2"))
    result = tfoidc("auth", "--role-arn", sandbox.roles["dev"], "--token-var", "AWS_ID_TOKEN")
    assert result.code == 0, result
    assert job_of(moto_sessions()) == "4"


def test_legacy_ci_job_jwt_v2_still_works_with_a_deprecation_warning(
    tfoidc: Cli, sandbox: Sandbox, moto_sessions: Sessions, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CI_JOB_JWT_V2", sandbox.issuer.mint(job_id="3"))
    result = tfoidc("auth", "--role-arn", sandbox.roles["dev"])
    assert result.code == 0, result
    assert job_of(moto_sessions()) == "3"
    (warning,) = [line for line in result.err.splitlines() if line.startswith("warning:")]
    assert "CI_JOB_JWT_V2" in warning and "17.0" in warning and "id_tokens:" in warning


def test_no_token_anywhere_says_how_to_declare_one(
    tfoidc: Cli, sandbox: Sandbox, moto_sessions: Sessions
) -> None:
    result = tfoidc("auth", "--role-arn", sandbox.roles["dev"])
    assert_one_line_failure(result, 2, "$GITLAB_OIDC_TOKEN", "id_tokens:")
    assert moto_sessions() == []


@pytest.mark.parametrize(("content", "fragment"), [(None, "cannot read"), ("  \n", "is empty")])
def test_a_named_token_file_that_is_missing_or_empty_is_an_input_error(
    tfoidc: Cli,
    sandbox: Sandbox,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    content: str | None,
    fragment: str,
) -> None:
    monkeypatch.setenv("GITLAB_OIDC_TOKEN", sandbox.issuer.mint())  # never a silent fall-through
    token_file = tmp_path / "id_token"
    if content is not None:
        token_file.write_text(content)
    result = tfoidc("auth", "--role-arn", sandbox.roles["dev"], "--token-file", str(token_file))
    assert_one_line_failure(result, 2, fragment, str(token_file))


def test_a_value_that_is_not_a_jwt_is_refused(
    tfoidc: Cli, sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GITLAB_OIDC_TOKEN", "/builds/acme/infra/token.txt")
    result = tfoidc("auth", "--role-arn", sandbox.roles["dev"])
    assert_one_line_failure(result, 4, "not a JWT")
    assert "/builds/acme/infra/token.txt" not in result.err


# --- tokens refused before any AWS call -------------------------------------------------------------


def stranger_issuer(sandbox: Sandbox, *, kid: str | None = None) -> LocalIssuer:
    """An issuer with the sandbox's URL and audience but its own key: its tokens are forgeries."""
    return LocalIssuer(
        audience=sandbox.issuer.audience, key=new_signing_key(), kid=kid, url=sandbox.issuer.url
    )


def forged_same_kid(sandbox: Sandbox) -> str:
    return stranger_issuer(sandbox, kid=sandbox.issuer.kid).mint()


def tampered(sandbox: Sandbox) -> str:
    header, _, signature = sandbox.issuer.mint().split(".")
    _, payload, _ = sandbox.issuer.mint(project_path="evil/infra").split(".")
    return f"{header}.{payload}.{signature}"


REFUSED_TOKENS: dict[str, tuple[Callable[[Sandbox], str], tuple[str, ...]]] = {
    "expired": (lambda sb: sb.issuer.mint(expires_in=-600), ("expired at", "UTC")),
    "not yet valid": (
        lambda sb: sb.issuer.mint(iat=int(datetime.now(UTC).timestamp()) + 900, nbf=int(datetime.now(UTC).timestamp()) + 900),
        ("not valid yet",),
    ),
    "wrong audience": (
        lambda sb: sb.issuer.mint(aud="https://gitlab.example.com"),
        ("audience 'https://gitlab.example.com'", "not the expected 'sts.amazonaws.com'"),
    ),
    "wrong issuer": (lambda sb: sb.issuer.mint(iss="https://gitlab.com"), ("issued by 'https://gitlab.com'",)),
    "bad signature": (forged_same_kid, ("invalid signature",)),
    "tampered claims": (tampered, ("invalid signature",)),
    "unknown kid": (lambda sb: stranger_issuer(sb, kid="rotated-away").mint(), ("key id 'rotated-away'",)),
    "no sub": (lambda sb: sb.issuer.mint(sub=None), ("'sub'",)),
}  # fmt: skip


@pytest.mark.parametrize("case", sorted(REFUSED_TOKENS))
def test_a_refused_token_is_one_line_exit_4_and_no_sts_call(
    tfoidc: Cli, sandbox: Sandbox, moto_sessions: Sessions, monkeypatch: pytest.MonkeyPatch, case: str
) -> None:
    make, fragments = REFUSED_TOKENS[case]
    token = make(sandbox)
    monkeypatch.setenv("GITLAB_OIDC_TOKEN", token)
    result = tfoidc("auth", "--role-arn", sandbox.roles["dev"])
    assert_one_line_failure(result, 4, "$GITLAB_OIDC_TOKEN", *fragments)
    assert token.split(".")[2] not in result.err
    assert moto_sessions() == []


def test_no_verify_skips_only_the_signature(
    tfoidc: Cli, sandbox: Sandbox, moto_sessions: Sessions, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GITLAB_OIDC_TOKEN", forged_same_kid(sandbox))
    result = tfoidc("auth", "--role-arn", sandbox.roles["dev"], "--no-verify")
    assert result.code == 0, result
    assert len(moto_sessions()) == 1


@pytest.mark.parametrize("case", ["expired", "wrong audience", "wrong issuer"])
def test_no_verify_still_checks_the_claims(
    tfoidc: Cli, sandbox: Sandbox, moto_sessions: Sessions, monkeypatch: pytest.MonkeyPatch, case: str
) -> None:
    make, fragments = REFUSED_TOKENS[case]
    monkeypatch.setenv("GITLAB_OIDC_TOKEN", make(sandbox))
    result = tfoidc("auth", "--role-arn", sandbox.roles["dev"], "--no-verify")
    assert_one_line_failure(result, 4, *fragments)
    assert moto_sessions() == []


def test_an_unreachable_issuer_is_operational_and_no_verify_is_the_way_out(
    tfoidc: Cli, sandbox: Sandbox, moto_sessions: Sessions, monkeypatch: pytest.MonkeyPatch
) -> None:
    unreachable = "http://127.0.0.1:9"  # discard port: nothing answers
    monkeypatch.setenv("TFOIDC_ISSUER", unreachable)
    monkeypatch.setenv("GITLAB_OIDC_TOKEN", sandbox.issuer.mint(iss=unreachable))
    result = tfoidc("auth", "--role-arn", sandbox.roles["dev"])
    assert_one_line_failure(result, 1, "discovery document", "--no-verify")
    assert moto_sessions() == []
    assert tfoidc("auth", "--role-arn", sandbox.roles["dev"], "--no-verify").code == 0
    assert len(moto_sessions()) == 1


def test_issuer_and_audience_flags_override_the_environment(
    tfoidc: Cli, sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GITLAB_OIDC_TOKEN", sandbox.issuer.mint(aud="custom-aud"))
    refused = tfoidc("auth", "--role-arn", sandbox.roles["dev"])
    assert refused.code == 4
    accepted = tfoidc("auth", "--role-arn", sandbox.roles["dev"], "--audience", "custom-aud")
    assert accepted.code == 0, accepted
    wrong = tfoidc(
        "auth",
        "--role-arn",
        sandbox.roles["dev"],
        "--audience",
        "custom-aud",
        "--issuer",
        "https://gitlab.com",
    )
    assert wrong.code == 4 and "not the expected 'https://gitlab.com'" in wrong.err


def test_in_a_gitlab_job_the_issuer_defaults_to_ci_server_url(
    tfoidc: Cli, sandbox: Sandbox, moto_sessions: Sessions, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("TFOIDC_ISSUER")
    monkeypatch.setenv("CI_SERVER_URL", sandbox.issuer.url)
    # a token naming another issuer, signed by a key that issuer would publish: refused, not fetched
    forged = LocalIssuer(audience=sandbox.issuer.audience, url="https://gitlab.example.com").mint()
    monkeypatch.setenv("GITLAB_OIDC_TOKEN", forged)
    refused = tfoidc("auth", "--role-arn", sandbox.roles["dev"])
    assert refused.code == 4 and f"not the expected {sandbox.issuer.url!r}" in refused.err
    monkeypatch.setenv("GITLAB_OIDC_TOKEN", sandbox.issuer.mint())
    assert tfoidc("auth", "--role-arn", sandbox.roles["dev"]).code == 0
    assert len(moto_sessions()) == 1


def test_an_expired_token_is_refused_as_expired_even_when_the_issuer_is_unreachable(
    tfoidc: Cli, sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    unreachable = "http://127.0.0.1:9"
    monkeypatch.setenv("TFOIDC_ISSUER", unreachable)
    monkeypatch.setenv("GITLAB_OIDC_TOKEN", sandbox.issuer.mint(iss=unreachable, expires_in=-600))
    assert_one_line_failure(tfoidc("auth", "--role-arn", sandbox.roles["dev"]), 4, "expired")


# --- ENV from tfoidc.toml ---------------------------------------------------------------------------


@pytest.fixture
def config(sandbox: Sandbox, tmp_path: Path) -> Path:
    path = tmp_path / "tfoidc.toml"
    path.write_text(
        "[environments.prod]\n"
        'root = "."\n'
        f'role_arn = "{sandbox.roles["prod"]}"\n'
        f'plan_role_arn = "{sandbox.roles["readonly"]}"\n'
        f'chain_role_arn = "{sandbox.roles["chained"]}"\n'
        'region = "eu-west-1"\n'
    )
    return path


def test_auth_env_exchanges_for_the_environments_plan_role_without_its_apply_chain(
    tfoidc: Cli, sandbox: Sandbox, moto_sessions: Sessions, config: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GITLAB_OIDC_TOKEN", sandbox.issuer.mint())
    result = tfoidc("--config", str(config), "auth", "prod")
    assert result.code == 0, result
    assert [s.role_arn for s in moto_sessions()] == [sandbox.roles["readonly"]]
    assert exports(result.out)["AWS_REGION"] == "eu-west-1"


def test_auth_env_apply_needs_the_apply_audience_then_chains(
    tfoidc: Cli, sandbox: Sandbox, moto_sessions: Sessions, config: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GITLAB_OIDC_TOKEN", sandbox.issuer.mint())
    refused = tfoidc("--config", str(config), "auth", "prod", "--apply")
    assert_one_line_failure(refused, 4, f"not the expected '{sandbox.issuer.url}/apply'")
    assert moto_sessions() == []
    monkeypatch.setenv("GITLAB_OIDC_TOKEN", sandbox.issuer.mint(aud=f"{sandbox.issuer.url}/apply"))
    assert tfoidc("--config", str(config), "auth", "prod", "--apply").code == 0
    assert [s.role_arn for s in moto_sessions()] == [sandbox.roles["prod"], sandbox.roles["chained"]]


def test_role_arn_overrides_the_environments_role(
    tfoidc: Cli, sandbox: Sandbox, moto_sessions: Sessions, config: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GITLAB_OIDC_TOKEN", sandbox.issuer.mint())
    result = tfoidc("--config", str(config), "auth", "prod", "--role-arn", sandbox.roles["dev"])
    assert result.code == 0, result
    assert [s.role_arn for s in moto_sessions()] == [sandbox.roles["dev"]]


def test_whoami_and_doctor_take_env_too(
    tfoidc: Cli, sandbox: Sandbox, moto_sessions: Sessions, config: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GITLAB_OIDC_TOKEN", sandbox.issuer.mint())
    whoami = tfoidc("--config", str(config), "whoami", "prod", "--format", "json")
    assert whoami.code == 0, whoami
    assert ":assumed-role/tfoidc-sandbox-readonly/" in json.loads(whoami.out)["aws"]["Arn"]
    doctor = tfoidc("--config", str(config), "doctor", "prod")
    assert doctor.code == 0, doctor
    assert "tfoidc-sandbox-readonly" in doctor.out


def test_an_unknown_env_is_a_usage_error(tfoidc: Cli, sandbox: Sandbox, config: Path) -> None:
    assert_one_line_failure(
        tfoidc("--config", str(config), "auth", "staging"), 2, "unknown environment 'staging'", "prod"
    )
