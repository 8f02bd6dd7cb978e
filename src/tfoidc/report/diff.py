"""Attribute diffs of an update, as a reviewer reads them (pure).

Values arrive already redacted by the plan parser; this module only compares and shortens them.
JSON documents held in string attributes (IAM policies, container definitions) are parsed and
compared leaf by leaf, so a one-word change in a policy shows as one line instead of two huge ones.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import orjson

from tfoidc.plan.model import ResourceChange
from tfoidc.plan.values import MAX_DOCUMENT_DEPTH, deeper_than, json_document

UNKNOWN = "(known after apply)"
SAME_DOCUMENT = "(same JSON document, only its formatting changes)"
_ABSENT = object()


@dataclass(frozen=True, slots=True)
class AttributeChange:
    path: str
    before: str | None  # rendered value, None when the attribute did not exist
    after: str | None  # rendered value, None when the attribute goes away


# Below this many levels of nesting a value is shown whole (cut to max_chars) rather than leaf by
# leaf: deeper paths are unreadable, and every walk here stays far from the recursion limit.
MAX_PATH_DEPTH = 32
TOO_DEEP = "(values nested too deeply to compare)"


def attribute_changes(rc: ResourceChange, *, max_chars: int = 300) -> list[AttributeChange]:
    """Every leaf attribute whose value differs between `before` and `after`, sorted by path.

    Work is linear in the size of the values (sets are compared by hashing, never pairwise), so a
    60,000-item list held in a string attribute costs what reading it costs."""
    try:
        return _attribute_changes(rc, max_chars)
    except RecursionError:  # a plan value ~1,000 levels deep: equality itself recurses that far
        return [AttributeChange("(attributes)", None, TOO_DEEP)]


def _attribute_changes(rc: ResourceChange, max_chars: int) -> list[AttributeChange]:
    before: dict[str, Any] = {}
    after: dict[str, Any] = {}
    _flatten_differing(rc.before, rc.after, rc.after_unknown, "", before, after, 0)
    for path in _unknown_paths(rc.after_unknown, "", 0):
        after[path] = _Unknown()
    changes = []
    for path in sorted(set(before) | set(after)):
        b, a = before.get(path, _ABSENT), after.get(path, _ABSENT)
        if b == a:
            continue
        changes.extend(_leaf_changes(path, b, a, max_chars))
    return changes


class _Unknown:
    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Unknown)

    def __hash__(self) -> int:
        return 0


def _leaf_changes(path: str, before: Any, after: Any, max_chars: int) -> list[AttributeChange]:
    b_doc, a_doc = json_document(before), json_document(after)
    if b_doc is None or a_doc is None:
        return [AttributeChange(path, _render(before, max_chars), _render(after, max_chars))]
    b_flat = _flatten(_canonical(b_doc), "", 0)
    a_flat = _flatten(_canonical(a_doc), "", 0)
    inner: list[AttributeChange] = []
    for sub in sorted(set(b_flat) | set(a_flat)):
        bv, av = b_flat.get(sub, _ABSENT), a_flat.get(sub, _ABSENT)
        if bv == av:
            continue
        where = f"{path} ▸ {sub or '(document)'}"
        if isinstance(bv, _Set) or isinstance(av, _Set):
            inner.extend(_set_changes(where, bv, av, max_chars))
        else:
            inner.append(AttributeChange(where, _render(bv, max_chars), _render(av, max_chars)))
    if not inner:
        return [AttributeChange(path, None, SAME_DOCUMENT)]
    return inner


class _Set(tuple[Any, ...]):
    """A list of scalars in a JSON document, compared as a set (IAM Action, Resource, Principal)."""


def _set_changes(where: str, before: Any, after: Any, max_chars: int) -> list[AttributeChange]:
    def members(value: Any) -> list[Any]:
        if value is _ABSENT:
            return []
        return list(value) if isinstance(value, _Set) else [value]

    b, a = members(before), members(after)
    # Members are JSON scalars, so hashable; set membership keeps this linear (a list's `in` made a
    # 60,000-item list take minutes).
    b_set, a_set = set(b), set(a)
    return [
        *(AttributeChange(f"{where}[]", _render(v, max_chars), None) for v in b if v not in a_set),
        *(AttributeChange(f"{where}[]", None, _render(v, max_chars)) for v in a if v not in b_set),
    ]


def _canonical(doc: Any) -> Any:
    """Order-insensitive form: in policy documents a list of scalars is a set (Action, Resource...)
    and a single string where a list may stand ("Action": "s3:GetObject") is a set of one."""
    if isinstance(doc, dict):
        return {k: _set_of_one(k, _canonical(v)) for k, v in doc.items()}
    if isinstance(doc, list):
        items = [_canonical(v) for v in doc]
        if all(not isinstance(v, dict | list) for v in items):
            return _Set(sorted(items, key=_scalar_order))
        return items
    return doc


def _scalar_order(value: Any) -> tuple[int, Any]:
    """A total order of JSON scalars: null, booleans, numbers, strings."""
    if value is None:
        return (0, 0)
    if isinstance(value, bool):
        return (1, value)
    if isinstance(value, int | float):
        return (2, value)
    return (3, str(value))


_SET_KEYS = frozenset({"Action", "NotAction", "Resource", "NotResource", "AWS", "Service", "Federated"})


def _set_of_one(key: str, value: Any) -> Any:
    return _Set((value,)) if key in _SET_KEYS and isinstance(value, str) else value


def _flatten(value: Any, prefix: str, depth: int) -> dict[str, Any]:
    """Leaf path -> value; below MAX_PATH_DEPTH a whole subtree is one leaf."""
    out: dict[str, Any] = {}
    _flatten_into(value, prefix, depth, out)
    return out


def _flatten_into(value: Any, prefix: str, depth: int, out: dict[str, Any]) -> None:
    if depth < MAX_PATH_DEPTH and isinstance(value, dict) and value:
        for key, sub in value.items():
            _flatten_into(sub, f"{prefix}.{key}" if prefix else str(key), depth + 1, out)
    elif depth < MAX_PATH_DEPTH and isinstance(value, list) and value and not isinstance(value, _Set):
        for i, sub in enumerate(value):
            _flatten_into(sub, f"{prefix}[{i}]", depth + 1, out)
    elif value is not None or not prefix:
        out[prefix] = value


def _flatten_differing(
    before: Any,
    after: Any,
    unknown: Any,
    prefix: str,
    before_out: dict[str, Any],
    after_out: dict[str, Any],
    depth: int,
) -> None:
    """`_flatten` of both sides into the two dicts, leaving out subtrees that are equal on both
    sides and hold no unknown value: every leaf in them would compare equal. An update usually
    touches a few attributes of a large object, and this skips the rest."""
    if before == after and not _any_unknown(unknown):
        return
    if depth < MAX_PATH_DEPTH and type(before) is dict and type(after) is dict and before and after:
        for key in before.keys() | after.keys():
            path = f"{prefix}.{key}" if prefix else str(key)
            sub_unknown = unknown.get(key) if type(unknown) is dict else None
            if key in before and key in after:
                _flatten_differing(
                    before[key], after[key], sub_unknown, path, before_out, after_out, depth + 1
                )
            elif key in before:
                _flatten_into(before[key], path, depth + 1, before_out)
            else:
                _flatten_into(after[key], path, depth + 1, after_out)
        return
    if depth < MAX_PATH_DEPTH and type(before) is list and type(after) is list and before and after:
        for i in range(max(len(before), len(after))):
            path = f"{prefix}[{i}]"
            sub_unknown = unknown[i] if type(unknown) is list and i < len(unknown) else None
            if i < len(before) and i < len(after):
                _flatten_differing(before[i], after[i], sub_unknown, path, before_out, after_out, depth + 1)
            elif i < len(before):
                _flatten_into(before[i], path, depth + 1, before_out)
            else:
                _flatten_into(after[i], path, depth + 1, after_out)
        return
    _flatten_into(before, prefix, depth, before_out)
    _flatten_into(after, prefix, depth, after_out)


def _any_unknown(unknown: Any) -> bool:
    """Whether `after_unknown` marks anything unknown in this subtree (iterative: any depth)."""
    stack = [unknown]
    while stack:
        node = stack.pop()
        if node is True:
            return True
        if type(node) is dict:
            stack.extend(node.values())
        elif type(node) is list:
            stack.extend(node)
    return False


def _unknown_paths(unknown: Any, prefix: str, depth: int) -> list[str]:
    if unknown is True or (depth >= MAX_PATH_DEPTH and _any_unknown(unknown)):
        return [prefix]
    if isinstance(unknown, dict):
        return [
            p
            for k, v in unknown.items()
            for p in _unknown_paths(v, f"{prefix}.{k}" if prefix else k, depth + 1)
        ]
    if isinstance(unknown, list):
        return [p for i, v in enumerate(unknown) for p in _unknown_paths(v, f"{prefix}[{i}]", depth + 1)]
    return []


def _render(value: Any, max_chars: int) -> str | None:
    if value is _ABSENT:
        return None
    if isinstance(value, _Unknown):
        return UNKNOWN
    if type(value) is str:  # most leaves: orjson writes a string as json.dumps does, 10x faster
        return shorten_middle(orjson.dumps(value).decode(), max_chars)
    if deeper_than(value, MAX_DOCUMENT_DEPTH):
        return TOO_DEEP
    text = json.dumps(value, ensure_ascii=False, sort_keys=True)
    return shorten_middle(text, max_chars)


def shorten_middle(text: str, max_chars: int) -> str:
    if len(text) <= max_chars:
        return text
    keep = max(max_chars - 20, 2)
    head, tail = text[: keep // 2], text[len(text) - keep // 2 :]
    return f"{head} …({len(text) - 2 * (keep // 2)} chars)… {tail}"


def replace_reasons(rc: ResourceChange) -> list[str]:
    """The attributes that force a replacement, as paths ("ami", "ebs_block_device[0].size")."""
    paths = []
    for steps in rc.replace_paths:
        path = ""
        for step in steps:
            path += f"[{step}]" if isinstance(step, int) else (f".{step}" if path else str(step))
        paths.append(path)
    return paths
