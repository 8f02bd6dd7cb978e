"""The GitLab CI jobs tfoidc runs, in one place: the parent pipeline (`tfoidc init`, the shipped
.gitlab-ci.yml) and every job of the child pipeline `tfoidc pipeline generate` writes.

Plain data, no logic beyond filling in a stack: `pipeline.py` decides which jobs exist and how they
need each other. Kept apart so the same job definitions can be shared as CI/CD components.
"""

from __future__ import annotations

from typing import Any

OUT_DIR = "tfoidc-out"
STACKS_FILE = "tfoidc-stacks.json"
CHILD_FILE = "tfoidc-child.yml"
GENERATE_JOB = "tfoidc:generate"
TRIGGER_JOB = "tfoidc:stacks"
TOKEN_VARIABLE = "GITLAB_OIDC_TOKEN"
DEFAULT_AUDIENCE = "sts.amazonaws.com"
# The apply jobs' audience (tfoidc's default `apply_audience`): only apply roles trust it.
DEFAULT_APPLY_AUDIENCE = "${CI_SERVER_URL}/apply"

ON_DEFAULT_BRANCH = '$CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH && $CI_COMMIT_REF_PROTECTED == "true"'

# What every job that runs tfoidc starts with, in the child pipeline and in every CI/CD component of
# templates/ (the tests hold them equal). Each step is skipped when the image already has what it adds
# (images/Dockerfile: git, Terraform or OpenTofu, tfoidc), so a prepared image downloads nothing; on
# python:3.11-slim it installs git with apt, and Terraform (or OpenTofu) only if its zip matches the
# pinned TERRAFORM_SHA256 (no checksum, no download). TERRAFORM_DOWNLOAD_URL (a CI/CD variable) points at
# an internal mirror of the same zip.
INSTALL_SCRIPT = [
    "command -v git >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq "
    "--no-install-recommends git ca-certificates >/dev/null; }",
    """if [ "${TERRAFORM_INSTALL:-true}" = true ] && ! command -v terraform >/dev/null 2>&1 && ! command -v tofu >/dev/null 2>&1; then
  case "${TERRAFORM_DISTRIBUTION:-terraform}" in
    opentofu) tf_bin=tofu; tf_url="https://github.com/opentofu/opentofu/releases/download/v${TERRAFORM_VERSION}/tofu_${TERRAFORM_VERSION}_linux_amd64.zip" ;;
    *) tf_bin=terraform; tf_url="https://releases.hashicorp.com/terraform/${TERRAFORM_VERSION}/terraform_${TERRAFORM_VERSION}_linux_amd64.zip" ;;
  esac
  tf_url="${TERRAFORM_DOWNLOAD_URL:-$tf_url}"
  if [ -z "${TERRAFORM_SHA256:-}" ]; then echo "tfoidc: set terraform_sha256 (the SHA-256 of ${tf_url##*/} from the release's SHA256SUMS), or use an image with ${tf_bin} (docs/gitlab.md)" >&2; exit 2; fi
  tf_tmp="$(mktemp -d)"
  python3 -c 'import sys, urllib.request; urllib.request.urlretrieve(sys.argv[1], sys.argv[2])' "$tf_url" "$tf_tmp/dist.zip"
  echo "${TERRAFORM_SHA256}  $tf_tmp/dist.zip" | sha256sum -c -
  python3 -m zipfile -e "$tf_tmp/dist.zip" "$tf_tmp/dist"
  install -m 0755 "$tf_tmp/dist/${tf_bin}" "${TERRAFORM_INSTALL_DIR:-/usr/local/bin}/" && rm -rf "$tf_tmp"
fi""",
    'if [ -n "${TFOIDC_PIP_SPEC:-}" ]; then pip install --quiet "$TFOIDC_PIP_SPEC"; fi',
    'tfoidc --version && { [ "${TERRAFORM_INSTALL:-true}" != true ] || terraform version 2>/dev/null || tofu version; }',
]


def tfoidc_template(image: str) -> dict[str, Any]:
    """`.tfoidc`: the image, the pip cache and the install steps every tfoidc job extends."""
    return {
        "image": image,
        "cache": {"key": "pip-$TFOIDC_PIP_SPEC", "paths": [".cache/pip", ".cache/tfoidc"]},
        "variables": {
            "PIP_CACHE_DIR": "$CI_PROJECT_DIR/.cache/pip",
            "PIP_DISABLE_PIP_VERSION_CHECK": "1",
            # What tfoidc read of each .tf file, by git blob id: later pipelines parse only new files.
            "TFOIDC_CACHE_DIR": "$CI_PROJECT_DIR/.cache/tfoidc",
        },
        "before_script": list(INSTALL_SCRIPT),
    }


def id_tokens(audience: str) -> dict[str, Any]:
    return {TOKEN_VARIABLE: {"aud": audience}}


def stack_dir(stack: str) -> str:
    return f"{OUT_DIR}/{stack}"


# --- the parent pipeline -------------------------------------------------------------------------------


def parent_jobs(image: str) -> dict[str, Any]:
    """The generate job and the trigger of the child pipeline it writes."""
    runs_on = [
        {"if": '$CI_PIPELINE_SOURCE == "merge_request_event"'},
        {"if": '$CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH && $CI_PIPELINE_SOURCE != "schedule"'},
    ]
    return {
        # No ID token in the parent: its jobs exchange none (each child job asks for its own).
        ".tfoidc-cli": tfoidc_template(image),
        GENERATE_JOB: {
            "extends": ".tfoidc-cli",
            "stage": "plan",
            # It finds stacks and writes YAML: no Terraform to install.
            "variables": {"TERRAFORM_INSTALL": "false"},
            "script": [
                f"tfoidc pipeline generate --changed --output {CHILD_FILE} --stacks-json {STACKS_FILE}",
            ],
            "artifacts": {"paths": [CHILD_FILE, STACKS_FILE], "expire_in": "1 week"},
            "rules": runs_on,
        },
        TRIGGER_JOB: {
            "stage": "plan",
            "needs": [GENERATE_JOB],
            "trigger": {
                "include": [{"artifact": CHILD_FILE, "job": GENERATE_JOB}],
                "strategy": "depend",
            },
            "rules": runs_on,
        },
    }


# --- the child pipeline --------------------------------------------------------------------------------


def plan_job(stack: str, *, audience: str, resource_group: str) -> dict[str, Any]:
    out = stack_dir(stack)
    return {
        "extends": ".tfoidc",
        "stage": "plan",
        "variables": {"TFOIDC_STACK": stack},
        "id_tokens": id_tokens(audience),
        "resource_group": resource_group,
        "script": [f'tfoidc plan "$TFOIDC_STACK" --out-dir "{out}"'],
        "artifacts": {
            "name": "plan-" + stack.replace("/", "-") + "-$CI_COMMIT_SHORT_SHA",
            "access": "developer",  # the saved plan can hold secrets
            "expire_in": "1 week",
            "when": "always",
            "paths": [f"{out}/"],
            "reports": {
                "terraform": f"{out}/gitlab-terraform.json",
                "junit": f"{out}/junit.xml",
                "codequality": f"{out}/codequality.json",
            },
        },
    }


def apply_job(
    stack: str, *, audience: str, resource_group: str, environment: str, tier: str | None
) -> dict[str, Any]:
    out = stack_dir(stack)
    env: dict[str, Any] = {"name": environment}
    if tier:
        env["deployment_tier"] = tier
    return {
        "extends": ".tfoidc",
        "stage": "apply",
        "variables": {"TFOIDC_STACK": stack},
        "id_tokens": id_tokens(audience),
        "resource_group": resource_group,
        "environment": env,
        "script": [f'tfoidc apply "$TFOIDC_STACK" --out-dir "{out}"'],
        "rules": [{"if": ON_DEFAULT_BRANCH, "when": "manual"}],
        "allow_failure": False,
        # What the applies of the stacks that depend on this one check: this one was applied.
        "artifacts": {
            "access": "developer",
            "expire_in": "1 week",
            "paths": [f"{out}/applied.json", f"{out}/manifest.json"],
        },
    }


# What the note needs of each plan job: never the saved plan.
NOTE_ARTIFACTS = [f"{OUT_DIR}/**/tfoidc.json", f"{OUT_DIR}/**/manifest.json", f"{OUT_DIR}/**/stack.json"]


APPLIED_ARTIFACTS = [f"{OUT_DIR}/**/applied.json", f"{OUT_DIR}/**/manifest.json"]


def collect_job(stage: str, paths: list[str], *, always: bool) -> dict[str, Any]:
    """Passes on the files of up to 50 jobs it needs, so that no job needs more than 50. `always`:
    also when one of them failed (the note reports failed plans); else it waits for all to succeed
    (an apply waiting for its dependencies' applies)."""
    job: dict[str, Any] = {
        "stage": stage,
        "image": "busybox:stable",
        "variables": {"GIT_STRATEGY": "none"},
        "script": [f"find {OUT_DIR} -type f 2>/dev/null | wc -l"],
        "artifacts": {"access": "developer", "expire_in": "1 day", "when": "always", "paths": list(paths)},
    }
    if always:
        job["when"] = "always"
    return job


def note_job() -> dict[str, Any]:
    return {
        "extends": ".tfoidc",
        "stage": "report",
        "script": [
            # TFOIDC_GITLAB_TOKEN: a project access token with the api scope, as a masked CI/CD variable.
            f"tfoidc pipeline note --plans {OUT_DIR} --stacks-json {STACKS_FILE}",
        ],
        "when": "always",
        "artifacts": {
            "access": "developer",
            "expire_in": "1 week",
            "when": "always",
            "paths": [f"{OUT_DIR}/note.md"],
        },
    }


def no_change_job() -> dict[str, Any]:
    return {
        "image": "busybox:stable",
        "variables": {"GIT_STRATEGY": "none"},
        "script": ['echo "tfoidc: no stack changed"'],
    }
