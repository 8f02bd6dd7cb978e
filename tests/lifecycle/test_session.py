"""What an environment asks of the job's identity, for plan and for apply: the one resolution every
command uses (plan, apply, drift, and auth/exec/whoami/doctor given ENV)."""

from __future__ import annotations

from typing import Any

import pytest

from tfoidc.config import EnvironmentConfig, load_config
from tfoidc.errors import InputError
from tfoidc.lifecycle.session import Overrides, credential_request

PLAN_ROLE = "arn:aws:iam::111111111111:role/plan"
APPLY_ROLE = "arn:aws:iam::111111111111:role/apply"
HUB = "arn:aws:iam::222222222222:role/deploy"
HUB_READ = "arn:aws:iam::222222222222:role/read"
ALL_FLAGS = ("--audience", "--issuer", "--no-verify", "--token-file", "--token-var", "--role-arn")


def env(**settings: Any) -> EnvironmentConfig:
    return EnvironmentConfig.model_validate(
        {"root": ".", "role_arn": APPLY_ROLE, "plan_role_arn": PLAN_ROLE, **settings}
    )


def request(
    environment: EnvironmentConfig | None,
    purpose: str,
    environ: dict[str, str] | None = None,
    flags: tuple[str, ...] = ALL_FLAGS,
    **overrides: Any,
) -> Any:
    return credential_request(
        "prod" if environment is not None else None,
        environment,
        purpose,  # type: ignore[arg-type]
        Overrides(**overrides),
        environ={"CI_SERVER_URL": "https://gitlab.example.com", **(environ or {})},
        flags=flags,
    )


def test_plan_uses_the_plan_role_and_the_plan_audience() -> None:
    r = request(env(), "plan")
    assert (r.role.role_arn, r.role.chain_role_arn) == (PLAN_ROLE, None)
    assert r.check.audience == "sts.amazonaws.com"
    assert r.check.issuer == "https://gitlab.example.com"


def test_apply_uses_the_apply_role_and_an_audience_of_its_own() -> None:
    r = request(env(), "apply")
    assert r.role.role_arn == APPLY_ROLE
    assert r.check.audience == "https://gitlab.example.com/apply"
    assert request(env(issuer="https://gitlab.com/"), "apply").check.audience == "https://gitlab.com/apply"
    assert request(env(apply_audience="deploy"), "apply").check.audience == "deploy"


def test_the_chain_role_is_for_apply_and_the_plan_chain_role_for_plans() -> None:
    """Before, chain_role_arn was assumed for plans too: a hub-and-spoke setup either failed its plans or
    handed the deploy role to every merge request."""
    hub = env(chain_role_arn=HUB)
    assert request(hub, "apply").role.chain_role_arn == HUB
    assert request(hub, "plan").role.chain_role_arn is None
    both = env(chain_role_arn=HUB, plan_chain_role_arn=HUB_READ)
    assert request(both, "plan").role.chain_role_arn == HUB_READ
    assert request(both, "apply").role.chain_role_arn == HUB


def test_the_plan_audience_variable_never_sets_the_apply_audience() -> None:
    """$TFOIDC_AUDIENCE, which the docs once told every job to set, must not let a plan token apply."""
    environ = {"TFOIDC_AUDIENCE": "sts.amazonaws.com"}
    assert request(env(), "plan", environ).check.audience == "sts.amazonaws.com"
    assert request(env(), "apply", environ).check.audience == "https://gitlab.example.com/apply"
    applying = {"TFOIDC_APPLY_AUDIENCE": "deploy-jobs"}
    assert request(env(), "apply", applying).check.audience == "deploy-jobs"


def test_each_setting_the_flag_then_the_environment_then_the_variable_then_the_default() -> None:
    configured = env(
        audience="plan-jobs", issuer="https://gitlab.com", region="eu-west-1", session_duration=900
    )
    r = request(configured, "plan", {"TFOIDC_AUDIENCE": "ignored", "TFOIDC_ISSUER": "https://ignored"})
    assert (r.check.audience, r.check.issuer, r.role.region, r.role.duration) == (
        "plan-jobs", "https://gitlab.com", "eu-west-1", 900,
    )  # fmt: skip
    r = request(configured, "plan", audience="flag", issuer="https://flag", region="us-east-1", duration=1800)
    assert (r.check.audience, r.check.issuer, r.role.region, r.role.duration) == (
        "flag", "https://flag", "us-east-1", 1800,
    )  # fmt: skip
    assert request(configured, "plan", role_arn=HUB).role.role_arn == HUB


def test_without_an_environment_the_flags_and_variables_decide() -> None:
    r = request(None, "plan", {"TFOIDC_AUDIENCE": "custom"}, role_arn=PLAN_ROLE)
    assert (r.role.role_arn, r.check.audience) == (PLAN_ROLE, "custom")
    assert request(None, "plan", role_arn=PLAN_ROLE).check.audience == "sts.amazonaws.com"


def test_apply_without_an_issuer_or_an_apply_audience_is_an_input_error() -> None:
    with pytest.raises(InputError, match=r"no apply audience: environments\.prod\.apply_audience is not set"):
        credential_request("prod", env(), "apply", Overrides(), environ={}, flags=ALL_FLAGS)


def test_hints_name_only_what_the_command_offers() -> None:
    spelled = request(env(), "apply", flags=("--audience",)).spelling
    assert spelled.audience == "--audience or environments.prod.apply_audience"
    assert spelled.issuer == "environments.prod.issuer"
    assert spelled.no_verify is None and spelled.token_file is None
    assert spelled.duration == "environments.prod.session_duration"
    assert request(None, "plan", flags=(), role_arn=PLAN_ROLE).spelling.audience is None


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        (
            'audience = "sts.amazonaws.com"\napply_audience = "sts.amazonaws.com"',
            "environments.prod.apply_audience: must differ from the plan audience 'sts.amazonaws.com'",
        ),
        (
            'apply_audience = "sts.amazonaws.com"',
            "environments.prod.apply_audience: must differ from the plan audience",
        ),
        (
            f'plan_chain_role_arn = "{HUB_READ}"\nterraform_credentials = "web_identity"',
            "web_identity cannot be combined with plan_chain_role_arn",
        ),
    ],
)
def test_configurations_that_would_merge_plan_and_apply_are_refused(
    tmp_path: Any, toml: str, message: str
) -> None:
    path = tmp_path / "tfoidc.toml"
    path.write_text(f'[environments.prod]\nroot = "."\nrole_arn = "{APPLY_ROLE}"\n{toml}\n')
    with pytest.raises(InputError, match=message.replace(".", r"\.").replace("(", r"\(")):
        load_config(path)
