"""Path globs for stack settings: `*` and `?` within one folder name, `**` across any number of folders
(including none), `[abc]` character classes. A pattern matches a stack's whole name.

Specificity decides which setting wins when several patterns match one stack: more folder names
written out literally wins, then more literal characters; an exact name beats every glob.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property

_WILDCARD = re.compile(r"[*?\[]")


@dataclass(frozen=True)
class PathGlob:
    pattern: str

    @cached_property
    def regex(self) -> re.Pattern[str]:
        return re.compile(_translate(self.pattern))

    def matches(self, path: str) -> bool:
        return self.regex.fullmatch(path) is not None

    @property
    def is_literal(self) -> bool:
        return _WILDCARD.search(self.pattern) is None

    @cached_property
    def specificity(self) -> tuple[int, int, int]:
        segments = self.pattern.split("/")
        literal_segments = sum(1 for s in segments if _WILDCARD.search(s) is None)
        literal_chars = len(_WILDCARD.sub("", self.pattern.replace("**", "")))
        return (1 if self.is_literal else 0, literal_segments, literal_chars)


def glob_problem(pattern: str) -> str | None:
    """Why `pattern` is not a usable stack glob, or None."""
    if not pattern or pattern != pattern.strip():
        return "a pattern must not be empty or start or end with spaces"
    if pattern.startswith("/") or pattern.endswith("/"):
        return "a pattern is relative to the repository root, without a leading or trailing '/'"
    if any(part in ("", ".", "..") for part in pattern.split("/")) and pattern != ".":
        return "a pattern must not contain empty, '.' or '..' folder names"
    if any("**" in part and part != "**" for part in pattern.split("/")):
        return "'**' must be a whole folder name (e.g. live/**/app)"
    try:
        re.compile(_translate(pattern))
    except re.error as exc:
        return f"not a valid pattern ({exc})"
    return None


def _translate(pattern: str) -> str:
    if pattern == ".":
        return r"\."
    parts = pattern.split("/")
    out = ""
    for i, part in enumerate(parts):
        last = i == len(parts) - 1
        if part == "**":
            out += ".*" if last else "(?:[^/]+/)*"
            continue
        out += _segment(part) + ("" if last else "/")
    if pattern.endswith("/**"):
        # `live/**` matches `live` itself as well as everything below it.
        out = out[: -len("/.*")] + "(?:/.*)?"
    return out


def _segment(part: str) -> str:
    out = ""
    i = 0
    while i < len(part):
        ch = part[i]
        if ch == "*":
            out += "[^/]*"
        elif ch == "?":
            out += "[^/]"
        elif ch == "[":
            end = part.find("]", i + 2 if part[i + 1 : i + 2] in ("!", "]") else i + 1)
            if end == -1:
                out += re.escape(ch)
            else:
                body = part[i + 1 : end]
                if body.startswith("!"):
                    body = "^" + body[1:]
                out += "[" + body.replace("\\", "\\\\") + "]"
                i = end
        else:
            out += re.escape(ch)
        i += 1
    return out
