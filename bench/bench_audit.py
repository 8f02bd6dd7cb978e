"""Benchmark `tfoidc audit trail --s3` against the floor: downloading and decoding the same log files.

Writes N CloudTrail events (1 in 10 an `AssumeRoleWithWebIdentity`, the rest calls made with the
sessions' credentials) as gzip log files of 1,000 events into a bucket of the local sandbox's S3 (moto),
then measures, each in its own subprocess, wall time and peak RSS of:

  * floor: list the day's objects, get each one, gunzip and orjson.loads it (nothing else)
  * trail: tfoidc audit trail --s3 ... --activity --format json (rows, activity, findings, the report)

    python bench/bench_audit.py                       # 100k and 1M events
    python bench/bench_audit.py --events 100000 --repeat 3
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
    parser.add_argument("--repeat", type=int, default=1, help="interleaved rounds; the fastest is kept")
    args = parser.parse_args()
    when = datetime.now(UTC).replace(hour=12, minute=0, second=0, microsecond=0)
    if when > datetime.now(UTC):
        when -= timedelta(days=1)
    print(f"python {sys.version.split()[0]}; {os.cpu_count()} CPUs; {PER_FILE:,} events per log file")
    print("| events | files | floor s | floor MiB | trail s | trail MiB | time / floor | mem / floor |")
    print("|---|---|---|---|---|---|---|---|")
    with Sandbox() as sandbox, tempfile.TemporaryDirectory() as tmp:
        os.environ.update(sandbox.env())
        create_bucket()
        for count in (int(c) for c in args.events.split(",")):
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


if __name__ == "__main__":
    main()
