"""A child's environment: the credentials tfoidc obtained, and none of the job's tokens."""

from __future__ import annotations

from tfoidc.identity.environment import TOKEN_VARIABLES, child_environment, secret_values

JWT = "eyJhbGciOiJSUzI1NiJ9.eyJhdWQiOiJ2YXVsdCJ9.c2lnbmF0dXJlLXNpZ25hdHVyZQ"
JOB = {
    "PATH": "/usr/bin",
    "GITLAB_OIDC_TOKEN": JWT,
    "VAULT_ID_TOKEN": JWT + "x",  # another id_tokens entry, under a name of the job's choosing
    "CI_JOB_TOKEN": "job-token-value",
    "CI_REGISTRY_PASSWORD": "job-token-value",
    "CI_REPOSITORY_URL": "https://gitlab-ci-token:job-token-value@gitlab.example.com/a/b.git",
    "GITLAB_TOKEN": "glpat-aaaaaaaaaaaaaaaaaaaa",
    "TFOIDC_GITLAB_TOKEN": "note-token-value",
    "DEPLOY_TOKEN": "custom-token-value",
    "AWS_PROFILE": "laptop",
    "TF_VAR_region": "eu-west-1",
}


def test_the_child_gets_the_credentials_and_no_token() -> None:
    env = child_environment(JOB, {"AWS_ACCESS_KEY_ID": "ASIA..."}, "eu-west-1", also_drop=["DEPLOY_TOKEN"])
    assert env == {
        "PATH": "/usr/bin",
        "TF_VAR_region": "eu-west-1",
        "AWS_ACCESS_KEY_ID": "ASIA...",
        "AWS_REGION": "eu-west-1",
        "AWS_DEFAULT_REGION": "eu-west-1",
    }


def test_every_token_value_is_to_be_masked() -> None:
    values = set(secret_values(JOB, also=["DEPLOY_TOKEN"]))
    assert values == {
        JWT, JWT + "x", "job-token-value", JOB["CI_REPOSITORY_URL"], "glpat-aaaaaaaaaaaaaaaaaaaa",
        "note-token-value", "custom-token-value",
    }  # fmt: skip


def test_the_known_token_variables_include_the_note_tokens_and_the_job_token() -> None:
    assert {
        "TFOIDC_GITLAB_TOKEN",
        "GITLAB_TOKEN",
        "CI_JOB_TOKEN",
        "GITLAB_OIDC_TOKEN",
        "CI_JOB_JWT_V2",
    } <= TOKEN_VARIABLES
