"""IAM policy documents normalised into one typed shape, and IAM's wildcard matching.

IAM accepts a single value or a list almost everywhere ("Action": "s3:GetObject" or [...]), a lone
statement object instead of a list, and "Principal": "*". Every consumer (the trust evaluator, the
guardrails) wants one shape, so this module parses once into tuples and rejects what IAM would reject
as malformed. Pure: no I/O.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any
from urllib.parse import unquote

from tfoidc.errors import InputError

SET_QUALIFIERS = ("ForAnyValue", "ForAllValues")

# Canonical spelling of every condition operator IAM documents, keyed by lower case.
KNOWN_OPERATORS: dict[str, str] = {
    name.lower(): name
    for name in (
        "StringEquals",
        "StringNotEquals",
        "StringEqualsIgnoreCase",
        "StringNotEqualsIgnoreCase",
        "StringLike",
        "StringNotLike",
        "NumericEquals",
        "NumericNotEquals",
        "NumericLessThan",
        "NumericLessThanEquals",
        "NumericGreaterThan",
        "NumericGreaterThanEquals",
        "DateEquals",
        "DateNotEquals",
        "DateLessThan",
        "DateLessThanEquals",
        "DateGreaterThan",
        "DateGreaterThanEquals",
        "Bool",
        "BinaryEquals",
        "IpAddress",
        "NotIpAddress",
        "ArnEquals",
        "ArnNotEquals",
        "ArnLike",
        "ArnNotLike",
        "Null",
    )
}

_STATEMENT_ELEMENTS = frozenset(
    {
        "Sid",
        "Effect",
        "Principal",
        "NotPrincipal",
        "Action",
        "NotAction",
        "Resource",
        "NotResource",
        "Condition",
    }
)
_DOCUMENT_ELEMENTS = frozenset({"Version", "Id", "Statement"})
_OPERATOR_SYNTAX = re.compile(
    r"(?:(?P<qualifier>ForAnyValue|ForAllValues):)?(?P<base>[A-Za-z]+?)(?P<ifexists>IfExists)?", re.IGNORECASE
)


@dataclass(frozen=True)
class Condition:
    """One key of one condition operator: `{"ForAnyValue:StringLikeIfExists": {key: values}}`."""

    operator: str  # the base operator, canonical spelling when known: "StringLike"
    set_qualifier: str | None  # None | "ForAnyValue" | "ForAllValues"
    if_exists: bool
    key: str  # as written; IAM compares condition keys case-insensitively
    values: tuple[str, ...]  # JSON booleans and numbers rendered as IAM reads them ("true", "3")

    @property
    def full_operator(self) -> str:
        """The operator as it would be written in a policy."""
        prefix = f"{self.set_qualifier}:" if self.set_qualifier else ""
        return f"{prefix}{self.operator}{'IfExists' if self.if_exists else ''}"


@dataclass(frozen=True)
class Statement:
    sid: str | None
    effect: str  # "Allow" | "Deny"
    principals: dict[str, tuple[str, ...]]  # {"Federated": (...), "AWS": (...), "*": ("*",)}
    not_principals: dict[str, tuple[str, ...]]
    actions: tuple[str, ...]
    not_actions: tuple[str, ...]
    resources: tuple[str, ...]
    not_resources: tuple[str, ...]
    conditions: tuple[Condition, ...]

    @property
    def has_principal_element(self) -> bool:
        return bool(self.principals or self.not_principals)


@dataclass(frozen=True)
class PolicyDocument:
    version: str | None
    statements: tuple[Statement, ...]
    # JSON object keys written twice (e.g. two "StringLike" blocks); the last one is kept, the first is lost
    duplicate_keys: tuple[str, ...] = ()


def parse_policy_document(doc: str | Mapping[str, Any]) -> PolicyDocument:
    """Parse a policy given as JSON text or an already-decoded mapping; InputError when malformed."""
    duplicates: list[str] = []
    data = _decode(doc, duplicates) if isinstance(doc, str) else doc
    if not isinstance(data, Mapping):
        raise InputError(f"policy document must be a JSON object, got {_json_type(data)}")
    unknown = sorted(str(k) for k in data if k not in _DOCUMENT_ELEMENTS)
    if unknown:
        raise InputError(f"policy document has unknown element(s): {', '.join(unknown)}")
    version = data.get("Version")
    if version is not None and not isinstance(version, str):
        raise InputError(f"policy Version must be a string, got {_json_type(version)}")
    if "Statement" not in data:
        raise InputError("policy document has no Statement")
    raw_statements = data["Statement"]
    if isinstance(raw_statements, Mapping):
        raw_statements = [raw_statements]
    if not isinstance(raw_statements, list):
        raise InputError(f"policy Statement must be an object or a list, got {_json_type(raw_statements)}")
    statements = tuple(_parse_statement(raw, index) for index, raw in enumerate(raw_statements))
    return PolicyDocument(version=version, statements=statements, duplicate_keys=tuple(duplicates))


def wildcard_match(pattern: str, value: str, *, case_sensitive: bool = True) -> bool:
    """IAM wildcard matching: `*` matches any run of characters (also none), `?` exactly one."""
    if not case_sensitive:
        pattern, value = pattern.casefold(), value.casefold()
    return glob_match(glob_tokens(((pattern, False),)), value)


def action_matches(pattern: str, action: str) -> bool:
    """Whether an Action/NotAction entry covers `action`; IAM action names are case-insensitive."""
    return wildcard_match(pattern, action, case_sensitive=False)


def has_wildcard(text: str) -> bool:
    return "*" in text or "?" in text


STAR = object()  # a `*` of a pattern: any run of characters
ONE = object()  # a `?`: exactly one character
GlobToken = object | str


@lru_cache(maxsize=8192)
def glob_tokens(segments: tuple[tuple[str, bool], ...]) -> tuple[GlobToken, ...]:
    """A pattern as characters, STAR and ONE; text of literal segments (substituted policy variables,
    `${*}`) never acts as a wildcard."""
    tokens: list[GlobToken] = []
    for text, literal in segments:
        for ch in text:
            if not literal and ch == "*":
                if not tokens or tokens[-1] is not STAR:
                    tokens.append(STAR)
            elif not literal and ch == "?":
                tokens.append(ONE)
            else:
                tokens.append(ch)
    return tuple(tokens)


def glob_match(tokens: Sequence[GlobToken], value: str) -> bool:
    """Whether `value` matches the whole pattern. Greedy with one backtrack point (the last star): at
    most len(tokens) * len(value) steps, whatever the pattern, unlike a backtracking regex, since
    patterns come from policies anyone who opens a merge request may write."""
    p = v = 0
    star = -1
    resume = 0
    while v < len(value):
        token = tokens[p] if p < len(tokens) else None
        if token is not None and token is not STAR and (token is ONE or token == value[v]):
            p += 1
            v += 1
        elif token is STAR:
            star, resume = p, v
            p += 1
        elif star >= 0:
            p, resume = star + 1, resume + 1
            v = resume
        else:
            return False
    while p < len(tokens) and tokens[p] is STAR:
        p += 1
    return p == len(tokens)


def _decode(text: str, duplicates: list[str]) -> Any:
    text = text.strip()
    if not text:
        raise InputError("policy document is empty")
    if text[:3].upper() == "%7B":
        text = unquote(text)  # the raw IAM API returns policy documents URL-encoded

    def keep_last(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        seen: dict[str, Any] = {}
        for key, value in pairs:
            if key in seen:
                duplicates.append(key)
            seen[key] = value
        return seen

    try:
        return json.loads(text, object_pairs_hook=keep_last)
    except json.JSONDecodeError as exc:
        raise InputError(
            f"policy document is not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}"
        ) from None


def _parse_statement(raw: Any, index: int) -> Statement:
    where = f"statement {index}"
    if not isinstance(raw, Mapping):
        raise InputError(f"{where} must be an object, got {_json_type(raw)}")
    unknown = sorted(str(k) for k in raw if k not in _STATEMENT_ELEMENTS)
    if unknown:
        raise InputError(f"{where} has unknown element(s): {', '.join(unknown)}")
    sid = raw.get("Sid")
    if sid is not None and not isinstance(sid, str):
        raise InputError(f"{where}: Sid must be a string, got {_json_type(sid)}")
    if sid:
        where = f"statement {index} ({sid})"
    effect = raw.get("Effect")
    if effect not in ("Allow", "Deny"):
        raise InputError(f'{where}: Effect must be "Allow" or "Deny", got {json.dumps(effect)}')
    _at_most_one(raw, "Principal", "NotPrincipal", where)
    _at_most_one(raw, "Action", "NotAction", where)
    _at_most_one(raw, "Resource", "NotResource", where)
    if "Action" not in raw and "NotAction" not in raw:
        raise InputError(f"{where} has neither Action nor NotAction")
    return Statement(
        sid=sid or None,
        effect=effect,
        principals=_principals(raw, "Principal", where),
        not_principals=_principals(raw, "NotPrincipal", where),
        actions=_string_list(raw, "Action", where),
        not_actions=_string_list(raw, "NotAction", where),
        resources=_string_list(raw, "Resource", where),
        not_resources=_string_list(raw, "NotResource", where),
        conditions=_conditions(raw.get("Condition"), where),
    )


def _at_most_one(raw: Mapping[str, Any], first: str, second: str, where: str) -> None:
    if first in raw and second in raw:
        raise InputError(f"{where} has both {first} and {second}")


def _string_list(raw: Mapping[str, Any], element: str, where: str) -> tuple[str, ...]:
    if element not in raw:
        return ()
    value = raw[element]
    items = value if isinstance(value, list) else [value]
    if not items or not all(isinstance(item, str) and item for item in items):
        raise InputError(f"{where}: {element} must be a non-empty string or a list of them")
    return tuple(items)


def _principals(raw: Mapping[str, Any], element: str, where: str) -> dict[str, tuple[str, ...]]:
    if element not in raw:
        return {}
    value = raw[element]
    if value == "*":
        return {"*": ("*",)}
    if not isinstance(value, Mapping) or not value:
        raise InputError(f'{where}: {element} must be "*" or an object like {{"Federated": "arn:..."}}')
    principals: dict[str, tuple[str, ...]] = {}
    for kind in value:
        principals[str(kind)] = _string_list(value, kind, f"{where}: {element}")
    return principals


def _conditions(raw: Any, where: str) -> tuple[Condition, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, Mapping):
        raise InputError(f"{where}: Condition must be an object, got {_json_type(raw)}")
    conditions: list[Condition] = []
    for operator_text, block in raw.items():
        operator, qualifier, if_exists = _parse_operator(str(operator_text), where)
        if not isinstance(block, Mapping) or not block:
            raise InputError(f"{where}: Condition {operator_text} must map condition keys to values")
        for key, values in block.items():
            conditions.append(
                Condition(
                    operator=operator,
                    set_qualifier=qualifier,
                    if_exists=if_exists,
                    key=str(key),
                    values=_condition_values(values, f"{where}: Condition {operator_text} {key}"),
                )
            )
    return tuple(conditions)


def _parse_operator(text: str, where: str) -> tuple[str, str | None, bool]:
    match = _OPERATOR_SYNTAX.fullmatch(text)
    if match is None:
        raise InputError(f"{where}: {text!r} is not a condition operator")
    qualifier = match["qualifier"]
    canonical_qualifier = next(
        (q for q in SET_QUALIFIERS if qualifier and q.lower() == qualifier.lower()), None
    )
    base = match["base"]
    return KNOWN_OPERATORS.get(base.lower(), base), canonical_qualifier, match["ifexists"] is not None


def _condition_values(raw: Any, where: str) -> tuple[str, ...]:
    items = raw if isinstance(raw, list) else [raw]
    return tuple(_condition_value(item, where) for item in items)


def _condition_value(item: Any, where: str) -> str:
    if isinstance(item, bool):
        return "true" if item else "false"
    if isinstance(item, str):
        return item
    if isinstance(item, int | float):
        return json.dumps(item)
    raise InputError(
        f"{where}: condition values must be strings, numbers or booleans, got {_json_type(item)}"
    )


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, Mapping):
        return "an object"
    return type(value).__name__
