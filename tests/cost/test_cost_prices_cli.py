"""`tfoidc prices update` against a local Price List API server, and `tfoidc prices show`.

boto3 is pointed at the server with AWS_ENDPOINT_URL_PRICING; the server speaks GetProducts' JSON 1.1
wire format and serves AWS's own recorded responses.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import PRICES, need_shared
from tests.cost.pricelist_server import PriceListState, load_wire_samples, serve, with_price
from tfoidc.cost.update import map_ec2, rows_from_item

SECRET = "SENTINEL-secret-key-do-not-print-0123456789"
TOKEN = "SENTINEL-session-token-do-not-print-abcdef"
KEY_ID = "AKIDPRICINGTEST0001"
M5_SKU = "6C86BEPQVG73ZGGR"


@pytest.fixture
def samples() -> list[dict[str, Any]]:
    return load_wire_samples(need_shared(PRICES / "wire-format"))


@pytest.fixture
def state(samples: list[dict[str, Any]]) -> PriceListState:
    return PriceListState(products=list(samples), page_size=1)


@pytest.fixture
def endpoint(state: PriceListState) -> Iterator[str]:
    yield from serve(state)


@pytest.fixture
def env(tmp_path: Path, endpoint: str) -> dict[str, str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "TFOIDC_", "GITLAB_", "CI_"))}
    clean.update(
        {
            "HOME": str(tmp_path / "home"),
            "TFOIDC_HOME": str(tmp_path / "tfoidc-home"),
            "AWS_ENDPOINT_URL_PRICING": endpoint,
            "AWS_ACCESS_KEY_ID": KEY_ID,
            "AWS_SECRET_ACCESS_KEY": SECRET,
            "AWS_SESSION_TOKEN": TOKEN,
            "AWS_CONFIG_FILE": str(tmp_path / "no-aws-config"),
            "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "no-aws-credentials"),
            "AWS_EC2_METADATA_DISABLED": "true",
            "AWS_MAX_ATTEMPTS": "2",
            "COLUMNS": "200",
        }
    )
    return clean


def tfoidc(env: dict[str, str], *args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "tfoidc", *args], env=env, capture_output=True, text=True, cwd=cwd, check=False
    )


def assert_one_error_line(result: subprocess.CompletedProcess[str], code: int, *needles: str) -> None:
    assert result.returncode == code, result.stderr
    assert result.stderr.startswith("tfoidc: error: ") and result.stderr.count("\n") == 1, result.stderr
    assert "Traceback" not in result.stderr
    for needle in needles:
        assert needle in result.stderr


def assert_no_secrets(*texts: str) -> None:
    for text in texts:
        assert SECRET not in text and TOKEN not in text


# --- the wire format -> catalog rows (pure) ----------------------------------------------------


def test_recorded_products_become_catalog_rows(samples: list[dict[str, Any]]) -> None:
    rows = [row for item in samples for row in rows_from_item(item, map_ec2)]
    found = {(r.region, r.key): r for r in rows}
    # of the 15 m4.xlarge eu-west-1 products only Linux / shared tenancy / no licence is tfoidc's price
    m4 = found[("eu-west-1", "ec2/instance-hour/m4.xlarge")]
    assert str(m4.price) == "0.2220000000" and m4.date == "2019-01-01" and "6FU9JEK79WWSARQ9" in m4.reference
    assert [r for r in rows if r.key == "ec2/instance-hour/m4.xlarge"] == [m4]
    m5 = found[("us-east-1", "ec2/instance-hour/m5.large")]
    assert str(m5.price) == "0.0960000000" and M5_SKU in m5.reference and m5.date == "2021-02-01"
    # io1 storage from `location` names (these older items have no regionCode)
    assert str(found[("ca-central-1", "ebs/storage-gb-month/io1")].price) == "0.1380000000"
    assert str(found[("ap-southeast-1", "ebs/storage-gb-month/io1")].price) == "0.1380000000"


# --- update ------------------------------------------------------------------------------------


def test_update_pages_through_getproducts_and_writes_the_user_catalog(
    tmp_path: Path, env: dict[str, str], state: PriceListState
) -> None:
    out = tmp_path / "prices.json"
    regions = "us-east-1,eu-west-1,ap-southeast-1,ca-central-1"
    result = tfoidc(
        env, "prices", "update", "--regions", regions, "--services", "AmazonEC2", "--output", str(out)
    )
    assert result.returncode == 0, result.stderr
    assert f"wrote {out}: 4 prices (AmazonEC2 4)" in result.stderr
    doc = json.loads(out.read_text())
    assert doc["format"] == "tfoidc-price-catalog/1"
    prices = doc["prices"]
    assert prices["us-east-1"]["ec2/instance-hour/m5.large"][0] == "0.096"
    assert prices["eu-west-1"]["ec2/instance-hour/m4.xlarge"][0] == "0.222"
    assert prices["ca-central-1"]["ebs/storage-gb-month/io1"][0] == "0.138"
    source = doc["sources"][prices["us-east-1"]["ec2/instance-hour/m5.large"][2]]
    assert source == {
        "file": "AWS Price List API (GetProducts)",
        "date": "2021-02-01",
        "origin": "tfoidc prices update",
    }
    # the wire exchange: JSON 1.1 with the GetProducts target, signed for pricing in us-east-1 with
    # the credentials boto3 was given, paginated with NextToken
    assert state.requests and all(r["target"] == "AWSPriceListService.GetProducts" for r in state.requests)
    assert all(r["content_type"].startswith("application/x-amz-json-1.1") for r in state.requests)
    assert all(f"Credential={KEY_ID}/" in r["authorization"] for r in state.requests)
    assert all("/us-east-1/pricing/aws4_request" in r["authorization"] for r in state.requests)
    bodies = [r["body"] for r in state.requests]
    assert all(b["ServiceCode"] == "AmazonEC2" and b["FormatVersion"] == "aws_v1" for b in bodies)
    assert any(
        {"Type": "TERM_MATCH", "Field": "location", "Value": "EU (Ireland)"} in b["Filters"] for b in bodies
    )
    assert_no_secrets(result.stdout, result.stderr, out.read_text())


def test_pagination_follows_next_token(tmp_path: Path, env: dict[str, str], state: PriceListState) -> None:
    state.empty_first_page = True  # every query answers first with an empty page and a NextToken
    out = tmp_path / "prices.json"
    result = tfoidc(
        env, "prices", "update", "--regions", "ap-southeast-1", "--services", "AmazonEC2", "-o", str(out)
    )
    assert result.returncode == 0, result.stderr
    storage = [
        r["body"]
        for r in state.requests
        if {"Type": "TERM_MATCH", "Field": "productFamily", "Value": "Storage"} in r["body"]["Filters"]
    ]
    assert [bool(b.get("NextToken")) for b in storage] == [False, True]
    assert storage[0]["Filters"] == storage[1]["Filters"]
    assert json.loads(out.read_text())["prices"]["ap-southeast-1"]["ebs/storage-gb-month/io1"][0] == "0.138"


def test_a_plan_analysed_with_the_updated_catalog_uses_the_new_price(
    tmp_path: Path, env: dict[str, str], state: PriceListState, samples: list[dict[str, Any]]
) -> None:
    m5 = next(i for i in samples if i["product"]["sku"] == M5_SKU)
    state.products = [with_price(m5, "0.2000000000") if i is m5 else i for i in state.products]
    plan = tmp_path / "plan.json"
    plan.write_text(
        json.dumps(
            {
                "format_version": "1.0",
                "resource_changes": [
                    {
                        "address": "aws_instance.web",
                        "mode": "managed",
                        "type": "aws_instance",
                        "name": "web",
                        "provider_name": "registry.terraform.io/hashicorp/aws",
                        "change": {
                            "actions": ["create"],
                            "before": None,
                            "after": {"instance_type": "m5.large", "root_block_device": [{"volume_size": 8}]},
                            "after_unknown": {},
                        },
                    }
                ],
                "configuration": {
                    "provider_config": {
                        "aws": {"name": "aws", "expressions": {"region": {"constant_value": "us-east-1"}}}
                    }
                },
            }
        )
    )

    def instance_component() -> dict[str, Any]:
        result = tfoidc(env, "analyze", str(plan), "--format", "json", cwd=tmp_path)
        assert result.returncode == 0, result.stderr
        doc = json.loads(result.stdout)
        return doc["cost"]["resources"][0]["components"][0]

    before = instance_component()
    assert before["unit_price"] == "0.096" and "ec2-linux-ondemand" in before["price_source"]
    # no --output: the default user catalog ($TFOIDC_HOME/prices.json) is written and read
    result = tfoidc(env, "prices", "update", "--regions", "us-east-1", "--services", "AmazonEC2")
    assert result.returncode == 0, result.stderr
    assert (Path(env["TFOIDC_HOME"]) / "prices.json").exists()
    after = instance_component()
    assert after["unit_price"] == "0.2"
    assert after["monthly_cost"] == 146.0  # 0.2 x 730 h
    assert (
        "AWS Price List API (GetProducts) (2021-02-01)" in after["price_source"]
        and M5_SKU in after["price_source"]
    )
    shown = tfoidc(env, "prices", "show", "aws_instance", "--region", "us-east-1", "--match", "m5.large")
    assert shown.returncode == 0, shown.stderr
    line = next(ln for ln in shown.stdout.splitlines() if "ec2/instance-hour/m5.large " in ln)
    assert "0.2" in line and "2021-02-01" in line and "GetProducts" in line


def test_update_merges_into_an_existing_user_catalog(tmp_path: Path, env: dict[str, str]) -> None:
    out = tmp_path / "prices.json"
    assert (
        tfoidc(
            env, "prices", "update", "--regions", "eu-west-1", "--services", "AmazonEC2", "-o", str(out)
        ).returncode
        == 0
    )
    assert (
        tfoidc(
            env, "prices", "update", "--regions", "us-east-1", "--services", "AmazonEC2", "-o", str(out)
        ).returncode
        == 0
    )
    prices = json.loads(out.read_text())["prices"]
    assert (
        "ec2/instance-hour/m4.xlarge" in prices["eu-west-1"]
        and "ec2/instance-hour/m5.large" in prices["us-east-1"]
    )


def test_throttling_is_retried(tmp_path: Path, env: dict[str, str], state: PriceListState) -> None:
    state.mode = "throttle_once"
    out = tmp_path / "prices.json"
    result = tfoidc(
        env, "prices", "update", "--regions", "us-east-1", "--services", "AmazonEC2", "-o", str(out)
    )
    assert result.returncode == 0, result.stderr
    assert out.exists()


@pytest.mark.parametrize(
    ("mode", "code", "needle"),
    [
        ("throttle", 1, "ThrottlingException"),
        ("denied", 4, "AccessDeniedException"),
        ("fail_second_page", 1, "InternalErrorException"),
        ("garbage", 1, "not JSON"),
    ],
)
def test_api_failures_are_one_line_and_leave_the_catalog_untouched(
    tmp_path: Path, env: dict[str, str], state: PriceListState, mode: str, code: int, needle: str
) -> None:
    state.mode = mode
    state.empty_first_page = True  # so that a failure can come after a page was already read
    out = tmp_path / "cat" / "prices.json"
    out.parent.mkdir()
    previous = b'{"format": "tfoidc-price-catalog/1", "currency": "USD", "sources": {}, "prices": {}}'
    out.write_bytes(previous)
    result = tfoidc(
        env, "prices", "update", "--regions", "us-east-1,eu-west-1", "--services", "AmazonEC2", "-o", str(out)
    )
    assert_one_error_line(result, code, needle)
    assert out.read_bytes() == previous
    assert sorted(p.name for p in out.parent.iterdir()) == ["prices.json"]  # no temporary file left
    assert_no_secrets(result.stdout, result.stderr)


def test_no_credentials_is_an_auth_error(tmp_path: Path, env: dict[str, str], state: PriceListState) -> None:
    for key in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
        env.pop(key)
    out = tmp_path / "prices.json"
    result = tfoidc(env, "prices", "update", "--services", "AmazonEC2", "-o", str(out))
    assert_one_error_line(result, 4, "no AWS credentials")
    assert not out.exists() and state.requests == []


def test_a_missing_aws_profile_is_a_usage_error_before_any_request(
    tmp_path: Path, env: dict[str, str], state: PriceListState
) -> None:
    env["AWS_PROFILE"] = "laptop-only"
    out = tmp_path / "prices.json"
    result = tfoidc(env, "prices", "update", "--services", "AmazonEC2", "-o", str(out))
    assert_one_error_line(result, 2, "AWS profile 'laptop-only'")
    assert not out.exists() and state.requests == []


def test_no_prices_returned_writes_nothing(tmp_path: Path, env: dict[str, str]) -> None:
    out = tmp_path / "prices.json"
    result = tfoidc(
        env, "prices", "update", "--regions", "us-west-2", "--services", "AmazonEKS", "-o", str(out)
    )
    assert_one_error_line(result, 1, "returned no prices", "was not changed")
    assert not out.exists()


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (("--regions", "us-east-1,mars"), "not an AWS region: mars"),
        (("--services", "AmazonEC2,AmazonFoo"), "unknown service(s) AmazonFoo"),
        (("--local",), "--local needs --environment"),
        (("--environment", "prod"), "no environment 'prod'"),
    ],
)
def test_bad_update_options_are_usage_errors_before_any_request(
    tmp_path: Path, env: dict[str, str], state: PriceListState, args: tuple[str, ...], needle: str
) -> None:
    result = tfoidc(env, "prices", "update", *args, "-o", str(tmp_path / "p.json"), cwd=tmp_path)
    assert_one_error_line(result, 2, needle)
    assert state.requests == []


def test_a_broken_user_catalog_is_refused(tmp_path: Path, env: dict[str, str], state: PriceListState) -> None:
    out = tmp_path / "prices.json"
    out.write_text("[1, 2]")
    result = tfoidc(env, "prices", "update", "--services", "AmazonEC2", "-o", str(out))
    assert_one_error_line(result, 2, "not a tfoidc price catalog")
    assert out.read_text() == "[1, 2]" and state.requests == []


# --- show --------------------------------------------------------------------------------------


def test_show_lists_prices_with_their_sources(env: dict[str, str]) -> None:
    result = tfoidc(env, "prices", "show", "aws_nat_gateway")
    assert result.returncode == 0, result.stderr
    rows = [ln for ln in result.stdout.splitlines() if "natgateway/hour" in ln]
    assert len(rows) == 5  # one per covered region
    assert all("natgateway.5regions.json" in ln and "2025-10-28" in ln for ln in rows)
    assert "10 prices" in result.stdout


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (("aws_wafv2_web_acl",), "tfoidc does not price aws_wafv2_web_acl"),
        (("aws_ebs_volume", "--region", "eu-west-1"), "no prices for aws_ebs_volume in eu-west-1"),
        (("aws_instance", "--catalog", "/nonexistent/prices.json"), "cannot read price catalog"),
    ],
)
def test_show_errors(env: dict[str, str], args: tuple[str, ...], needle: str) -> None:
    assert_one_error_line(tfoidc(env, "prices", "show", *args), 2, needle)
