"""CloudTrail records shaped as AWS documents them (sources in README.md), for the audit tests."""

from __future__ import annotations

import gzip
import itertools
from datetime import UTC, datetime
from typing import Any

import orjson

ACCOUNT = "123456789012"
HOST = "gitlab.example.com"
PROVIDER_ARN = f"arn:aws:iam::{ACCOUNT}:oidc-provider/{HOST}"
PROD_APPLY = f"arn:aws:iam::{ACCOUNT}:role/gitlab-prod-apply"
PROD_PLAN = f"arn:aws:iam::{ACCOUNT}:role/gitlab-prod-plan"
_ids = itertools.count(1)


def subject(project: str = "platform/infra", ref_type: str = "branch", ref: str = "main") -> str:
    return f"project_path:{project}:ref_type:{ref_type}:ref:{ref}"


def stamp(when: datetime) -> str:
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def assumption(
    when: datetime,
    *,
    role: str = PROD_APPLY,
    sub: str | None = None,
    session: str | None = None,
    error: str | None = None,
    key: str | None = None,
    agent: str = "Boto3/1.35.0 md/Botocore#1.35.0 ua/2.0 os/linux lang/python#3.11.7 tfoidc/0.1.0",
    ip: str = "203.0.113.7",
) -> dict[str, Any]:
    n = next(_ids)
    sub = sub if sub is not None else subject()
    name = session if session is not None else f"gitlab-42-{1000 + n}-{5000 + n}"
    record: dict[str, Any] = {
        "eventVersion": "1.08",
        "userIdentity": {
            "type": "WebIdentityUser",
            "principalId": f"{PROVIDER_ARN}:{HOST}:{sub}",
            "userName": sub,
            "identityProvider": PROVIDER_ARN,
        },
        "eventTime": stamp(when),
        "eventSource": "sts.amazonaws.com",
        "eventName": "AssumeRoleWithWebIdentity",
        "awsRegion": "eu-west-1",
        "sourceIPAddress": ip,
        "userAgent": agent,
        "requestParameters": {"roleArn": role, "roleSessionName": name, "durationSeconds": 3600},
        "requestID": f"req-{n}",
        "eventID": f"evt-{n:08d}",
        "readOnly": True,
        "resources": [{"ARN": role, "accountId": ACCOUNT, "type": "AWS::IAM::Role"}],
        "eventType": "AwsApiCall",
        "managementEvent": True,
        "recipientAccountId": ACCOUNT,
        "eventCategory": "Management",
    }
    if error:
        record["errorCode"] = error
        record["errorMessage"] = "Not authorized to perform sts:AssumeRoleWithWebIdentity"
        record["responseElements"] = None
    else:
        record["responseElements"] = {
            "credentials": {
                "accessKeyId": key or f"ASIA{n:016d}",
                "sessionToken": "<session token is not logged in full>",
                "expiration": "Nov 30, 2026, 6:00:00 PM",
            },
            "subjectFromWebIdentityToken": sub,
            "assumedRoleUser": {
                "assumedRoleId": f"AROAEXAMPLE:{name}",
                "arn": f"arn:aws:sts::{ACCOUNT}:assumed-role/{role.rsplit('/', 1)[-1]}/{name}",
            },
            "provider": PROVIDER_ARN,
            "audience": "sts.amazonaws.com",
        }
    return record


def call(
    when: datetime,
    key: str,
    *,
    source: str = "s3.amazonaws.com",
    name: str = "GetObject",
    read_only: bool = True,
) -> dict[str, Any]:
    """An API call made with a session's temporary credentials."""
    n = next(_ids)
    return {
        "eventVersion": "1.08",
        "userIdentity": {
            "type": "AssumedRole",
            "principalId": "AROAEXAMPLE:gitlab-42-1-1",
            "arn": f"arn:aws:sts::{ACCOUNT}:assumed-role/gitlab-prod-apply/gitlab-42-1-1",
            "accountId": ACCOUNT,
            "accessKeyId": key,
            "sessionContext": {"sessionIssuer": {"type": "Role", "arn": PROD_APPLY, "accountId": ACCOUNT}},
        },
        "eventTime": stamp(when),
        "eventSource": source,
        "eventName": name,
        "awsRegion": "eu-west-1",
        "sourceIPAddress": "203.0.113.7",
        "userAgent": "APN/1.0 HashiCorp/1.0 Terraform/1.9.8",
        "requestParameters": {},
        "responseElements": None,
        "eventID": f"evt-{n:08d}",
        "readOnly": read_only,
        "eventType": "AwsApiCall",
        "managementEvent": True,
        "recipientAccountId": ACCOUNT,
    }


def log_file(records: list[dict[str, Any]]) -> bytes:
    return gzip.compress(orjson.dumps({"Records": records}))


def log_key(
    prefix: str, when: datetime, *, region: str = "eu-west-1", org: str | None = None, n: int = 0
) -> str:
    account_path = f"{org}/{ACCOUNT}" if org else ACCOUNT
    name = f"{ACCOUNT}_CloudTrail_{region}_{when:%Y%m%dT%H%MZ}_{n:04d}.json.gz"
    return f"{prefix}AWSLogs/{account_path}/CloudTrail/{region}/{when:%Y/%m/%d}/{name}"
