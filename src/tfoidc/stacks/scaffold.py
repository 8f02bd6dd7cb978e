"""`tfoidc init`: a commented tfoidc.toml for the stacks found and the parent .gitlab-ci.yml (pure text;
the command writes them, refusing to overwrite either)."""

from __future__ import annotations

import posixpath
from typing import Any

from tfoidc.stacks import templates as t
from tfoidc.stacks.discovery import StackSet

MAX_LISTED = 100
MAX_GROUPS = 20


def config_text(stacks: StackSet) -> str:
    names = list(stacks.stacks)
    lines = [
        "# tfoidc.toml, written by `tfoidc init`: settings for every Terraform root (stack) of this repository.",
        "# See docs/stacks.md. A stack is a folder with .tf files that no other folder calls as a local module;",
        "# its name is its path from this folder.",
        f"# Stacks found ({len(names)}):",
    ]
    lines += [f"#   {n}" for n in names[:MAX_LISTED]]
    if len(names) > MAX_LISTED:
        lines.append(f"#   ... and {len(names) - MAX_LISTED} more (`tfoidc stacks list`)")
    lines += [
        "",
        "[stacks]",
        "# Folders that are never stacks, e.g. examples or modules no root calls yet:",
        '# exclude = ["examples/**"]',
        "# Also plan (and list as 'affected') the stacks that depend on a changed stack:",
        "plan_affected = false",
        "",
        "# Settings by glob over stack names. For each key the most specific pattern wins: an exact name beats",
        "# `live/prod/*`, which beats `live/**`; two equally specific patterns may not disagree.",
        "# `{stack}` and `{account}` in a value are replaced per stack.",
        '[stacks.settings."**"]',
        '# audience = "sts.amazonaws.com"   # the `aud` of the GitLab ID token each job requests',
        '# region = "eu-west-1"',
        '# backend_config = { bucket = "acme-tfstate", key = "{stack}.tfstate", region = "eu-west-1", dynamodb_table = "tfstate-lock" }',
        '# apply_refs = ["main"]',
        "# require_protected_ref = true",
    ]
    groups = sorted({posixpath.dirname(n) for n in names if "/" in n})
    for group in groups[:MAX_GROUPS]:
        lines += [
            "",
            f'[stacks.settings."{group}/*"]',
            '# account = "123456789012"',
            '# role_arn = "arn:aws:iam::{account}:role/gitlab-apply"',
            '# plan_role_arn = "arn:aws:iam::{account}:role/gitlab-plan"   # read-only, for merge requests',
            '# deployment_tier = "production"',
            '# depends_on = ["live/shared/network"]   # applied before these; terraform_remote_state is found by itself',
            '# watch = ["shared/*.json"]   # other files whose change plans these stacks',
        ]
    return "\n".join(lines) + "\n"


def parent_pipeline(image: str = "python:3.11-slim") -> dict[str, Any]:
    return {
        "workflow": {
            "rules": [
                {"if": '$CI_PIPELINE_SOURCE == "merge_request_event"'},
                {"if": '$CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH && $CI_COMMIT_REF_PROTECTED == "true"'},
            ]
        },
        "stages": ["plan"],
        "variables": {
            "TFOIDC_PIP_SPEC": "tfoidc @ git+${CI_SERVER_URL}/platform/tfoidc.git@v0.1.0",
            "TERRAFORM_VERSION": "1.9.8",
        },
        **t.parent_jobs(image),
    }


def pipeline_text(image: str = "python:3.11-slim") -> str:
    import yaml

    header = (
        "# The parent pipeline of a repository of many Terraform stacks, written by `tfoidc init`.\n"
        "# `tfoidc:generate` finds the stacks this change reaches and writes a child pipeline: a plan job per\n"
        "# stack, one merge request note, and manual applies in dependency order on the protected default\n"
        "# branch. `tfoidc:stacks` runs it. TFOIDC_PIP_SPEC: where your organisation keeps tfoidc, pinned.\n"
        "# Jobs download Terraform only with its checksum: set TERRAFORM_SHA256 (the SHA-256 of\n"
        "# terraform_${TERRAFORM_VERSION}_linux_amd64.zip from the release's SHA256SUMS) as a CI/CD variable,\n"
        "# or use an image that has Terraform (docs/gitlab.md). Not set here: a YAML variable forwarded to the\n"
        "# child pipeline would hide the CI/CD variable.\n"
    )
    return header + yaml.safe_dump(parent_pipeline(image), sort_keys=False, width=1000)
