"""CloudTrail records become rows and findings: parsing as AWS documents the records, and judging."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tests.audit.events import PROD_APPLY, PROD_PLAN, assumption, call, subject
from tfoidc.audit.trail import (
    RULE_NOT_TFOIDC,
    RULE_PROBING,
    RULE_UNEXPECTED,
    RULE_UNPROTECTED,
    Expectations,
    RoleExpectation,
    TrailCollector,
    assumption_of,
    issuer_host,
    judge,
    parse_gitlab_subject,
)
from tfoidc.guardrails.model import Severity

NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
EXPECT = Expectations(
    projects=("platform/*",),
    roles={
        PROD_APPLY: RoleExpectation(environment="prod", apply=True, apply_refs=("main",)),
        PROD_PLAN: RoleExpectation(environment="prod", apply=False),
    },
    failure_threshold=3,
)


def test_a_successful_assumption_becomes_one_row_with_its_gitlab_context() -> None:
    row = assumption_of(assumption(NOW, session="gitlab-42-1234-5678", key="ASIAEXAMPLEKEY000001"))
    assert (row.role_arn, row.host, row.project_path, row.ref_type, row.ref) == (
        PROD_APPLY,
        "gitlab.example.com",
        "platform/infra",
        "branch",
        "main",
    )
    assert (row.pipeline_id, row.job_id, row.result) == ("1234", "5678", "success")
    assert row.via_tfoidc and row.access_key_id == "ASIAEXAMPLEKEY000001"
    assert row.time == NOW and row.source_ip == "203.0.113.7"


def test_a_refused_assumption_keeps_its_error_code_and_no_key() -> None:
    row = assumption_of(assumption(NOW, error="AccessDenied"))
    assert row.result == "AccessDenied" and not row.succeeded and row.access_key_id == ""


def test_a_session_another_tool_opened_is_not_counted_as_tfoidc() -> None:
    row = assumption_of(assumption(NOW, session="GitHubActions", agent="aws-sdk-js/3.0"))
    assert not row.via_tfoidc and row.pipeline_id == ""


@pytest.mark.parametrize(
    ("sub", "expected"),
    [
        (subject("g/p", "branch", "main"), ("g/p", "branch", "main")),
        (subject("a/b/c", "tag", "v1.2.3"), ("a/b/c", "tag", "v1.2.3")),
        (subject("g/p", "branch", "feature/x-1"), ("g/p", "branch", "feature/x-1")),
        ("repo:org/repo:ref:refs/heads/main", ("", "", "")),  # another provider's subject
        ("", ("", "", "")),
    ],
)
def test_gitlab_subjects_split_into_project_ref_type_and_ref(
    sub: str, expected: tuple[str, str, str]
) -> None:
    assert parse_gitlab_subject(sub) == expected


@pytest.mark.parametrize(
    "provider",
    [
        "arn:aws:iam::123456789012:oidc-provider/gitlab.example.com",
        "https://gitlab.example.com",
        "gitlab.example.com",
        "arn:aws-us-gov:iam::123456789012:oidc-provider/gitlab.example.com/sub/path",
    ],
)
def test_the_issuer_host_is_read_from_every_form_cloudtrail_uses(provider: str) -> None:
    assert issuer_host(provider) == "gitlab.example.com"


def test_a_record_missing_its_role_is_a_counted_skip_not_an_error() -> None:
    record = assumption(NOW)
    del record["requestParameters"]
    collector = TrailCollector()
    collector.add_all([record, "not an object", assumption(NOW)])
    assert len(collector.assumptions) == 1
    assert collector.stats.events_read == 3
    assert sum(collector.stats.events_skipped.values()) == 2


def test_activity_is_counted_per_session_and_writes_are_listed() -> None:
    key = "ASIAACTIVITY00000001"
    collector = TrailCollector(activity_wanted=True)
    # Calls may come before the assumption in a log (files arrive in no order): still counted.
    collector.add(call(NOW + timedelta(minutes=1), key))
    collector.add(assumption(NOW, key=key))
    collector.add(call(NOW + timedelta(minutes=2), key, name="PutObject", read_only=False))
    collector.add(call(NOW + timedelta(minutes=3), key))
    collector.add(call(NOW + timedelta(minutes=3), "ASIAOTHERSESSION0001"))  # not an assumption's key
    activity = collector.activity()
    assert set(activity) == {key}
    assert activity[key].calls[("s3", "GetObject")] == 2 and activity[key].total == 3
    assert [(svc, name) for _, svc, name in activity[key].writes] == [("s3", "PutObject")]


def test_an_apply_role_used_from_a_tag_named_like_the_branch_blocks() -> None:
    rows = [assumption_of(assumption(NOW, sub=subject("platform/infra", "tag", "main")))]
    findings = judge(rows, EXPECT)
    assert [(f.rule, f.severity) for f in findings] == [(RULE_UNPROTECTED, Severity.BLOCK)]
    assert "platform/infra @ tag main" in findings[0].message


def test_an_apply_role_used_from_a_feature_branch_blocks_and_a_refused_try_warns() -> None:
    feature = subject("platform/infra", "branch", "feature/x")
    done = judge([assumption_of(assumption(NOW, sub=feature))], EXPECT)
    tried = judge([assumption_of(assumption(NOW, sub=feature, error="AccessDenied"))], EXPECT)
    assert [(f.rule, f.severity) for f in done] == [(RULE_UNPROTECTED, Severity.BLOCK)]
    assert [(f.rule, f.severity) for f in tried] == [(RULE_UNPROTECTED, Severity.WARN)]


def test_the_plan_role_may_be_used_from_any_branch_of_an_expected_project() -> None:
    rows = [assumption_of(assumption(NOW, role=PROD_PLAN, sub=subject("platform/infra", "branch", "feat")))]
    assert judge(rows, EXPECT) == ()


def test_a_project_no_environment_expects_is_reported() -> None:
    rows = [assumption_of(assumption(NOW, role=PROD_PLAN, sub=subject("someone/else", "branch", "main")))]
    assert [(f.rule, f.severity) for f in judge(rows, EXPECT)] == [(RULE_UNEXPECTED, Severity.BLOCK)]


def test_repeated_refusals_of_one_subject_are_probing() -> None:
    sub = subject("someone/else", "branch", "x")
    rows = [assumption_of(assumption(NOW, role=PROD_PLAN, sub=sub, error="AccessDenied")) for _ in range(3)]
    findings = judge(rows, EXPECT)
    # One finding per source and outcome, saying how often: not three lines for three attempts.
    assert sorted(f.rule for f in findings) == [RULE_UNEXPECTED, RULE_PROBING]
    assert "3 times" in next(f.message for f in findings if f.rule == RULE_UNEXPECTED)


def test_a_session_outside_tfoidc_is_reported() -> None:
    rows = [assumption_of(assumption(NOW, role=PROD_PLAN, session="manual", agent="aws-cli/2.15"))]
    assert [f.rule for f in judge(rows, EXPECT)] == [RULE_NOT_TFOIDC]
