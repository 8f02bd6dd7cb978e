"""Reading attribute values whose shape the plan does not fix: JSON documents held in strings.

An IAM policy, a container definition or an SSM value is a string to Terraform; tfoidc reads the
document inside to compare and judge it. The string is written by whoever opens the merge request,
so reading it is bounded: orjson (no recursion in Python, at most 1,024 levels), and a document
deeper than `MAX_DOCUMENT_DEPTH` is treated as the plain string it also is.
"""

from __future__ import annotations

from typing import Any

import orjson

# Deeper than any real policy or definition (a few levels), shallow enough for every recursive walk
# of a document in tfoidc to stay far from Python's recursion limit.
MAX_DOCUMENT_DEPTH = 64


def json_document(value: Any) -> dict[str, Any] | list[Any] | None:
    """The JSON object or array the string `value` holds, or None: not a string, not JSON, a
    scalar, or nested deeper than MAX_DOCUMENT_DEPTH."""
    if not isinstance(value, str) or not value.lstrip().startswith(("{", "[")):
        return None
    try:
        parsed = orjson.loads(value)
    except orjson.JSONDecodeError:
        return None
    if not isinstance(parsed, dict | list) or deeper_than(parsed, MAX_DOCUMENT_DEPTH):
        return None
    return parsed


def deeper_than(value: Any, limit: int) -> bool:
    """Whether `value` nests objects/arrays more than `limit` levels (iterative: any depth)."""
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        node, depth = stack.pop()
        if type(node) is dict:
            children: Any = node.values()
        elif type(node) is list:
            children = node
        else:
            continue
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in children if type(child) is dict or type(child) is list)
    return False
