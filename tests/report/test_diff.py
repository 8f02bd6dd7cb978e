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
    TOO_DEEP,
    UNKNOWN,
    AttributeChange,
    _flatten,
    _leaf_changes,
    _Set,
    _set_changes,
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
    before, after = _flatten(rc.before, "", 0), _flatten(rc.after, "", 0)
    for path in _unknown_paths(rc.after_unknown, "", 0):
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


class _Counted(str):
    """A JSON string member that counts how often it is compared."""

    comparisons = 0

    def __eq__(self, other: object) -> bool:
        _Counted.comparisons += 1
        return str.__eq__(self, other)

    def __hash__(self) -> int:
        return str.__hash__(self)


def test_set_members_are_compared_in_linear_work() -> None:
    """A list of n scalars in a policy (Action, Resource) is compared as a set: the work grows with
    n, not n * n (a 60,000-item list took 43 s in the markdown note when each member was looked
    up in the other list)."""
    n = 3_000
    before = _Set(_Counted(f"arn:aws:s3:::b{i}") for i in range(n))
    after = _Set(_Counted(f"arn:aws:s3:::a{i}") for i in range(n))
    _Counted.comparisons = 0
    changes = _set_changes("policy ▸ Resource", before, after, 300)
    assert len(changes) == 2 * n
    assert _Counted.comparisons <= 2 * n  # hashing; a pairwise scan makes n * n = 9,000,000


def test_a_large_list_in_a_string_attribute_gives_every_member_once() -> None:
    n = 20_000
    before = [f"arn:aws:s3:::bucket-{i}/*" for i in range(n)]
    after = before[: n // 2] + [f"arn:aws:s3:::other-{i}/*" for i in range(n // 2)]
    changes = attribute_changes(update({"value": json.dumps(before)}, {"value": json.dumps(after)}))
    assert len(changes) == n
    assert sum(c.before is not None for c in changes) == sum(c.after is not None for c in changes) == n // 2
    assert {c.path for c in changes} == {"value ▸ (document)[]"}


def test_a_json_document_nested_deeper_than_any_real_one_is_compared_as_a_string() -> None:
    deep = "[" * 50_000 + "]" * 50_000
    changes = attribute_changes(update({"policy": deep}, {"policy": deep + " "}))
    assert len(changes) == 1 and changes[0].path == "policy"
    assert changes[0].before is not None and "chars)" in changes[0].before  # shown shortened


def test_plan_values_nested_to_the_parser_limit_give_a_diff_not_an_error() -> None:
    deep: Any = "leaf"
    for _ in range(1_020):
        deep = {"k": [deep]}
    changes = attribute_changes(update({"v": deep}, {"v": {}}))
    assert changes and all(c.before or c.after for c in changes)
    shallow_enough: Any = "leaf"
    for _ in range(40):
        shallow_enough = {"k": shallow_enough}
    added, gone = attribute_changes(update({"v": shallow_enough}, {"v": 1}))  # sorted by path
    assert added == AttributeChange("v", None, "1")
    assert gone.after is None and gone.before is not None
    in_path, rest = gone.path.count(".k"), json.loads(gone.before)
    levels = 0
    while isinstance(rest, dict):
        rest, levels = rest["k"], levels + 1
    assert in_path < 40 and in_path + levels == 40 and rest == "leaf"  # paths stop, the value is whole
    assert TOO_DEEP  # the text shown when even equality would recurse too far
