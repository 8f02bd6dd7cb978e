"""Application, network and classic load balancers."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from tests.conftest import PLANS, need_shared
from tests.cost.costplans import HOURS, Change, derive, one, price, priced, run
from tests.cost.goldens import check_golden
from tfoidc.cost.config import CostConfig


@pytest.mark.parametrize(
    ("address", "values", "kind"),
    [
        ("aws_lb.lb1", {"load_balancer_type": "application"}, "application"),
        ("aws_alb.alb1", {}, "application"),
        ("aws_lb.nlb1", {"load_balancer_type": "network"}, "network"),
    ],
)
def test_load_balancers(address: str, values: dict[str, Any], kind: str) -> None:
    est = priced([Change(address, values)])
    lb = one(est, address)
    assert lb.monthly_after == price(f"elb/{kind}-hour") * HOURS
    lcu = lb.components[1]
    assert lcu.monthly_cost is None and lcu.unit_price == price(f"elb/{kind}-lcu-hour") * HOURS
    config = CostConfig(usage={address: {"monthly_lcu_hours": Decimal(1000)}})
    lb = one(priced([Change(address, values)], config=config), address)
    assert lb.monthly_after == price(f"elb/{kind}-hour") * HOURS + 1000 * price(f"elb/{kind}-lcu-hour")


def test_gateway_load_balancer_is_not_priced() -> None:
    est = priced([Change("aws_lb.gw", {"load_balancer_type": "gateway"})])
    assert "load balancer type 'gateway' is not in the catalog" in est.not_priced[0].reason


def test_classic_elb_from_a_fixture_plan() -> None:
    plan_path = need_shared(PLANS / "terraform-compliance" / "issue_127_elb_security_groups.json")
    est = run(derive(plan_path, lambda doc: None))
    assert one(est, "aws_elb.example").monthly_after == price("elb/classic-hour") * HOURS
    web = one(est, "aws_instance.web[0]")
    assert web.components[0].unit_price == price("ec2/instance-hour/" + web.components[0].name[39:-1])


@pytest.mark.parametrize("golden", ["lb", "elb"])
def test_goldens(golden: str) -> None:
    check_golden(golden)
