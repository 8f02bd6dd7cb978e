"""Attribute diffs of an update: what a reviewer reads in the note and the HTML report."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from tfoidc.plan.model import Action, ResourceChange
from tfoidc.report.diff import (
    _ABSENT,
    SAME_DOCUMENT,
    UNKNOWN,
    AttributeChange,
    _flatten,
    _leaf_changes,
    _Unknown,
    _unknown_paths,
    attribute_changes,
)


def update(before: Any, after: Any, after_unknown: Any = None) -> ResourceChange:
    return ResourceChange(
        address="aws_iam_policy.p",
        module_address="",
        mode="managed",
        type="aws_iam_policy",
        name="p",
        index=None,
        provider_name="registry.terraform.io/hashicorp/aws",
        action=Action.UPDATE,
        actions=("update",),
        before=before,
        after=after,
        after_unknown=after_unknown,
    )


def test_only_changed_leaves_are_listed_with_their_paths() -> None:
    before = {"name": "p", "tags": {"team": "a", "env": "dev"}, "rules": [{"port": 80}, {"port": 443}]}
    after = {"name": "p", "tags": {"team": "b", "env": "dev"}, "rules": [{"port": 80}, {"port": 8443}]}
    assert attribute_changes(update(before, after)) == [
        AttributeChange("rules[1].port", "443", "8443"),
        AttributeChange("tags.team", '"a"', '"b"'),
    ]


def test_added_removed_and_unknown_attributes() -> None:
    before = {"gone": "x", "kept": 1, "arn": "arn:aws:iam::1:policy/p"}
    after = {"new": True, "kept": 1, "arn": None}
    changes = attribute_changes(update(before, after, {"arn": True}))
    assert changes == [
        AttributeChange("arn", '"arn:aws:iam::1:policy/p"', UNKNOWN),
        AttributeChange("gone", '"x"', None),
        AttributeChange("new", None, "true"),
    ]


def test_a_policy_document_changes_by_statement_member_not_as_one_string() -> None:
    doc = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": ["s3:GetObject"], "Resource": "*"}],
    }
    wider = json.loads(json.dumps(doc))
    wider["Statement"][0]["Action"] = ["s3:PutObject", "s3:GetObject"]
    changes = attribute_changes(update({"policy": json.dumps(doc)}, {"policy": json.dumps(wider)}))
    assert changes == [AttributeChange("policy ▸ Statement[0].Action[]", None, '"s3:PutObject"')]
    reformatted = attribute_changes(
        update({"policy": json.dumps(doc)}, {"policy": json.dumps(doc, indent=2)})
    )
    assert reformatted == [AttributeChange("policy", None, SAME_DOCUMENT)]


def _everything_flattened(rc: ResourceChange, max_chars: int = 300) -> list[AttributeChange]:
    """The straightforward definition: flatten both sides completely, then compare path by path."""
    before, after = _flatten(rc.before, ""), _flatten(rc.after, "")
    for path in _unknown_paths(rc.after_unknown, ""):
        after[path] = _Unknown()
    changes = []
    for path in sorted(set(before) | set(after)):
        b, a = before.get(path, _ABSENT), after.get(path, _ABSENT)
        if b != a:
            changes.extend(_leaf_changes(path, b, a, max_chars))
    return changes


_scalars = st.none() | st.booleans() | st.integers(-3, 3) | st.sampled_from(["a", "b", ""])
_values = st.recursive(
    _scalars,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.sampled_from(["x", "y", "z"]), inner, max_size=3)
    ),
    max_leaves=12,
)
_unknowns = st.recursive(
    st.booleans(),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.sampled_from(["x", "y", "z"]), inner, max_size=3)
    ),
    max_leaves=6,
)


@settings(max_examples=400, deadline=None)
@given(before=_values, after=_values, unknown=_unknowns)
def test_skipping_equal_subtrees_never_changes_the_diff(before: Any, after: Any, unknown: Any) -> None:
    rc = update({"v": before, "w": 1}, {"v": after, "w": 1}, {"v": unknown})
    assert attribute_changes(rc) == _everything_flattened(rc)
