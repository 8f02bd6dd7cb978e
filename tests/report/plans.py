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
from tfoidc.analysis.graph import RESOURCES, GraphDetail
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


def analysis_of(
    doc: dict[str, Any],
    environment: str | None,
    config: Config | None = None,
    graph_detail: GraphDetail = RESOURCES,
) -> Analysis:
    plan = parse_plan(json.dumps(doc).encode(), source=environment or "plan")
    return analyze(plan, config or Config(), environment=environment, today=TODAY, graph_detail=graph_detail)


def analysis_of_fixture(
    relative: str, environment: str | None, graph_detail: GraphDetail = RESOURCES
) -> Analysis:
    return analysis_of(load_fixture(relative), environment, graph_detail=graph_detail)


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
    return doc
