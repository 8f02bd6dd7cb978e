"""The registry (tfoidc.cost.pricers): built from each pricer's declaration, one home per type, and
what it declares is what it reads, what tfoidc.toml accepts and what docs/cost.md lists."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import pytest

from tests.conftest import REPO
from tests.cost.costplans import shipped
from tfoidc.cost.model import CostComponent
from tfoidc.cost.pricers import CATALOG_PREFIXES, FREE_TYPES, PRICERS, SERVICES, USAGE_KEYS
from tfoidc.cost.pricers.base import Attrs, Pricing, UndeclaredKey, pricer

TESTS = Path(__file__).parent
DOCS = (REPO / "docs" / "cost.md").read_text(encoding="utf-8")


def test_the_tables_are_derived_from_the_declarations() -> None:
    assert set(CATALOG_PREFIXES) == set(PRICERS)
    assert all(CATALOG_PREFIXES[t] == p.catalog for t, p in PRICERS.items())
    assert set(USAGE_KEYS) == {t for t, p in PRICERS.items() if p.usage}
    assert len(PRICERS) >= 55
    # every type the issue asked for is priced
    for resource_type in (
        "aws_autoscaling_group", "aws_elasticache_replication_group", "aws_elasticsearch_domain",
        "aws_opensearch_domain", "aws_redshift_cluster", "aws_msk_cluster", "aws_efs_file_system",
        "aws_route53_zone", "aws_route53_record", "aws_sqs_queue", "aws_sns_topic",
        "aws_cloudfront_distribution", "aws_ecs_service", "aws_ecr_repository", "aws_api_gateway_rest_api",
        "aws_apigatewayv2_api", "aws_sfn_state_machine", "aws_mq_broker", "aws_kinesis_stream",
        "aws_cloudwatch_metric_alarm", "aws_codebuild_project", "aws_docdb_cluster_instance",
        "aws_neptune_cluster_instance", "aws_ec2_transit_gateway_vpc_attachment", "aws_vpn_connection",
        "aws_cloudtrail", "aws_ssm_parameter", "aws_acm_certificate", "aws_backup_vault",
        "aws_fsx_windows_file_system", "aws_globalaccelerator_accelerator", "aws_transfer_server",
        "aws_config_config_rule", "aws_dx_connection",
    ):  # fmt: skip
        assert resource_type in PRICERS, resource_type


def test_every_pricer_module_has_its_test_module_naming_its_types() -> None:
    for service in SERVICES:
        name = service.__name__.rsplit(".", 1)[-1]
        test = TESTS / f"test_{name}.py"
        assert test.exists(), test
        source = test.read_text(encoding="utf-8")
        for p in PRICERS.values():
            if p.service == name:
                for resource_type in p.types:
                    golden = resource_type.removeprefix("aws_")
                    assert f"{resource_type}." in source or f'"{golden}"' in source, (
                        test.name,
                        resource_type,
                    )


def test_a_pricer_reading_a_key_it_did_not_declare_is_a_bug_not_a_price() -> None:
    @pricer("aws_fake", catalog=("kms/",), usage={"monthly_requests": "requests"})
    def fake(a: Attrs, p: Pricing) -> list[CostComponent]:
        return [p.monthly("Key", "kms/key-month")]

    pricing = Pricing(shipped(), "us-east-1", {}, declared=fake)
    assert fake(Attrs({}, {}), pricing)[0].unit_price == shipped().price("us-east-1", "kms/key-month").amount  # type: ignore[union-attr]
    with pytest.raises(UndeclaredKey, match="reads eks/cluster-hour"):
        pricing.unit_price("eks/cluster-hour")
    with pytest.raises(UndeclaredKey, match="storage_gb"):
        pricing.usage_value("storage_gb")
    assert pricing.usage_value("monthly_requests") is None
    assert (
        Pricing(shipped(), "us-east-1", {"monthly_requests": Decimal(3)}, declared=fake).usage_value(
            "monthly_requests"
        )
        == 3
    )


def test_docs_list_every_priced_type_its_usage_keys_and_every_free_type() -> None:
    for resource_type, p in PRICERS.items():
        assert f"`{resource_type}`" in DOCS, resource_type
        for key in p.usage:
            assert f"`{key.split('.')[0]}" in DOCS, (resource_type, key)
    free_section = DOCS.split("## Free", 1)[1].split("\n## ", 1)[0]
    for resource_type in FREE_TYPES:
        assert f"`{resource_type}`" in free_section, resource_type


def test_prices_show_lists_the_new_types() -> None:
    rows = [
        p
        for prefix in CATALOG_PREFIXES["aws_autoscaling_group"]
        for p in shipped().prices("us-east-1", prefix)
    ]
    assert any(r.key == "ec2/instance-hour/m5.large" for r in rows)
    assert any(re.match(r"ebs/storage-gb-month/gp3$", r.key) for r in rows)
