"""`tfoidc audit trail` against a local LookupEvents endpoint and trail log files in moto's S3."""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser
from pathlib import Path

import boto3
import orjson
import pytest
from markdown_it import MarkdownIt

from tests.audit.events import PROD_APPLY, PROD_PLAN, assumption, call, log_file, log_key, subject
from tests.audit.lookup_server import EventHistory, serving
from tests.identity.support import Cli
from tfoidc.sandbox import Sandbox

NOW = datetime.now(UTC).replace(microsecond=0)
CONFIG = f"""
[environments.prod]
root = "."
role_arn = "{PROD_APPLY}"
plan_role_arn = "{PROD_PLAN}"
apply_refs = ["main"]

[audit]
projects = ["platform/*"]
failure_threshold = 3
"""


@pytest.fixture
def config(tmp_path: Path) -> Path:
    path = tmp_path / "tfoidc.toml"
    path.write_text(CONFIG)
    return path


@pytest.fixture
def history(monkeypatch: pytest.MonkeyPatch) -> Iterator[EventHistory]:
    with serving(EventHistory()) as served:
        monkeypatch.setenv("AWS_ENDPOINT_URL_CLOUDTRAIL", served.url)
        yield served


def test_event_history_rows_findings_paging_and_throttling(
    tfoidc: Cli, config: Path, history: EventHistory
) -> None:
    good = [assumption(NOW - timedelta(minutes=i)) for i in range(1, 61)]
    tag = assumption(NOW - timedelta(minutes=70), sub=subject("platform/infra", "tag", "main"))
    probing = [
        assumption(
            NOW - timedelta(minutes=80 + i),
            role=PROD_PLAN,
            sub=subject("evil/fork", "branch", "x"),
            error="AccessDenied",
        )
        for i in range(3)
    ]
    old = assumption(NOW - timedelta(days=3))  # outside the window
    history.records = [*good, tag, *probing, old]
    history.throttle = 2  # the first two calls are throttled; boto3's standard retries carry on

    result = tfoidc(
        "--config",
        str(config),
        "audit",
        "trail",
        "--since",
        "1d",
        "--region",
        "eu-west-1",
        "--format",
        "json",
    )
    assert result.code == 3, result.err  # a blocking finding (the tag) fails the run by default
    doc = json.loads(result.out)
    assert len(doc["assumptions"]) == 64  # 60 + tag + 3 refused: paged past 50, the old one excluded
    assert {r["LookupAttributes"][0]["AttributeValue"] for r in history.requests} == {
        "AssumeRoleWithWebIdentity"
    }
    assert len(history.requests) >= 4  # 2 throttled + 2 pages
    rules = sorted(f["rule"] for f in doc["findings"])
    assert rules == ["TFO-AUDIT-001", "TFO-AUDIT-002", "TFO-AUDIT-003"]  # the 3 refusals: one finding
    tag_row = next(a for a in doc["assumptions"] if a["ref_type"] == "tag")
    assert (tag_row["project_path"], tag_row["ref"], tag_row["via_tfoidc"]) == (
        "platform/infra",
        "main",
        True,
    )
    assert "events" in doc["read"] and doc["read"]["events"] == 64
    assert "blocking" in result.err or "TFO-AUDIT-002" in result.err


def test_activity_counts_each_sessions_calls_and_lists_its_writes(
    tfoidc: Cli, config: Path, history: EventHistory
) -> None:
    key = "ASIAACTIVITYSESSION1"
    history.records = [
        assumption(NOW - timedelta(minutes=30), key=key),
        call(NOW - timedelta(minutes=29), key),
        call(
            NOW - timedelta(minutes=28), key, source="dynamodb.amazonaws.com", name="PutItem", read_only=False
        ),
        call(NOW - timedelta(minutes=27), "ASIAUNRELATEDSESSION"),
    ]
    result = tfoidc(
        "--config", str(config), "audit", "trail", "--region", "eu-west-1", "--activity", "--format", "json"
    )
    assert result.code == 0, result.err
    row = json.loads(result.out)["assumptions"][0]
    assert {(c["service"], c["event"], c["count"]) for c in row["activity"]["calls"]} == {
        ("s3", "GetObject", 1),
        ("dynamodb", "PutItem", 1),
    }
    assert [w["event"] for w in row["activity"]["writes"]] == ["PutItem"]
    # The session's key is shown masked, never whole, in every format.
    for fmt in ("json", "text", "md", "html", "sarif"):
        out = tfoidc(
            "--config", str(config), "audit", "trail", "--region", "eu-west-1", "--activity", "--format", fmt
        )
        assert key not in out.out and key not in out.err, fmt


def _bucket(sandbox: Sandbox, name: str) -> object:
    s3 = boto3.client("s3", region_name=sandbox.region)  # the sandbox environment points it at moto
    if sandbox.region == "us-east-1":
        s3.create_bucket(Bucket=name)
    else:
        s3.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": sandbox.region})
    return s3


def test_trail_log_files_in_s3_with_an_organisation_layout_and_bad_files_counted(
    tfoidc: Cli, config: Path, sandbox: Sandbox
) -> None:
    s3 = _bucket(sandbox, "audit-org-trail")
    yesterday = NOW - timedelta(hours=20)
    org = "o-abcdef1234"
    files = {
        log_key("trails/", yesterday, org=org, n=1): log_file(
            [assumption(yesterday), call(yesterday, "ASIAXX")]
        ),
        log_key("trails/", NOW, org=org, n=2): log_file(
            [assumption(NOW - timedelta(minutes=5), sub=subject("platform/infra", "tag", "main"))]
        ),
        log_key("trails/", NOW, region="us-east-1", org=org, n=3): b"this is not gzip",
        log_key("trails/", NOW, region="us-east-1", org=org, n=4): gzip.compress(b'{"not": "cloudtrail"}'),
        log_key("trails/", NOW - timedelta(days=10), org=org, n=5): log_file(
            [assumption(NOW - timedelta(days=10))]
        ),
    }
    broken = assumption(NOW - timedelta(minutes=1))
    del broken["requestParameters"]
    files[log_key("trails/", NOW, org=org, n=6)] = log_file([broken])
    for key, body in files.items():
        s3.put_object(Bucket="audit-org-trail", Key=key, Body=body)  # type: ignore[attr-defined]

    result = tfoidc(
        "--config",
        str(config),
        "audit",
        "trail",
        "--s3",
        "s3://audit-org-trail/trails",
        "--since",
        "2d",
        "--format",
        "json",
    )
    assert result.code == 3, result.err
    doc = json.loads(result.out)
    assert len(doc["assumptions"]) == 2  # the 10-day-old file is outside the window and never read
    assert doc["read"]["files"] == 3
    assert doc["read"]["files_skipped"] == {
        "not a readable gzip file": 1,
        "not a CloudTrail log file (no Records list)": 1,
    }
    assert sum(doc["read"]["events_skipped"].values()) == 1
    assert any("skipped 1 file: not a readable gzip file" in t for t in doc["totals"])


def test_a_bucket_that_cannot_be_read_is_one_line_and_exit_1(tfoidc: Cli, config: Path) -> None:
    result = tfoidc("--config", str(config), "audit", "trail", "--s3", "s3://no-such-bucket-here/x")
    assert result.code == 1
    assert result.err.count("\n") == 1 and "NoSuchBucket" in result.err and "Traceback" not in result.err


@pytest.mark.parametrize(
    "args", [["--since", "yesterday"], ["--since", "1d", "--until", "3d"], ["--s3", "bucket"]]
)
def test_bad_options_are_one_line_and_exit_2(tfoidc: Cli, config: Path, args: list[str]) -> None:
    result = tfoidc("--config", str(config), "audit", "trail", *args)
    assert result.code == 2 and result.err.count("\n") == 1 and "Traceback" not in result.err


def test_hostile_text_from_the_logs_keeps_every_format_well_formed(
    tfoidc: Cli, config: Path, history: EventHistory
) -> None:
    hostile = "platform/x</td><script>alert(1)</script>|`[red]x[/red]\x1b[31m"
    # A tag on the apply role: the finding's message carries the hostile project path too.
    history.records = [
        assumption(NOW - timedelta(minutes=3), sub=subject(hostile, "tag", "main"), agent="ev|l\nagent")
    ]
    outputs = {
        fmt: tfoidc(
            "--config",
            str(config),
            "audit",
            "trail",
            "--region",
            "eu-west-1",
            "--format",
            fmt,
            "--fail-on",
            "never",
        ).out
        for fmt in ("text", "md", "html", "sarif", "json")
    }
    assert "<script>" not in outputs["html"] and "&lt;script&gt;" in outputs["html"]
    assert "\x1b" not in outputs["text"] and "[red]x[/red]" in outputs["text"]
    tokens = MarkdownIt().enable("table").parse(outputs["md"])
    cells_per_row = [sum(1 for t in row if t.type in ("td_open", "th_open")) for row in _rows(tokens)]
    # The findings table (header + 1 finding, 3 columns) and the assumptions table (header + 1 row, 9).
    assert cells_per_row == [3, 3, 9, 9]
    orjson.loads(outputs["sarif"])
    assert json.loads(outputs["json"])["assumptions"][0]["project_path"] == hostile
    tags = _start_tags(outputs["html"])
    assert "script" not in tags and tags.count("tr") == 2 and tags.count("td") == 9


def _rows(tokens: list) -> list[list]:  # type: ignore[type-arg]
    rows, current = [], None
    for token in tokens:
        if token.type == "tr_open":
            current = []
        elif token.type == "tr_close" and current is not None:
            rows.append(current)
            current = None
        elif current is not None:
            current.append(token)
    return rows


def _start_tags(page: str) -> list[str]:
    seen: list[str] = []

    class Collector(HTMLParser):
        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            seen.append(tag)

    Collector().feed(page)
    return seen


def test_with_an_environment_the_account_is_read_with_the_sts_credentials_of_the_id_token(
    tfoidc: Cli, tmp_path: Path, history: EventHistory, sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`-e ENV` in a scheduled audit job: the job's ID token is exchanged for ENV's plan role, and those
    keys, not the runner's, sign the CloudTrail calls; the token never reaches the report."""
    from tests.identity.support import issued_by_moto
    from tfoidc.sandbox import SANDBOX_ACCESS_KEY_ID

    config = tmp_path / "tfoidc.toml"
    config.write_text(
        f'[environments.dev]\nroot = "."\nrole_arn = "{sandbox.roles["dev"]}"\nregion = "us-east-1"\n'
    )
    token = sandbox.issuer.mint()
    monkeypatch.setenv("GITLAB_OIDC_TOKEN", token)
    history.records = [assumption(NOW - timedelta(minutes=5))]
    before = len(issued_by_moto(sandbox))

    result = tfoidc("--config", str(config), "audit", "trail", "-e", "dev", "--format", "json")
    assert result.code == 0, result.err
    issued = issued_by_moto(sandbox)[before:]
    assert [i.role_arn for i in issued] == [sandbox.roles["dev"]]
    assert set(history.access_keys) == {issued[0].access_key_id} != {SANDBOX_ACCESS_KEY_ID}
    assert len(json.loads(result.out)["assumptions"]) == 1
    assert token not in result.out + result.err

    # --profile is the caller's own credentials: not together with the token's.
    mixed = tfoidc("--config", str(config), "audit", "trail", "-e", "dev", "--profile", "x")
    assert mixed.code == 2 and "--profile" in mixed.err
