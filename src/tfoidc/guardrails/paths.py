"""Attribute paths as custom rules write them: `tags.Owner`, `tags["a.b"]`, `ingress[*].cidr_blocks`."""

from __future__ import annotations

import re

_TOKEN = re.compile(r'\.?([A-Za-z0-9_-]+)|\[(\*|\d+|"(?:[^"\\]|\\.)*")\]')

Step = str | int | None  # None: every element of a list


def parse_path(path: str) -> tuple[Step, ...]:
    """Split a path into keys, list indexes and `[*]` (None); ValueError naming the bad part."""
    steps: list[Step] = []
    position = 0
    while position < len(path):
        match = _TOKEN.match(path, position)
        if match is None or (position == 0 and path.startswith(".")):
            raise ValueError(f"cannot read attribute path {path!r} at {path[position:]!r}")
        name, index = match.groups()
        if name is not None:
            steps.append(name)
        elif index == "*":
            steps.append(None)
        elif index.startswith('"'):
            steps.append(index[1:-1].replace('\\"', '"'))
        else:
            steps.append(int(index))
        position = match.end()
    return tuple(steps)
