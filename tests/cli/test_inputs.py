"""Inputs that are legal but unusual, and inputs that are wrong, through the real `tfoidc` program:
each ends in its output or in one line and a documented exit code, never an internal error."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tfoidc.report.render import FORMATS


def run(*args: str, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    environ = {k: v for k, v in os.environ.items() if k not in ("TFOIDC_DEBUG", "TFOIDC_CONFIG")}
    return subprocess.run(
        [sys.executable, "-m", "tfoidc", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env={**environ, **(env or {})},
        check=False,
    )


def one_error_line(result: subprocess.CompletedProcess[str], code: int) -> str:
    assert result.returncode == code, result.stderr
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("tfoidc: error: "), result.stderr
    return lines[0]


def write_plan(path: Path, resource_changes: list[dict[str, Any]], **extra: Any) -> Path:
    path.write_text(json.dumps({"format_version": "1.2", "resource_changes": resource_changes, **extra}))
    return path


def update(address: str, before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    rtype, name = address.split(".")
    change = {"actions": ["update"], "before": before, "after": after, "after_unknown": {}}
    return {"address": address, "mode": "managed", "type": rtype, "name": name, "change": change}


def nested_json(depth: int) -> str:
    return '{"Statement": ' + "[" * depth + "1" + "]" * depth + "}"


def test_json_nested_50000_deep_in_string_attributes_renders_in_every_format(tmp_path: Path) -> None:
    deep = nested_json(50_000)
    plan = write_plan(
        tmp_path / "plan.json",
        [
            update("aws_iam_policy.p", {"policy": "{}"}, {"policy": deep}),
            update("aws_ssm_parameter.s", {"value": deep}, {"value": deep + " "}),
            update("aws_iam_role.r", {"assume_role_policy": deep}, {"assume_role_policy": "{}"}),
        ],
    )
    for fmt in FORMATS:
        result = run("analyze", str(plan), "--format", fmt, "--fail-on", "never", cwd=tmp_path)
        assert result.returncode == 0, (fmt, result.stderr[-2000:])
        assert result.stderr == "" and result.stdout, fmt


def test_a_plan_value_nested_to_the_parsers_limit_is_compared_without_recursing(tmp_path: Path) -> None:
    marker = "DEEP-VALUE"
    changes = [update("null_resource.n", {"triggers": marker}, {"triggers": {}})]
    text = json.dumps({"format_version": "1.2", "resource_changes": changes})
    deep = '{"k": ' * 1_000 + '"leaf"' + "}" * 1_000  # orjson reads up to 1,024 levels
    plan = tmp_path / "plan.json"
    plan.write_text(text.replace(json.dumps(marker), deep))
    for fmt in ("md", "html"):
        result = run("report", str(plan), "--format", fmt, cwd=tmp_path)
        assert result.returncode == 0, result.stderr[-2000:]


@pytest.mark.parametrize(
    ("break_it", "expected"),
    [
        (lambda d: d["changes"][0].update(address=3), "changes[0].address: must be string"),
        (lambda d: d["plan"].update(complete="yes"), "plan.complete: must be boolean"),
        (lambda d: d.pop("graph"), "(top level): must contain"),
    ],
    ids=["type", "new-field", "missing"],
)
@pytest.mark.parametrize("command", ["report", "analyze", "comment"])
def test_a_malformed_tfoidc_json_is_exit_2_with_the_key_path(
    tmp_path: Path, command: str, break_it: Any, expected: str
) -> None:
    plan = write_plan(tmp_path / "plan.json", [update("null_resource.n", {"a": 1}, {"a": 2})])
    path = tmp_path / "tfoidc.json"
    made = run("analyze", str(plan), "--format", "json", "-o", str(path), cwd=tmp_path)
    assert made.returncode == 0, made.stderr
    doc = json.loads(path.read_text())
    break_it(doc)
    path.write_text(json.dumps(doc))
    args = ["comment", "--analysis", str(path)] if command == "comment" else [command, str(path)]
    line = one_error_line(run(*args, cwd=tmp_path), 2)
    assert f"{path}: {expected}" in line


def test_a_tfoidc_toml_that_is_not_utf8_is_exit_2(tmp_path: Path) -> None:
    (tmp_path / "tfoidc.toml").write_bytes(b'[report]\nfindings_path = "caf\xe9.tf"\n')
    plan = write_plan(tmp_path / "plan.json", [])
    line = one_error_line(run("analyze", str(plan), cwd=tmp_path), 2)
    assert "not UTF-8 text (byte 0xe9 at line 2)" in line


def test_a_tfoidc_toml_with_a_byte_order_mark_is_read(tmp_path: Path) -> None:
    (tmp_path / "tfoidc.toml").write_bytes('\ufeff[guardrails]\nfail_on = "never"\n'.encode())
    blocking = update("aws_s3_bucket.b", {"acl": "private"}, {"acl": "public-read-write"})
    plan = write_plan(tmp_path / "plan.json", [blocking])
    result = run("analyze", str(plan), cwd=tmp_path)
    assert result.returncode == 0, result.stderr  # fail_on = "never" was read
    assert "TFO-S3-001" in result.stdout


@pytest.mark.parametrize("value", ["1", "2", "on", "yes", "TRUE"])
def test_tfoidc_debug_set_to_anything_turns_tracebacks_on(tmp_path: Path, value: str) -> None:
    result = run("analyze", str(tmp_path / "nope.json"), cwd=tmp_path, env={"TFOIDC_DEBUG": value})
    assert result.returncode == 2
    assert "Traceback" in result.stderr and result.stderr.splitlines()[-1].startswith(
        "tfoidc: error: cannot read"
    )


@pytest.mark.parametrize("value", ["", "0", "off", "no", "false"])
def test_tfoidc_debug_off_values_keep_one_line(tmp_path: Path, value: str) -> None:
    result = run("analyze", str(tmp_path / "nope.json"), cwd=tmp_path, env={"TFOIDC_DEBUG": value})
    assert "cannot read" in one_error_line(result, 2)


def test_tfoidc_debug_never_breaks_a_command(tmp_path: Path) -> None:
    plan = write_plan(tmp_path / "plan.json", [])
    for value in ("2", "on", "verbose"):
        result = run("analyze", str(plan), "--format", "json", cwd=tmp_path, env={"TFOIDC_DEBUG": value})
        assert result.returncode == 0, result.stderr
        assert json.loads(result.stdout)["summary"]["create"] == 0


@pytest.mark.parametrize("name", ["../../x", "a/b", "..", ".hidden", "-rf", "a b", "x" * 129])
def test_environment_names_are_validated_and_nothing_is_written(tmp_path: Path, name: str) -> None:
    work = tmp_path / "work" / "deep"
    work.mkdir(parents=True)
    plan = write_plan(tmp_path / "plan.json", [])
    for args in (
        ["drift", name, "--plan-json", str(plan)],
        ["plan", name],
        ["analyze", str(plan), "-e", name],
        ["report", str(plan), "--environment", name],
    ):
        result = run(*args, cwd=work)
        assert result.returncode == 2, (args, result.stderr)
        assert "Traceback" not in result.stderr and result.stdout == ""
    assert sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*")) == [
        "plan.json",
        "work",
        "work/deep",
    ]


def test_the_error_line_cannot_carry_an_escape_sequence(tmp_path: Path) -> None:
    plan = tmp_path / "plan.json"
    plan.write_text(json.dumps({"format_version": "1.2", "output_changes": {"x\x1b[2J\ny": 5}}))
    line = one_error_line(run("analyze", str(plan), cwd=tmp_path), 2)
    assert "\x1b" not in line and "x\\x1b[2J y" in line
