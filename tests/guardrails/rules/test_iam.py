"""IAM rules: wildcard grants (TFO-IAM-001), roles anyone can assume (002), GitLab OIDC trust (003).

OIDC cases are derived from a real plan whose `aws_iam_policy_document` data sources are only read
during apply (their `statement` blocks are all the plan has), and from roles carrying the trust
policy as a JSON string, so both ways Terraform hands a policy over are exercised.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.guardrails.support import (
    add_resource,
    addresses,
    change,
    fixture,
    hits,
    parse,
    policy_document,
    raw,
    run,
)
from tfoidc.guardrails.model import Severity
from tfoidc.guardrails.policy import GuardrailsPolicy, RuleSettings

OIDC = "checkov/oidc_web_identity_trust_policy_documents.json"
DOC = 'module.poc.data.aws_iam_policy_document.r4["p1"]'
PROVIDER = "arn:aws:iam::111122223333:oidc-provider/gitlab.example.com"
PINNED_SUB = "project_path:platform/infra:ref_type:branch:ref:main"
AUD = {"test": "StringEquals", "variable": "gitlab.example.com:aud", "values": ["https://gitlab.example.com"]}


def sub(test: str, *values: str) -> dict[str, Any]:
    return {"test": test, "variable": "gitlab.example.com:sub", "values": list(values)}


def gitlab_data_source(*conditions: dict[str, Any]) -> Any:
    """The fixture's data source rewritten as a GitLab web-identity trust with `conditions`."""
    doc = raw(OIDC)
    statement = change(doc, DOC)["after"]["statement"][0]
    statement["principals"] = [{"type": "Federated", "identifiers": [PROVIDER]}]
    statement["condition"] = list(conditions)
    return parse(doc)


def trust_statement(*conditions: dict[str, Any], principal: Any = None) -> dict[str, Any]:
    condition: dict[str, dict[str, Any]] = {}
    for c in conditions:
        condition.setdefault(c["test"], {})[c["variable"]] = c["values"]
    statement = {
        "Effect": "Allow",
        "Principal": principal or {"Federated": PROVIDER},
        "Action": "sts:AssumeRoleWithWebIdentity",
    }
    if condition:
        statement["Condition"] = condition
    return statement


def role_plan(assume_role_policy: str, *, base: str = OIDC) -> Any:
    doc = add_resource(
        raw(base),
        "aws_iam_role.deploy",
        {"name": "deploy", "assume_role_policy": assume_role_policy, "path": "/"},
        after_unknown={"arn": True, "id": True},
    )
    return parse(doc)


def codes(plan: Any) -> dict[str, Severity]:
    """TFO-IAM-003 audit codes (in brackets at the end of each message) with their severity."""
    return {f.message.rsplit("[", 1)[-1].rstrip("]"): f.severity for f in run(plan, "TFO-IAM-003")}


# --- TFO-IAM-003: OIDC trust ----------------------------------------------------------------------


def test_real_web_identity_trusts_with_sub_and_aud_are_fine() -> None:
    assert run(fixture(OIDC), "TFO-IAM-003") == []
    assert run(fixture(OIDC), "TFO-IAM-002") == []


def test_pinned_project_and_branch_with_audience_is_fine() -> None:
    assert codes(gitlab_data_source(sub("StringEquals", PINNED_SUB), AUD)) == {}


def test_no_sub_condition_blocks() -> None:
    plan = gitlab_data_source(AUD)
    findings = run(plan, "TFO-IAM-003")
    assert [(f.address, f.attribute, f.severity) for f in findings] == [
        (DOC, "statement.Statement[0]", Severity.BLOCK)
    ]
    assert "[no-sub]" in findings[0].message and "any project" in findings[0].message


def test_project_path_wildcard_blocks() -> None:
    assert codes(gitlab_data_source(sub("StringLike", "project_path:*"), AUD)) == {
        "sub-any-project": Severity.BLOCK
    }


def test_group_wide_wildcard_warns() -> None:
    plan = gitlab_data_source(sub("StringLike", "project_path:platform/*:ref_type:branch:ref:main"), AUD)
    assert codes(plan) == {"sub-group-wide": Severity.WARN}


def test_any_ref_wildcard_warns() -> None:
    plan = gitlab_data_source(sub("StringLike", "project_path:platform/infra:ref_type:*:ref:*"), AUD)
    assert codes(plan) == {"sub-any-ref": Severity.WARN}


def test_wildcard_under_string_equals_never_matches() -> None:
    plan = gitlab_data_source(sub("StringEquals", "project_path:platform/infra:*"), AUD)
    findings = run(plan, "TFO-IAM-003")
    assert codes(plan) == {"wildcard-under-stringequals": Severity.WARN}
    assert "never matches" in findings[0].message


def test_no_audience_condition_warns() -> None:
    assert codes(gitlab_data_source(sub("StringEquals", PINNED_SUB))) == {"no-aud": Severity.WARN}


def test_for_all_values_in_an_allow_blocks() -> None:
    condition = sub("ForAllValues:StringLike", PINNED_SUB)
    found = codes(gitlab_data_source(condition, AUD))
    assert found["forallvalues-allow"] is Severity.BLOCK


def test_negated_sub_condition_is_not_a_pin() -> None:
    plan = gitlab_data_source(
        sub("StringNotEquals", "project_path:evil/project:ref_type:branch:ref:main"), AUD
    )
    assert "no-sub" in codes(plan)


def test_trust_policy_as_a_json_string_on_the_role() -> None:
    # jsonencode(...) output: the audience is pinned, the subject is not
    plan = role_plan(json.dumps({"Version": "2012-10-17", "Statement": [trust_statement(_aud_c())]}))
    findings = run(plan, "TFO-IAM-003")
    assert [(f.address, f.attribute) for f in findings] == [
        ("aws_iam_role.deploy", "assume_role_policy.Statement[0]")
    ]
    assert "[no-sub]" in findings[0].message


def _aud_c() -> dict[str, Any]:
    return {"test": "StringEquals", "variable": "gitlab.example.com:aud", "values": ["sts.amazonaws.com"]}


def test_pinned_role_trust_as_a_json_string_is_fine() -> None:
    statement = trust_statement(sub("StringEquals", PINNED_SUB), _aud_c())
    assert run(role_plan(policy_document(statement)), "TFO-IAM-003") == []


def test_known_json_output_of_a_policy_document_data_source() -> None:
    doc = raw(OIDC)
    data = change(doc, DOC)
    data["after"]["json"] = policy_document(trust_statement(sub("StringLike", "project_path:*"), _aud_c()))
    data["after_unknown"].pop("json")
    findings = run(parse(doc), "TFO-IAM-003")
    assert [(f.address, f.attribute) for f in findings] == [(DOC, "json.Statement[0]")]


def test_issuer_host_parameter_judges_conditions_for_that_issuer() -> None:
    pinned = (sub("StringEquals", PINNED_SUB), AUD)  # keys of gitlab.example.com

    def codes_with_issuer(plan: Any, host: str) -> set[str]:
        policy = GuardrailsPolicy(rules={"TFO-IAM-003": RuleSettings(params={"issuer_host": host})})
        return {f.message.rsplit("[", 1)[-1].rstrip("]") for f in run(plan, "TFO-IAM-003", policy=policy)}

    assert codes_with_issuer(gitlab_data_source(*pinned), "https://gitlab.example.com") == set()
    # a statement trusting another provider is audited for that provider's keys: still pinned
    assert codes_with_issuer(gitlab_data_source(*pinned), "gitlab.com") == set()
    # trusting gitlab.com but conditioning gitlab.example.com's claims: those keys are absent from
    # gitlab.com's tokens, StringEquals on them is false, and no token gets in (IAM's rule for absent keys)
    doc = raw(OIDC)
    statement = change(doc, DOC)["after"]["statement"][0]
    statement["principals"] = [
        {"type": "Federated", "identifiers": [PROVIDER.replace("gitlab.example.com", "gitlab.com")]}
    ]
    statement["condition"] = list(pinned)
    assert codes_with_issuer(parse(doc), "gitlab.com") == set()


# --- TFO-IAM-002: roles anyone can assume --------------------------------------------------------------


@pytest.mark.parametrize("principal", ["*", {"AWS": "*"}])
def test_role_assumable_by_anyone(principal: Any) -> None:
    statement = {"Effect": "Allow", "Principal": principal, "Action": "sts:AssumeRole"}
    findings = run(role_plan(policy_document(statement)), "TFO-IAM-002")
    assert [(f.address, f.attribute, f.severity) for f in findings] == [
        ("aws_iam_role.deploy", "assume_role_policy.Statement[0]", Severity.BLOCK)
    ]


def test_principal_star_limited_to_the_organisation_is_not_anyone() -> None:
    statement = {
        "Effect": "Allow",
        "Principal": {"AWS": "*"},
        "Action": "sts:AssumeRole",
        "Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-abc123"}},
    }
    assert run(role_plan(policy_document(statement)), "TFO-IAM-002") == []


def test_service_trusts_in_a_real_plan_are_not_anyone() -> None:
    plan = fixture("snyk-cli/tf_plan_create.json")
    assert run(plan, "TFO-IAM-002") == [] and run(plan, "TFO-IAM-003") == []


# --- TFO-IAM-001: wildcard actions -------------------------------------------------------------------


def test_action_star_on_resource_star_blocks() -> None:
    findings = run(fixture("checkov/utf16le_bom_encoded.json"), "TFO-IAM-001")
    assert [(f.address, f.attribute, f.severity) for f in findings] == [
        ("aws_iam_role_policy.fail_1", "policy.Statement[0]", Severity.BLOCK)
    ]


def test_action_star_on_named_resources_warns() -> None:
    findings = run(fixture("checkov/hcl_enrichment_public_s3_iam.json"), "TFO-IAM-001")
    assert [(f.address, f.severity) for f in findings] == [("aws_iam_policy.policy", Severity.WARN)]


def test_action_star_in_a_policy_document_data_source() -> None:
    findings = run(fixture("checkov/iam_policy_document_data_block.json"), "TFO-IAM-001")
    assert [(f.address, f.attribute) for f in findings] == [
        ("data.aws_iam_policy_document.allow_access_from_another_account", "statement.Statement[0]")
    ]


def test_service_wildcards_on_every_resource() -> None:
    plan = fixture("terraform-compliance/issue_249_alb_ecs_modules_update.json")
    policy = GuardrailsPolicy(scope="all")  # the roles are unchanged (no-op) in this plan
    findings = run(plan, "TFO-IAM-001", policy=policy)
    assert {f.address for f in findings} == {
        "aws_iam_role_policy.lambda_role_policy",
        "aws_iam_role_policy.myapp_instance_role_policy",
    }
    assert all("s3:*" in f.message and f.severity is Severity.WARN for f in findings)
    # logs:* on arn:aws:logs:*:*:* is scoped to a service's resources: not reported
    assert all(f.attribute and f.attribute.endswith("Statement[0]") for f in findings)
    assert run(plan, "TFO-IAM-001") == []  # default scope: nothing here changes


def test_specific_actions_on_every_resource_are_not_wildcards() -> None:
    assert run(fixture("regula/vpc_flow_log.json"), "TFO-IAM-001") == []


def test_deny_with_action_star_is_not_a_grant() -> None:
    statement = {"Effect": "Deny", "Action": "*", "Resource": "*"}
    doc = add_resource(
        raw(OIDC), "aws_iam_policy.guard", {"name": "guard", "policy": policy_document(statement)}
    )
    assert run(parse(doc), "TFO-IAM-001") == []


def test_role_inline_policy_with_action_star() -> None:
    inline = [
        {"name": "admin", "policy": policy_document({"Effect": "Allow", "Action": "*", "Resource": "*"})}
    ]
    doc = add_resource(
        raw(OIDC),
        "aws_iam_role.admin",
        {
            "name": "admin",
            "assume_role_policy": policy_document(
                {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}
            ),
            "inline_policy": inline,
        },
    )
    plan = parse(doc)
    assert hits(plan, "TFO-IAM-001") == {("aws_iam_role.admin", "inline_policy[0].policy.Statement[0]")}
    assert addresses(plan, "TFO-IAM-002") == set()


def test_malformed_policy_json_is_skipped_not_crashed() -> None:
    doc = add_resource(raw(OIDC), "aws_iam_policy.broken", {"name": "broken", "policy": "{not json"})
    assert run(parse(doc), "TFO-IAM-001") == []
