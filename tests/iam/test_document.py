"""Policy documents: IAM's many spellings normalise to one shape; malformed ones are refused clearly."""

from __future__ import annotations

import fnmatch
import json
import string
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tfoidc.errors import ExitCode, InputError
from tfoidc.iam.document import (
    Condition,
    action_matches,
    parse_policy_document,
    wildcard_match,
)

PROVIDER = "arn:aws:iam::123456789012:oidc-provider/gitlab.com"


def test_single_values_and_lone_statement_normalise_to_tuples() -> None:
    doc = parse_policy_document(
        {
            "Version": "2012-10-17",
            "Statement": {
                "Sid": "GitLab",
                "Effect": "Allow",
                "Principal": {"Federated": PROVIDER},
                "Action": "sts:AssumeRoleWithWebIdentity",
                "Condition": {"StringEquals": {"gitlab.com:aud": "sts.amazonaws.com"}},
            },
        }
    )
    assert doc.version == "2012-10-17"
    (statement,) = doc.statements
    assert statement.sid == "GitLab"
    assert statement.effect == "Allow"
    assert statement.principals == {"Federated": (PROVIDER,)}
    assert statement.actions == ("sts:AssumeRoleWithWebIdentity",)
    assert statement.not_actions == ()
    assert statement.resources == ()
    assert statement.conditions == (
        Condition("StringEquals", None, False, "gitlab.com:aud", ("sts.amazonaws.com",)),
    )


def test_json_text_and_mapping_parse_identically() -> None:
    policy: dict[str, Any] = {
        "Statement": [
            {"Effect": "Deny", "NotPrincipal": {"AWS": ["arn:aws:iam::1:root"]}, "NotAction": ["s3:*"]},
            {"Effect": "Allow", "Principal": "*", "Action": ["s3:GetObject"], "Resource": "arn:aws:s3:::b/*"},
        ]
    }
    assert parse_policy_document(json.dumps(policy)) == parse_policy_document(policy)
    deny, allow = parse_policy_document(policy).statements
    assert deny.not_principals == {"AWS": ("arn:aws:iam::1:root",)}
    assert deny.not_actions == ("s3:*",)
    assert allow.principals == {"*": ("*",)}
    assert allow.resources == ("arn:aws:s3:::b/*",)


def test_condition_operators_split_into_qualifier_base_and_ifexists() -> None:
    doc = parse_policy_document(
        {
            "Statement": {
                "Effect": "Allow",
                "Principal": {"Federated": PROVIDER},
                "Action": "sts:AssumeRoleWithWebIdentity",
                "Condition": {
                    "ForAnyValue:StringLikeIfExists": {"gitlab.com:amr": ["a*", "b"]},
                    "Bool": {"aws:SecureTransport": True},
                    "NumericLessThan": {"aws:MultiFactorAuthAge": 3600},
                },
            }
        }
    )
    like, boolean, numeric = doc.statements[0].conditions
    assert (like.set_qualifier, like.operator, like.if_exists) == ("ForAnyValue", "StringLike", True)
    assert like.full_operator == "ForAnyValue:StringLikeIfExists"
    assert like.values == ("a*", "b")
    # JSON booleans and numbers are read as IAM reads them: as their string form
    assert boolean.values == ("true",)
    assert numeric.values == ("3600",)


@pytest.mark.parametrize(
    ("document", "reason"),
    [
        ("", "empty"),
        ("{not json", "not valid JSON"),
        ("[]", "must be a JSON object"),
        ({"Version": "2012-10-17"}, "no Statement"),
        ({"Statement": "Allow"}, "Statement must be an object or a list"),
        ({"Statement": [{"Effect": "allow", "Action": "s3:*"}]}, 'Effect must be "Allow" or "Deny"'),
        ({"Statement": [{"Effect": "Allow"}]}, "neither Action nor NotAction"),
        (
            {"Statement": [{"Effect": "Allow", "Action": "a:b", "NotAction": "c:d"}]},
            "both Action and NotAction",
        ),
        ({"Statement": [{"Effect": "Allow", "Action": "a:b", "Principal": "me"}]}, "Principal must be"),
        ({"Statement": [{"Effect": "Allow", "Action": [1]}]}, "Action must be a non-empty string"),
        (
            {"Statement": [{"Effect": "Allow", "Action": "a:b", "Condtion": {}}]},
            "unknown element(s): Condtion",
        ),
        ({"Statement": [{"Effect": "Allow", "Action": "a:b", "Condition": {"StringLike": "x"}}]}, "must map"),
        (
            {"Statement": [{"Effect": "Allow", "Action": "a:b", "Condition": {"StringLike": {"k": None}}}]},
            "condition values must be strings",
        ),
        ({"Statement": [], "Extra": 1}, "unknown element(s): Extra"),
    ],
)
def test_malformed_documents_are_one_line_input_errors(document: Any, reason: str) -> None:
    with pytest.raises(InputError) as caught:
        parse_policy_document(document)
    assert reason in caught.value.one_line()
    assert "\n" not in caught.value.one_line()
    assert caught.value.exit_code == ExitCode.USAGE


@pytest.mark.parametrize(
    ("pattern", "value", "expected"),
    [
        ("project_path:group/*", "project_path:group/app:ref_type:branch:ref:main", True),
        ("project_path:group/*", "project_path:other/app", False),
        ("ref:?", "ref:a", True),
        ("ref:?", "ref:", False),
        ("ref:?", "ref:ab", False),
        ("*", "", True),
        ("a*b", "ab", True),
        ("a.b", "axb", False),  # regex metacharacters are literal
        ("A", "a", False),
    ],
)
def test_wildcard_match_examples(pattern: str, value: str, expected: bool) -> None:
    assert wildcard_match(pattern, value) is expected


def test_wildcard_match_can_ignore_case() -> None:
    assert wildcard_match("Project_Path:*", "project_path:x", case_sensitive=False)
    assert not wildcard_match("Project_Path:*", "project_path:x")


# fnmatch has the same * and ? semantics as IAM, plus [...] classes, which IAM does not have.
_TEXT = st.text(alphabet="ab:/*?.\\+", max_size=12)


@given(pattern=_TEXT, value=st.text(alphabet="ab:/*?.\\+", max_size=12))
def test_wildcard_match_agrees_with_fnmatch(pattern: str, value: str) -> None:
    assert wildcard_match(pattern, value) == fnmatch.fnmatchcase(value, pattern)


@given(
    pattern=st.text(alphabet=string.ascii_letters + ":*?", max_size=10),
    action=st.text(alphabet=string.ascii_letters + ":", max_size=10),
)
def test_action_matching_ignores_case(pattern: str, action: str) -> None:
    assert action_matches(pattern, action) == action_matches(pattern.lower(), action.upper())
    assert action_matches(pattern, action) == fnmatch.fnmatchcase(action.lower(), pattern.lower())


@pytest.mark.parametrize(
    ("pattern", "matches"),
    [
        ("sts:AssumeRoleWithWebIdentity", True),
        ("STS:assumerolewithwebidentity", True),
        ("sts:*", True),
        ("*", True),
        ("sts:AssumeRole*", True),
        ("sts:AssumeRole", False),
        ("iam:*", False),
    ],
)
def test_action_matches_web_identity(pattern: str, matches: bool) -> None:
    assert action_matches(pattern, "sts:AssumeRoleWithWebIdentity") is matches
