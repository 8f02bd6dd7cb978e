"""`tfoidc doctor` when the `sub` does not match: the first differing part, the subject line to put in
terraform/modules/oidc's variables, values never cut at 80 columns, and `doctor ENV` from tfoidc.toml."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.cli.test_doctor import AUD, MAIN, allow, provision_role
from tests.identity.support import Cli
from tfoidc.cli import console as cli_console
from tfoidc.identity.doctor import subject_line
from tfoidc.sandbox import Sandbox
from tfoidc.sandbox.config import sandbox_config_toml

MODULE_VARIABLES = Path(__file__).resolve().parents[2] / "terraform" / "modules" / "oidc" / "variables.tf"


def advice(out: str) -> list[str]:
    """The lines doctor prints after its table: the differing part and the line to paste."""
    start = next(i for i, line in enumerate(out.splitlines()) if line.startswith("sub differs in the "))
    return out.splitlines()[start:]


@pytest.mark.parametrize(
    ("token", "part", "actual", "expected"),
    [
        ({"ref": "feature/login"}, "ref", "feature/login", "main"),
        ({"ref": "main", "ref_type": "tag"}, "ref type", "tag", "branch"),
        ({"project_path": "mallory/fork"}, "project path", "mallory/fork", "acme/infra"),
    ],
)
def test_doctor_names_the_first_differing_part_of_sub_and_the_subject_to_trust(
    tfoidc: Cli,
    sandbox: Sandbox,
    monkeypatch: pytest.MonkeyPatch,
    token: dict[str, str],
    part: str,
    actual: str,
    expected: str,
) -> None:
    monkeypatch.setenv("GITLAB_OIDC_TOKEN", sandbox.issuer.mint(**token))
    result = tfoidc("doctor", "--role-arn", sandbox.roles["prod"])
    assert result.code == 4, result
    lines = advice(result.out)
    assert lines[0] == (
        f"sub differs in the {part}: the token has {actual!r}, the trust policy expects {expected!r} "
        f"(closest pattern {MAIN!r}, statement 0)"
    )
    sub = MAIN.replace("acme/infra", token.get("project_path", "acme/infra"))
    sub = sub.replace("branch:ref:main", f"{token.get('ref_type', 'branch')}:ref:{token.get('ref', 'main')}")
    assert lines[-2:] == [
        "to trust this job, put in terraform/modules/oidc's variables:",
        f'  plan_subjects = ["{sub}"]',
    ]
    assert ("the role trusts another project" in result.out) == (part == "project path")


def test_the_subject_line_names_a_variable_of_the_oidc_module_that_accepts_it(
    tfoidc: Cli, sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    if not MODULE_VARIABLES.is_file():
        pytest.skip("terraform/modules/oidc is not in this checkout")
    source = MODULE_VARIABLES.read_text()
    monkeypatch.setenv(
        "GITLAB_OIDC_TOKEN", sandbox.issuer.mint(ref="main", aud=f"{sandbox.issuer.url}/apply")
    )
    host = sandbox.issuer.host
    role = provision_role(
        sandbox,
        "doctor-apply-tags",
        [
            allow({"StringEquals": {**AUD, "H:sub": MAIN.replace("branch", "tag")}})(
                host, sandbox.oidc_provider_arn, ""
            )
        ],
    )
    result = tfoidc("doctor", "--role-arn", role, "--apply")
    line = advice(result.out)[-1].strip()
    name, _, value = line.partition(" = ")
    assert name == "apply_subjects" and f'variable "{name}"' in source
    # the module's own validation of the variable accepts the subject printed
    pattern = re.search(rf'variable "{name}".*?can\(regex\("(.+?)", s\)\)', source, re.S)
    assert pattern is not None
    assert re.fullmatch(pattern.group(1).replace("\\\\", "\\"), value.strip('[]"'))


def test_a_pattern_of_another_shape_is_reported_whole(
    tfoidc: Cli, sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    role = provision_role(
        sandbox,
        "doctor-other-shape",
        [
            allow({"StringEquals": AUD, "StringLike": {"H:sub": "project_path:acme/website:*"}})(
                sandbox.issuer.host, sandbox.oidc_provider_arn, ""
            )
        ],
    )
    monkeypatch.setenv("GITLAB_OIDC_TOKEN", sandbox.issuer.mint())
    result = tfoidc("doctor", "--role-arn", role)
    assert result.code == 4
    assert advice(result.out)[0].startswith(
        f"sub differs in the subject: the token has {MAIN!r}, the trust policy expects "
        "'project_path:acme/website:*'"
    )


def test_at_80_columns_no_value_is_cut(
    tfoidc: Cli, sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    for console in (cli_console.stdout, cli_console.stderr):
        monkeypatch.setattr(console, "width", 80)
    monkeypatch.setenv("GITLAB_OIDC_TOKEN", sandbox.issuer.mint(ref="feature/a-rather-long-branch-name-42"))
    result = tfoidc("doctor", "--role-arn", sandbox.roles["prod"])
    assert result.code == 4
    lines = result.out.splitlines()
    sub = "project_path:acme/infra:ref_type:branch:ref:feature/a-rather-long-branch-name-42"
    for value in (sandbox.roles["prod"], sandbox.oidc_provider_arn, MAIN, sub):
        assert any(value in line for line in lines), value  # whole, on one line
    assert "    token:    " + sub in lines
    assert f'  plan_subjects = ["{sub}"]' in lines


def test_doctor_env_reads_the_role_and_audience_from_tfoidc_toml(
    tfoidc: Cli, sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    config = tmp_path / "tfoidc.toml"
    config.write_text(sandbox_config_toml(sandbox.endpoints(), root=".", plugin_dir=str(tmp_path)))
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("GITLAB_OIDC_TOKEN", sandbox.issuer.mint(ref="feature/x"))
    refused = tfoidc("doctor", "prod")
    assert refused.code == 4, refused
    assert f"trust policy of {sandbox.roles['prod']}" in refused.out
    assert "sub differs in the ref: the token has 'feature/x'" in refused.out
    allowed = tfoidc("doctor", "dev")
    assert allowed.code == 0, allowed
    assert f"trust policy of {sandbox.roles['dev']}" in allowed.out


@pytest.mark.parametrize(
    ("ref", "written"),
    [
        ("release/1.0", '"project_path:acme/infra:ref_type:branch:ref:release/1.0"'),
        ('x"]; y = ["', '"project_path:acme/infra:ref_type:branch:ref:x\\"]; y = [\\""'),
        (
            '${file("/etc/passwd")}',
            '"project_path:acme/infra:ref_type:branch:ref:$${file(\\"/etc/passwd\\")}"',
        ),
        (
            "%{ if true }x%{ endif }",
            '"project_path:acme/infra:ref_type:branch:ref:%%{ if true }x%%{ endif }"',
        ),
    ],
)
def test_the_subject_line_is_one_hcl_string_literal_whatever_the_ref(ref: str, written: str) -> None:
    """A ref name is chosen by whoever pushes it: pasted into HCL it stays one literal string."""
    sub = f"project_path:acme/infra:ref_type:branch:ref:{ref}"
    assert subject_line(sub, "plan") == f"plan_subjects = [{written}]"
    assert subject_line(sub, "apply").startswith("apply_subjects = [")
    hcl2 = pytest.importorskip("hcl2")
    assert list(hcl2.loads(subject_line(sub, "plan"))) == ["plan_subjects"]  # one variable, one element
    assert len(hcl2.loads(subject_line(sub, "plan"))["plan_subjects"]) == 1
