"""EKS clusters and managed node groups."""

from __future__ import annotations

import pytest

from tests.conftest import PLANS, need_shared
from tests.cost.costplans import HOURS, Change, derive, one, price, priced, run
from tests.cost.goldens import check_golden
from tfoidc.cost.config import CostConfig

GB_GP2 = "ebs/storage-gb-month/gp2"


@pytest.mark.parametrize("region", ["us-east-1", "us-east-2", "us-west-2", "eu-west-1", "eu-central-1"])
def test_eks_cluster_in_every_covered_region(region: str) -> None:
    est = priced([Change("aws_eks_cluster.k", {"name": "k", "version": "1.31"})], region=region)
    assert one(est, "aws_eks_cluster.k").monthly_after == price("eks/cluster-hour", region) * HOURS


def test_eks_cluster_golden() -> None:
    check_golden("eks_cluster")


def test_eks_node_group_from_a_fixture_plan_with_the_region_from_tfoidc_toml() -> None:
    plan_path = need_shared(PLANS / "checkov" / "eks_node_group_remote_access.json")
    plan = derive(plan_path, lambda doc: None)
    # the fixture has no provider configuration: without a region it is not priced, with a reason
    assert "region unknown" in run(plan).not_priced[0].reason
    # EBS prices exist only for us-east-1 (see docs/cost.md): elsewhere the node disk makes it unpriced
    est = run(plan, config=CostConfig(region="eu-central-1"))
    assert "no price for ebs/storage-gb-month/gp2 in eu-central-1" in est.not_priced[0].reason
    # instance_types and disk_size are unknown in the plan: the AWS defaults (t3.medium, 20 GB gp2) apply
    us = one(run(plan, config=CostConfig(region="us-east-1")), "aws_eks_node_group.test")
    assert us.monthly_after == price("ec2/instance-hour/t3.medium") * HOURS + 20 * price(GB_GP2)


def test_eks_node_group_sizes_and_types() -> None:
    values = {
        "instance_types": ["m5.large"],
        "scaling_config": [{"desired_size": 3, "min_size": 1, "max_size": 5}],
        "disk_size": 50,
        "capacity_type": "ON_DEMAND",
    }
    est = priced([Change("aws_eks_node_group.ng", values)])
    expected = 3 * price("ec2/instance-hour/m5.large") * HOURS + 150 * price(GB_GP2)
    assert one(est, "aws_eks_node_group.ng").monthly_after == expected
    spot = priced([Change("aws_eks_node_group.ng", {**values, "capacity_type": "SPOT"})])
    assert "spot" in spot.not_priced[0].reason


def test_node_group_with_a_launch_template_takes_its_instance_type() -> None:
    lt = Change("aws_launch_template.nodes", {"instance_type": "m5.xlarge"}, after_unknown={"id": True})
    group = Change(
        "aws_eks_node_group.ng",
        {"scaling_config": [{"desired_size": 2}], "launch_template": [{"id": None}]},
        after_unknown={"launch_template": [{"id": True}], "instance_types": True},
        expressions={"launch_template": [{"id": {"references": ["aws_launch_template.nodes.id"]}}]},
    )
    ng = one(priced([lt, group]), "aws_eks_node_group.ng")
    assert ng.monthly_after == 2 * price("ec2/instance-hour/m5.xlarge") * HOURS
    assert ng.notes == ("instance type from aws_launch_template.nodes",)
