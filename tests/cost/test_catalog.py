"""The shipped catalog: rebuilt from the price fixtures it is made of, every price traceable to its
source and date; the user catalog's precedence and the refusal of broken catalogs."""

from __future__ import annotations

import importlib.util
import json
import sys
from decimal import Decimal
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from tests.conftest import PRICES, REPO, need_shared
from tfoidc.cost.catalog import CATALOG_FORMAT, load_catalog, parse_catalog, shipped_catalog
from tfoidc.errors import InputError

SHIPPED = REPO / "src" / "tfoidc" / "cost" / "data" / "catalog.json"
REGIONS = {"us-east-1", "us-east-2", "us-west-2", "eu-west-1", "eu-central-1"}
# regions only an Infracost golden gives prices for (Backup in us-west-1, Neptune in eu-west-2)
GOLDEN_ONLY_REGIONS = {"us-west-1", "eu-west-2"}


def _builder() -> ModuleType:
    spec = importlib.util.spec_from_file_location("build_catalog", REPO / "tools" / "build_catalog.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the class is made
    spec.loader.exec_module(module)
    return module


def test_the_shipped_catalog_is_what_the_builder_makes_from_the_fixtures() -> None:
    built = _builder().build(need_shared(PRICES))
    assert built == json.loads(SHIPPED.read_text())


def test_every_price_names_an_existing_source_file_and_date() -> None:
    doc = json.loads(SHIPPED.read_text())
    assert doc["format"] == CATALOG_FORMAT and set(doc["prices"]) == REGIONS | GOLDEN_ONLY_REGIONS
    for region in GOLDEN_ONLY_REGIONS:
        sources = {doc["sources"][row[2]]["file"] for row in doc["prices"][region].values()}
        assert all(f.startswith("infracost-goldens/") for f in sources), (region, sources)
    for sid, info in doc["sources"].items():
        assert info["date"][:2] == "20" and len(info["date"]) == 10, sid
        if PRICES.exists():
            assert (PRICES / info["file"]).exists(), info["file"]
    for region, keys in doc["prices"].items():
        for key, (amount, unit, sid, reference) in keys.items():
            assert sid in doc["sources"] and reference and unit, (region, key)
            assert float(amount) >= 0


def test_reference_prices_from_the_fixture_notes() -> None:
    """Values SOURCES.md checked by hand in the data, found again through the catalog."""
    doc = shipped_catalog()
    expected = {
        ("us-east-1", "ec2/instance-hour/t3.micro"): "0.0104",
        ("eu-west-1", "ec2/instance-hour/t3.micro"): "0.0114",
        ("eu-central-1", "ec2/instance-hour/t3.micro"): "0.012",
        ("us-east-1", "ec2/instance-hour/m5.large"): "0.096",
        ("us-east-1", "natgateway/hour"): "0.045",
        ("eu-west-1", "natgateway/hour"): "0.048",
        ("us-east-1", "ebs/storage-gb-month/gp3"): "0.08",
        ("us-east-1", "eks/cluster-hour"): "0.1",
        ("us-east-1", "kms/key-month"): "1",
        ("us-east-1", "dynamodb/rcu-hour"): "0.00013",
        ("eu-central-1", "cloudwatch/logs-ingested-gb"): "0.63",
        ("us-east-1", "rds/instance-hour/MySQL/db.t3.micro"): "0.017",
        ("us-east-1", "elasticache/node-hour/Redis/cache.t3.micro"): "0.017",
        # the spot checks of the 2026-11-30 additions (golden unit price against unit map)
        ("us-east-1", "ecs/fargate-vcpu-hour"): "0.04048",
        ("us-east-1", "ecs/fargate-gb-hour"): "0.004445",
        ("us-east-1", "efs/storage-gb-month"): "0.3",
        ("us-east-1", "route53/hosted-zone-month"): "0.5",
        ("us-east-1", "redshift/node-hour/ra3.16xlarge"): "13.04",
        ("us-east-1", "msk/broker-hour/t3.small"): "0.0456",
        ("us-east-1", "msk/broker-hour/m5.24xlarge"): "10.08",
        ("us-east-1", "kinesis/shard-hour"): "0.015",
        ("us-east-1", "apigateway/rest-request/tier1"): "0.0000035",
        ("us-east-1", "config/rule-evaluation/tier1"): "0.001",
        ("us-east-1", "cloudtrail/management-event"): "0.00002",
        ("us-east-1", "cloudtrail/data-event"): "0.000001",
        ("us-east-1", "cloudtrail/insight-event"): "0.0000035",
    }
    for (region, key), amount in expected.items():
        found = doc.lookup(region, key)
        assert found is not None and str(found.amount) == amount, (region, key, found)


def _user_catalog(tmp_path: Path, prices: dict[str, Any]) -> Path:
    path = tmp_path / "prices.json"
    sources = {"u1": {"file": "AWS Price List API (GetProducts)", "date": "2026-01-01", "origin": "test"}}
    path.write_text(json.dumps({"format": CATALOG_FORMAT, "sources": sources, "prices": prices}))
    return path


def test_the_user_catalog_takes_precedence_and_falls_back_to_the_shipped_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    user = _user_catalog(tmp_path, {"us-east-1": {"natgateway/hour": ["0.05", "Hrs", "u1", "sku X"]}})
    monkeypatch.setenv("TFOIDC_PRICES", str(user))
    catalog = load_catalog()
    nat = catalog.price("us-east-1", "natgateway/hour")
    assert nat is not None and str(nat.amount) == "0.05" and nat.date == "2026-01-01"
    eks = catalog.price("us-east-1", "eks/cluster-hour")
    assert eks is not None and eks.source_file.endswith("eks.5regions.json")
    rows = list(catalog.prices(region="us-east-1", prefix="natgateway/"))
    assert [(p.key, str(p.amount)) for p in rows] == [
        ("natgateway/data-gb", "0.045"),
        ("natgateway/hour", "0.05"),
    ]


def test_home_and_default_locations(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TFOIDC_PRICES", raising=False)
    monkeypatch.setenv("TFOIDC_HOME", str(tmp_path))
    assert len(load_catalog().documents) == 1  # no user catalog yet: the shipped one alone
    _user_catalog(tmp_path, {})
    assert len(load_catalog().documents) == 2


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"{", "price catalog is not valid JSON"),
        (b"[]", "not a tfoidc price catalog"),
        (b'{"format": "tfoidc-price-catalog/1", "prices": {}}', "lacks 'prices' or 'sources'"),
        (
            b'{"format": "tfoidc-price-catalog/1", "sources": {}, "prices": {"us-east-1": {"k": [1]}}}',
            "is not [price, unit, source, reference]",
        ),
        (
            b'{"format": "tfoidc-price-catalog/1", "sources": {}, "prices": {"us-east-1": {"k": ["x", "u", "s", "r"]}}}',
            "'x' is not a number",
        ),
        (
            b'{"format": "tfoidc-price-catalog/1", "sources": {}, "prices": {"us-east-1": {"k": ["-1", "u", "s", "r"]}}}',
            "'-1' is not a price",
        ),
        (
            b'{"format": "tfoidc-price-catalog/1", "sources": {}, "prices": {"us-east-1": {"k": ["NaN", "u", "s", "r"]}}}',
            "'NaN' is not a price",
        ),
    ],
)
def test_broken_catalogs_are_one_line_input_errors(data: bytes, message: str) -> None:
    with pytest.raises(InputError) as err:
        parse_catalog(data, source="prices.json")
    assert message in err.value.one_line() and "\n" not in err.value.one_line()


def test_an_explicit_user_catalog_must_exist(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="cannot read price catalog"):
        load_catalog(tmp_path / "missing.json")


def test_global_prices_are_the_same_in_every_region() -> None:
    """Route 53 and CloudFront bill the same wherever the provider is configured."""
    doc = json.loads(SHIPPED.read_text())
    for prefix in ("route53/", "cloudfront/"):
        keys = {k for k in doc["prices"]["us-east-1"] if k.startswith(prefix)}
        assert len(keys) > 10, prefix
        for region in REGIONS:
            assert {k: doc["prices"][region][k][0] for k in keys} == {
                k: doc["prices"]["us-east-1"][k][0] for k in keys
            }, region


def test_golden_derived_prices_carry_the_goldens_price_date() -> None:
    doc = shipped_catalog()
    fargate = doc.lookup("us-east-1", "ecs/fargate-vcpu-hour")
    assert fargate is not None and fargate.date == "2025-10-27" and "ecs.5regions.json" in fargate.source_file
    sqs = doc.lookup("us-east-1", "sqs/standard-request")
    assert (
        sqs is not None and sqs.date == "2024-07-01" and sqs.source_file.endswith("sqs_queue_test.golden.txt")
    )
    assert str(sqs.amount) == "4E-7" or sqs.amount == Decimal("0.0000004")
    backup = doc.lookup("us-west-1", "backup/ebs-snapshot-gb-month")
    assert backup is not None and backup.amount == Decimal("0.055")
    assert doc.lookup("us-east-1", "backup/ebs-snapshot-gb-month") is None  # no Backup price there


def test_every_catalog_key_a_pricer_reads_exists_in_some_region() -> None:
    """A declared prefix that matches no price would leave its pricer never priceable."""
    from tfoidc.cost.pricers import PRICERS

    doc = json.loads(SHIPPED.read_text())
    keys = {k for region in doc["prices"].values() for k in region}
    for resource_type, pricer in PRICERS.items():
        for prefix in pricer.catalog:
            assert any(k.startswith(prefix) for k in keys), (resource_type, prefix)
