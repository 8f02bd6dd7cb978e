"""Findings from the user's own tools: Checkov (run for real on fixture plans), Trivy and conftest
(recorded outputs, see data/findings/PROVENANCE.md), SARIF; mapping, de-duplication, severities,
waivers, the gate, unmatched results, malformed files."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from tests.conftest import PLANS, REPO, need_shared
from tests.guardrails.support import fixture, run
from tfoidc.cli.main import main
from tfoidc.errors import InputError
from tfoidc.guardrails.external import ExternalResult, parse_findings
from tfoidc.guardrails.model import Finding, Severity
from tfoidc.guardrails.policy import GuardrailsPolicy

DATA = Path(__file__).parent / "data" / "findings"
PLAN = "trivy/plan_open_sg_s3.json"


def checkov_bin() -> str:
    candidate = os.environ.get("CHECKOV_BIN") or str(REPO / ".venv-checkov" / "bin" / "checkov")
    if not Path(candidate).is_file():
        pytest.skip("checkov not installed (set CHECKOV_BIN or create .venv-checkov with checkov==3.3.30)")
    return candidate


@pytest.fixture(scope="module")
def checkov_outputs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Checkov 3.3.30's JSON and SARIF for the fixture plan, produced here."""
    plan = need_shared(PLANS / PLAN)
    out = tmp_path_factory.mktemp("checkov")
    command = [checkov_bin(), "--framework", "terraform_plan", "-f", str(plan), "--skip-download", "--quiet"]
    command += ["-o", "json", "-o", "sarif", "--output-file-path", str(out)]
    env = dict(os.environ, LOG_LEVEL="ERROR", BC_SKIP_MAPPING="TRUE")
    result = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
    assert result.returncode in (0, 1), result.stderr[-400:]
    return {"json": out / "results_json.json", "sarif": out / "results_sarif.sarif"}


def tfoidc(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exited:
        main(list(args))
    out, err = capsys.readouterr()
    return int(exited.value.code or 0), out, err


def analysed(*files: Path, policy: GuardrailsPolicy | None = None) -> list[Finding]:
    results = [r for f in files for r in parse_findings(f.name, f.read_bytes())]
    return run(fixture(PLAN), policy=policy or GuardrailsPolicy(), external=results)


def by_rule(findings: list[Finding]) -> dict[str, list[Finding]]:
    grouped: dict[str, list[Finding]] = {}
    for f in findings:
        grouped.setdefault(f.rule, []).append(f)
    return grouped


# --- Checkov, for real -----------------------------------------------------------------------------


def test_checkov_json_results_become_findings_labelled_with_the_tool(
    checkov_outputs: dict[str, Path],
) -> None:
    raw = json.loads(checkov_outputs["json"].read_text())
    failed = {(f["check_id"], f["resource_address"]) for f in raw["results"]["failed_checks"]}
    findings = analysed(checkov_outputs["json"])
    external = [f for f in findings if f.source == "checkov"]
    assert external, "Checkov failed nothing on a plan with an open security group"
    assert all(f.rule.startswith("checkov:CKV") for f in external)
    # every failed check is either its own finding or recorded on the built-in finding it duplicates
    confirmed = {(r.removeprefix("checkov:"), f.address) for f in findings for r in f.also_reported_by}
    own = {(f.rule.removeprefix("checkov:"), f.address) for f in external}
    assert failed == confirmed | own
    assert not confirmed & own


def test_checkov_result_with_a_built_in_equivalent_is_not_repeated(checkov_outputs: dict[str, Path]) -> None:
    findings = analysed(checkov_outputs["json"])
    rules = by_rule(findings)
    # CKV_AWS_260 (port 80 open) is what TFO-NET-007 says; CKV2_AWS_6 what TFO-S3-003 says
    assert "checkov:CKV_AWS_260" not in rules and "checkov:CKV2_AWS_6" not in rules
    web = [f for f in rules["TFO-NET-007"] if f.address == "aws_security_group.sg"]
    assert web and "checkov:CKV_AWS_260" in web[0].also_reported_by
    assert "checkov:CKV2_AWS_6" in rules["TFO-S3-003"][0].also_reported_by


def test_checkov_result_without_equivalent_gets_severity_blast_radius_and_gate(
    checkov_outputs: dict[str, Path], tmp_path: Path
) -> None:
    findings = analysed(checkov_outputs["json"])
    replication = [f for f in findings if f.rule == "checkov:CKV_AWS_144"]
    assert [(f.address, f.severity) for f in replication] == [("aws_s3_bucket.planbucket", Severity.WARN)]
    # the separate encryption configuration depends on the bucket: it is in the blast radius
    assert replication[0].blast_radius == ("aws_s3_bucket_server_side_encryption_configuration.example",)
    policy = GuardrailsPolicy.model_validate(
        {
            "rules": {"checkov:CKV_AWS_144": {"severity": "block"}},
            "waivers": [
                {
                    "rule": "checkov:CKV2_AWS_62",
                    "address": "aws_s3_bucket.*",
                    "reason": "no event consumers in this account",
                    "expires": "2999-01-01",
                }
            ],
        }
    )
    findings = analysed(checkov_outputs["json"], policy=policy)
    assert [f.severity for f in findings if f.rule == "checkov:CKV_AWS_144"] == [Severity.BLOCK]
    notifications = [f for f in findings if f.rule == "checkov:CKV2_AWS_62"]
    assert notifications and all(f.waived for f in notifications)


def test_checkov_sarif_maps_to_the_same_resources(checkov_outputs: dict[str, Path]) -> None:
    results = parse_findings("checkov.sarif", checkov_outputs["sarif"].read_bytes())
    assert results and {r.tool for r in results} == {"checkov"}
    findings = analysed(checkov_outputs["sarif"])
    external = [f for f in findings if f.source == "checkov"]
    assert {f.address for f in external} <= {rc.address for rc in fixture(PLAN).resource_changes}
    assert not [f for f in external if "matches no address" in f.message]


def test_analyze_command_with_checkov_findings_gates_and_reports(
    checkov_outputs: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    plan = str(need_shared(PLANS / PLAN))
    findings = str(checkov_outputs["json"])
    code, out, _ = tfoidc(
        capsys, "analyze", plan, "--findings", findings, "--format", "json", "--fail-on", "never"
    )
    assert code == 0
    sources = {f["source"] for f in json.loads(out)["findings"]}
    assert {"tfoidc", "checkov"} <= sources
    code, out, err = tfoidc(capsys, "analyze", plan, "--findings", findings, "--fail-on", "warn")
    assert code == 3 and "checkov:" in err + out and "from:  checkov" in out
    _, note, _ = tfoidc(
        capsys, "analyze", plan, "--findings", findings, "--format", "md", "--fail-on", "never"
    )
    assert "from checkov" in note and "Also reported by checkov:" in note
    _, html, _ = tfoidc(
        capsys, "analyze", plan, "--findings", findings, "--format", "html", "--fail-on", "never"
    )
    assert "from checkov" in html


# --- Trivy and conftest, recorded ------------------------------------------------------------------


def test_trivy_results_map_dedupe_and_list_the_unmatched() -> None:
    findings = analysed(DATA / "trivy_plan_open_sg_s3.json")
    rules = by_rule(findings)
    # AWS-0107 on the open group and AWS-0094 on the bucket are built-in findings already
    assert "trivy:AWS-0107" not in rules and "trivy:AWS-0094" not in rules
    assert any(
        "trivy:AWS-0107" in f.also_reported_by for f in findings if f.address == "aws_security_group.sg"
    )
    [versioning] = rules["trivy:AWS-0090"]
    assert (versioning.address, versioning.severity, versioning.source) == (
        "aws_s3_bucket.planbucket",
        Severity.WARN,  # MEDIUM -> warn (guardrails.findings.severity)
        "trivy",
    )
    assert versioning.fix and "avd-aws-0090" in versioning.fix
    [elsewhere] = rules["trivy:AWS-0099"]  # a group this plan does not have: listed, at info
    assert elsewhere.severity is Severity.INFO and "matches no address" in elsewhere.message
    assert elsewhere.address == "aws_security_group.elsewhere"
    assert "trivy:AWS-0086" not in rules  # a PASS is not a finding


def test_conftest_deny_blocks_warn_warns_exceptions_are_ignored() -> None:
    findings = analysed(DATA / "conftest_plan_open_sg_s3.json")
    rules = by_rule(findings)
    [deny] = rules["conftest:SG_WORLD_INGRESS"]
    assert (deny.address, deny.severity, deny.source) == ("aws_security_group.sg", Severity.BLOCK, "conftest")
    [warn] = rules["conftest:main.warn"]
    assert (warn.address, warn.severity) == ("aws_s3_bucket.planbucket", Severity.WARN)
    [unmatched] = rules["conftest:main.deny"]
    assert unmatched.severity is Severity.INFO and "matches no address" in unmatched.message
    keep = GuardrailsPolicy.model_validate({"findings": {"unmatched": "keep"}})
    kept = by_rule(analysed(DATA / "conftest_plan_open_sg_s3.json", policy=keep))
    assert kept["conftest:main.deny"][0].severity is Severity.BLOCK
    assert len(findings) == len(analysed(DATA / "conftest_plan_open_sg_s3.json", policy=keep))


def test_results_of_a_counted_resource_named_without_keys_reach_every_instance() -> None:
    plan = fixture("terraform-compliance/issue_456_ecr_modules_count.json")
    result = ExternalResult(
        tool="checkov",
        id="CKV_AWS_51",
        title="ECR tags immutable",
        message="ECR tags should be immutable",
        severity="unknown",
        resource="aws_ecr_repository.ecr_repository",
        file="/modules/ecr_module/main.tf",
        line=1,
        findings_file="checkov.json",
    )
    found = [f for f in run(plan, external=[result]) if f.rule == "checkov:CKV_AWS_51"]
    assert len(found) >= 2 and all("ecr_repository" in f.address for f in found)


# --- bad input ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"{not json", "not JSON"),
        (b'{"hello": "world"}', "not a SARIF 2.1.0, Checkov JSON, Trivy JSON or conftest JSON document"),
        (b'{"SchemaVersion": 2, "Results": [{"Misconfigurations": [{"Status": "FAIL"}]}]}', "malformed"),
        (b"[1, 2]", "not a SARIF"),
    ],
)
def test_malformed_findings_file_is_one_line_input_error(content: bytes, expected: str) -> None:
    with pytest.raises(InputError) as caught:
        parse_findings("bad.json", content)
    assert expected in str(caught.value) and "\n" not in str(caught.value)


def test_cli_malformed_or_missing_findings_file_exits_2_with_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    plan = str(need_shared(PLANS / PLAN))
    bad = tmp_path / "bad.json"
    bad.write_text('{"version": "2.1.0", "runs": "nope"}')
    for path in (bad, tmp_path / "missing.json"):
        code, out, err = tfoidc(capsys, "analyze", plan, "--findings", str(path))
        assert code == 2, err
        assert err.startswith("tfoidc: error: ") and str(path.name) in err
        assert "Traceback" not in err and out == ""


def test_findings_files_from_tfoidc_toml_are_relative_to_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    plan = str(need_shared(PLANS / PLAN))
    (tmp_path / "scans").mkdir()
    (tmp_path / "scans" / "conftest.json").write_bytes((DATA / "conftest_plan_open_sg_s3.json").read_bytes())
    (tmp_path / "tfoidc.toml").write_text('[guardrails.findings]\nfiles = ["scans/conftest.json"]\n')
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    config = str(tmp_path / "tfoidc.toml")
    code, out, _ = tfoidc(
        capsys, "--config", config, "analyze", plan, "--format", "json", "--fail-on", "never"
    )
    assert code == 0
    assert "conftest:SG_WORLD_INGRESS" in {f["rule"] for f in json.loads(out)["findings"]}


def test_external_rule_ids_are_accepted_in_policy_but_take_no_params() -> None:
    GuardrailsPolicy.model_validate({"rules": {"trivy:AWS-0090": {"enabled": False}}})
    with pytest.raises(ValueError, match="take no params"):
        GuardrailsPolicy.model_validate({"rules": {"trivy:AWS-0090": {"params": {"x": 1}}}})
