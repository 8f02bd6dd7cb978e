"""Condition operators one by one, as IAM documents them (see tests/iam/trust_cases.py for the rules cited)."""

from __future__ import annotations

from typing import Any

import pytest

from tfoidc.iam.conditions import ConditionResult, evaluate_condition, lowercase_keys
from tfoidc.iam.document import parse_policy_document


def check(operator: str, values: Any, context: dict[str, tuple[str, ...]], key: str = "k") -> ConditionResult:
    doc = parse_policy_document(
        {
            "Version": "2012-10-17",
            "Statement": {"Effect": "Allow", "Action": "*", "Condition": {operator: {key: values}}},
        }
    )
    (condition,) = doc.statements[0].conditions
    return evaluate_condition(condition, lowercase_keys(context), version=doc.version)


@pytest.mark.parametrize(
    ("operator", "values", "context", "matched"),
    [
        # negated operators: NOR over the policy values, true for an absent key
        ("StringNotEquals", ["a", "b"], {"k": ("c",)}, True),
        ("StringNotEquals", ["a", "b"], {"k": ("b",)}, False),
        ("StringNotEquals", "a", {}, True),
        ("StringNotLike", "a*", {}, True),
        ("StringNotLike", "a*", {"k": ("abc",)}, False),
        ("StringNotEqualsIgnoreCase", "ABC", {"k": ("abc",)}, False),
        # unqualified negation over a multivalued key: no request value may match
        ("StringNotEquals", "a", {"k": ("a", "b")}, False),
        # set qualifiers with negated operators
        ("ForAnyValue:StringNotEquals", "a", {"k": ("a", "b")}, True),
        ("ForAllValues:StringNotEquals", "a", {"k": ("a", "b")}, False),
        ("ForAllValues:StringNotEquals", "a", {"k": ("b", "c")}, True),
        ("ForAllValues:StringLike", ["a*", "b"], {"k": ("ax", "b")}, True),
        ("ForAllValues:StringLike", "a*", {}, True),
        ("ForAnyValue:StringLike", "a*", {}, False),
        # an empty value list in the request counts as absent
        ("ForAllValues:StringEquals", "a", {"k": ()}, True),
        ("StringEquals", "a", {"k": ()}, False),
        # IfExists
        ("StringEqualsIfExists", "a", {}, True),
        ("StringEqualsIfExists", "a", {"k": ("b",)}, False),
        ("StringNotEqualsIfExists", "a", {"k": ("a",)}, False),
        # Null
        ("Null", "true", {}, True),
        ("Null", "true", {"k": ("x",)}, False),
        ("Null", "false", {"k": ("x",)}, True),
        ("Null", "false", {}, False),
        ("Null", "maybe", {}, False),
        # Bool compares true/false regardless of case; JSON booleans are accepted
        ("Bool", True, {"k": ("true",)}, True),
        ("Bool", "false", {"k": ("TRUE",)}, False),
        ("Bool", "true", {}, False),
        # Numeric and Date compare the request value against the policy value
        ("NumericLessThan", 3600, {"k": ("60",)}, True),
        ("NumericLessThan", 3600, {"k": ("3600",)}, False),
        ("NumericLessThanEquals", "3600", {"k": ("3600",)}, True),
        ("NumericGreaterThan", "1.5", {"k": ("2",)}, True),
        ("NumericNotEquals", "1", {"k": ("1.0",)}, False),
        ("NumericEquals", "1", {"k": ("one",)}, False),
        ("DateLessThan", "2030-01-01T00:00:00Z", {"k": ("2026-11-25T18:00:00Z",)}, True),
        ("DateGreaterThan", "2030-01-01T00:00:00Z", {"k": ("2026-11-25T18:00:00Z",)}, False),
        ("DateEquals", "2026-01-01T00:00:00Z", {"k": ("1767225600",)}, True),
        # IP addresses and CIDR blocks
        ("IpAddress", "10.0.0.0/8", {"k": ("10.1.2.3",)}, True),
        ("IpAddress", "10.0.0.0/8", {"k": ("192.168.0.1",)}, False),
        ("NotIpAddress", "10.0.0.0/8", {"k": ("192.168.0.1",)}, True),
        ("IpAddress", "2001:db8::/32", {"k": ("2001:db8::1",)}, True),
        # ARNs: wildcards stay within a colon-separated component, except in the resource part
        ("ArnLike", "arn:aws:iam::*:role/ci-*", {"k": ("arn:aws:iam::123456789012:role/ci-plan",)}, True),
        ("ArnLike", "arn:aws:iam::*:role/ci-*", {"k": ("arn:aws:iam::123456789012:user/ci-plan",)}, False),
        ("ArnLike", "arn:*:role/x", {"k": ("arn:aws:iam::1:role/x",)}, False),
        ("ArnEquals", "arn:aws:s3:::bucket/*", {"k": ("arn:aws:s3:::bucket/a:b",)}, True),
        ("ArnNotLike", "arn:aws:iam::1:role/*", {"k": ("arn:aws:iam::2:role/x",)}, True),
        # operators IAM does not have never match
        ("StringMatchesRegex", ".*", {"k": ("x",)}, False),
    ],
)
def test_operator_semantics(
    operator: str, values: Any, context: dict[str, tuple[str, ...]], matched: bool
) -> None:
    result = check(operator, values, context)
    assert result.matched is matched, result.explanation
    assert result.operator == operator
    assert result.actual == (context.get("k") or None)


def test_policy_variable_with_a_default() -> None:
    assert check("StringEquals", "${aws:username, 'nobody'}", {"k": ("nobody",)}).matched
    assert check(
        "StringEquals", "${aws:username, 'nobody'}", {"k": ("ann",), "aws:username": ("ann",)}
    ).matched


def test_unresolvable_policy_variable_never_matches() -> None:
    result = check("StringLike", "${aws:username}*", {"k": ("anything",)})
    assert not result.matched
    assert "policy variable" in result.explanation


def test_substituted_text_is_literal_in_string_like() -> None:
    context = {"k": ("ab",), "v": ("a*",)}
    assert not check("StringLike", "${v}", context).matched
    assert check("StringLike", "${v}", {"k": ("a*",), "v": ("a*",)}).matched


def test_absent_key_explanations_name_the_rule_applied() -> None:
    assert "IfExists" in check("StringEqualsIfExists", "a", {}).explanation
    assert "ForAllValues is true" in check("ForAllValues:StringEquals", "a", {}).explanation
    assert "negated operator" in check("StringNotLike", "a", {}).explanation
    assert "not in the request context" in check("StringEquals", "a", {}).explanation
