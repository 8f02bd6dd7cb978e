"""`[guardrails]` in tfoidc.toml: enable/disable, severities, waivers, custom rules, config errors."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from tests.guardrails.support import fixture, parse, raw, run, set_after
from tfoidc.config import load_config
from tfoidc.errors import InputError
from tfoidc.guardrails.engine import should_fail
from tfoidc.guardrails.model import Severity
from tfoidc.guardrails.policy import GuardrailsPolicy

POLICIES = "terraform-compliance/issue_174_s3_bucket_policies.json"  # 3 x S3-002 (block), 2 x S3-003 (warn)
TODAY = date(2026, 11, 25)


def policy(tmp_path: Path, toml: str) -> GuardrailsPolicy:
    path = tmp_path / "tfoidc.toml"
    path.write_text(toml)
    return load_config(path).guardrails


def config_error(tmp_path: Path, toml: str) -> str:
    with pytest.raises(InputError) as caught:
        policy(tmp_path, toml)
    line = caught.value.one_line()
    assert "\n" not in line
    return line


def rules_of(found: list) -> list[tuple[str, str, Severity, bool]]:  # type: ignore[type-arg]
    return [(f.rule, f.address, f.severity, f.waived) for f in found]


# --- enable / disable, severities ----------------------------------------------------------------------


def test_defaults_report_every_rule(tmp_path: Path) -> None:
    found = run(fixture(POLICIES), policy=policy(tmp_path, ""))
    assert {f.rule for f in found} == {"TFO-S3-002", "TFO-S3-003", "TFO-ENC-003"}


def test_disable_a_rule_globally_and_per_environment(tmp_path: Path) -> None:
    p = policy(
        tmp_path,
        """
[guardrails.rules."TFO-ENC-003"]
enabled = false
[guardrails.environments.dev.rules."TFO-S3-003"]
enabled = false
""",
    )
    plan = fixture(POLICIES)
    assert {f.rule for f in run(plan, policy=p)} == {"TFO-S3-002", "TFO-S3-003"}
    assert {f.rule for f in run(plan, policy=p, environment="dev")} == {"TFO-S3-002"}


def test_environment_can_re_enable_a_globally_disabled_rule(tmp_path: Path) -> None:
    p = policy(
        tmp_path,
        """
[guardrails.rules."TFO-S3-003"]
enabled = false
[guardrails.environments.prod.rules."TFO-S3-003"]
enabled = true
""",
    )
    assert "TFO-S3-003" not in {f.rule for f in run(fixture(POLICIES), policy=p)}
    assert "TFO-S3-003" in {f.rule for f in run(fixture(POLICIES), policy=p, environment="prod")}


def test_severity_per_rule_and_per_environment(tmp_path: Path) -> None:
    p = policy(
        tmp_path,
        """
[guardrails.rules."TFO-S3-003"]
severity = "block"
[guardrails.environments.dev.rules."TFO-S3-002"]
severity = "info"
""",
    )
    plan = fixture(POLICIES)
    default_env = {(f.rule, f.severity) for f in run(plan, policy=p)}
    assert ("TFO-S3-003", Severity.BLOCK) in default_env and ("TFO-S3-002", Severity.BLOCK) in default_env
    dev = {(f.rule, f.severity) for f in run(plan, policy=p, environment="dev")}
    assert ("TFO-S3-002", Severity.INFO) in dev and ("TFO-S3-002", Severity.BLOCK) not in dev


def test_configured_severity_overrides_the_rules_own_production_choice(tmp_path: Path) -> None:
    p = policy(tmp_path, '[guardrails.rules."TFO-SAFE-001"]\nseverity = "warn"\n')
    [finding] = run(
        fixture("snyk-cli/tf_plan_destroy.json"), "TFO-SAFE-001", policy=p, environment="production"
    )
    assert finding.severity is Severity.WARN


def test_fail_on_and_scope_settings(tmp_path: Path) -> None:
    p = policy(tmp_path, '[guardrails]\nfail_on = "warn"\nscope = "all"\n')
    assert p.fail_on == "warn"
    no_op = fixture("snyk-cli/tf_plan_no_op.json")  # nothing changes; scope "all" still judges it
    assert {f.rule for f in run(no_op, policy=p)} >= {"TFO-S3-003"}
    assert run(no_op, policy=policy(tmp_path, "")) == []


# --- waivers -------------------------------------------------------------------------------------------


def test_waiver_by_rule_and_address_glob(tmp_path: Path) -> None:
    p = policy(
        tmp_path,
        """
[[guardrails.waivers]]
rule = "TFO-S3-002"
address = "aws_s3_bucket_policy.*"
reason = "public download bucket, approved in SEC-123"
expires = 2027-01-31
""",
    )
    found = run(fixture(POLICIES), "TFO-S3-002", policy=p, today=TODAY)
    assert len(found) == 3 and all(f.waived for f in found)
    assert all(
        "SEC-123" in (f.waiver_reason or "") and "2027-01-31" in (f.waiver_reason or "") for f in found
    )
    assert not should_fail(found, "block")
    # other rules on the same resources are not waived
    assert not any(f.waived for f in run(fixture(POLICIES), "TFO-S3-003", policy=p, today=TODAY))


def test_waiver_glob_matches_only_its_addresses(tmp_path: Path) -> None:
    p = policy(
        tmp_path,
        """
[[guardrails.waivers]]
rule = "TFO-S3-002"
address = "aws_s3_bucket_policy.b"
reason = "legacy"
expires = 2027-01-31
""",
    )
    found = {f.address: f.waived for f in run(fixture(POLICIES), "TFO-S3-002", policy=p, today=TODAY)}
    assert found == {"aws_s3_bucket_policy.b": True, "aws_s3_bucket_policy.c": False}
    assert should_fail(run(fixture(POLICIES), policy=p, today=TODAY), "block")


def test_waiver_limited_to_environments(tmp_path: Path) -> None:
    p = policy(
        tmp_path,
        """
[[guardrails.waivers]]
rule = "TFO-S3-002"
address = "*"
reason = "sandbox only"
expires = 2027-01-31
environments = ["sandbox"]
""",
    )
    assert all(
        f.waived for f in run(fixture(POLICIES), "TFO-S3-002", policy=p, environment="sandbox", today=TODAY)
    )
    assert not any(
        f.waived for f in run(fixture(POLICIES), "TFO-S3-002", policy=p, environment="prod", today=TODAY)
    )


def test_waiver_is_valid_through_its_expiry_day_and_then_stops_and_says_so(tmp_path: Path) -> None:
    p = policy(
        tmp_path,
        """
[[guardrails.waivers]]
rule = "TFO-S3-002"
address = "aws_s3_bucket_policy.c"
reason = "until the CDN migration"
expires = 2026-11-25
""",
    )
    on_the_day = run(fixture(POLICIES), "TFO-S3-002", policy=p, today=date(2026, 11, 25))
    assert {f.address for f in on_the_day if f.waived} == {"aws_s3_bucket_policy.c"}
    after = run(fixture(POLICIES), "TFO-S3-002", policy=p, today=date(2026, 11, 26))
    assert not any(f.waived for f in after)
    expired = [f for f in after if f.address == "aws_s3_bucket_policy.c"]
    assert expired and all("waiver expired on 2026-11-25" in f.message for f in expired)
    assert all("until the CDN migration" in f.message for f in expired)
    assert should_fail(after, "block")


# --- custom rules --------------------------------------------------------------------------------------

REQUIRED_TAGS = """
[[guardrails.custom]]
id = "ORG-TAG-001"
title = "Buckets carry an Owner tag"
resource_type = "aws_s3_bucket"
attribute = "tags.Owner"
operator = "exists"
message = "every bucket needs an Owner tag"
severity = "block"
"""


def test_custom_required_tag_rule(tmp_path: Path) -> None:
    p = policy(tmp_path, REQUIRED_TAGS)
    doc = raw(POLICIES)
    set_after(doc, "aws_s3_bucket.b", tags={"Owner": "team-storage"})
    found = run(parse(doc), "ORG-TAG-001", policy=p)
    assert rules_of(found) == [("ORG-TAG-001", "aws_s3_bucket.c", Severity.BLOCK, False)]
    assert found[0].message == "every bucket needs an Owner tag" and found[0].attribute == "tags.Owner"


def test_custom_rule_operators(tmp_path: Path) -> None:
    p = policy(
        tmp_path,
        """
[[guardrails.custom]]
id = "ORG-NAME-001"
title = "Bucket names follow the convention"
resource_type = "aws_s3_bucket"
attribute = "bucket"
operator = "matches"
value = "my_test_bucket(_[a-z]+)?"
message = "bucket names start with my_test_bucket"

[[guardrails.custom]]
id = "ORG-SG-001"
title = "No world ingress"
resource_type = "aws_security_group"
attribute = "ingress[*].cidr_blocks"
operator = "not_contains"
value = "0.0.0.0/0"
message = "ingress from the internet goes through the load balancer"
""",
    )
    assert run(fixture(POLICIES), "ORG-NAME-001", policy=p) == []
    renamed = raw(POLICIES)
    set_after(renamed, "aws_s3_bucket.c", bucket="Other-Bucket")
    assert [f.address for f in run(parse(renamed), "ORG-NAME-001", policy=p)] == ["aws_s3_bucket.c"]
    rdp = fixture("regula/sg_ingress_anywhere_rdp.json")
    assert {f.address for f in run(rdp, "ORG-SG-001", policy=p)} == {
        "aws_security_group.invalid_sg_1",
        "aws_security_group.invalid_sg_2",
        "aws_security_group.valid_sg_1",
    }


def test_custom_rule_does_not_judge_values_known_only_after_apply(tmp_path: Path) -> None:
    p = policy(
        tmp_path,
        """
[[guardrails.custom]]
id = "ORG-ACL-001"
title = "Private ACL"
resource_type = "aws_s3_bucket"
attribute = "acl"
operator = "equals"
value = "private"
message = "buckets are private"
""",
    )
    assert run(fixture("trivy/plan_open_sg_s3.json"), "ORG-ACL-001", policy=p) == []  # acl unknown
    assert run(fixture(POLICIES), "ORG-ACL-001", policy=p) == []  # acl = private


def test_custom_rules_can_be_configured_and_waived_like_built_ins(tmp_path: Path) -> None:
    p = policy(
        tmp_path,
        REQUIRED_TAGS
        + """
[guardrails.environments.dev.rules."ORG-TAG-001"]
severity = "info"
[[guardrails.waivers]]
rule = "ORG-TAG-001"
address = "aws_s3_bucket.b"
reason = "tagged by the account vending machine"
expires = 2027-06-30
""",
    )
    found = {
        f.address: (f.severity, f.waived)
        for f in run(fixture(POLICIES), "ORG-TAG-001", policy=p, environment="dev", today=TODAY)
    }
    assert found == {"aws_s3_bucket.b": (Severity.INFO, True), "aws_s3_bucket.c": (Severity.INFO, False)}


# --- configuration errors ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("toml", "expected"),
    [
        (
            '[guardrails.rules."TFO-S3-099"]\nenabled = false\n',
            ["guardrails.rules.TFO-S3-099: unknown rule id"],
        ),
        (
            '[guardrails.environments.prod.rules."TFO-S3-01"]\nseverity = "warn"\n',
            ["guardrails.environments.prod.rules.TFO-S3-01: unknown rule id", "did you mean TFO-S3-001"],
        ),
        ('[guardrails.rules."TFO-S3-001"]\nseverity = "fatal"\n', ["guardrails.rules.TFO-S3-001.severity"]),
        ('[guardrails.rules."TFO-S3-001"]\nenable = false\n', ["guardrails.rules.TFO-S3-001.enable"]),
        (
            '[[guardrails.waivers]]\nrule = "TFO-S3-002"\naddress = "*"\nexpires = 2027-01-01\n',
            ["guardrails.waivers.0.reason", "missing"],
        ),
        (
            '[[guardrails.waivers]]\nrule = "TFO-S3-002"\naddress = "*"\nreason = "  "\nexpires = 2027-01-01\n',
            ["guardrails.waivers.0.reason", "needs a reason"],
        ),
        (
            '[[guardrails.waivers]]\nrule = "TFO-S3-002"\naddress = "*"\nreason = "x"\n',
            ["guardrails.waivers.0.expires", "missing"],
        ),
        (
            '[[guardrails.waivers]]\nrule = "TFO-S3-002"\naddress = "*"\nreason = "x"\nexpires = "next year"\n',
            ["guardrails.waivers.0.expires"],
        ),
        (
            '[[guardrails.waivers]]\nrule = "TFO-NOPE"\naddress = "*"\nreason = "x"\nexpires = 2027-01-01\n',
            ["guardrails.waivers.0.rule: unknown rule id 'TFO-NOPE'"],
        ),
        (
            '[[guardrails.waivers]]\nrule = "TFO-S3-002"\naddress = "*"\nreason = "x"\nexpires = 2027-01-01\nowner = "me"\n',
            ["guardrails.waivers.0.owner"],
        ),
        (
            REQUIRED_TAGS.replace('operator = "exists"', 'operator = "looks_like"'),
            ["guardrails.custom.0.operator"],
        ),
        (
            REQUIRED_TAGS.replace('operator = "exists"', 'operator = "matches"\nvalue = "(unclosed"'),
            ["guardrails.custom.0.value", "invalid regular expression"],
        ),
        (
            REQUIRED_TAGS.replace('operator = "exists"', 'operator = "equals"'),
            ["guardrails.custom.0.value", "needs a value"],
        ),
        (
            REQUIRED_TAGS.replace("ORG-TAG-001", "TFO-S3-001"),
            ["guardrails.custom.0.id: 'TFO-S3-001' is already a built-in rule id"],
        ),
        (REQUIRED_TAGS.replace("tags.Owner", "tags..Owner"), ["guardrails.custom.0.attribute"]),
        (
            '[guardrails.rules."TFO-NET-004"]\nparams = { ports = ["ssh"] }\n',
            ["guardrails.rules.TFO-NET-004.params.ports.0: ", "valid integer"],
        ),
        (
            '[guardrails.rules."TFO-SAFE-001"]\nparams = { extra_types = "aws_iam_role" }\n',
            ["guardrails.rules.TFO-SAFE-001.params.extra_types: ", "valid list"],
        ),
        (
            '[guardrails.environments.ci.rules."TFO-IAM-003"]\nparams = { issuer = "gitlab.com" }\n',
            [
                "guardrails.environments.ci.rules.TFO-IAM-003.params.issuer: unknown parameter",
                "takes issuer_host",
            ],
        ),
        (
            '[guardrails.rules."TFO-S3-001"]\nparams = { strict = true }\n',
            ["guardrails.rules.TFO-S3-001.params.strict: unknown parameter", "takes no params"],
        ),
    ],
)
def test_configuration_errors_name_the_key_path(tmp_path: Path, toml: str, expected: list[str]) -> None:
    line = config_error(tmp_path, toml)
    for part in expected:
        assert part in line, line
