"""Benchmark `tfoidc audit trail --s3` against the floor: downloading and decoding the same log files.

Writes N CloudTrail events (1 in 10 an `AssumeRoleWithWebIdentity`, the rest calls made with the
sessions' credentials) as gzip log files of 1,000 events into a bucket of the local sandbox's S3 (moto),
then measures, each in its own subprocess, wall time and peak RSS of:

  * floor: list the day's objects, get each one, gunzip and orjson.loads it (nothing else)
  * trail: tfoidc audit trail --s3 ... --activity --format json (rows, activity, findings, the report)

and, for `tfoidc audit roles`, an account of N roles (a tenth trusting GitLab with one of a few dozen
trust and permission policy shapes, the rest service roles), timed against listing the roles alone:

  * floor: boto3 list_roles through every page (what any audit must read)
  * roles: tfoidc audit roles --format json

    python bench/bench_audit.py                       # 100k and 1M events, 1,000 roles
    python bench/bench_audit.py --events 100000 --roles 0 --repeat 3
"""

from __future__ import annotations

import argparse
import gzip
import os
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import boto3
import orjson

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests.audit.events import assumption, call, log_key  # noqa: E402

from tfoidc.sandbox import Sandbox  # noqa: E402

BUCKET = "bench-trail"
PER_FILE = 1_000
FLOOR = """
import gc, gzip, os, sys, boto3, orjson
gc.disable()
s3 = boto3.client("s3")
token = None
while True:
    kw = {"Bucket": sys.argv[1], "Prefix": sys.argv[2]}
    if token:
        kw["ContinuationToken"] = token
    page = s3.list_objects_v2(**kw)
    for entry in page.get("Contents") or ():
        orjson.loads(gzip.decompress(s3.get_object(Bucket=sys.argv[1], Key=entry["Key"])["Body"].read()))
    token = page.get("NextContinuationToken")
    if not page.get("IsTruncated"):
        break
sys.stdout.flush()
os._exit(0)
"""


def create_bucket() -> None:
    s3 = boto3.client("s3")
    region = os.environ["AWS_REGION"]
    if region == "us-east-1":
        s3.create_bucket(Bucket=BUCKET)
    else:
        s3.create_bucket(Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": region})


def upload(events: int, when: datetime, prefix: str) -> None:
    s3 = boto3.client("s3")
    for n in range(events // PER_FILE):
        records = []
        for i in range(PER_FILE):
            t = when - timedelta(seconds=n * PER_FILE + i)
            if i % 10 == 0:
                key = f"ASIA{n:08d}{i:08d}"
                records.append(assumption(t, key=key))
            else:
                records.append(call(t, f"ASIA{n:08d}{(i // 10) * 10:08d}", read_only=i % 3 != 0))
        body = gzip.compress(orjson.dumps({"Records": records}), compresslevel=6)
        s3.put_object(Bucket=BUCKET, Key=log_key(prefix, when, n=n), Body=body)


ROLES_FLOOR = """
import gc, os, boto3
gc.disable()
iam = boto3.client("iam")
kw = {}
while True:
    page = iam.list_roles(**kw)
    if not page.get("IsTruncated"):
        break
    kw = {"Marker": page["Marker"]}
os._exit(0)
"""


def create_roles(count: int) -> None:
    """`count` roles: every tenth trusts the GitLab provider (refs and projects varying, a few policy
    shapes attached), the others are service roles."""
    iam = boto3.client("iam")
    provider = iam.create_open_id_connect_provider(
        Url="https://gitlab.bench.example", ClientIDList=["sts.amazonaws.com"], ThumbprintList=["0" * 40]
    )["OpenIDConnectProviderArn"]
    policies = [
        iam.create_policy(PolicyName=f"bench-{i}", PolicyDocument=orjson.dumps(doc).decode())["Policy"]["Arn"]
        for i, doc in enumerate(
            [
                {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]},
                {
                    "Version": "2012-10-17",
                    "Statement": [{"Effect": "Allow", "Action": ["s3:Get*", "s3:List*"], "Resource": "*"}],
                },
                {
                    "Version": "2012-10-17",
                    "Statement": [{"Effect": "Allow", "NotAction": ["iam:*"], "Resource": "*"}],
                },
            ]
        )
    ]
    service = {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}
        ],
    }
    for n in range(count):
        if n % 10:
            iam.create_role(
                RoleName=f"service-{n:05d}", AssumeRolePolicyDocument=orjson.dumps(service).decode()
            )
            continue
        ref = ["main", "release/*", "*"][n % 3]
        trust = {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"Federated": provider},
                    "Action": "sts:AssumeRoleWithWebIdentity",
                    "Condition": {
                        "StringEquals": {"gitlab.bench.example:aud": "sts.amazonaws.com"},
                        "StringLike": {
                            "gitlab.bench.example:sub": f"project_path:team{n % 37}/infra:ref_type:branch:ref:{ref}"
                        },
                    },
                }
            ],
        }
        name = f"gitlab-{n:05d}"
        iam.create_role(RoleName=name, AssumeRolePolicyDocument=orjson.dumps(trust).decode())
        iam.attach_role_policy(RoleName=name, PolicyArn=policies[n % len(policies)])


def measure(command: list[str]) -> tuple[float, float]:
    start = time.perf_counter()
    child = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(child.pid, 0)
    elapsed = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) not in (0, 3):
        sys.exit(f"{' '.join(command)} failed: {child.stderr.read().decode()[-400:] if child.stderr else ''}")
    return elapsed, usage.ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--events", default="100000,1000000", help="event counts (comma separated)")
    parser.add_argument(
        "--roles", type=int, default=1000, help="roles in the account for `audit roles` (0: skip)"
    )
    parser.add_argument("--repeat", type=int, default=1, help="interleaved rounds; the fastest is kept")
    args = parser.parse_args()
    when = datetime.now(UTC).replace(hour=12, minute=0, second=0, microsecond=0)
    if when > datetime.now(UTC):
        when -= timedelta(days=1)
    print(f"python {sys.version.split()[0]}; {os.cpu_count()} CPUs; {PER_FILE:,} events per log file")
    events = [int(c) for c in args.events.split(",") if c and int(c) > 0]
    print("| events | files | floor s | floor MiB | trail s | trail MiB | time / floor | mem / floor |")
    print("|---|---|---|---|---|---|---|---|")
    with Sandbox() as sandbox, tempfile.TemporaryDirectory() as tmp:
        os.environ.update(sandbox.env())
        create_bucket()
        if args.roles:
            bench_roles(args.roles, args.repeat, Path(tmp))
        for count in events:
            prefix = f"n{count}/"
            upload(count, when, prefix)
            day_prefix = log_key(prefix, when).rsplit("/", 1)[0] + "/"
            config = Path(tmp) / "tfoidc.toml"
            config.write_text("")
            floor_cmd = [sys.executable, "-c", FLOOR, BUCKET, day_prefix]
            trail_cmd = [
                sys.executable, "-m", "tfoidc", "--config", str(config), "audit", "trail",
                "--s3", f"s3://{BUCKET}/{prefix}", "--since", "2d", "--activity", "--format", "json",
                "--output", str(Path(tmp) / "trail.json"),
            ]  # fmt: skip
            floors, trails = [], []
            for _ in range(args.repeat):
                floors.append(measure(floor_cmd))
                trails.append(measure(trail_cmd))
            floor, trail = min(floors), min(trails)
            print(
                f"| {count:,} | {count // PER_FILE:,} | {floor[0]:.2f} | {floor[1]:.0f} | {trail[0]:.2f} | "
                f"{trail[1]:.0f} | {trail[0] / floor[0]:.2f}x | {trail[1] / floor[1]:.2f}x |",
                flush=True,
            )


def bench_roles(count: int, repeat: int, tmp: Path) -> None:
    create_roles(count)
    config = tmp / "roles.toml"
    config.write_text("")
    floor_cmd = [sys.executable, "-c", ROLES_FLOOR]
    roles_cmd = [
        sys.executable, "-m", "tfoidc", "--config", str(config), "audit", "roles", "--format", "json",
        "--fail-on", "never", "--output", str(tmp / "roles.json"),
    ]  # fmt: skip
    floors, runs = [], []
    for _ in range(repeat):
        floors.append(measure(floor_cmd))
        runs.append(measure(roles_cmd))
    floor, run = min(floors), min(runs)
    print("| roles | floor (list_roles) s | audit roles s | audit roles MiB | time / floor |")
    print("|---|---|---|---|---|")
    print(
        f"| {count:,} | {floor[0]:.2f} | {run[0]:.2f} | {run[1]:.0f} | {run[0] / floor[0]:.2f}x |", flush=True
    )
    print()


if __name__ == "__main__":
    main()
