"""Every covered resource type, priced on fixture plans and plans derived from them.

Expected figures are the catalog's recorded AWS prices times the quantities the resource implies,
computed here from the catalog; no total is typed in.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import PLANS, need_shared
from tests.cost.costplans import HOURS, Change, derive, one, price, priced, run
from tfoidc.cost.config import CostConfig

GB_GP2 = "ebs/storage-gb-month/gp2"


def component_costs(est: Any, address: str) -> dict[str, Decimal | None]:
    return {c.name: c.monthly_cost for c in one(est, address).components}


# --- aws_instance ------------------------------------------------------------------------------


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


# --- aws_ebs_volume (values from infracost's ebs_volume_test.tf) -------------------------------


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ({"size": 10}, {"ebs/storage-gb-month/gp2": 10}),
        ({"type": "gp2", "size": 10}, {"ebs/storage-gb-month/gp2": 10}),
        (
            {"type": "io1", "size": 30, "iops": 300},
            {"ebs/storage-gb-month/io1": 30, "ebs/iops-month/io1": 300},
        ),
        (
            {"type": "io2", "size": 30, "iops": 300},
            {"ebs/storage-gb-month/io2": 30, "ebs/iops-month/io2": 300},
        ),
        ({"type": "st1", "size": 40}, {"ebs/storage-gb-month/st1": 40}),
        ({"type": "sc1", "size": 50}, {"ebs/storage-gb-month/sc1": 50}),
        ({"type": "gp3", "size": 40, "iops": 3000, "throughput": 125}, {"ebs/storage-gb-month/gp3": 40}),
        (
            {"type": "gp3", "size": 40, "iops": 4000, "throughput": 130},
            {"ebs/storage-gb-month/gp3": 40, "ebs/iops-month/gp3": 1000, "ebs/throughput-mbps-month/gp3": 5},
        ),
        ({"type": "standard", "size": 20}, {"ebs/storage-gb-month/standard": 20}),
    ],
)
def test_ebs_volume(values: dict[str, Any], expected: dict[str, int]) -> None:
    values = {"availability_zone": "us-east-1a", **values}
    est = priced([Change("aws_ebs_volume.v", values)])
    total = sum((price(key) * qty for key, qty in expected.items()), Decimal(0))
    assert one(est, "aws_ebs_volume.v").monthly_after == total


def test_ebs_standard_io_requests_depend_on_usage_until_given() -> None:
    change = Change("aws_ebs_volume.std", {"type": "standard", "size": 20})
    est = priced([change])
    io = next(c for c in one(est, "aws_ebs_volume.std").components if c.name == "I/O requests")
    assert io.monthly_cost is None and io.monthly_quantity is None
    assert io.unit_price == price("ebs/io-request/standard") * 1_000_000  # per 1M requests
    usage = CostConfig(usage={"aws_ebs_volume.std": {"monthly_standard_io_requests": Decimal(3_000_000)}})
    est = priced([change], config=usage)
    assert one(est, "aws_ebs_volume.std").monthly_after == 20 * price(
        "ebs/storage-gb-month/standard"
    ) + 3_000_000 * price("ebs/io-request/standard")


def test_ebs_volume_size_unknown_is_not_priced() -> None:
    est = priced([Change("aws_ebs_volume.v", {"type": "gp3"}, after_unknown={"size": True})])
    assert [n.reason for n in est.not_priced] == ["size is known only after apply"]


def test_ebs_outside_us_east_1_is_not_priced_rather_than_free() -> None:
    est = priced([Change("aws_ebs_volume.v", {"type": "gp3", "size": 10})], region="eu-west-1")
    assert not est.resources
    assert "no price for ebs/storage-gb-month/gp3 in eu-west-1" in est.not_priced[0].reason


# --- networking --------------------------------------------------------------------------------


@pytest.mark.parametrize("region", ["us-east-1", "us-east-2", "us-west-2", "eu-west-1", "eu-central-1"])
def test_nat_gateway_eip_eks_cluster_in_every_covered_region(region: str) -> None:
    est = priced(
        [
            Change("aws_nat_gateway.nat", {"allocation_id": "eipalloc-1"}),
            Change("aws_eip.ip", {"domain": "vpc"}),
            Change("aws_eks_cluster.k", {"name": "k", "version": "1.31"}),
        ],
        region=region,
    )
    assert one(est, "aws_nat_gateway.nat").monthly_after == price("natgateway/hour", region) * HOURS
    assert one(est, "aws_eip.ip").monthly_after == price("vpc/public-ipv4-idle-hour", region) * HOURS
    assert one(est, "aws_eks_cluster.k").monthly_after == price("eks/cluster-hour", region) * HOURS
    assert est.region == region and not est.not_priced


def test_nat_gateway_data_processed_from_usage() -> None:
    config = CostConfig(usage={"aws_nat_gateway": {"monthly_data_processed_gb": Decimal(200)}})
    est = priced([Change("aws_nat_gateway.nat", {})], config=config)
    expected = price("natgateway/hour") * HOURS + 200 * price("natgateway/data-gb")
    assert one(est, "aws_nat_gateway.nat").monthly_after == expected


def test_eip_attached_to_an_instance_uses_the_in_use_price() -> None:
    est = priced([Change("aws_eip.ip", {"instance": "i-0123"})])
    ip = one(est, "aws_eip.ip")
    assert ip.monthly_after == price("vpc/public-ipv4-in-use-hour") * HOURS
    assert "idle" not in ip.components[0].name


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


def test_vpc_endpoints() -> None:
    est = priced(
        [
            Change("aws_vpc_endpoint.one", {"vpc_endpoint_type": "Interface", "subnet_ids": ["subnet-a"]}),
            Change(
                "aws_vpc_endpoint.two",
                {"vpc_endpoint_type": "Interface", "subnet_ids": ["subnet-a", "subnet-b"]},
            ),
            Change("aws_vpc_endpoint.s3", {"vpc_endpoint_type": "Gateway"}),
            Change("aws_vpc_endpoint.unknown", {}, after_unknown={"vpc_endpoint_type": True}),
            Change("aws_vpc_endpoint.gwlb", {"vpc_endpoint_type": "GatewayLoadBalancer"}),
        ]
    )
    assert one(est, "aws_vpc_endpoint.one").monthly_after == price("vpc/endpoint-hour") * HOURS
    assert one(est, "aws_vpc_endpoint.two").monthly_after == 2 * price("vpc/endpoint-hour") * HOURS
    gateway = one(est, "aws_vpc_endpoint.s3")
    assert gateway.monthly_after == 0 and gateway.components == ()  # gateway endpoints are free
    reasons = {n.address: n.reason for n in est.not_priced}
    assert reasons["aws_vpc_endpoint.unknown"] == "vpc_endpoint_type is known only after apply"
    assert "GatewayLoadBalancer" in reasons["aws_vpc_endpoint.gwlb"]


# --- databases and caches ----------------------------------------------------------------------

RDS = "rds/instance-hour/MySQL/db.t3.large"


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        (
            {"engine": "mysql", "instance_class": "db.t3.large", "allocated_storage": 20},
            {RDS: HOURS, "rds/storage-gb-month/gp2": 20},
        ),
        (
            {"engine": "mysql", "instance_class": "db.t3.large", "allocated_storage": 30, "multi_az": True},
            {RDS: 2 * HOURS, "rds/storage-gb-month/gp2": 60},
        ),
        (
            {
                "engine": "mysql",
                "instance_class": "db.t3.large",
                "storage_type": "io1",
                "allocated_storage": 50,
                "iops": 1200,
            },
            {RDS: HOURS, "rds/storage-gb-month/io1": 50, "rds/iops-month/io1": 1200},
        ),
        (
            {
                "engine": "postgres",
                "instance_class": "db.t3.large",
                "allocated_storage": 20,
                "storage_type": "gp3",
            },
            {"rds/instance-hour/PostgreSQL/db.t3.large": HOURS, "rds/storage-gb-month/gp3": 20},
        ),
        (
            {"engine": "mariadb", "instance_class": "db.t3.large", "allocated_storage": 20},
            {"rds/instance-hour/MariaDB/db.t3.large": HOURS, "rds/storage-gb-month/gp2": 20},
        ),
        (
            {
                "engine": "mysql",
                "instance_class": "db.t3.large",
                "storage_type": "gp3",
                "allocated_storage": 20,
                "iops": 4000,
            },
            {RDS: HOURS, "rds/storage-gb-month/gp3": 20, "rds/iops-month/gp3": 1000},
        ),
        (
            {
                "engine": "mysql",
                "instance_class": "db.t3.large",
                "storage_type": "gp3",
                "allocated_storage": 400,
                "iops": 12000,
            },
            {RDS: HOURS, "rds/storage-gb-month/gp3": 400},
        ),
        (
            {
                "engine": "mysql",
                "instance_class": "db.t3.large",
                "storage_type": "gp3",
                "allocated_storage": 400,
                "iops": 14000,
                "multi_az": True,
            },
            {RDS: 2 * HOURS, "rds/storage-gb-month/gp3": 800, "rds/iops-month/gp3": 4000},
        ),
    ],
)
def test_db_instance(values: dict[str, Any], expected: dict[str, Decimal]) -> None:
    est = priced([Change("aws_db_instance.db", values)])
    total = sum((price(k) * q for k, q in expected.items()), Decimal(0))
    db = one(est, "aws_db_instance.db")
    assert db.monthly_after == total
    assert (
        "Multi-AZ" in db.components[0].name
        if values.get("multi_az")
        else "Single-AZ" in db.components[0].name
    )


@pytest.mark.parametrize(
    ("values", "unknown", "reason"),
    [
        (
            {"engine": "oracle-se2", "instance_class": "db.t3.large"},
            {},
            "engine 'oracle-se2' is not in the catalog",
        ),
        (
            {"engine": "mysql", "instance_class": "db.t3.large"},
            {"allocated_storage": True},
            "allocated_storage is known only after apply",
        ),
        (
            {"engine": "mysql", "instance_class": "db.x99.huge", "allocated_storage": 5},
            {},
            "no price for rds/instance-hour/MySQL/db.x99.huge",
        ),
    ],
)
def test_db_instance_not_priced(values: dict[str, Any], unknown: dict[str, Any], reason: str) -> None:
    est = priced([Change("aws_db_instance.db", values, after_unknown=unknown)])
    assert reason in est.not_priced[0].reason


def test_rds_cluster_instances_are_priced_and_the_cluster_says_why_not() -> None:
    est = priced(
        [
            Change("aws_rds_cluster.c", {"engine": "aurora-postgresql"}),
            Change(
                "aws_rds_cluster_instance.c[0]",
                {"engine": "aurora-postgresql", "instance_class": "db.r5.large"},
            ),
            Change(
                "aws_rds_cluster_instance.c[1]",
                {"engine": "aurora-postgresql", "instance_class": "db.r5.large"},
            ),
        ]
    )
    each = price("rds/instance-hour/Aurora PostgreSQL/db.r5.large") * HOURS
    assert one(est, "aws_rds_cluster_instance.c[0]").monthly_after == each
    assert est.monthly_after == 2 * each
    assert [n.address for n in est.not_priced] == ["aws_rds_cluster.c"]
    assert "Aurora cluster storage and I/O" in est.not_priced[0].reason


def test_elasticache_clusters() -> None:
    est = priced(
        [
            Change(
                "aws_elasticache_cluster.redis",
                {"engine": "redis", "node_type": "cache.t3.micro", "num_cache_nodes": 1},
            ),
            Change(
                "aws_elasticache_cluster.mc",
                {"engine": "memcached", "node_type": "cache.t3.medium", "num_cache_nodes": 3},
            ),
            # cache.m5.large Redis has known-bad scraped prices in the US regions: left out of the catalog
            Change("aws_elasticache_cluster.bad", {"engine": "redis", "node_type": "cache.m5.large"}),
            Change("aws_elasticache_cluster.member", {"replication_group_id": "rg", "engine": "redis"}),
        ]
    )
    assert (
        one(est, "aws_elasticache_cluster.redis").monthly_after
        == price("elasticache/node-hour/Redis/cache.t3.micro") * HOURS
    )
    assert (
        one(est, "aws_elasticache_cluster.mc").monthly_after
        == 3 * price("elasticache/node-hour/Memcached/cache.t3.medium") * HOURS
    )
    reasons = {n.address: n.reason for n in est.not_priced}
    assert (
        "no price for elasticache/node-hour/Redis/cache.m5.large in us-east-1"
        in reasons["aws_elasticache_cluster.bad"]
    )
    assert "replication group" in reasons["aws_elasticache_cluster.member"]


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


# --- security, logs, serverless, storage -------------------------------------------------------


def test_kms_key_and_secret_from_fixture_and_derived_plans() -> None:
    plan_path = need_shared(PLANS / "regula" / "s3_bucket_sse.json")
    est = run(derive(plan_path, lambda doc: None))
    assert one(est, "aws_kms_key.key").monthly_after == price("kms/key-month")
    secret = one(
        priced([Change("aws_secretsmanager_secret.s", {"name": "db"})]), "aws_secretsmanager_secret.s"
    )
    assert secret.monthly_after == price("secretsmanager/secret-month")
    config = CostConfig(usage={"aws_secretsmanager_secret": {"monthly_requests": Decimal(50_000)}})
    secret = one(
        priced([Change("aws_secretsmanager_secret.s", {})], config=config), "aws_secretsmanager_secret.s"
    )
    assert secret.monthly_after == price("secretsmanager/secret-month") + 50_000 * price(
        "secretsmanager/api-request"
    )


def test_cloudwatch_log_group_lambda_and_s3_are_usage_based_never_zero_by_silence() -> None:
    plan_path = need_shared(PLANS / "infracost" / "example_plan.json")
    est = run(derive(plan_path, lambda doc: None))
    for address in ("aws_lambda_function.hello_world", "aws_s3_bucket.usage"):
        r = one(est, address)
        assert r.monthly_after == 0
        assert r.components and all(c.monthly_cost is None for c in r.components)
        assert all("usage:" in c.price_source for c in r.components)  # says which usage key would price it
    lam = one(est, "aws_lambda_function.hello_world")
    assert lam.components[0].unit_price == price("lambda/request") * 1_000_000


def test_lambda_with_usage_memory_and_architecture() -> None:
    usage = {"monthly_requests": Decimal(1_000_000), "request_duration_ms": Decimal(500)}
    config = CostConfig(usage={"aws_lambda_function": usage})
    est = priced(
        [
            Change("aws_lambda_function.x86", {"memory_size": 512, "architectures": ["x86_64"]}),
            Change(
                "aws_lambda_function.arm",
                {"memory_size": 1024, "architectures": ["arm64"], "ephemeral_storage": [{"size": 1536}]},
            ),
        ],
        config=config,
    )
    seconds = Decimal(1_000_000) * Decimal("0.5")
    x86 = 1_000_000 * price("lambda/request") + seconds * Decimal("0.5") * price("lambda/duration-gb-second")
    arm = (
        1_000_000 * price("lambda/request-arm")
        + seconds * 1 * price("lambda/duration-gb-second-arm")
        + seconds * 1 * price("lambda/ephemeral-storage-gb-second-arm")
    )
    assert one(est, "aws_lambda_function.x86").monthly_after == x86
    assert one(est, "aws_lambda_function.arm").monthly_after == arm


def test_s3_bucket_with_usage_in_another_region() -> None:
    usage = {
        "storage_gb": Decimal(1000),
        "monthly_tier_1_requests": Decimal(20_000),
        "monthly_tier_2_requests": Decimal(100_000),
    }
    est = priced(
        [Change("aws_s3_bucket.b", {"bucket": "b"})],
        region="eu-central-1",
        config=CostConfig(usage={"aws_s3_bucket.b": usage}),
    )
    r = "eu-central-1"
    expected = (
        1000 * price("s3/standard-storage-gb-month", r)
        + 20_000 * price("s3/standard-put-request", r)
        + 100_000 * price("s3/standard-get-request", r)
    )
    assert one(est, "aws_s3_bucket.b").monthly_after == expected


def test_cloudwatch_log_group_usage() -> None:
    usage = {"monthly_data_ingested_gb": Decimal(100), "storage_gb": Decimal(1000)}
    est = priced(
        [Change("aws_cloudwatch_log_group.l", {"name": "l"})],
        config=CostConfig(usage={"aws_cloudwatch_log_group": usage}),
    )
    expected = 100 * price("cloudwatch/logs-ingested-gb") + 1000 * price("cloudwatch/logs-stored-gb-month")
    log = one(est, "aws_cloudwatch_log_group.l")
    assert log.monthly_after == expected
    assert [c.monthly_cost is None for c in log.components] == [False, False, True]


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
            Change("aws_sqs_queue.q", {"name": "q"}),
            Change("aws_vpc.main", {"cidr_block": "10.0.0.0/16"}),
            Change("null_resource.n", {}, provider="registry.terraform.io/hashicorp/null"),
            Change("google_compute_instance.g", {}, provider="registry.terraform.io/hashicorp/google"),
        ]
    )
    assert [(n.address, n.reason) for n in est.not_priced] == [
        ("aws_sqs_queue.q", "no price model for aws_sqs_queue")
    ]
    assert set(est.free) == {"aws_vpc.main", "null_resource.n"}
    assert any("provider google" in n for n in est.notes)
    assert est.monthly_after == 0 and not est.resources


def test_every_priced_type_has_a_test_here() -> None:
    from tfoidc.cost.pricers import PRICERS

    source = Path(__file__).read_text(encoding="utf-8")
    assert [t for t in PRICERS if f'"{t}.' not in source and f"{t}." not in source] == []


def test_fixture_plans_never_price_a_covered_resource_at_zero_without_saying_why() -> None:
    from tests.conftest import all_fixture_plans
    from tfoidc.plan.parse import load_plan

    plans = all_fixture_plans()
    if not plans:
        pytest.skip("fixture plans not available")
    zero_ok = {"aws_s3_bucket", "aws_lambda_function", "aws_cloudwatch_log_group", "aws_vpc_endpoint"}
    checked = 0
    for path in plans:
        plan = load_plan(path)
        if plan.errored:
            continue
        est = run(plan, config=CostConfig(region="us-east-1"))
        for r in est.resources:
            checked += 1
            if r.type in zero_ok:
                # $0 here only means "depends on usage": every component carries its unit price
                assert all(c.monthly_cost is not None or c.unit_price > 0 for c in r.components), r.address
            elif r.action != "delete":
                assert r.monthly_after > 0, (path.name, r.address)
        for n in est.not_priced:
            assert n.reason, (path.name, n.address)
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
                # priced with every value unknown: only defaults or usage-only components
                assert r.type in {
                    "aws_eip", "aws_nat_gateway", "aws_eks_cluster", "aws_kms_key", "aws_secretsmanager_secret",
                    "aws_cloudwatch_log_group", "aws_s3_bucket", "aws_lambda_function", "aws_elb", "aws_lb", "aws_alb",
                }, (path.name, r.address)  # fmt: skip
        assert all(n.reason for n in est.not_priced)
    assert covered > 10
