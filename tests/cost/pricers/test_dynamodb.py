"""DynamoDB tables."""

from __future__ import annotations

from decimal import Decimal

from tests.conftest import PLANS, need_shared
from tests.cost.costplans import HOURS, Change, derive, one, price, priced, run
from tests.cost.goldens import check_golden
from tfoidc.cost.config import CostConfig


def test_dynamodb_provisioned_with_a_global_secondary_index() -> None:
    values = {
        "billing_mode": "PROVISIONED",
        "read_capacity": 30,
        "write_capacity": 20,
        "global_secondary_index": [{"name": "g", "read_capacity": 10, "write_capacity": 5}],
    }
    est = priced([Change("aws_dynamodb_table.t", values)])
    expected = (25 * price("dynamodb/wcu-hour") + 40 * price("dynamodb/rcu-hour")) * HOURS
    assert one(est, "aws_dynamodb_table.t").monthly_after == expected


def test_dynamodb_on_demand_is_usage_based() -> None:
    change = Change("aws_dynamodb_table.t", {"billing_mode": "PAY_PER_REQUEST"})
    table = one(priced([change]), "aws_dynamodb_table.t")
    assert table.monthly_after == 0 and all(c.monthly_cost is None for c in table.components)
    usage = {
        "monthly_write_request_units": Decimal(3_000_000),
        "monthly_read_request_units": Decimal(8_000_000),
        "storage_gb": Decimal(10),
    }
    table = one(
        priced([change], config=CostConfig(usage={"aws_dynamodb_table": usage})), "aws_dynamodb_table.t"
    )
    assert table.monthly_after == (
        3_000_000 * price("dynamodb/write-request-unit")
        + 8_000_000 * price("dynamodb/read-request-unit")
        + 10 * price("dynamodb/storage-gb-month")
    )


def test_dynamodb_table_from_a_fixture_plan() -> None:
    plan_path = need_shared(PLANS / "infracost" / "policy_data_upload_plan.json")
    est = run(derive(plan_path, lambda doc: None))
    table = one(est, "aws_dynamodb_table.autoscale_dynamodb_table")
    rc = next(r for r in derive(plan_path, lambda d: None).resource_changes if r.address == table.address)
    assert isinstance(rc.after, dict)
    expected = (
        rc.after["write_capacity"] * price("dynamodb/wcu-hour")
        + rc.after["read_capacity"] * price("dynamodb/rcu-hour")
    ) * HOURS
    assert table.monthly_after == expected


def test_dynamodb_table_golden() -> None:
    check_golden("dynamodb_table")
