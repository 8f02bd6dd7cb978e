"""Plans the report tests render: real fixture plans, and plans derived from them.

A derived plan starts from a real `terraform show -json` document and changes only what a test needs
(an IAM policy edited in place, a forced replacement, sensitive values, thousands of changes), so
every other field keeps Terraform's real shape.
"""

from __future__ import annotations

import copy
import json
from datetime import date
from pathlib import Path
from typing import Any

from tests.conftest import PLANS, need_shared
from tfoidc.analysis.model import Analysis
from tfoidc.analysis.run import analyze
from tfoidc.config import Config
from tfoidc.plan.parse import parse_plan

TODAY = date(2026, 1, 15)  # waiver expiry and anything else dated sees a fixed day

IAM_FIXTURE = "checkov/hcl_enrichment_public_s3_iam.json"


def load_fixture(relative: str) -> dict[str, Any]:
    data = need_shared(PLANS / relative).read_bytes()
    if data.startswith(b"\xff\xfe"):
        return json.loads(data.decode("utf-16"))
    return json.loads(data)


def analysis_of(doc: dict[str, Any], environment: str | None, config: Config | None = None) -> Analysis:
    plan = parse_plan(json.dumps(doc).encode(), source=environment or "plan")
    return analyze(plan, config or Config(), environment=environment, today=TODAY)


def analysis_of_fixture(relative: str, environment: str | None) -> Analysis:
    return analysis_of(load_fixture(relative), environment)


def _change(doc: dict[str, Any], address: str) -> dict[str, Any]:
    for rc in doc["resource_changes"]:
        if rc["address"] == address:
            return rc
    raise KeyError(address)


def review_mix_plan() -> dict[str, Any]:
    """checkov's S3/IAM/DynamoDB plan turned into what a reviewer dreads: the IAM policy edited in
    place (wildcard narrowed, a condition added), the DynamoDB table replaced because its name
    changes, and the bucket still created."""
    doc = load_fixture(IAM_FIXTURE)
    policy = _change(doc, "aws_iam_policy.policy")["change"]
    before = copy.deepcopy(policy["after"])
    before["arn"] = "arn:aws:iam::995112413069:policy/my_policy-995112413069"
    before["id"] = before["arn"]
    after = copy.deepcopy(before)
    doc_after = json.loads(after["policy"])
    doc_after["Statement"][0]["Action"] = ["s3:PutObject", "s3:GetObject"]
    doc_after["Statement"][0]["Condition"] = {"Bool": {"aws:SecureTransport": "true"}}
    after["policy"] = json.dumps(doc_after, indent=2)
    policy.update(actions=["update"], before=before, after=after, after_unknown={})
    # The new description comes from a sensitive variable: Terraform marks it, tfoidc must hide it.
    after["description"] = "Read and write the reports bucket"
    policy["after_sensitive"] = {"description": True}

    table = _change(doc, "aws_dynamodb_table.cross-environment-violations")["change"]
    old = copy.deepcopy(table["after"])
    old["name"] = "CrossEnvViolations"
    old["arn"] = "arn:aws:dynamodb:us-west-2:995112413069:table/CrossEnvViolations"
    old["id"] = "CrossEnvViolations"
    table.update(actions=["delete", "create"], before=old, replace_paths=[["name"]])
    table["after_unknown"]["arn"] = True
    doc["format_version"] = "1.2"  # replace_paths exists since format 1.1 (Terraform 1.2)
    return doc


def many_changes_plan(copies: int) -> dict[str, Any]:
    """`copies` instances of every resource change of the review mix, with distinct addresses."""
    base = review_mix_plan()
    changes = []
    for i in range(copies):
        for rc in base["resource_changes"]:
            clone = copy.deepcopy(rc)
            clone["address"] = f'{rc["address"]}["{i:05d}"]'
            clone["index"] = f"{i:05d}"
            changes.append(clone)
    base["resource_changes"] = changes
    return base


def write(doc: dict[str, Any], path: Path) -> Path:
    path.write_text(json.dumps(doc), encoding="utf-8")
    return path


SENTINELS = {
    "before": "SENTINEL-before-3f9c1e",
    "after": "SENTINEL-after-8b2d7a",
    "tag": "SENTINEL-tag-51e0c4",
    "policy": "SENTINEL-policy-a4c9e2",
    "table": "SENTINEL-table-0d6f3b",
    "bucket": "SENTINEL-bucket-7e1a95",
    "variable": "SENTINEL-variable-c3b8d1",
    "output": "SENTINEL-output-92f4ab",
    # in the configuration and the places only some plans have
    "default": "SENTINEL-default-6a02f7",
    "child_default": "SENTINEL-childdefault-e81c3d",
    "output_literal": "SENTINEL-outputliteral-0b9e44",
    "module_input": "SENTINEL-moduleinput-57d1a8",
    "resource_literal": "SENTINEL-resourceliteral-9e3b70",
    "nested_literal": "SENTINEL-nestedliteral-2fa6d1",
    "provider_key": "SENTINEL-providerkey-71c09b",
    "provider_nested": "SENTINEL-providernested-d35e82",
    "provisioner": "SENTINEL-provisioner-aa4f19",
    "deferred": "SENTINEL-deferred-4c7e2b",
    "legacy_planned": "SENTINEL-legacyplanned-f0d913",
    "prior": "SENTINEL-prior-83b5c6",
    "prior_output": "SENTINEL-prioroutput-1e7a40",
}


def sentinel_plan() -> dict[str, Any]:
    """The review mix with every kind of value Terraform marks sensitive holding a sentinel string:
    attributes before and after (top level, inside a map, a whole JSON policy), a sensitive
    variable, a sensitive output, and the same values in planned_values."""
    s = SENTINELS
    doc = review_mix_plan()
    policy = _change(doc, "aws_iam_policy.policy")["change"]
    policy["before"]["description"] = s["before"]
    policy["after"]["description"] = s["after"]
    policy["after"]["tags"] = {"owner": s["tag"], "team": "platform"}
    policy["before"]["tags"] = {"owner": "old-owner", "team": "platform"}
    doc_after = json.loads(policy["after"]["policy"])
    doc_after["Statement"][0]["Sid"] = s["policy"]
    policy["after"]["policy"] = json.dumps(doc_after)
    policy["before_sensitive"] = {"description": True}
    policy["after_sensitive"] = {"description": True, "tags": {"owner": True}, "policy": True}

    table = _change(doc, "aws_dynamodb_table.cross-environment-violations")["change"]
    table["before"]["name"] = s["table"] + "-old"
    table["after"]["name"] = s["table"]
    table["before_sensitive"] = {"name": True}
    table["after_sensitive"] = {"name": True}

    bucket = _change(doc, "aws_s3_bucket.test-bucket1")["change"]
    bucket["after"]["bucket"] = s["bucket"]
    bucket["after_sensitive"] = {"bucket": True}

    for resource in doc["planned_values"]["root_module"]["resources"]:
        if resource["address"] == "aws_s3_bucket.test-bucket1":
            resource["values"]["bucket"] = s["bucket"]
            resource["sensitive_values"] = {"bucket": True}
        if resource["address"] == "aws_dynamodb_table.cross-environment-violations":
            resource["values"]["name"] = s["table"]
            resource["sensitive_values"] = {"name": True}

    doc["variables"]["db_password"] = {"value": s["variable"]}
    doc["configuration"]["root_module"].setdefault("variables", {})["db_password"] = {"sensitive": True}
    doc["output_changes"] = {
        "db_password": {
            "actions": ["create"],
            "before": None,
            "after": s["output"],
            "after_unknown": False,
            "before_sensitive": False,
            "after_sensitive": True,
        }
    }
    doc["planned_values"]["outputs"] = {"db_password": {"sensitive": True, "value": s["output"]}}
    _plant_in_configuration(doc)
    _plant_in_other_places(doc)
    return doc


def _plant_in_configuration(doc: dict[str, Any]) -> None:
    """Literals of the configuration that Terraform marks sensitive, or that echo a value it marks."""
    s = SENTINELS
    config = doc["configuration"]
    root = config["root_module"]
    root["variables"]["db_password"]["default"] = s["default"]
    root["outputs"] = {
        "api_key": {"sensitive": True, "expression": {"constant_value": s["output_literal"]}},
        "bucket_arn": {"expression": {"references": ["aws_s3_bucket.test-bucket1.arn"]}},
    }
    resources = {r["address"]: r for r in root["resources"]}
    resources["aws_iam_policy.policy"]["expressions"]["description"] = {
        "constant_value": s["resource_literal"]
    }
    table = resources["aws_dynamodb_table.cross-environment-violations"]
    table["expressions"]["attribute"][0]["name"] = {"constant_value": s["nested_literal"]}
    table_change = _change(doc, "aws_dynamodb_table.cross-environment-violations")["change"]
    table_change["after_sensitive"]["attribute"] = [{"name": True}]
    resources["aws_s3_bucket.test-bucket1"]["provisioners"] = [
        {
            "type": "local-exec",
            "expressions": {"command": {"constant_value": f"curl -H 'token: {s['provisioner']}'"}},
        }
    ]
    root["module_calls"] = {
        "db": {
            "source": "./db",
            "expressions": {
                "password": {"constant_value": s["module_input"]},
                # not declared sensitive, but the same literal as a value Terraform marked sensitive
                "owner_description": {"constant_value": s["after"]},
                "name": {"constant_value": "orders"},
            },
            "module": {
                "variables": {
                    "password": {"sensitive": True},
                    "owner_description": {},
                    "name": {},
                    "admin_password": {"sensitive": True, "default": s["child_default"]},
                },
            },
        }
    }
    aws = config["provider_config"]["aws"]["expressions"]
    aws["secret_key"] = {"constant_value": s["provider_key"]}
    aws["assume_role"][0]["external_id"] = {"constant_value": s["provider_nested"]}
    aws["region"] = {"constant_value": "us-west-2"}


def _plant_in_other_places(doc: dict[str, Any]) -> None:
    """Terraform 1.8+ deferred changes, 0.14-era planned values without `sensitive_values`, the prior
    state and its sensitive output, and a check message repeating a sensitive value."""
    s = SENTINELS
    doc["deferred_changes"] = [
        {
            "reason": "provider_config_unknown",
            "resource_change": {
                "address": "aws_db_instance.later",
                "mode": "managed",
                "type": "aws_db_instance",
                "name": "later",
                "provider_name": "registry.terraform.io/hashicorp/aws",
                "change": {
                    "actions": ["create"],
                    "before": None,
                    "after": {"password": s["deferred"], "engine": "postgres"},
                    "after_unknown": {},
                    "before_sensitive": False,
                    "after_sensitive": {"password": True},
                },
            },
        }
    ]
    for resource in doc["planned_values"]["root_module"]["resources"]:
        if resource["address"] == "aws_iam_policy.policy":
            resource["values"]["description"] = s["legacy_planned"]
            resource.pop("sensitive_values", None)  # as Terraform 0.14 wrote it
    doc["prior_state"] = {
        "format_version": "0.2",
        "terraform_version": "1.2.0",
        "values": {
            "outputs": {"old_password": {"sensitive": True, "value": s["prior_output"]}},
            "root_module": {
                "resources": [
                    {
                        "address": "data.aws_ssm_parameter.db",
                        "mode": "data",
                        "type": "aws_ssm_parameter",
                        "name": "db",
                        "provider_name": "registry.terraform.io/hashicorp/aws",
                        "values": {"name": "/db/password", "value": s["prior"]},
                        "sensitive_values": {"value": True},
                    }
                ]
            },
        },
    }
    doc["checks"] = [
        {
            "address": {"kind": "check", "name": "db", "to_display": "check.db"},
            "status": "fail",
            "instances": [
                {
                    "address": {"to_display": "check.db"},
                    "status": "fail",
                    "problems": [{"message": f"password {s['module_input']} was rejected"}],
                }
            ],
        }
    ]
