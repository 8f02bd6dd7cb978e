"""IAM policy documents as the plan carries them, turned into standard JSON policy objects.

A document arrives as a JSON string (a literal, `jsonencode(...)` or a data source's `json` output),
or, when the `aws_iam_policy_document` data source is only read during apply, as its `statement`
blocks; all become the same `{"Statement": [...]}` shape.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import orjson

from tfoidc.errors import InputError
from tfoidc.guardrails.links import attribute_references
from tfoidc.guardrails.resources import blocks, known, unknown, value
from tfoidc.iam.document import Condition, PolicyDocument, Statement, parse_policy_document
from tfoidc.plan.model import Plan, ResourceChange
from tfoidc.plan.values import json_document

# Which attributes hold a policy document, per resource type.
POLICY_ATTRIBUTES: dict[str, tuple[str, ...]] = {
    "aws_iam_policy": ("policy",),
    "aws_iam_role_policy": ("policy",),
    "aws_iam_user_policy": ("policy",),
    "aws_iam_group_policy": ("policy",),
    "aws_iam_role": ("assume_role_policy",),
    "aws_s3_bucket_policy": ("policy",),
    "aws_s3_bucket": ("policy",),
}
POLICY_DOCUMENT_DATA = "aws_iam_policy_document"
# Condition keys that tie a `Principal: *` statement to known callers (the keys AWS itself treats as
# making a resource policy non-public).
RESTRICTING_CONDITION_KEYS = frozenset(
    {
        "aws:sourcearn",
        "aws:sourceaccount",
        "aws:sourceowner",
        "aws:sourcevpc",
        "aws:sourcevpce",
        "aws:sourceip",
        "aws:sourceorgid",
        "aws:sourceorgpaths",
        "aws:principalorgid",
        "aws:principalorgpaths",
        "aws:principalaccount",
        "aws:principalarn",
        "aws:userid",
        "aws:username",
        "s3:dataaccesspointaccount",
        "s3:dataaccesspointarn",
        "kms:calleraccount",
        "lambda:functionarn",
    }
)


@dataclass(frozen=True)
class PolicySource:
    address: str
    attribute: str  # where in the resource the document sits, e.g. "inline_policy[0].policy"
    document: dict[str, Any]
    is_data: bool = False  # from an aws_iam_policy_document data source


def policy_sources(plan: Plan, types: tuple[str, ...]) -> Iterator[PolicySource]:
    """Every readable policy document of `types`, then every policy-document data source whose
    document is not already attached to one of those resources (so one document, one finding)."""
    seen: set[bytes] = set()
    for rc in plan.resource_changes:
        if not rc.is_data and rc.type in types and isinstance(rc.after, dict) and rc.deposed is None:
            for source in resource_documents(rc):
                seen.add(_canonical(source.document))
                yield source
    for rc in plan.resource_changes:
        if rc.is_data and rc.type == POLICY_DOCUMENT_DATA and isinstance(rc.after, dict):
            found = data_source_document(rc)
            if found is not None and _canonical(found.document) not in seen:
                yield found


def _canonical(document: dict[str, Any]) -> bytes:
    """One spelling per document, whatever its key order (a set of them replaces a list scan)."""
    try:
        return orjson.dumps(document, option=orjson.OPT_SORT_KEYS | orjson.OPT_NON_STR_KEYS)
    except TypeError:  # an integer past 64 bits, which Python's JSON reader accepts
        return json.dumps(document, sort_keys=True, default=repr).encode()


def resource_documents(rc: ResourceChange) -> Iterator[PolicySource]:
    for attribute in POLICY_ATTRIBUTES.get(rc.type, ()):
        document = parse_document(value(rc, attribute))
        if document is not None:
            yield PolicySource(rc.address, attribute, document)
    if rc.type == "aws_iam_role":
        for index, inline in enumerate(blocks(rc, "inline_policy")):
            document = parse_document(inline.get("policy"))
            if document is not None:
                yield PolicySource(rc.address, f"inline_policy[{index}].policy", document)


def data_source_document(rc: ResourceChange) -> PolicySource | None:
    document = parse_document(value(rc, "json"))
    if document is not None:
        return PolicySource(rc.address, "json", document, is_data=True)
    if unknown(rc, "json") or value(rc, "json") is None:
        statements = [_statement_from_block(b) for b in blocks(rc, "statement")]
        if statements:
            return PolicySource(rc.address, "statement", {"Statement": statements}, is_data=True)
    return None


def parse_document(raw: Any) -> dict[str, Any] | None:
    """A policy document from a JSON string or an already decoded object; None when not one."""
    if isinstance(raw, str) and known(raw) and raw.strip():
        raw = json_document(raw)  # bounded: the string is the merge request author's
    if isinstance(raw, dict) and "Statement" in raw:
        return raw
    return None


def parsed(source: PolicySource) -> PolicyDocument | None:
    """The typed document (the same parser `tfoidc doctor` uses); None when IAM would reject it."""
    try:
        return parse_policy_document(source.document)
    except InputError:
        return None


def allows_anyone(statement: Statement) -> bool:
    """An Allow whose principal is everyone: "*", {"AWS": "*"}, or "everyone except" (NotPrincipal)."""
    if statement.effect != "Allow":
        return False
    if statement.not_principals:
        return True
    return "*" in statement.principals or "*" in statement.principals.get("AWS", ())


def restricted_by_condition(statement: Statement) -> bool:
    """Whether a condition ties the statement to known callers (positive test on an identity key)."""
    return bool(restricting_conditions(statement))


def restricting_conditions(statement: Statement) -> list[Condition]:
    """The conditions that tie the statement to known callers: a positive test of an account,
    organisation, VPC endpoint, network or source identity key against values that are not a bare
    wildcard (AWS's own definition of a non-public policy)."""
    return [
        c
        for c in statement.conditions
        if c.key.lower() in RESTRICTING_CONDITION_KEYS
        and not c.operator.lower().startswith(("stringnot", "arnnot", "notip"))
        and c.operator != "Null"
        and c.values
        and not any(v.strip() in ("*", "") for v in c.values)
    ]


def describe_conditions(conditions: list[Condition]) -> str:
    """`aws:SourceVpce = vpce-1a2b3c4d; aws:PrincipalOrgID = o-123` (values shortened)."""
    parts = []
    for c in conditions:
        values = ", ".join(c.values[:3]) + (" …" if len(c.values) > 3 else "")
        parts.append(f"{c.key} {'=' if 'Equals' in c.operator else c.operator} {values}")
    return "; ".join(parts)


def attached_document(plan: Plan, rc: ResourceChange, attribute: str) -> tuple[dict[str, Any] | None, bool]:
    """The policy document in `rc.<attribute>` and whether it is known only after apply; a document
    from an aws_iam_policy_document data source whose json is unknown is read from its statements."""
    document = parse_document(value(rc, attribute))
    if document is not None:
        return document, False
    if not unknown(rc, attribute):
        return None, False
    for reference in attribute_references(plan, rc, attribute):
        if not reference.startswith(f"data.{POLICY_DOCUMENT_DATA}."):
            continue
        name = reference.split(".")[2]
        for data in plan.resource_changes:
            if (
                data.is_data
                and data.type == POLICY_DOCUMENT_DATA
                and data.name == name
                and data.module_address == rc.module_address
                and isinstance(data.after, dict)
            ):
                found = data_source_document(data)
                if found is not None:
                    return found.document, False
    return None, True


def _statement_from_block(block: dict[str, Any]) -> dict[str, Any]:
    statement: dict[str, Any] = {"Effect": block.get("effect") or "Allow"}
    if block.get("sid"):
        statement["Sid"] = block["sid"]
    for source, target in (
        ("actions", "Action"),
        ("not_actions", "NotAction"),
        ("resources", "Resource"),
        ("not_resources", "NotResource"),
    ):
        items = [item for item in block.get(source) or () if item is not None]
        if items:
            statement[target] = items
    for source, target in (("principals", "Principal"), ("not_principals", "NotPrincipal")):
        principals: dict[str, list[Any]] = {}
        for principal in block.get(source) or ():
            kind = principal.get("type") or "AWS"
            if kind == "*":  # `type = "*"` with identifiers ["*"] is the HCL spelling of Principal "*"
                principals.setdefault("AWS", []).extend(principal.get("identifiers") or ["*"])
            else:
                principals.setdefault(kind, []).extend(principal.get("identifiers") or ())
        principals = {kind: [i for i in ids if i is not None] for kind, ids in principals.items()}
        principals = {kind: ids for kind, ids in principals.items() if ids}  # unknown until apply
        if principals:
            statement[target] = principals
    conditions: dict[str, dict[str, list[Any]]] = {}
    for condition in block.get("condition") or ():
        test, variable = condition.get("test"), condition.get("variable")
        if test and variable:
            values = [v for v in condition.get("values") or () if v is not None]
            conditions.setdefault(test, {}).setdefault(variable, []).extend(values)
    if conditions:
        statement["Condition"] = conditions
    return statement
