"""aws_instance and aws_autoscaling_group (priced from its launch template or launch configuration)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from tests.conftest import PLANS, need_shared
from tests.cost.costplans import HOURS, Change, derive, one, price, priced, run
from tests.cost.goldens import check_golden

GB_GP2 = "ebs/storage-gb-month/gp2"
MONITORING = 7 * price("cloudwatch/metric-month")


def test_instance_with_root_and_ebs_block_devices_from_the_infracost_example_plan() -> None:
    plan_path = need_shared(PLANS / "infracost" / "example_plan.json")
    est = run(derive(plan_path, lambda doc: None))
    web = one(est, "aws_instance.web_app")
    expected = (
        price("ec2/instance-hour/m5.4xlarge") * HOURS
        + 50 * price(GB_GP2)
        + 1000 * price("ebs/storage-gb-month/io1")
        + 800 * price("ebs/iops-month/io1")
    )
    assert web.monthly_after == expected
    assert web.monthly_before == 0 and web.action == "create"
    names = [c.name for c in web.components]
    assert names == [
        "Instance usage (Linux/UNIX, on-demand, m5.4xlarge)",
        "root_block_device: Storage (general purpose SSD, gp2)",
        "ebs_block_device[0]: Storage (provisioned IOPS SSD, io1)",
        "ebs_block_device[0]: Provisioned IOPS",
    ]
    # every component names the price it used: the catalog source file and its date
    assert all("(" in c.price_source and c.price_source for c in web.components)
    assert "ec2-linux-ondemand" in web.components[0].price_source


def test_instance_root_volume_size_unknown_is_assumed_8_gb_and_says_so() -> None:
    change = Change(
        "aws_instance.app",
        {"instance_type": "t3.micro", "root_block_device": [], "ebs_block_device": []},
        after_unknown={"root_block_device": True, "ebs_block_device": True},
    )
    est = priced([change])
    app = one(est, "aws_instance.app")
    assert app.monthly_after == price("ec2/instance-hour/t3.micro") * HOURS + 8 * price(GB_GP2)
    assert any("assumed 8 GB" in c.name for c in app.components)
    # a root block that is unknown as a whole (not just its size) is the same assumption
    whole = Change(
        "aws_instance.app",
        {"instance_type": "t3.micro", "root_block_device": [{}]},
        after_unknown={"root_block_device": [True]},
    )
    assert one(priced([whole]), "aws_instance.app").monthly_after == app.monthly_after


def test_instance_volume_managed_as_aws_ebs_volume_is_not_priced_twice() -> None:
    plan_path = need_shared(PLANS / "infracost" / "instance_with_attachment_after_deploy.json")
    est = run(derive(plan_path, lambda doc: None))
    instance = one(est, "aws_instance.ec2")
    volume = one(est, "aws_ebs_volume.storage")
    assert instance.monthly_after == price("ec2/instance-hour/t2.nano") * HOURS + 8 * price(GB_GP2)
    assert volume.monthly_after == 128 * price(GB_GP2)
    assert not any("ebs_block_device" in c.name for c in instance.components)


@pytest.mark.parametrize(
    ("values", "unknown", "reason"),
    [
        ({"instance_type": "t3.micro", "tenancy": "dedicated"}, {}, "tenancy 'dedicated'"),
        ({}, {"instance_type": True}, "instance_type is known only after apply"),
        ({"instance_type": "x9.nonexistent"}, {}, "no price for ec2/instance-hour/x9.nonexistent"),
        (
            {"instance_type": "t3.micro", "ebs_block_device": [{"volume_type": "gp3"}]},
            {"ebs_block_device": [{"volume_size": True}]},
            "ebs_block_device[0].volume_size is known only after apply",
        ),
        (
            {"instance_type": "t3.micro", "ebs_block_device": [{"volume_type": "gp3"}]},
            {"ebs_block_device": [True]},
            "ebs_block_device[0].volume_size is known only after apply",
        ),
    ],
)
def test_instance_not_priced_with_reason(
    values: dict[str, Any], unknown: dict[str, Any], reason: str
) -> None:
    est = priced([Change("aws_instance.x", values, after_unknown=unknown)])
    assert not est.resources
    assert len(est.not_priced) == 1 and reason in est.not_priced[0].reason
    assert any("1 resource was not priced" in n for n in est.notes)


def test_instance_detailed_monitoring_is_seven_cloudwatch_metrics() -> None:
    values = {"instance_type": "m3.large", "monitoring": True}
    est = priced([Change("aws_instance.i", values, after_unknown={"root_block_device": True})])
    costs = {c.name: c.monthly_cost for c in one(est, "aws_instance.i").components}
    assert costs["EC2 detailed monitoring"] == MONITORING


def test_instance_golden() -> None:
    check_golden("instance")


# --- aws_autoscaling_group ------------------------------------------------------------------------


def test_autoscaling_group_golden() -> None:
    rows = check_golden("autoscaling_group")
    assert len(rows) >= 25


def _lt(address: str = "aws_launch_template.web", **values: Any) -> Change:
    return Change(address, {"instance_type": "m5.large", **values}, after_unknown={"id": True})


def _asg(
    address: str = "aws_autoscaling_group.web", lt: str = "aws_launch_template.web", **values: Any
) -> Change:
    refs = {"launch_template": [{"id": {"references": [f"{lt}.id", lt]}}]}
    return Change(
        address,
        {"launch_template": [{"id": None}], "min_size": 1, "max_size": 4, **values},
        after_unknown={"launch_template": [{"id": True}]},
        expressions=refs,
    )


def test_the_group_carries_its_launch_templates_cost_and_the_template_is_free() -> None:
    lt = _lt(
        block_device_mappings=[
            {"device_name": "/dev/xvda", "ebs": [{"volume_size": 30, "volume_type": "gp3"}]}
        ]
    )
    est = priced([lt, _asg(desired_capacity=3)])
    group = one(est, "aws_autoscaling_group.web")
    instance = price("ec2/instance-hour/m5.large") * HOURS
    assert group.monthly_after == 3 * (instance + 30 * price("ebs/storage-gb-month/gp3"))
    assert [f.address for f in est.free_resources] == ["aws_launch_template.web"]
    assert "autoscaling_group" in est.free_resources[0].reason
    assert any("aws_launch_template.web (reference)" in n for n in group.notes)


def test_desired_capacity_else_min_size_and_usage_instances() -> None:
    root = 8 * price(GB_GP2)  # the AMI's root volume, assumed 8 GB: no mapping names a root device
    each = price("ec2/instance-hour/m5.large") * HOURS + root
    unset = Change(
        "aws_autoscaling_group.web",
        {"launch_template": [{"id": None}], "min_size": 2, "max_size": 4},
        after_unknown={"launch_template": [{"id": True}], "desired_capacity": True},
        expressions={"launch_template": [{"id": {"references": ["aws_launch_template.web.id"]}}]},
    )
    assert one(priced([_lt(), unset]), unset.address).monthly_after == 2 * each
    # desired_capacity set from something unknown: not guessed
    configured = Change(
        unset.address,
        unset.after,
        after_unknown=unset.after_unknown,
        expressions={**(unset.expressions or {}), "desired_capacity": {"references": ["var.size"]}},
    )
    assert "desired_capacity is known only after apply" in priced([_lt(), configured]).not_priced[0].reason
    from tfoidc.cost.config import CostConfig

    usage = CostConfig(usage={"aws_autoscaling_group.web": {"instances": Decimal(5)}})
    assert (
        one(priced([_lt(), _asg(desired_capacity=1)], config=usage), unset.address).monthly_after == 5 * each
    )


def test_launch_configuration_by_name_and_by_value_when_the_plan_has_no_reference() -> None:
    lc = Change(
        "aws_launch_configuration.web",
        {
            "name": "web-lc",
            "instance_type": "t3.small",
            "enable_monitoring": False,
            "root_block_device": [{"volume_size": 20}],
        },
    )
    asg = Change(
        "aws_autoscaling_group.web", {"launch_configuration": "web-lc", "desired_capacity": 2, "min_size": 1}
    )
    group = one(priced([lc, asg]), "aws_autoscaling_group.web")
    assert group.monthly_after == 2 * (price("ec2/instance-hour/t3.small") * HOURS + 20 * price(GB_GP2))
    assert any("matching name" in n for n in group.notes)


def test_mixed_instances_first_override_weighted_and_spot_refused() -> None:
    policy = {
        "launch_template": [
            {
                "launch_template_specification": [{"launch_template_id": "lt-1"}],
                "override": [
                    {"instance_type": "c5.xlarge", "weighted_capacity": "4"},
                    {"instance_type": "c5.2xlarge"},
                ],
            }
        ],
        "instances_distribution": [
            {"on_demand_base_capacity": 0, "on_demand_percentage_above_base_capacity": 100}
        ],
    }
    lt = Change(
        "aws_launch_template.web",
        {
            "id": "lt-1",
            "instance_type": "m5.large",
            "block_device_mappings": [{"device_name": "/dev/sda1", "ebs": [{"volume_size": 8}]}],
        },
    )
    asg = Change(
        "aws_autoscaling_group.web",
        {"mixed_instances_policy": [policy], "desired_capacity": 10, "min_size": 1},
    )
    group = one(priced([lt, asg]), "aws_autoscaling_group.web")
    count = 3  # 10 capacity units / 4 per c5.xlarge, rounded up
    assert group.monthly_after == count * (price("ec2/instance-hour/c5.xlarge") * HOURS + 8 * price(GB_GP2))
    policy["instances_distribution"][0]["on_demand_percentage_above_base_capacity"] = 20
    spot = priced([lt, Change(asg.address, {**asg.after, "mixed_instances_policy": [policy]})])  # type: ignore[dict-item]
    assert "spot" in spot.not_priced[0].reason


def test_a_group_whose_template_is_not_in_the_plan_is_not_priced_rather_than_free() -> None:
    asg = Change(
        "aws_autoscaling_group.web",
        {"launch_template": [{"id": "lt-0abc"}], "desired_capacity": 2, "min_size": 1},
    )
    est = priced([asg])
    assert not est.resources and "launch template is not in this plan" in est.not_priced[0].reason


def test_module_template_found_as_the_only_one_in_its_module_instance() -> None:
    """terraform-aws-modules/autoscaling refers to its template through a local the plan does not resolve."""
    lt = _lt('module.asg["a"].aws_launch_template.this[0]')
    other = _lt('module.asg["b"].aws_launch_template.this[0]', instance_type="t3.nano")
    asg = _asg(
        'module.asg["a"].aws_autoscaling_group.this[0]', "local.launch_template_id", desired_capacity=1
    )
    group = one(priced([lt, other, asg]), asg.address)
    assert group.components[0].name == "Instance usage (Linux/UNIX, on-demand, m5.large)"
    assert any("the only one in its module" in n for n in group.notes)


def test_an_instance_launched_from_a_template_takes_its_instance_type() -> None:
    lt = Change("aws_launch_template.web", {"id": "lt-1", "instance_type": "c5.large"})
    instance = Change(
        "aws_instance.web",
        {"launch_template": [{"id": "lt-1"}]},
        after_unknown={"instance_type": True, "root_block_device": True},
    )
    web = one(priced([lt, instance]), "aws_instance.web")
    assert web.components[0].name == "Instance usage (Linux/UNIX, on-demand, c5.large)"
    assert web.notes == ("instance type from aws_launch_template.web (matching id)",)
    alone = priced([instance])
    assert alone.not_priced[0].reason == "instance_type is known only after apply"
