"""IAM condition operators, evaluated against a request context exactly as IAM documents them.

Semantics (sources: docs/security.md and tests/iam/trust_cases.py):
- condition keys are case-insensitive; String values are case-sensitive unless the operator says IgnoreCase;
- several values for one key are ORed (NOR for a negated operator), several keys and operators are ANDed;
- a key missing from the request context makes the condition false, except for negated operators
  (StringNotEquals, StringNotLike, ...) where it is true, `...IfExists` where it is true, `Null` which tests
  exactly that, `ForAllValues:` (true: vacuously every value matched) and `ForAnyValue:` (false);
- policy variables `${key}` / `${key, 'default'}` and the escapes `${*}`, `${?}`, `${$}` are resolved in
  String and Arn operators when the policy Version is 2012-10-17, and are plain text otherwise.
Pure: no I/O.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

from tfoidc.iam.document import Condition, GlobToken, glob_match, glob_tokens

Context = Mapping[str, tuple[str, ...]]
Segments = tuple[tuple[str, bool], ...]  # (text, literal): literal text never acts as a wildcard

VARIABLES_VERSION = "2012-10-17"


@dataclass(frozen=True)
class ConditionResult:
    operator: str  # as written in the policy: "ForAnyValue:StringLikeIfExists"
    key: str
    expected: tuple[str, ...]
    actual: tuple[str, ...] | None  # None: the key is not in the request context
    matched: bool
    explanation: str


# Negated operators are evaluated as "not (their positive counterpart)", per value set (NOR).
NEGATED_TO_POSITIVE: dict[str, str] = {
    "StringNotEquals": "StringEquals",
    "StringNotEqualsIgnoreCase": "StringEqualsIgnoreCase",
    "StringNotLike": "StringLike",
    "NumericNotEquals": "NumericEquals",
    "DateNotEquals": "DateEquals",
    "NotIpAddress": "IpAddress",
    "ArnNotEquals": "ArnEquals",
    "ArnNotLike": "ArnLike",
}
_VARIABLE_OPERATORS = frozenset(
    {"StringEquals", "StringEqualsIgnoreCase", "StringLike", "ArnEquals", "ArnLike"}
)
_VARIABLE = re.compile(r"\$\{([^}]*)\}")
_DEFAULTED_VARIABLE = re.compile(r"\s*([^,\s]+)\s*,\s*'([^']*)'\s*")


def is_negated(operator: str) -> bool:
    return operator in NEGATED_TO_POSITIVE


def lowercase_keys(context: Context) -> dict[str, tuple[str, ...]]:
    return {key.lower(): values for key, values in context.items()}


def evaluate_condition(condition: Condition, context: Context, *, version: str | None) -> ConditionResult:
    """Evaluate one condition key; `context` must have lower-case keys (see `lowercase_keys`)."""
    actual = context.get(condition.key.lower()) or None
    if condition.operator == "Null":
        return _evaluate_null(condition, actual)
    positive = NEGATED_TO_POSITIVE.get(condition.operator, condition.operator)
    compare = _COMPARATORS.get(positive)
    if compare is None:
        return _result(
            condition,
            actual,
            False,
            f"{condition.full_operator} is not a condition operator tfoidc knows; treated as not matching",
        )
    if actual is None:
        return _evaluate_absent(condition)
    variables = version == VARIABLES_VERSION and positive in _VARIABLE_OPERATORS
    patterns = [_resolve(value, context, variables) for value in condition.values]
    negated = is_negated(condition.operator)

    def value_satisfies(ctx_value: str) -> bool:
        hit = any(pattern is not None and compare(pattern, ctx_value) for pattern in patterns)
        return not hit if negated else hit

    if condition.set_qualifier == "ForAllValues":
        matched = all(value_satisfies(v) for v in actual)
    elif condition.set_qualifier == "ForAnyValue":
        matched = any(value_satisfies(v) for v in actual)
    else:
        # Unqualified on a multivalued key: IAM matches when any request value matches (NOR when negated).
        hit = any(pattern is not None and compare(pattern, v) for pattern in patterns for v in actual)
        matched = not hit if negated else hit
    return _result(condition, actual, matched, _explain(condition, actual, matched, patterns))


def _evaluate_null(condition: Condition, actual: tuple[str, ...] | None) -> ConditionResult:
    wanted = {value.lower() for value in condition.values}
    if not wanted <= {"true", "false"}:
        return _result(
            condition, actual, False, f'Null takes "true" or "false", got {list(condition.values)}'
        )
    absent = actual is None
    matched = ("true" in wanted and absent) or ("false" in wanted and not absent)
    state = "absent" if absent else "present"
    return _result(condition, actual, matched, f"{condition.key} is {state}; Null {list(condition.values)}")


def _evaluate_absent(condition: Condition) -> ConditionResult:
    key = condition.key
    if condition.if_exists:
        return _result(
            condition, None, True, f"{key} is not in the request context; IfExists makes this true"
        )
    if condition.set_qualifier == "ForAllValues":
        return _result(
            condition, None, True, f"{key} is not in the request context; ForAllValues is true for no values"
        )
    if condition.set_qualifier == "ForAnyValue":
        return _result(
            condition, None, False, f"{key} is not in the request context; ForAnyValue is false for no values"
        )
    if is_negated(condition.operator):
        return _result(
            condition,
            None,
            True,
            f"{key} is not in the request context; a negated operator ({condition.operator}) is then true",
        )
    return _result(condition, None, False, f"{key} is not in the request context, so it cannot match")


def _result(condition: Condition, actual: tuple[str, ...] | None, matched: bool, why: str) -> ConditionResult:
    return ConditionResult(
        operator=condition.full_operator,
        key=condition.key,
        expected=condition.values,
        actual=actual,
        matched=matched,
        explanation=why,
    )


def _explain(
    condition: Condition, actual: tuple[str, ...], matched: bool, patterns: list[Segments | None]
) -> str:
    shown = actual[0] if len(actual) == 1 else list(actual)
    verdict = "true" if matched else "false"
    text = f"{condition.key} is {shown!r}; {condition.full_operator} {list(condition.values)} is {verdict}"
    if matched:
        return text
    hints: list[str] = []
    if condition.operator in ("StringEquals", "StringNotEquals") and any(
        "*" in v or "?" in v for v in condition.values
    ):
        hints.append("StringEquals compares literally, '*' and '?' are not wildcards there: use StringLike")
    if condition.operator in ("StringEquals", "StringLike") and any(
        p is not None and _COMPARATORS[condition.operator](_casefold_segments(p), v.casefold())
        for p in patterns
        for v in actual
    ):
        hints.append(f"the values differ only in letter case and {condition.operator} is case-sensitive")
    if any(p is None for p in patterns):
        hints.append("a policy variable could not be resolved from the request context")
    return text + "".join(f" ({hint})" for hint in hints)


def _casefold_segments(segments: Segments) -> Segments:
    return tuple((text.casefold(), literal) for text, literal in segments)


def resolve_segments(value: str, context: Context, *, version: str | None) -> Segments | None:
    """`value` with its policy variables substituted from `context` (lower-case keys), as segments whose
    substituted text is literal (never a wildcard); None when a variable has no value and no default."""
    return _resolve(value, context, version == VARIABLES_VERSION)


def arn_matches(pattern: Segments, arn: str) -> bool:
    """ArnLike matching (also the Resource element's): wildcards stay inside one colon-separated part,
    except in the resource part, which may itself contain colons."""
    return _arn_like(pattern, arn)


def _resolve(value: str, context: Context, variables: bool) -> Segments | None:
    """Split a policy value into wildcard-capable text and literal text; None when a variable is unset."""
    if not variables or "${" not in value:
        return ((value, False),)
    segments: list[tuple[str, bool]] = []
    position = 0
    for match in _VARIABLE.finditer(value):
        segments.append((value[position : match.start()], False))
        substituted = _substitute(match.group(1), context)
        if substituted is None:
            return None
        segments.append((substituted, True))
        position = match.end()
    segments.append((value[position:], False))
    return tuple(segment for segment in segments if segment[0])


def _substitute(variable: str, context: Context) -> str | None:
    if variable in ("*", "?", "$"):
        return variable
    defaulted = _DEFAULTED_VARIABLE.fullmatch(variable)
    key, default = (defaulted.group(1), defaulted.group(2)) if defaulted else (variable.strip(), None)
    values = context.get(key.lower())
    if values and len(values) == 1:
        return values[0]
    return default  # multivalued keys cannot be policy variables


def _plain(segments: Segments) -> str:
    return "".join(text for text, _ in segments)


def _has_wildcard(segments: Segments) -> bool:
    return any(not literal and ("*" in text or "?" in text) for text, literal in segments)


def _arn_parts(tokens: tuple[GlobToken, ...]) -> list[tuple[GlobToken, ...]]:
    """An ARN pattern's six colon-separated parts; the last (the resource) keeps any further colons."""
    parts: list[list[GlobToken]] = [[]]
    for token in tokens:
        if token == ":" and len(parts) < 6:
            parts.append([])
        else:
            parts[-1].append(token)
    return [tuple(p) for p in parts]


def _string_equals(pattern: Segments, value: str) -> bool:
    return _plain(pattern) == value


def _string_equals_ignore_case(pattern: Segments, value: str) -> bool:
    return _plain(pattern).casefold() == value.casefold()


def _string_like(pattern: Segments, value: str) -> bool:
    if not _has_wildcard(pattern):
        return _plain(pattern) == value
    return glob_match(glob_tokens(pattern), value)


def _arn_like(pattern: Segments, value: str) -> bool:
    """ARN matching: each of the six colon-separated parts separately, wildcards inside a part."""
    if not _has_wildcard(pattern):
        return _plain(pattern) == value
    parts = _arn_parts(glob_tokens(pattern))
    values = value.split(":", 5)
    return len(parts) == len(values) and all(glob_match(p, v) for p, v in zip(parts, values, strict=True))


def _number(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None


def _date(text: str) -> datetime | None:
    number = _number(text)
    if number is not None:
        return datetime.fromtimestamp(number, tz=UTC)
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _ordered(parse: Callable[[str], float | datetime | None], test: Callable[[int], bool]) -> Comparator:
    def compare(pattern: Segments, value: str) -> bool:
        policy_value, request_value = parse(_plain(pattern)), parse(value)
        if policy_value is None or request_value is None:
            return False
        # request value compared to the policy value: NumericLessThan means request < policy
        order = (request_value > policy_value) - (request_value < policy_value)  # type: ignore[operator]
        return test(order)

    return compare


def _ip_address(pattern: Segments, value: str) -> bool:
    try:
        return ipaddress.ip_address(value) in ipaddress.ip_network(_plain(pattern), strict=False)
    except ValueError:
        return False


def _bool(pattern: Segments, value: str) -> bool:
    return _plain(pattern).lower() == value.lower()


Comparator = Callable[[Segments, str], bool]

_COMPARATORS: dict[str, Comparator] = {
    "StringEquals": _string_equals,
    "StringEqualsIgnoreCase": _string_equals_ignore_case,
    "StringLike": _string_like,
    "ArnEquals": _arn_like,  # IAM documents ArnEquals and ArnLike identically: wildcards per component
    "ArnLike": _arn_like,
    "NumericEquals": _ordered(_number, lambda order: order == 0),
    "NumericLessThan": _ordered(_number, lambda order: order < 0),
    "NumericLessThanEquals": _ordered(_number, lambda order: order <= 0),
    "NumericGreaterThan": _ordered(_number, lambda order: order > 0),
    "NumericGreaterThanEquals": _ordered(_number, lambda order: order >= 0),
    "DateEquals": _ordered(_date, lambda order: order == 0),
    "DateLessThan": _ordered(_date, lambda order: order < 0),
    "DateLessThanEquals": _ordered(_date, lambda order: order <= 0),
    "DateGreaterThan": _ordered(_date, lambda order: order > 0),
    "DateGreaterThanEquals": _ordered(_date, lambda order: order >= 0),
    "Bool": _bool,
    "BinaryEquals": _string_equals,
    "IpAddress": _ip_address,
}
