"""Derive the example plans in this folder from public plan fixtures (see README.md).

Run from the repository: `python examples/derive.py ../shared/fixtures/plans examples`. The output is
committed; this script records how it was made.
"""

import copy
import json
import sys
from pathlib import Path

FIX = Path(sys.argv[1])
OUT = Path(sys.argv[2])
infracost = json.loads((FIX / "infracost/example_plan.json").read_text())
regula = json.loads((FIX / "regula/vpc_flow_log.json").read_text())
PROVIDER = "registry.terraform.io/hashicorp/aws"


def rc_of(doc, address):
    return copy.deepcopy(next(r for r in doc["resource_changes"] if r["address"] == address))


def cfg_of(doc, address):
    return copy.deepcopy(
        next(r for r in doc["configuration"]["root_module"]["resources"] if r["address"] == address)
    )


def renamed(rc, name):
    rc["name"] = name
    rc["address"] = f"{rc['type']}.{name}"
    rc["provider_name"] = PROVIDER
    return rc


def new_rc(rtype, name, after, unknown=("id", "arn")):
    return {
        "address": f"{rtype}.{name}",
        "mode": "managed",
        "type": rtype,
        "name": name,
        "provider_name": PROVIDER,
        "change": {
            "actions": ["create"],
            "before": None,
            "after": after,
            "after_unknown": {k: True for k in unknown},
            "before_sensitive": False,
            "after_sensitive": {},
        },
    }


def cfg(rtype, name, constants, refs=None):
    expressions = {k: {"constant_value": v} for k, v in constants.items()}
    for key, targets in (refs or {}).items():
        expressions[key] = {"references": targets}
    return {
        "address": f"{rtype}.{name}",
        "mode": "managed",
        "type": rtype,
        "name": name,
        "provider_config_key": "aws",
        "expressions": expressions,
        "schema_version": 0,
    }


def plan(changes, configs):
    values = [
        {
            "address": r["address"],
            "mode": "managed",
            "type": r["type"],
            "name": r["name"],
            "provider_name": PROVIDER,
            "schema_version": 0,
            "values": r["change"]["after"],
            "sensitive_values": {},
        }
        for r in changes
    ]
    return {
        "format_version": "0.2",
        "terraform_version": infracost["terraform_version"],
        "planned_values": {"root_module": {"resources": values}},
        "resource_changes": changes,
        "configuration": {
            "provider_config": {
                "aws": {"name": "aws", "expressions": {"region": {"constant_value": "us-east-1"}}}
            },
            "root_module": {"resources": configs},
        },
    }


# --- a web stack: VPC, private subnet, Postgres, Lambda, EC2, an S3 bucket without encryption ---
vpc = renamed(rc_of(regula, "aws_vpc.invalid_vpc"), "main")
vpc["change"]["after"]["tags"] = {"Name": "app"}
subnet = new_rc(
    "aws_subnet",
    "private",
    {
        "cidr_block": "10.0.1.0/24",
        "availability_zone": "us-east-1a",
        "map_public_ip_on_launch": False,
        "tags": {"Name": "app-private"},
    },
    ("id", "arn", "vpc_id"),
)
subnets = new_rc(
    "aws_db_subnet_group",
    "app",
    {"name": "app", "description": "Managed by Terraform", "tags": None},
    ("id", "arn", "subnet_ids"),
)
db = new_rc(
    "aws_db_instance",
    "app",
    {
        "allocated_storage": 100,
        "engine": "postgres",
        "engine_version": "13.4",
        "instance_class": "db.m5.large",
        "multi_az": True,
        "storage_type": "gp2",
        "storage_encrypted": False,
        "publicly_accessible": True,
        "backup_retention_period": 7,
        "deletion_protection": False,
        "skip_final_snapshot": True,
        "username": "app",
        "db_name": "app",
        "iam_database_authentication_enabled": False,
        "tags": None,
    },
    ("id", "arn", "address", "endpoint", "db_subnet_group_name", "kms_key_id", "password"),
)
db["change"]["after_sensitive"] = {"password": True}
web = renamed(rc_of(infracost, "aws_instance.web_app"), "web")
web["change"]["after"]["instance_type"] = "m5.large"
web["change"]["after"]["ebs_block_device"] = []
web["change"]["after_unknown"]["ebs_block_device"] = []
web["change"]["after_unknown"]["subnet_id"] = True
fn = renamed(rc_of(infracost, "aws_lambda_function.hello_world"), "thumbnails")
fn["change"]["after"]["function_name"] = "thumbnails"
bucket = renamed(rc_of(infracost, "aws_s3_bucket.usage"), "uploads")
bucket["change"]["after"]["bucket"] = "acme-app-uploads"
users = new_rc(
    "aws_cognito_user_pool",
    "users",
    {"name": "app-users", "mfa_configuration": "OPTIONAL", "tags": None},
    ("id", "arn", "endpoint"),
)
changes = [vpc, subnet, subnets, db, web, fn, bucket, users]
web_cfg = cfg_of(infracost, "aws_instance.web_app")
web_cfg.update(address="aws_instance.web", name="web")
web_cfg["expressions"]["instance_type"] = {"constant_value": "m5.large"}
web_cfg["expressions"].pop("ebs_block_device", None)
web_cfg["expressions"]["subnet_id"] = {"references": ["aws_subnet.private.id", "aws_subnet.private"]}
fn_cfg = cfg_of(infracost, "aws_lambda_function.hello_world")
fn_cfg.update(address="aws_lambda_function.thumbnails", name="thumbnails")
fn_cfg["expressions"]["function_name"] = {"constant_value": "thumbnails"}
fn_cfg["expressions"]["environment"] = [
    {"variables": {"references": ["aws_s3_bucket.uploads.bucket", "aws_s3_bucket.uploads"]}}
]
configs = [
    cfg("aws_vpc", "main", {"cidr_block": "10.0.0.0/16", "tags": {"Name": "app"}}),
    cfg(
        "aws_subnet",
        "private",
        {"cidr_block": "10.0.1.0/24", "availability_zone": "us-east-1a"},
        {"vpc_id": ["aws_vpc.main.id", "aws_vpc.main"]},
    ),
    cfg(
        "aws_db_subnet_group",
        "app",
        {"name": "app"},
        {"subnet_ids": ["aws_subnet.private.id", "aws_subnet.private"]},
    ),
    cfg(
        "aws_db_instance",
        "app",
        {
            k: db["change"]["after"][k]
            for k in (
                "allocated_storage",
                "engine",
                "engine_version",
                "instance_class",
                "multi_az",
                "publicly_accessible",
                "storage_encrypted",
                "username",
                "db_name",
                "skip_final_snapshot",
            )
        },
        {
            "db_subnet_group_name": ["aws_db_subnet_group.app.name", "aws_db_subnet_group.app"],
            "password": ["var.db_password"],
        },
    ),
    web_cfg,
    fn_cfg,
    cfg("aws_s3_bucket", "uploads", {"bucket": "acme-app-uploads"}),
    cfg("aws_cognito_user_pool", "users", {"name": "app-users", "mfa_configuration": "OPTIONAL"}),
]
stack = plan(changes, configs)
stack["configuration"]["root_module"]["variables"] = {"db_password": {"sensitive": True}}
(OUT / "aws-web-stack.plan.json").write_text(json.dumps(stack, indent=1) + "\n")

# --- a GitLab deploy role whose trust admits any project on gitlab.com ---
role = renamed(rc_of(regula, "aws_iam_role.example"), "gitlab_deploy")
trust = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Principal": {"Federated": "arn:aws:iam::123456789012:oidc-provider/gitlab.com"},
            "Action": "sts:AssumeRoleWithWebIdentity",
            "Condition": {
                "StringEquals": {"gitlab.com:aud": "https://gitlab.com"},
                "StringLike": {"gitlab.com:sub": "project_path:*"},
            },
        }
    ],
}
role["change"]["after"].update(name="gitlab-deploy", assume_role_policy=json.dumps(trust, indent=2))
role_cfg = cfg(
    "aws_iam_role", "gitlab_deploy", {"name": "gitlab-deploy", "assume_role_policy": json.dumps(trust)}
)
(OUT / "broad-gitlab-trust.plan.json").write_text(json.dumps(plan([role], [role_cfg]), indent=1) + "\n")
