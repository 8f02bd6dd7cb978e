"""`tfoidc analyze PLAN --fail-on block|warn|never`: findings are printed, then blocking ones exit 3."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import PLANS, need_shared
from tests.guardrails.support import add_resource, raw
from tfoidc.cli.main import main

BLOCKING = "terraform-compliance/issue_174_s3_bucket_policies.json"  # S3-002 block, S3-003 warn, ENC-003 info
WARN_ONLY = "trivy/plan_open_sg_s3.json"  # S3-003 warn only
DESTROY = "snyk-cli/tf_plan_destroy.json"  # deletes a bucket with 4 dependents


def plan(relative: str) -> str:
    return str(need_shared(PLANS / relative))


def tfoidc(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exited:
        main(list(args))
    out, err = capsys.readouterr()
    return int(exited.value.code or 0), out, err


def write_config(tmp_path: Path, toml: str) -> str:
    path = tmp_path / "tfoidc.toml"
    path.write_text(toml)
    return str(path)


def test_blocking_findings_exit_3_after_printing_them(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = tfoidc(capsys, "analyze", plan(BLOCKING))
    assert code == 3
    assert "[BLOCK] TFO-S3-002" in out and "aws_s3_bucket_policy.c (policy.Statement[0])" in out
    assert "why:" in out and "fix:" in out
    assert err.count("\n") == 1 and err.startswith("tfoidc: error: 3 guardrail finding(s) at or above block")
    assert "Traceback" not in err


def test_text_output_shows_blast_radius(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = tfoidc(capsys, "analyze", plan(DESTROY), "--environment", "production")
    assert code == 3
    finding = out[out.index("[BLOCK] TFO-SAFE-001") :]
    assert "at:    aws_s3_bucket.terra_ci" in finding
    assert "blast radius: 4 dependent(s): aws_codebuild_project.terra_ci" in finding


@pytest.mark.parametrize(
    ("relative", "fail_on", "expected"),
    [
        (BLOCKING, "block", 3),
        (BLOCKING, "warn", 3),
        (BLOCKING, "never", 0),
        (WARN_ONLY, "block", 0),
        (WARN_ONLY, "warn", 3),
        (WARN_ONLY, "never", 0),
    ],
)
def test_fail_on_threshold(
    capsys: pytest.CaptureFixture[str], relative: str, fail_on: str, expected: int
) -> None:
    code, out, _ = tfoidc(capsys, "analyze", plan(relative), "--fail-on", fail_on)
    assert code == expected
    assert "TFO-S3-003" in out  # printed whatever the outcome


def test_staging_deletion_only_warns(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = tfoidc(capsys, "analyze", plan(DESTROY), "--environment", "staging")
    assert code == 0 and "[WARN] TFO-SAFE-001" in out


def test_config_fail_on_is_the_default_and_the_flag_overrides_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = write_config(tmp_path, '[guardrails]\nfail_on = "warn"\n')
    assert tfoidc(capsys, "--config", config, "analyze", plan(WARN_ONLY))[0] == 3
    assert tfoidc(capsys, "--config", config, "analyze", plan(WARN_ONLY), "--fail-on", "block")[0] == 0


def test_waived_blocking_findings_do_not_fail(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = write_config(
        tmp_path,
        """
[[guardrails.waivers]]
rule = "TFO-S3-002"
address = "aws_s3_bucket_policy.*"
reason = "test buckets, approved in SEC-42"
expires = 2999-12-31
""",
    )
    code, out, err = tfoidc(capsys, "--config", config, "analyze", plan(BLOCKING))
    assert code == 0, err
    assert "waived: test buckets, approved in SEC-42 (until 2999-12-31)" in out


def test_expired_waiver_fails_and_says_so(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = write_config(
        tmp_path,
        """
[[guardrails.waivers]]
rule = "TFO-S3-002"
address = "aws_s3_bucket_policy.*"
reason = "temporary"
expires = 2020-01-31
""",
    )
    code, out, _ = tfoidc(capsys, "--config", config, "analyze", plan(BLOCKING))
    assert code == 3
    assert "waiver expired on 2020-01-31, no longer applied: temporary" in out


def test_json_output_is_written_before_the_exit(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out_file = tmp_path / "analysis.json"
    code, _, _ = tfoidc(capsys, "analyze", plan(BLOCKING), "--format", "json", "-o", str(out_file))
    assert code == 3
    findings = json.loads(out_file.read_text())["findings"]
    assert {f["rule"] for f in findings} >= {"TFO-S3-002", "TFO-S3-003"}


@pytest.mark.parametrize(
    ("toml", "fragment"),
    [
        ('[guardrails.rules."TFO-XYZ-001"]\nenabled = false\n', "unknown rule id 'TFO-XYZ-001'"),
        (
            '[[guardrails.waivers]]\nrule = "TFO-S3-002"\naddress = "*"\nexpires = 2027-01-01\n',
            "guardrails.waivers.0.reason",
        ),
        (
            '[[guardrails.waivers]]\nrule = "TFO-S3-002"\naddress = "*"\nreason = "x"\nexpires = "soon"\n',
            "guardrails.waivers.0.expires",
        ),
    ],
)
def test_config_errors_exit_2_in_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], toml: str, fragment: str
) -> None:
    config = write_config(tmp_path, toml)
    code, out, err = tfoidc(capsys, "--config", config, "analyze", plan(BLOCKING))
    assert code == 2
    assert err.count("\n") == 1 and err.startswith("tfoidc: error: ") and fragment in err
    assert out == ""  # nothing analysed, nothing printed


def test_bad_fail_on_value_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = tfoidc(capsys, "analyze", plan(BLOCKING), "--fail-on", "sometimes")
    assert code == 2 and "sometimes" in err


def test_exit_code_of_the_real_process() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "tfoidc", "analyze", plan(BLOCKING)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 3
    assert result.stdout.index("TFO-S3-002") >= 0 and "Traceback" not in result.stderr
    assert result.stderr.count("\n") == 1


def test_sensitive_values_never_reach_findings_or_output(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sentinel = "SENTINEL-db-password-7f3a"
    doc = add_resource(
        raw(WARN_ONLY),
        "aws_db_instance.main",
        {"engine": "postgres", "publicly_accessible": True, "storage_encrypted": False, "password": sentinel},
    )
    doc["resource_changes"][-1]["change"]["after_sensitive"] = {"password": True}
    plan_file = tmp_path / "plan.json"
    plan_file.write_text(json.dumps(doc))
    config = write_config(
        tmp_path,
        """
[[guardrails.custom]]
id = "ORG-PW-001"
title = "Password rotation marker"
resource_type = "aws_db_instance"
attribute = "password"
operator = "matches"
value = "rotated-.*"
message = "passwords come from the rotation lambda"
""",
    )
    code, out, err = tfoidc(capsys, "--config", config, "analyze", str(plan_file), "--fail-on", "never")
    assert code == 0 and "TFO-NET-005" in out
    assert "ORG-PW-001" not in out  # a redacted value is not judged
    json_file = tmp_path / "analysis.json"
    tfoidc(capsys, "--config", config, "analyze", str(plan_file), "--format", "json", "-o", str(json_file))
    for text in (out, err, json_file.read_text()):
        assert sentinel not in text
