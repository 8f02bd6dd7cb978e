"""Fuzz tfoidc's inputs: generated plans, tfoidc.toml files and tfoidc.json documents through the
real command line (`analyze`, `report`, config loading), in process.

Every input must end in the command's output (exit 0, or 3 when a guardrail blocks) or in exactly
one `tfoidc: error:` line with a documented exit code (2 for anything wrong with the input). An
internal error, a traceback, a second line or any other exit code is a failure, and so is an
escape character on stderr.

The generators (hypothesis strategies) aim at structure, not at random bytes: plans are built the
way Terraform writes them (resource changes with every documented and many undocumented action
lists, attribute values with JSON documents inside strings, sensitive and unknown masks, a
configuration with modules, references and expressions, prior state, drift, deferred changes), with
hostile text everywhere text goes, and then, half of the time, one value anywhere in the document
replaced by a value of another type, the bytes truncated, re-encoded or given a byte order mark.

    python bench/fuzz.py                       # 100,000 inputs (a third of each kind), 2 processes
    python bench/fuzz.py --examples 3000 --workers 1
    python bench/fuzz.py --kind plan --seed 7  # one kind; a seed makes a run repeatable

tests/bench/test_fuzz.py runs a few thousand of them in CI. Results are in bench/README.md.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import io
import json
import os
import sys
import tempfile
import time
import traceback
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

REPO = Path(__file__).resolve().parents[1]
if str(REPO / "src") not in sys.path:
    sys.path.insert(0, str(REPO / "src"))

FORMATS = ("text", "md", "html", "json", "gitlab-terraform", "junit", "codequality", "sarif")
DOCUMENTED_EXIT_CODES = {0, 2, 3}  # ok, input error, blocked by a guardrail (1, 4, 5: not from these inputs)

# --- text a merge request author writes ---------------------------------------------------------

NASTY = [
    "",
    " ",
    "\n",
    "```",
    "`",
    "|",
    "</script>",
    "<!--",
    "<img src=x>",
    "[red]",
    "[/x]",
    "@all",
    "\x1b[31m",
    "\x00",
    "\u202e",
    "\u2028",
    "*",
    "_",
    "$x$",
    "..",
    "../../x",
    "%s",
    "{{ x }}",
    "{%",
    "\\",
    '"',
    "]]>",
    "é中🛑",
    "a" * 300,
]
TEXT = st.one_of(st.sampled_from(NASTY), st.text(max_size=16), st.text(alphabet="ab[]\"'\\.*_-", max_size=8))
KEYS = st.one_of(
    st.sampled_from(
        [
            "acl",
            "bucket",
            "policy",
            "tags",
            "tags_all",
            "ingress",
            "egress",
            "cidr_blocks",
            "from_port",
            "to_port",
            "protocol",
            "encrypted",
            "kms_key_id",
            "instance_type",
            "allocated_storage",
            "publicly_accessible",
            "storage_encrypted",
            "assume_role_policy",
            "value",
            "versioning",
            "server_side_encryption_configuration",
            "block_public_acls",
            "restrict_public_buckets",
            "id",
            "arn",
            "name",
            "engine",
            "size",
            "type",
            "statement",
            "json",
            "rule",
            "enabled",
            "deletion_protection",
            "root_block_device",
            "ebs_block_device",
        ]
    ),
    TEXT,
)
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=False, allow_infinity=False),
    TEXT,
    st.sampled_from(
        ["0.0.0.0/0", "::/0", "*", "public-read", "public-read-write", "s3:*", "aws:kms", "true"]
    ),
)


def _nested_json_text(depth: int) -> str:
    return '{"Statement": ' + "[" * depth + '"x"' + "]" * depth + "}"


VALUES = st.recursive(
    SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(KEYS, inner, max_size=4),
        # A JSON document in a string attribute, as policies and container definitions are.
        st.builds(lambda v: json.dumps(v, ensure_ascii=False), inner),
    ),
    max_leaves=6,
)
POLICY_TEXT = st.one_of(
    st.builds(
        lambda effect, action, principal, resource, condition: json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": effect,
                        "Action": action,
                        "Principal": principal,
                        "Resource": resource,
                        "Condition": condition,
                    }
                ],
            }
        ),
        st.sampled_from(["Allow", "Deny", "allow", 1]),
        st.one_of(
            st.sampled_from(["*", "s3:*", "iam:PassRole", "sts:AssumeRoleWithWebIdentity"]),
            st.lists(TEXT, max_size=3),
        ),
        st.one_of(
            st.sampled_from(["*", {"AWS": "*"}, {"Federated": "arn:aws:iam::1:oidc-provider/gitlab.com"}]),
            VALUES,
        ),
        st.one_of(st.sampled_from(["*", "arn:aws:s3:::b/*"]), st.lists(TEXT, max_size=2)),
        st.one_of(
            st.none(),
            st.dictionaries(st.sampled_from(["StringEquals", "StringLike", "Bool"]), VALUES, max_size=2),
        ),
    ),
    st.integers(min_value=40, max_value=1_200).map(
        _nested_json_text
    ),  # deep: MAX_DOCUMENT_DEPTH and orjson's limit
)
ATTRIBUTES = st.dictionaries(KEYS, st.one_of(VALUES, VALUES, POLICY_TEXT), max_size=4)
MASKS = st.recursive(
    st.booleans(),
    lambda inner: st.one_of(st.lists(inner, max_size=2), st.dictionaries(KEYS, inner, max_size=2)),
    max_leaves=4,
)

DOCUMENTED_ACTIONS = [
    ["no-op"],
    ["create"],
    ["read"],
    ["update"],
    ["delete", "create"],
    ["create", "delete"],
    ["delete"],
    ["forget"],
    ["create", "forget"],
]
# Mostly what Terraform writes: a plan refused for one bad action list exercises only the parser.
ACTIONS = st.sampled_from(
    [*DOCUMENTED_ACTIONS * 6, *[["update"]] * 6, ["explode"], [], ["forget", "create"], "create", None]
)
TYPES = st.one_of(
    st.sampled_from(
        [
            "aws_s3_bucket",
            "aws_s3_bucket_policy",
            "aws_s3_bucket_acl",
            "aws_s3_bucket_public_access_block",
            "aws_instance",
            "aws_ebs_volume",
            "aws_db_instance",
            "aws_rds_cluster",
            "aws_iam_role",
            "aws_iam_policy",
            "aws_iam_role_policy",
            "aws_iam_policy_document",
            "aws_security_group",
            "aws_security_group_rule",
            "aws_lambda_function",
            "aws_dynamodb_table",
            "aws_nat_gateway",
            "aws_lb",
            "aws_kms_key",
            "aws_ssm_parameter",
            "aws_autoscaling_group",
            "aws_eks_cluster",
            "null_resource",
        ]
    ),
    TEXT,
)
NAMES = st.one_of(st.sampled_from(["a", "b", "main", "this"]), TEXT)
INDEX = st.one_of(st.none(), st.integers(min_value=-1, max_value=3), TEXT, VALUES)
MODULES = st.one_of(st.just(""), st.sampled_from(["module.a", 'module.a["k"]', "module.a[0].module.b"]), TEXT)


@st.composite
def addresses(draw: st.DrawFn) -> str:
    shape = draw(st.integers(min_value=0, max_value=3))
    rtype, name, index = draw(TYPES), draw(NAMES), draw(INDEX)
    key = "" if index is None else f"[{json.dumps(index)}]"
    address = f"{rtype}.{name}{key}"
    if shape == 1:
        address = f"data.{address}"
    elif shape == 2:
        address = f"{draw(MODULES)}.{address}"
    elif shape == 3:
        address = draw(TEXT)
    return address


@st.composite
def resource_changes(draw: st.DrawFn) -> dict[str, Any]:
    address = draw(addresses())
    change: dict[str, Any] = {
        "actions": draw(ACTIONS),
        "before": draw(st.one_of(st.none(), ATTRIBUTES)),
        "after": draw(st.one_of(st.none(), ATTRIBUTES)),
        "after_unknown": draw(st.one_of(st.just({}), MASKS)),
        "before_sensitive": draw(st.one_of(st.just(False), MASKS)),
        "after_sensitive": draw(st.one_of(st.just(False), MASKS)),
    }
    if draw(st.booleans()):
        change["replace_paths"] = draw(
            st.lists(st.lists(st.one_of(KEYS, st.integers(0, 3)), max_size=3), max_size=2)
        )
    if draw(st.integers(0, 5)) == 0:
        change["importing"] = draw(st.one_of(st.just({"id": "x"}), VALUES))
    rc: dict[str, Any] = {
        "address": address,
        "mode": draw(st.sampled_from(["managed", "managed", "data", "junk"])),
        "type": draw(TYPES),
        "name": draw(NAMES),
        "provider_name": draw(
            st.sampled_from(
                ["registry.terraform.io/hashicorp/aws", "aws", "registry.opentofu.org/hashicorp/null"]
            )
        ),
        "change": change,
    }
    optional = {
        "index": INDEX,
        "module_address": MODULES,
        "action_reason": st.one_of(
            st.sampled_from(["replace_because_cannot_update", "delete_because_no_resource_config"]), TEXT
        ),
        "previous_address": TEXT,
        "deposed": st.sampled_from(["00000001", "abc"]),
    }
    for key, strategy in optional.items():
        if draw(st.integers(0, 3)) == 0:
            rc[key] = draw(strategy)
    return rc


REFERENCES = st.lists(
    st.one_of(
        st.sampled_from(
            [
                "var.a",
                "local.x",
                "aws_s3_bucket.a",
                "aws_s3_bucket.a.id",
                "module.a.out",
                "count.index",
                "each.key",
                "path.module",
                "data.aws_iam_policy_document.a.json",
            ]
        ),
        TEXT,
    ),
    max_size=3,
)
EXPRESSIONS = st.dictionaries(
    KEYS,
    st.one_of(
        st.builds(lambda refs: {"references": refs}, REFERENCES),
        st.builds(lambda v: {"constant_value": v}, VALUES),
        st.lists(
            st.dictionaries(KEYS, st.builds(lambda refs: {"references": refs}, REFERENCES), max_size=2),
            max_size=2,
        ),
    ),
    max_size=4,
)


def _module(depth: int) -> st.SearchStrategy[dict[str, Any]]:
    resources = st.lists(
        st.fixed_dictionaries(
            {
                "address": st.builds(lambda t, n: f"{t}.{n}", TYPES, NAMES),
                "mode": st.sampled_from(["managed", "data"]),
                "type": TYPES,
                "name": NAMES,
            },
            optional={
                "expressions": EXPRESSIONS,
                "count_expression": st.builds(lambda refs: {"references": refs}, REFERENCES),
                "for_each_expression": st.builds(lambda refs: {"references": refs}, REFERENCES),
                "depends_on": REFERENCES,
            },
        ),
        max_size=4,
    )
    fields: dict[str, st.SearchStrategy[Any]] = {
        "resources": resources,
        "outputs": st.dictionaries(
            NAMES,
            st.fixed_dictionaries(
                {},
                optional={
                    "expression": st.builds(lambda refs: {"references": refs}, REFERENCES),
                    "sensitive": st.booleans(),
                },
            ),
            max_size=2,
        ),
        "variables": st.dictionaries(
            NAMES,
            st.fixed_dictionaries({}, optional={"default": VALUES, "sensitive": st.booleans()}),
            max_size=2,
        ),
    }
    if depth > 0:
        fields["module_calls"] = st.dictionaries(
            NAMES,
            st.fixed_dictionaries(
                {"source": TEXT}, optional={"expressions": EXPRESSIONS, "module": _module(depth - 1)}
            ),
            max_size=2,
        )
    return st.fixed_dictionaries({}, optional=fields)


CONFIGURATION = st.fixed_dictionaries(
    {},
    optional={
        "root_module": _module(1),
        "provider_config": st.dictionaries(
            NAMES, st.fixed_dictionaries({"name": TEXT}, optional={"expressions": EXPRESSIONS}), max_size=2
        ),
    },
)
STATE_VALUES = st.fixed_dictionaries(
    {},
    optional={
        "root_module": st.fixed_dictionaries(
            {},
            optional={
                "resources": st.lists(
                    st.fixed_dictionaries(
                        {
                            "address": addresses(),
                            "type": TYPES,
                            "name": NAMES,
                            "mode": st.sampled_from(["managed", "data"]),
                        },
                        optional={"values": ATTRIBUTES, "sensitive_values": MASKS, "depends_on": REFERENCES},
                    ),
                    max_size=3,
                )
            },
        ),
        "outputs": st.dictionaries(
            NAMES, st.fixed_dictionaries({"value": VALUES}, optional={"sensitive": st.booleans()}), max_size=2
        ),
    },
)


@st.composite
def plan_dicts(draw: st.DrawFn) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "format_version": draw(
            st.sampled_from(["0.1", "0.2", "1.0", "1.2", "1.9"] * 4 + ["2.0", "x", "", 1.2, None])
        )
    }
    optional: dict[str, st.SearchStrategy[Any]] = {
        "terraform_version": st.one_of(st.sampled_from(["1.0.3", "1.9.8", "1.10.0"]), TEXT),
        "resource_changes": st.lists(resource_changes(), max_size=4),
        "resource_drift": st.lists(resource_changes(), max_size=2),
        "output_changes": st.dictionaries(
            NAMES,
            st.fixed_dictionaries(
                {"actions": ACTIONS},
                optional={
                    "before": VALUES,
                    "after": VALUES,
                    "before_sensitive": MASKS,
                    "after_sensitive": MASKS,
                },
            ),
            max_size=2,
        ),
        "configuration": CONFIGURATION,
        "prior_state": st.fixed_dictionaries(
            {}, optional={"values": STATE_VALUES, "format_version": st.just("1.0")}
        ),
        "planned_values": STATE_VALUES,
        "variables": st.dictionaries(NAMES, st.fixed_dictionaries({"value": VALUES}), max_size=3),
        "errored": st.booleans(),
        "complete": st.booleans(),
        "applyable": st.booleans(),
        "deferred_changes": st.lists(
            st.fixed_dictionaries(
                {
                    "reason": st.one_of(
                        st.sampled_from(["instance_count_unknown", "provider_config_unknown"]), TEXT
                    ),
                    "resource_change": resource_changes(),
                }
            ),
            max_size=2,
        ),
    }
    for key, strategy in optional.items():
        if key in ("resource_changes", "configuration") or draw(st.integers(0, 2)) == 0:
            doc[key] = draw(strategy)
    return doc


# --- breaking a document ------------------------------------------------------------------------


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [prefix]
    if isinstance(value, dict):
        for key, sub in value.items():
            out.extend(_paths(sub, (*prefix, key)))
    elif isinstance(value, list):
        for i, sub in enumerate(value):
            out.extend(_paths(sub, (*prefix, i)))
    return out


@st.composite
def broken(draw: st.DrawFn, document: dict[str, Any]) -> dict[str, Any] | Any:
    """`document` with one value anywhere replaced (or its key deleted)."""
    paths = _paths(document)[1:] or [()]  # the whole document only when it has nothing inside
    path = draw(st.sampled_from(paths))
    if not path:
        return draw(VALUES)
    doc = json.loads(json.dumps(document))
    parent = doc
    for step in path[:-1]:
        parent = parent[step]
    if isinstance(parent, dict) and draw(st.booleans()):
        del parent[path[-1]]
    else:
        parent[path[-1]] = draw(VALUES)
    return doc


@st.composite
def encoded(draw: st.DrawFn, document: Any) -> bytes:
    data = orjson.dumps(document) if _encodable(document) else json.dumps(document).encode()
    how = draw(st.sampled_from(["as is"] * 12 + ["truncated", "bom", "utf-16", "bytes"]))
    if how == "truncated":
        return data[: draw(st.integers(1, max(len(data) - 1, 1)))]
    if how == "bom":
        return b"\xef\xbb\xbf" + data  # a UTF-8 byte order mark
    if how == "utf-16":
        return b"\xff\xfe" + data.decode().encode("utf-16-le")  # PowerShell's `>`
    if how == "bytes":
        return draw(st.binary(min_size=1, max_size=64))
    return data


def _encodable(document: Any) -> bool:
    try:
        orjson.dumps(document)
    except (TypeError, orjson.JSONEncodeError):
        return False
    return True


@st.composite
def plan_files(draw: st.DrawFn) -> bytes:
    doc = draw(plan_dicts())
    if draw(st.integers(0, 2)) == 0:  # a third: one value anywhere of the wrong type, or missing
        doc = draw(broken(doc))
    return draw(encoded(doc))


# --- tfoidc.toml --------------------------------------------------------------------------------


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value) if isinstance(value, int) else (repr(value) if value == value else "nan")
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{json.dumps(str(k))} = {_toml_value(v)}" for k, v in value.items()) + "}"
    if value is None:
        return '""'
    return json.dumps(str(value), ensure_ascii=False)  # a TOML basic string is a JSON string


def to_toml(config: dict[str, Any]) -> str:
    """A small TOML writer: tables of scalar/inline values, arrays of tables for lists of dicts."""
    lines: list[str] = []

    def table(prefix: str, value: dict[str, Any]) -> None:
        scalars = {
            k: v for k, v in value.items() if not (isinstance(v, dict) and v) and not _is_table_array(v)
        }
        if prefix:
            lines.append(f"[{prefix}]")
        lines.extend(f"{json.dumps(str(k))} = {_toml_value(v)}" for k, v in scalars.items())
        for key, sub in value.items():
            name = f"{prefix}.{json.dumps(str(key))}" if prefix else json.dumps(str(key))
            if isinstance(sub, dict) and sub:
                table(name, sub)
            elif _is_table_array(sub):
                for item in sub:
                    lines.append(f"[[{name}]]")
                    lines.extend(f"{json.dumps(str(k))} = {_toml_value(v)}" for k, v in item.items())

    table("", config)
    return "\n".join(lines) + "\n"


def _is_table_array(value: Any) -> bool:
    return isinstance(value, list) and bool(value) and all(isinstance(v, dict) for v in value)


ENV_NAMES = st.one_of(st.sampled_from(["dev", "prod", "staging", "a.b-c_1"]), TEXT)
ROLE_ARNS = st.one_of(
    st.sampled_from(["arn:aws:iam::123456789012:role/gitlab", "arn:aws:iam::1:role/x"]), TEXT
)
RULE_IDS = st.one_of(
    st.sampled_from(
        ["TFO-S3-001", "TFO-IAM-001", "TFO-COST-001", "TFO-COST-002", "TFO-SAFE-001", "TFO-NET-001"]
    ),
    TEXT,
)
SEVERITIES = st.one_of(st.sampled_from(["block", "warn", "info"]), TEXT)
CONFIG = st.fixed_dictionaries(
    {},
    optional={
        "environments": st.dictionaries(
            ENV_NAMES,
            st.fixed_dictionaries(
                {"root": st.one_of(st.just("."), TEXT)},
                optional={
                    "role_arn": ROLE_ARNS,
                    "plan_role_arn": ROLE_ARNS,
                    "audience": TEXT,
                    "lock_timeout": st.one_of(st.sampled_from(["0s", "5m"]), TEXT),
                    "apply_refs": st.lists(TEXT, max_size=2),
                    "session_duration": st.integers(min_value=-1, max_value=50_000),
                    "allow_incomplete_apply": st.one_of(st.booleans(), TEXT),
                    "allow_local_apply": st.booleans(),
                    "terraform_credentials": st.sampled_from(["keys", "web_identity", "x"]),
                    "backend_config": st.dictionaries(
                        KEYS, st.one_of(TEXT, st.integers(), st.booleans()), max_size=2
                    ),
                },
            ),
            max_size=2,
        ),
        "guardrails": st.fixed_dictionaries(
            {},
            optional={
                "fail_on": st.one_of(st.sampled_from(["block", "warn", "never"]), TEXT),
                "scope": st.sampled_from(["changes", "all", "x"]),
                "production_environments": st.lists(ENV_NAMES, max_size=2),
                "rules": st.dictionaries(
                    RULE_IDS,
                    st.fixed_dictionaries(
                        {},
                        optional={
                            "enabled": st.booleans(),
                            "severity": SEVERITIES,
                            "params": st.dictionaries(
                                st.sampled_from(["max_monthly_delta", "max_monthly_resource", "x"]),
                                st.one_of(st.integers(-5, 10_000), st.floats(allow_nan=False), TEXT),
                                max_size=2,
                            ),
                        },
                    ),
                    max_size=2,
                ),
                "waivers": st.lists(
                    st.fixed_dictionaries(
                        {
                            "rule": RULE_IDS,
                            "address": st.one_of(st.just("*"), TEXT),
                            "reason": TEXT,
                            "expires": st.sampled_from(["2999-12-31", "2020-01-01", "soon"]),
                        }
                    ),
                    max_size=2,
                ),
                "custom": st.lists(
                    st.fixed_dictionaries(
                        {
                            "id": st.one_of(st.just("ORG-1"), TEXT),
                            "title": TEXT,
                            "resource_type": TYPES,
                            "attribute": st.one_of(
                                st.sampled_from(
                                    ["tags.Owner", "ingress[*].cidr_blocks", "versioning[0].enabled"]
                                ),
                                TEXT,
                            ),
                            "operator": st.sampled_from(
                                ["equals", "exists", "matches", "in", "greater_than", "nope"]
                            ),
                            "message": TEXT,
                        },
                        optional={
                            "value": st.one_of(VALUES, st.sampled_from(["(", "[a-z]+", ".*"])),
                            "severity": SEVERITIES,
                            "actions": st.lists(st.sampled_from(["create", "update", "x"]), max_size=2),
                        },
                    ),
                    max_size=2,
                ),
            },
        ),
        "cost": st.fixed_dictionaries(
            {},
            optional={
                "region": TEXT,
                "usage": st.dictionaries(
                    TEXT, st.dictionaries(TEXT, st.one_of(st.integers(), TEXT), max_size=2), max_size=2
                ),
            },
        ),
        "report": st.fixed_dictionaries(
            {},
            optional={
                "note_max_chars": st.integers(0, 2_000_000),
                "mermaid_max_nodes": st.integers(-1, 600),
                "diff_value_max_chars": st.integers(0, 500),
                "details_threshold": st.integers(-1, 10),
                "findings_path": TEXT,
                "artifact_url": TEXT,
            },
        ),
        "unknown_section": st.dictionaries(TEXT, VALUES, max_size=1),
    },
)


@st.composite
def toml_files(draw: st.DrawFn) -> bytes:
    text = to_toml(draw(CONFIG))
    how = draw(st.sampled_from(["as is"] * 8 + ["truncated", "bom", "utf-16", "junk", "bytes", "deep"]))
    if how == "truncated":
        return text.encode()[: draw(st.integers(0, len(text.encode())))]
    if how == "bom":
        return b"\xef\xbb\xbf" + text.encode()
    if how == "utf-16":
        return text.encode("utf-16")
    if how == "junk":
        return text.encode() + draw(st.binary(min_size=1, max_size=8))
    if how == "bytes":
        return draw(st.binary(max_size=64))
    if how == "deep":
        return ("a = " + "[" * draw(st.integers(100, 5_000)) + "]" * 3).encode()
    return text.encode()


# --- tfoidc.json --------------------------------------------------------------------------------

_SEED_ANALYSES: list[dict[str, Any]] = []


def seed_analyses() -> list[dict[str, Any]]:
    """Real analyses of a few small plans: the base the tfoidc.json documents are broken from."""
    if not _SEED_ANALYSES:
        from tfoidc.analysis.contract import analysis_to_dict
        from tfoidc.analysis.run import analyze
        from tfoidc.config import Config
        from tfoidc.plan.parse import plan_from_document

        rc = {
            "address": "aws_s3_bucket.b",
            "mode": "managed",
            "type": "aws_s3_bucket",
            "name": "b",
            "provider_name": "registry.terraform.io/hashicorp/aws",
            "change": {
                "actions": ["create"],
                "before": None,
                "after": {"bucket": "b", "acl": "public-read"},
                "after_unknown": {},
            },
        }
        instance = {
            **rc,
            "address": "aws_instance.i",
            "type": "aws_instance",
            "name": "i",
            "change": {**rc["change"], "after": {"instance_type": "t3.micro"}},
        }
        drifted = {**rc, "change": {**rc["change"], "actions": ["update"]}}
        deferred = {"reason": "absent_prereq", "resource_change": rc}
        docs = [
            {"format_version": "1.2", "resource_changes": [rc, instance], "resource_drift": [drifted]},
            {
                "format_version": "1.2",
                "complete": False,
                "resource_changes": [instance],
                "deferred_changes": [deferred],
            },
        ]
        for doc in docs:
            analysis = analyze(plan_from_document(doc), Config(), environment="prod")
            _SEED_ANALYSES.append(json.loads(json.dumps(analysis_to_dict(analysis))))
    return _SEED_ANALYSES


@st.composite
def analysis_files(draw: st.DrawFn) -> bytes:
    doc: Any = draw(st.sampled_from(seed_analyses()))
    doc = json.loads(json.dumps(doc))
    for _ in range(draw(st.integers(0, 3))):
        doc = draw(broken(doc)) if isinstance(doc, dict) else doc
    if isinstance(doc, dict) and draw(st.integers(0, 4)) == 0:
        doc["schema_version"] = draw(st.one_of(st.sampled_from(["1.0", "1.1", "1.9", "2.0"]), VALUES))
    return draw(encoded(doc))


# --- running one input --------------------------------------------------------------------------


@dataclass
class Outcome:
    kind: str
    code: int
    problem: str | None = None  # None: a documented outcome


def run_cli(argv: list[str]) -> tuple[int, str]:
    """`tfoidc ARGV` in this process, as the program runs it: (exit code, stderr)."""
    from tfoidc.cli.main import run

    out = io.TextIOWrapper(io.BytesIO(), encoding="utf-8")
    err = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = run(argv)
        except SystemExit as exc:  # click's own exits, and sys.exit in a command
            code = int(exc.code or 0) if not isinstance(exc.code, str) else 1
        except BaseException:  # anything `run` let through is a bug
            return -1, traceback.format_exc()
    return code, err.getvalue()


def judge(kind: str, code: int, stderr: str) -> Outcome:
    if code not in DOCUMENTED_EXIT_CODES:
        return Outcome(kind, code, f"exit code {code}: {stderr[-2000:]}")
    if "internal error" in stderr or "Traceback" in stderr:
        return Outcome(kind, code, stderr[-2000:])
    if "\x1b" in stderr:
        return Outcome(kind, code, f"escape character on stderr: {stderr!r}")
    lines = stderr.splitlines()
    if code == 0 and lines:
        return Outcome(kind, code, f"stderr on success: {stderr!r}")
    if code != 0 and (len(lines) != 1 or not lines[0].startswith("tfoidc: error: ")):
        return Outcome(kind, code, f"not one error line: {stderr!r}")
    return Outcome(kind, code)


def check_plan(data: bytes, fmt: str, workdir: Path) -> Outcome:
    path = workdir / "plan.json"
    path.write_bytes(data)
    code, err = run_cli(
        ["--config", str(workdir / "none.toml"), "analyze", str(path), "--format", fmt, "-e", "prod"]
    )
    return judge("plan", code, err)


def check_config(data: bytes, workdir: Path) -> Outcome:
    config = workdir / "tfoidc.toml"
    config.write_bytes(data)
    plan = workdir / "small-plan.json"
    code, err = run_cli(["--config", str(config), "analyze", str(plan), "--format", "json", "-e", "prod"])
    return judge("config", code, err)


def check_analysis(data: bytes, fmt: str, command: str, workdir: Path) -> Outcome:
    path = workdir / "tfoidc.json"
    path.write_bytes(data)
    code, err = run_cli(["--config", str(workdir / "none.toml"), command, str(path), "--format", fmt])
    return judge("analysis", code, err)


def prepare(workdir: Path) -> None:
    (workdir / "none.toml").write_text("")
    (workdir / "small-plan.json").write_bytes(
        orjson.dumps(
            {
                "format_version": "1.2",
                "resource_changes": [
                    {
                        "address": "aws_s3_bucket.b",
                        "mode": "managed",
                        "type": "aws_s3_bucket",
                        "name": "b",
                        "change": {
                            "actions": ["create"],
                            "before": None,
                            "after": {"acl": "public-read"},
                            "after_unknown": {},
                        },
                    }
                ],
            }
        )
    )


# --- the run ------------------------------------------------------------------------------------


@dataclass
class Tally:
    examples: int = 0
    codes: Counter[str] = field(default_factory=Counter)
    problems: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def add(self, outcome: Outcome) -> None:
        self.examples += 1
        self.codes[f"{outcome.kind}:{outcome.code}"] += 1
        if outcome.problem is not None:
            self.problems.append(f"[{outcome.kind}] {outcome.problem}")


def fuzz(kind: str, examples: int, seed: int | None) -> Tally:
    """Generate `examples` inputs of `kind` and run each; failures are collected, not raised."""
    tally = Tally()
    start = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        prepare(workdir)
        strategy: st.SearchStrategy[Any]
        if kind == "plan":
            strategy = st.tuples(plan_files(), st.sampled_from(FORMATS))
        elif kind == "config":
            strategy = toml_files()
        else:
            strategy = st.tuples(
                analysis_files(), st.sampled_from(FORMATS), st.sampled_from(["report", "analyze"])
            )

        @settings(
            max_examples=examples,
            database=None,
            deadline=None,
            phases=[Phase.generate],
            derandomize=seed is None,
            suppress_health_check=list(HealthCheck),
        )
        @given(strategy)
        def one(example: Any) -> None:
            if kind == "plan":
                outcome = check_plan(example[0], example[1], workdir)
            elif kind == "config":
                outcome = check_config(example, workdir)
            else:
                outcome = check_analysis(example[0], example[1], example[2], workdir)
            tally.add(outcome)
            if tally.examples % 500 == 0:
                gc.unfreeze()  # `analyze` freezes what is alive for a fast exit; the fuzz loop lives on
                gc.collect()

        if seed is not None:
            from hypothesis import seed as hypothesis_seed

            one = hypothesis_seed(seed)(one)
        one()
    tally.seconds = time.perf_counter() - start
    return tally


def _worker(job: tuple[str, int, int | None]) -> Tally:
    kind, examples, seed = job
    return fuzz(kind, examples, seed)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--examples", type=int, default=100_000, help="inputs in all (split between kinds)")
    parser.add_argument("--kind", choices=["plan", "config", "analysis", "all"], default="all")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument(
        "--seed", type=int, default=None, help="hypothesis seed (default: a fixed derandomised run per batch)"
    )
    args = parser.parse_args()
    kinds = ["plan", "config", "analysis"] if args.kind == "all" else [args.kind]
    # Batches, so that several processes share the work and each batch's generator differs.
    batch = 2_500
    jobs = []
    for k, kind in enumerate(kinds):
        per_kind = args.examples // len(kinds) + (
            k < args.examples % len(kinds)
        )  # the parts add up to --examples
        for i in range(0, per_kind, batch):
            seed = (args.seed or 0) * 100_000 + len(jobs) + 1
            jobs.append((kind, min(batch, per_kind - i), seed))
    totals: dict[str, Tally] = {kind: Tally() for kind in kinds}
    start = time.perf_counter()
    with ProcessPoolExecutor(max_workers=args.workers) as pool:
        for (kind, _, _), tally in zip(jobs, pool.map(_worker, jobs), strict=True):
            total = totals[kind]
            total.examples += tally.examples
            total.codes.update(tally.codes)
            total.problems.extend(tally.problems)
            print(f"{kind}: {total.examples:,} done, {len(total.problems)} failures", flush=True)
    elapsed = time.perf_counter() - start
    print(
        f"\n{sum(t.examples for t in totals.values()):,} inputs in {elapsed / 60:.1f} min ({args.workers} processes)"
    )
    print(f"{'kind':<10}{'inputs':>10}{'exit 0':>10}{'exit 2':>10}{'exit 3':>10}{'failures':>10}")
    for kind, tally in totals.items():
        codes = {
            code: sum(n for key, n in tally.codes.items() if key.endswith(f":{code}")) for code in (0, 2, 3)
        }
        print(
            f"{kind:<10}{tally.examples:>10,}{codes[0]:>10,}{codes[2]:>10,}{codes[3]:>10,}{len(tally.problems):>10,}"
        )
    problems = [p for t in totals.values() for p in t.problems]
    for problem in problems[:20]:
        print("\n" + problem)
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    os.environ.pop("TFOIDC_DEBUG", None)
    main()
