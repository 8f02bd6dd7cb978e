"""The estimator over whole plans: deltas for update/replace/delete, totals per module and type,
usage from tfoidc.toml, unknown values, and the CLI's view of the result."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import PLANS, need_shared
from tests.cost.costplans import HOURS, Change, derive, one, price, priced, run
from tfoidc.config import load_config
from tfoidc.cost.config import CostConfig

INSTANCE = "ec2/instance-hour/"


def _instance(instance_type: str, root_gb: int = 8) -> dict[str, Any]:
    return {
        "instance_type": instance_type,
        "root_block_device": [{"volume_size": root_gb, "volume_type": "gp2"}],
        "ebs_block_device": [],
    }


def _instance_cost(instance_type: str, root_gb: int = 8) -> Decimal:
    return price(INSTANCE + instance_type) * HOURS + root_gb * price("ebs/storage-gb-month/gp2")


def test_update_replace_delete_and_no_op_deltas() -> None:
    est = priced(
        [
            Change("aws_instance.resized", _instance("m5.large"), _instance("m5.4xlarge"), ("update",)),
            Change(
                "aws_instance.replaced",
                _instance("t3.small", 20),
                _instance("t3.micro"),
                ("delete", "create"),
            ),
            Change("aws_instance.cbd", _instance("t3.small"), _instance("t3.small"), ("create", "delete")),
            Change("aws_instance.gone", None, _instance("c5.xlarge"), ("delete",)),
            Change("aws_instance.same", _instance("t3.nano"), _instance("t3.nano"), ("no-op",)),
            Change("aws_instance.new", _instance("t3.micro")),
        ]
    )
    rows = {r.address: r for r in est.resources}
    assert rows["aws_instance.resized"].action == "update"
    assert rows["aws_instance.resized"].monthly_before == _instance_cost("m5.4xlarge")
    assert rows["aws_instance.resized"].monthly_after == _instance_cost("m5.large")
    assert rows["aws_instance.resized"].monthly_delta < 0
    assert rows["aws_instance.replaced"].action == "replace"
    assert rows["aws_instance.replaced"].monthly_delta == _instance_cost("t3.small", 20) - _instance_cost(
        "t3.micro"
    )
    assert rows["aws_instance.cbd"].monthly_delta == 0
    assert rows["aws_instance.gone"].monthly_before == _instance_cost("c5.xlarge")
    assert rows["aws_instance.gone"].monthly_after == 0
    # a deleted resource still shows what it cost (its components come from `before`)
    assert rows["aws_instance.gone"].components[0].name.endswith("c5.xlarge)")
    assert rows["aws_instance.same"].monthly_delta == 0
    assert rows["aws_instance.new"].monthly_before == 0
    expected_delta = sum((r.monthly_after - r.monthly_before for r in rows.values()), Decimal(0))
    assert est.monthly_delta == expected_delta
    assert est.monthly_after - est.monthly_before == expected_delta


def test_derived_plan_delete_of_the_infracost_example() -> None:
    plan_path = need_shared(PLANS / "infracost" / "example_plan.json")

    def to_delete(doc: dict[str, Any]) -> None:
        for rc in doc["resource_changes"]:
            rc["change"]["before"], rc["change"]["after"] = rc["change"]["after"], None
            rc["change"]["actions"] = ["delete"]
            rc["change"]["after_unknown"] = {}

    created = run(derive(plan_path, lambda doc: None))
    deleted = run(derive(plan_path, to_delete))
    assert deleted.monthly_after == 0
    assert deleted.monthly_before == created.monthly_after
    assert deleted.monthly_delta == -created.monthly_delta


def test_totals_per_module_and_type() -> None:
    est = priced(
        [
            Change("module.web.aws_instance.a", _instance("t3.micro")),
            Change("module.web.aws_instance.b", _instance("t3.small")),
            Change(
                "module.web.module.db.aws_db_instance.main",
                {"engine": "mysql", "instance_class": "db.t3.large", "allocated_storage": 20},
            ),
            Change("aws_nat_gateway.nat", {}),
            Change("aws_wafv2_web_acl.waf", {}),  # not priced: counted, never $0 in a total
        ]
    )
    by_module = est.monthly_delta_by("module")
    db = price("rds/instance-hour/MySQL/db.t3.large") * HOURS + 20 * price("rds/storage-gb-month/gp2")
    assert by_module == {
        "module.web": _instance_cost("t3.micro") + _instance_cost("t3.small"),
        "module.web.module.db": db,
        "": price("natgateway/hour") * HOURS,
    }
    by_type = est.monthly_delta_by("type")
    assert by_type["aws_instance"] == _instance_cost("t3.micro") + _instance_cost("t3.small")
    assert "aws_wafv2_web_acl" not in by_type
    assert sum(by_type.values()) == est.monthly_delta
    assert len(est.not_priced) == 1 and any("1 resource was not priced" in n for n in est.notes)


def test_unknown_values_after_apply() -> None:
    est = priced(
        [
            # tenancy is computed: unknown means the default (shared), so the instance is priced
            Change("aws_instance.a", _instance("t3.micro"), after_unknown={"tenancy": True}),
            # the size of a new volume decided at apply: not priced, with the reason
            Change("aws_ebs_volume.v", {"type": "gp3"}, after_unknown={"size": True}),
            # update whose new value is unknown: not priced at all rather than a wrong delta
            Change(
                "aws_db_instance.db",
                {"engine": "mysql", "allocated_storage": 20},
                {"engine": "mysql", "instance_class": "db.t3.large", "allocated_storage": 20},
                ("update",),
                after_unknown={"instance_class": True},
            ),
        ]
    )
    assert one(est, "aws_instance.a").monthly_after == _instance_cost("t3.micro")
    reasons = {n.address: n.reason for n in est.not_priced}
    assert reasons == {
        "aws_ebs_volume.v": "size is known only after apply",
        "aws_db_instance.db": "instance_class is known only after apply",
    }


def test_deposed_and_data_resources_are_skipped() -> None:
    plan_path = need_shared(PLANS / "infracost" / "instance_with_attachment_before_deploy.json")

    def add_deposed(doc: dict[str, Any]) -> None:
        extra = json.loads(json.dumps(doc["resource_changes"][0]))
        extra["deposed"] = "00000001"
        doc["resource_changes"].append(extra)

    base = run(derive(plan_path, lambda d: None))
    with_deposed = run(derive(plan_path, add_deposed))
    assert [r.address for r in with_deposed.resources] == [r.address for r in base.resources]


def test_usage_from_tfoidc_toml_reproduces_the_infracost_usage_golden(tmp_path: Path) -> None:
    """sync_usage_file_plan's golden was made with a usage file that is not in the fixtures; its
    quantities are printed in the golden, so the same usage is written here as tfoidc.toml."""
    plan_path = need_shared(PLANS / "infracost" / "sync_usage_file_plan.json")
    toml = tmp_path / "tfoidc.toml"
    toml.write_text(
        """
[cost.usage.aws_cloudwatch_log_group]
storage_gb = 1000
[cost.usage.'aws_cloudwatch_log_group.production_logs["media"]']
monthly_data_ingested_gb = 1000
[cost.usage.'aws_cloudwatch_log_group.production_logs["assets"]']
monthly_data_ingested_gb = 100
[cost.usage.'aws_nat_gateway.example_count']
monthly_data_processed_gb = 10
[cost.usage.'aws_nat_gateway.example_count[0]']
monthly_data_processed_gb = 200
[cost.usage.'aws_nat_gateway.example_each["assets"]']
monthly_data_processed_gb = 4
[cost.usage.'aws_nat_gateway.example_each["media"]']
monthly_data_processed_gb = 2
""",
        encoding="utf-8",
    )
    config = load_config(toml)
    est = run(derive(plan_path, lambda d: None), config=config.cost)
    ingest, stored = price("cloudwatch/logs-ingested-gb"), price("cloudwatch/logs-stored-gb-month")
    nat_h, nat_gb = price("natgateway/hour") * HOURS, price("natgateway/data-gb")
    expected = {
        'aws_cloudwatch_log_group.production_logs["media"]': 1000 * ingest + 1000 * stored,
        'aws_cloudwatch_log_group.production_logs["assets"]': 100 * ingest + 1000 * stored,
        "aws_nat_gateway.example_count[0]": nat_h + 200 * nat_gb,
        "aws_nat_gateway.example_count[1]": nat_h + 10 * nat_gb,  # from the un-indexed address
        'aws_nat_gateway.example_each["assets"]': nat_h + 4 * nat_gb,
        'aws_nat_gateway.example_each["media"]': nat_h + 2 * nat_gb,
    }
    assert {r.address: r.monthly_after for r in est.resources} == expected
    golden = (PLANS / "infracost" / "sync_usage_file_plan.json.golden.txt").read_text()
    golden_total = Decimal(golden.split("OVERALL TOTAL")[1].split("$")[1].split()[0].replace(",", ""))
    assert abs(est.monthly_after - golden_total) <= golden_total / 100


def test_region_from_a_root_variable_and_from_tfoidc_toml() -> None:
    plan_path = need_shared(PLANS / "checkov" / "hcl_enrichment_public_s3_iam.json")
    plan = derive(plan_path, lambda d: None)
    est = run(plan)
    assert est.region == "us-west-2" and any("variable region" in n for n in est.notes)
    table = next(r for r in est.resources if r.type == "aws_dynamodb_table")
    assert table.region == "us-west-2"
    assert table.components[0].unit_price == price("dynamodb/wcu-hour", "us-west-2")
    forced = run(plan, config=CostConfig(region="eu-west-1"))
    assert forced.region == "eu-west-1"
    assert any("tfoidc.toml [cost] region" in n for n in forced.notes)


# --- the rules that hold for every type --------------------------------------------------------


def test_sensitive_values_are_not_priced_and_not_shown() -> None:
    change = Change(
        "aws_db_instance.db",
        {"engine": "mysql", "instance_class": "db.t3.large", "allocated_storage": 20},
        after_sensitive={"instance_class": True},
    )
    est = priced([change])
    assert est.not_priced[0].reason == "instance_class is sensitive"
    assert "db.t3.large" not in repr(est)


def test_types_without_a_model_and_other_providers() -> None:
    est = priced(
        [
            Change("aws_wafv2_web_acl.waf", {"name": "waf"}),
            Change("aws_vpc.main", {"cidr_block": "10.0.0.0/16"}),
            Change("null_resource.n", {}, provider="registry.terraform.io/hashicorp/null"),
            Change("google_compute_instance.g", {}, provider="registry.terraform.io/hashicorp/google"),
        ]
    )
    assert [(n.address, n.reason) for n in est.not_priced] == [
        ("aws_wafv2_web_acl.waf", "no price model for aws_wafv2_web_acl")
    ]
    assert set(est.free) == {"aws_vpc.main", "null_resource.n"}
    assert any("provider google" in n for n in est.notes)
    assert est.monthly_after == 0 and not est.resources


def test_fixture_plans_never_price_a_resource_at_zero_without_saying_why() -> None:
    """No silent zeros: a priced resource costs something, or depends on usage (each component with
    its unit price and the usage key that would price it), or costs nothing and says why."""
    from tests.conftest import all_fixture_plans
    from tfoidc.plan.parse import load_plan

    plans = all_fixture_plans()
    if not plans:
        pytest.skip("fixture plans not available")
    checked = 0
    for path in plans:
        plan = load_plan(path)
        if plan.errored:
            continue
        est = run(plan, config=CostConfig(region="us-east-1"))
        for r in est.resources:
            checked += 1
            if r.action == "delete" or r.monthly_after > 0:
                continue
            if r.depends_on_usage:
                assert all(c.unit_price > 0 and c.usage_keys for c in r.components), (path.name, r.address)
            else:
                assert r.notes, (path.name, r.address)
        for n in est.not_priced:
            assert n.reason, (path.name, n.address)
        for f in est.free_resources:
            assert f.reason, (path.name, f.address)
    assert checked > 50


def test_every_value_unknown_never_crashes_and_never_prices_silently() -> None:
    from tests.conftest import all_fixture_plans
    from tfoidc.cost.pricers import PRICERS

    plans = [p for p in all_fixture_plans() if "aws_" in p.read_text(encoding="utf-8-sig", errors="replace")]
    if not plans:
        pytest.skip("fixture plans not available")

    def all_unknown(doc: dict[str, Any]) -> None:
        for rc in doc.get("resource_changes") or []:
            change = rc.get("change") or {}
            if isinstance(change.get("after"), dict):
                change["after_unknown"] = {k: True for k in change["after"]}

    covered = 0
    for path in plans:
        try:
            plan = derive(path, all_unknown)
        except (ValueError, UnicodeDecodeError):
            continue
        if plan.errored:
            continue
        est = run(plan, config=CostConfig(region="us-east-1"))
        for r in est.resources:
            if r.type in PRICERS and r.action == "create":
                covered += 1
                # priced with every value unknown: only fixed fees, usage, or attributes whose unknown
                # value is the provider's computed default (the configuration does not set them)
                assert r.type in {
                    "aws_eip", "aws_nat_gateway", "aws_eks_cluster", "aws_kms_key", "aws_secretsmanager_secret",
                    "aws_cloudwatch_log_group", "aws_s3_bucket", "aws_lambda_function", "aws_elb", "aws_lb", "aws_alb",
                    "aws_ecr_repository", "aws_route53_zone", "aws_api_gateway_rest_api", "aws_sfn_state_machine",
                    "aws_ssm_parameter", "aws_acm_certificate", "aws_sqs_queue", "aws_sns_topic",
                }, (path.name, r.address)  # fmt: skip
        assert all(n.reason for n in est.not_priced)
    assert covered > 10
