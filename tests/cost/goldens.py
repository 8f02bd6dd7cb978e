"""Infracost golden outputs: parsing, the resources derived from infracost's test configurations, and
the comparison with tfoidc's figures, per resource and per cost component.

The first 16 `prices/infracost-goldens` files come without their plans; their resources are written
from infracost's `internal/providers/terraform/aws/testdata/<t>/<t>.tf` (same commit as the goldens)
and, where the golden was made with a usage file, the usage is read back from the golden's
quantities. The 34 goldens added with the new pricers come with their `.tf` and `.usage.yml`: their
resources are in golden_resources.py and their usage is read from the usage file itself.
"""

from __future__ import annotations

import importlib.util
import json
import re
import sys
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from types import ModuleType
from typing import Any

import yaml

from tests.conftest import PLANS, PRICES, REPO
from tests.cost.costplans import Change, derive, make_plan, run
from tests.cost.golden_resources import NEW_GOLDENS
from tfoidc.cost.config import CostConfig
from tfoidc.cost.model import CostEstimate, ResourceCost
from tfoidc.cost.pricers import USAGE_KEYS

GOLDEN_DATES = {
    "db_instance": "2026-05-03",
    "eks_cluster": "2025-07-07",
    "dynamodb_table": "2024-11-15",
    "vpc_endpoint": "2024-10-18",
    "autoscaling_group": "2025-07-07",
    "ecs_service": "2025-07-07",
    "sns_topic": "2024-12-04",
}
GOLDEN_DEFAULT_DATE = "2024-07-01"
DATE = re.compile(r"\((\d{4}-\d{2}-\d{2})\)")
COST = re.compile(r"^(?P<qty>[\d,.]+)\s+(?P<unit>.+?)\s+\$(?P<cost>[\d,.]+)$")
PER_UNIT = re.compile(r"^Monthly cost depends on usage: \$(?P<price>[\d.]+) per (?P<unit>.+)$")


@cache
def builder() -> ModuleType:
    """tools/build_catalog.py, whose golden parser the tests share (one parser for both)."""
    spec = importlib.util.spec_from_file_location("build_catalog", REPO / "tools" / "build_catalog.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the class is made
    spec.loader.exec_module(module)
    return module


@dataclass(frozen=True)
class GoldenRow:
    name: str  # prefixed by its group rows, as tfoidc names components ("root_block_device: ...")
    cost: Decimal | None  # None: depends on usage (or "not found")
    unit_price: Decimal | None  # the "$x per unit" of a usage row
    unit: str


def golden_components(text: str) -> dict[str, list[GoldenRow]]:
    rows: dict[str, list[GoldenRow]] = {}
    for address, named in builder().golden_tree(text).items():
        rows[address] = []
        for name, rest in named.items():
            if m := COST.match(rest):
                cost = Decimal(m["cost"].replace(",", ""))
                rows[address].append(GoldenRow(name, cost, None, m["unit"]))
            elif m := PER_UNIT.match(rest):
                rows[address].append(GoldenRow(name, None, Decimal(m["price"]), m["unit"]))
            else:
                rows[address].append(GoldenRow(name, None, None, ""))
    return rows


def golden_rows(text: str) -> dict[str, list[Decimal]]:
    """Resource address -> the costs of its priced rows (a usage-only row costs nothing yet)."""
    return {a: [r.cost for r in rows if r.cost is not None] for a, rows in golden_components(text).items()}


def golden_monthly(text: str) -> dict[str, Decimal]:
    return {address: sum(costs, Decimal(0)) for address, costs in golden_rows(text).items()}


def golden_overall_total(text: str) -> Decimal:
    return Decimal(text.split("OVERALL TOTAL")[1].split("$")[1].split()[0].replace(",", ""))


def golden_json_monthly(text: str) -> dict[str, Decimal]:
    doc = json.JSONDecoder().raw_decode(text)[0]  # the golden is JSON followed by captured logs
    return {
        r["name"]: Decimal(r.get("monthlyCost") or "0")
        for p in doc["projects"]
        for r in p["breakdown"]["resources"]
    }


def golden_usage(golden: str) -> tuple[dict[str, dict[str, Decimal]], dict[str, list[str]]]:
    """The usage file of a golden, flattened like tfoidc.toml's nested tables and limited to the keys
    the type's pricer declares; the keys left out, per address (reported as a difference's reason)."""
    path = PRICES / "infracost-goldens" / f"{golden}_test.usage.yml.txt"
    if not path.exists():
        return {}, {}
    doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    usage: dict[str, dict[str, Decimal]] = {}
    ignored: dict[str, list[str]] = {}
    for address, values in (doc.get("resource_usage") or {}).items():
        known = USAGE_KEYS.get(address.split(".")[0], frozenset())
        for key, value in _flatten(values or {}):
            if key in known and isinstance(value, int | float) and not isinstance(value, bool):
                usage.setdefault(address, {})[key] = Decimal(str(value))
            else:
                ignored.setdefault(address, []).append(key)
    return usage, ignored


def _flatten(values: dict[str, Any], prefix: str = "") -> list[tuple[str, Any]]:
    flat: list[tuple[str, Any]] = []
    for key, value in values.items():
        if isinstance(value, dict):
            flat += _flatten(value, f"{prefix}{key}.")
        else:
            flat.append((f"{prefix}{key}", value))
    return flat


def _r(
    address: str, values: dict[str, Any] | None = None, usage: dict[str, int] | None = None, **unknown: bool
) -> tuple[Change, dict[str, Decimal]]:
    return Change(address, values or {}, after_unknown=dict(unknown)), {
        k: Decimal(v) for k, v in (usage or {}).items()
    }


_INSTANCE_ROOT_UNKNOWN = {"root_block_device": True, "ebs_block_device": True}
_DB_BACKUP = {"additional_backup_storage_gb": 1000}
_LOGS_USAGE = {"monthly_data_ingested_gb": 1000, "storage_gb": 500, "monthly_data_scanned_gb": 250}
_LAMBDA_USAGE = {"monthly_requests": 100_000, "request_duration_ms": 350}

# golden name -> the resources of its test configuration that tfoidc covers (address, values, usage)
DERIVED: dict[str, list[tuple[Change, dict[str, Decimal]]]] = {
    "ebs_volume": [
        _r("aws_ebs_volume.gp2", {"size": 10}),
        _r("aws_ebs_volume.standard", {"type": "standard", "size": 20}),
        _r("aws_ebs_volume.io1", {"type": "io1", "size": 30, "iops": 300}),
        _r("aws_ebs_volume.io2", {"type": "io2", "size": 30, "iops": 300}),
        _r("aws_ebs_volume.st1", {"type": "st1", "size": 40}),
        _r("aws_ebs_volume.sc1", {"type": "sc1", "size": 50}),
        _r("aws_ebs_volume.gp3", {"type": "gp3", "size": 40, "iops": 4000, "throughput": 130}),
        _r(
            "aws_ebs_volume.standard_withUsage",
            {"type": "standard", "size": 20},
            {"monthly_standard_io_requests": 1_000_000},
        ),
    ],
    "lb": [
        _r("aws_lb.lb1", {"load_balancer_type": "application"}),
        _r("aws_alb.alb1"),
        _r("aws_lb.nlb1", {"load_balancer_type": "network"}),
        _r("aws_lb.alb1_usage", {"load_balancer_type": "application"}, {"monthly_lcu_hours": 1000}),
        _r("aws_lb.nlb1_usage", {"load_balancer_type": "network"}, {"monthly_lcu_hours": 1000}),
    ],
    "elb": [_r("aws_elb.elb1"), _r("aws_elb.my_elb", {}, {"monthly_data_processed_gb": 10_000})],
    "nat_gateway": [
        _r("aws_nat_gateway.nat"),
        _r("aws_nat_gateway.nat_withUsage", {}, {"monthly_data_processed_gb": 100}),
    ],
    "eip": [
        _r("aws_eip.eip1", {"domain": "vpc"}),
        _r("aws_nat_gateway.nat_gw"),
        _r("aws_instance.instance", {"instance_type": "t3.medium"}, **_INSTANCE_ROOT_UNKNOWN),
        _r("aws_lb.example", {"load_balancer_type": "network"}),
    ],
    "secretsmanager_secret": [
        _r("aws_secretsmanager_secret.secret"),
        _r("aws_secretsmanager_secret.secret_withUsage", {}, {"monthly_requests": 100_000}),
    ],
    "eks_cluster": [
        _r("aws_eks_cluster.my_aws_eks_cluster", {"version": "1.30"}),
        _r('aws_eks_cluster.extended_support["1.23"]', {"version": "1.23"}),
    ],
    "kms_key": [
        _r("aws_kms_key.kms"),
        _r("aws_kms_key.rsa2048", {"customer_master_key_spec": "RSA_2048"}),
        _r("aws_kms_key.rsa3072", {"customer_master_key_spec": "RSA_3072"}),
    ],
    "cloudwatch_log_group": [
        _r("aws_cloudwatch_log_group.logs"),
        _r("aws_cloudwatch_log_group.logs_withUsage", {}, _LOGS_USAGE),
        *(_r(f"aws_cloudwatch_log_group.logs_count_withUsage[{i}]", {}, _LOGS_USAGE) for i in range(3)),
    ],
    "lambda_function": [
        _r("aws_lambda_function.lambda"),
        _r("aws_lambda_function.lambda_arm", {"architectures": ["arm64"]}),
        _r("aws_lambda_function.lambda_withUsage", {}, _LAMBDA_USAGE),
        _r("aws_lambda_function.lambda_withUsage_arm", {"architectures": ["arm64"]}, _LAMBDA_USAGE),
        _r("aws_lambda_function.lambda_withUsage512Mem", {"memory_size": 512}, _LAMBDA_USAGE),
        _r(
            "aws_lambda_function.lambda_withUsage512Mem_arm",
            {"memory_size": 512, "architectures": ["arm64"]},
            _LAMBDA_USAGE,
        ),
        _r(
            "aws_lambda_function.lambda_duration_6B",
            {"memory_size": 512},
            {"monthly_requests": 6_000_000_000, "request_duration_ms": 1024},
        ),
        _r(
            "aws_lambda_function.lambda_duration_9B",
            {"memory_size": 1024},
            {"monthly_requests": 9_000_000_000, "request_duration_ms": 1024},
        ),
    ],
    "dynamodb_table": [
        _r(
            "aws_dynamodb_table.my_dynamodb_table_with_no_billing_mode",
            {
                "read_capacity": 30,
                "write_capacity": 20,
                "replica": [{"region_name": "us-east-2"}, {"region_name": "us-west-1"}],
            },
        ),
        _r(
            "aws_dynamodb_table.my_dynamodb_table",
            {
                "billing_mode": "PROVISIONED",
                "read_capacity": 30,
                "write_capacity": 20,
                "replica": [{"region_name": "us-east-2"}, {"region_name": "us-west-1"}],
            },
        ),
        _r(
            "aws_dynamodb_table.autoscale_dynamodb_table",
            {"billing_mode": "PROVISIONED", "read_capacity": 30, "write_capacity": 20},
        ),
    ],
    "s3_bucket": [_r("aws_s3_bucket.bucket1", {"bucket": "bucket1"})],
    "vpc_endpoint": [
        _r("aws_vpc_endpoint.interface", {"vpc_endpoint_type": "Interface", "subnet_ids": []}),
        _r(
            "aws_vpc_endpoint.multiple_interfaces",
            {"vpc_endpoint_type": "Interface", "subnet_ids": ["subnet-123456", "subnet-654321"]},
        ),
        _r(
            "aws_vpc_endpoint.interface_withUsage",
            {"vpc_endpoint_type": "Interface", "subnet_ids": []},
            {"monthly_data_processed_gb": 1000},
        ),
        _r(
            "aws_vpc_endpoint.interface_withBigUsage",
            {"vpc_endpoint_type": "Interface", "subnet_ids": []},
            {"monthly_data_processed_gb": 7_000_000},
        ),
        _r("aws_vpc_endpoint.gateway_loadbalancer", {"vpc_endpoint_type": "GatewayLoadBalancer"}),
    ],
    "elasticache_cluster": [
        _r(
            "aws_elasticache_cluster.memcached",
            {"engine": "memcached", "node_type": "cache.m4.large", "num_cache_nodes": 2},
        ),
        _r(
            "aws_elasticache_cluster.redis",
            {"engine": "redis", "node_type": "cache.m6g.12xlarge", "num_cache_nodes": 1},
        ),
        _r(
            "aws_elasticache_cluster.redis_snapshot",
            {
                "engine": "redis",
                "node_type": "cache.m6g.12xlarge",
                "num_cache_nodes": 1,
                "snapshot_retention_limit": 2,
            },
        ),
        _r(
            "aws_elasticache_cluster.redis_reserved_1yr_no_upfront",
            {"engine": "redis", "node_type": "cache.m6g.12xlarge", "num_cache_nodes": 1},
        ),
    ],
    "db_instance": [
        _r(
            "aws_db_instance.mysql",
            {"engine": "mysql", "instance_class": "db.t3.large", "allocated_storage": 20},
            _DB_BACKUP,
        ),
        _r(
            "aws_db_instance.mariadb",
            {"engine": "mariadb", "instance_class": "db.t3.large", "allocated_storage": 20},
            _DB_BACKUP,
        ),
        _r(
            "aws_db_instance.postgres",
            {"engine": "postgres", "instance_class": "db.t3.large", "allocated_storage": 20},
            _DB_BACKUP,
        ),
        _r(
            "aws_db_instance.mysql-multi-az",
            {"engine": "mysql", "instance_class": "db.t3.large", "multi_az": True, "allocated_storage": 30},
            _DB_BACKUP,
        ),
        _r(
            "aws_db_instance.mysql-iops",
            {
                "engine": "mysql",
                "instance_class": "db.t3.large",
                "storage_type": "io1",
                "allocated_storage": 100,
                "iops": 1200,
            },
            _DB_BACKUP,
        ),
        _r(
            "aws_db_instance.aurora-postgresql",
            {"engine": "aurora-postgresql", "instance_class": "db.t3.large", "allocated_storage": 20},
        ),
        _r(
            'aws_db_instance.gp3["below_low_baseline"]',
            {
                "engine": "mysql",
                "instance_class": "db.t4g.small",
                "storage_type": "gp3",
                "allocated_storage": 20,
            },
        ),
        _r(
            "aws_db_instance.oracle-se2",
            {"engine": "oracle-se2", "instance_class": "db.t3.large", "allocated_storage": 20},
        ),
    ],
    "instance": [
        _r(
            "aws_instance.instance1",
            {
                "instance_type": "m3.medium",
                "root_block_device": [{"volume_size": 10}],
                "ebs_block_device": [
                    {"device_name": "xvdf", "volume_size": 10},
                    {"device_name": "xvdg", "volume_type": "standard", "volume_size": 20},
                    {"device_name": "xvdh", "volume_type": "sc1", "volume_size": 30},
                    {"device_name": "xvdi", "volume_type": "io1", "volume_size": 40, "iops": 1000},
                    {"device_name": "xvdj", "volume_type": "gp3", "volume_size": 20},
                ],
            },
        ),
        _r(
            "aws_instance.instance1_ebsOptimized",
            {"instance_type": "m3.large", "ebs_optimized": True},
            **_INSTANCE_ROOT_UNKNOWN,
        ),
        _r(
            "aws_instance.instance2_ebsOptimized",
            {"instance_type": "r3.xlarge", "ebs_optimized": True},
            **_INSTANCE_ROOT_UNKNOWN,
        ),
        _r("aws_instance.t3_default_cpuCredits", {"instance_type": "t3.medium"}, **_INSTANCE_ROOT_UNKNOWN),
        _r("aws_instance.t2_default_cpuCredits", {"instance_type": "t2.medium"}, **_INSTANCE_ROOT_UNKNOWN),
        _r(
            "aws_instance.t3_unlimited_cpuCredits",
            {"instance_type": "t3.medium", "credit_specification": [{"cpu_credits": "unlimited"}]},
            **_INSTANCE_ROOT_UNKNOWN,
        ),
        _r(
            "aws_instance.instance1_detailedMonitoring",
            {"instance_type": "m3.large", "monitoring": True},
            **_INSTANCE_ROOT_UNKNOWN,
        ),
        _r("aws_instance.cnvr_1yr_no_upfront", {"instance_type": "t3.medium"}, **_INSTANCE_ROOT_UNKNOWN),
    ],
}

_NOT_MODELLED_RESERVED = "the golden uses reserved pricing from a usage file; tfoidc prices on-demand only"
_CPU_CREDITS = "CPU credits of unlimited burstable instances are not modelled"
_EBS_OPTIMIZED = "the EBS-optimized surcharge of older instance types is not modelled"
_LT_ROOT = (
    "tfoidc counts the AMI's root volume (assumed 8 GB gp2) of instances from a launch template; "
    "Infracost leaves it out"
)
_OPENSEARCH_STORAGE = (
    "EBS storage and IOPS are per data node (volume_size is per node); Infracost counts them once per domain"
)
_DEDICATED = "dedicated tenancy prices are not in the catalog (shared tenancy only): not priced"
_DOCDB_STORAGE = (
    "tfoidc prices DocumentDB storage and I/O on aws_docdb_cluster, where AWS bills them; Infracost on "
    "every instance"
)

# What infracost prices that tfoidc does not (or prices otherwise): the reason for a known difference.
MODELLING_DIFFERENCES = {
    'aws_eks_cluster.extended_support["1.23"]': "EKS extended-support surcharge is not modelled",
    "aws_lambda_function.lambda_duration_9B": "Lambda duration tiers above 6B GB-seconds are not modelled (first tier only)",
    "aws_dynamodb_table.my_dynamodb_table": "global-table replica writes (rWCU) are not modelled",
    "aws_dynamodb_table.my_dynamodb_table_with_no_billing_mode": "global-table replica writes (rWCU) are not modelled",
    "aws_dynamodb_table.autoscale_dynamodb_table": "infracost prices autoscaled capacity from aws_appautoscaling_target; tfoidc the table's provisioned capacity",
    "aws_vpc_endpoint.interface_withBigUsage": "data-processed tiers above 1 PB are not modelled (first tier only)",
    "aws_vpc_endpoint.gateway_loadbalancer": "GatewayLoadBalancer endpoints are not covered",
    "aws_elasticache_cluster.redis_reserved_1yr_no_upfront": _NOT_MODELLED_RESERVED,
    'aws_db_instance.gp3["below_low_baseline"]': "db.t4g.* is not in the catalog (RDS prices are from 2021)",
    "aws_db_instance.oracle-se2": "Oracle engines are not covered",
    "aws_db_instance.aurora-postgresql": "infracost adds gp2 storage for an Aurora aws_db_instance; tfoidc prices Aurora storage with the cluster",
    "aws_instance.instance2_ebsOptimized": _EBS_OPTIMIZED,
    "aws_instance.t3_unlimited_cpuCredits": _CPU_CREDITS,
    "aws_instance.cnvr_1yr_no_upfront": _NOT_MODELLED_RESERVED,
    # autoscaling groups
    "aws_autoscaling_group.asg_lc_ebs_optimized": _EBS_OPTIMIZED,
    "aws_autoscaling_group.asg_lt_ebs_optimized": _EBS_OPTIMIZED + "; " + _LT_ROOT,
    "aws_autoscaling_group.asg_lc_tenancy_dedicated": _DEDICATED,
    "aws_autoscaling_group.asg_lt_tenancy_dedicated": _DEDICATED,
    "aws_autoscaling_group.asg_lc_cpu_credits": _CPU_CREDITS,
    "aws_autoscaling_group.asg_lt_cpu_credits": _CPU_CREDITS + "; " + _LT_ROOT,
    "aws_autoscaling_group.asg_lc_reserved": _NOT_MODELLED_RESERVED,
    "aws_autoscaling_group.asg_lc_windows": "Windows prices are not in the catalog (the AMI's OS is not in the "
    "plan; tfoidc prices Linux)",
    "aws_autoscaling_group.asg_lc_min_size_zero": "AWS starts a group without desired_capacity at min_size "
    "(0 instances); Infracost assumes 1",
    "aws_autoscaling_group.asg_lt_min_size_zero": "AWS starts a group without desired_capacity at min_size "
    "(0 instances); Infracost assumes 1",
    **dict.fromkeys(
        [
            "aws_autoscaling_group.asg_lt_basic",
            "aws_autoscaling_group.asg_lt_min_size",
            "aws_autoscaling_group.asg_lt_usage",
            "aws_autoscaling_group.asg_lt_monitoring",
            "aws_autoscaling_group.asg_lt_cpu_credits_noUsage",
            "aws_autoscaling_group.asg_mixed_instance_basic",
            "aws_autoscaling_group.asg_mixed_instance_dynamic",
            "module.asg-lt.aws_autoscaling_group.this[0]",
        ],
        _LT_ROOT,
    ),
    # ElastiCache, OpenSearch, Redshift, MSK
    "aws_elasticache_replication_group.cluster-autoscale": "infracost sizes the group from aws_appautoscaling_target; "
    "tfoidc from the group's own shard and replica counts",
    "aws_elasticache_replication_group.cluster-autoscale-usage": "infracost sizes the group from "
    "aws_appautoscaling_target usage; tfoidc from the group's own shard and replica counts",
    "aws_elasticache_replication_group.cluster_reserved": _NOT_MODELLED_RESERVED,
    **{f"aws_elasticsearch_domain.{n}": _OPENSEARCH_STORAGE for n in ("gp2", "gp3", "io1", "std")},
    **{
        f'aws_elasticsearch_domain.gp3_throughput["{k}"]': _OPENSEARCH_STORAGE
        for k in ("below_min_storage_mul_paid", "above_3TB_paid_mul")
    },
    **{f"aws_opensearch_domain.{n}": _OPENSEARCH_STORAGE for n in ("gp2", "io1", "std")},
    "aws_redshift_cluster.ca_withUsage": "ds2 nodes are retired and not in the catalog: not priced",
    "aws_msk_cluster.cluster-autoscaling": "infracost sizes storage from aws_appautoscaling_target; tfoidc "
    "from the configured volume size",
    "aws_msk_cluster.cluster-autoscaling-usage": "infracost sizes storage from aws_appautoscaling_target "
    "usage; tfoidc from the configured volume size",
    # DNS, messaging
    "aws_route53_record.my_record_withUsage": "a record has one routing policy: tfoidc prices the standard "
    "queries of a simple record; Infracost also latency and geo query usage",
    "aws_sns_topic.sns_topic_withChargedSubscribers": "SMS prices vary by country: without "
    "sms_notification_price tfoidc does not price the topic (Infracost shows 'not found' for SMS)",
    "aws_neptune_cluster_instance.dbT3Medium": "Infracost multiplies Neptune's monthly_cpu_credit_hrs by 730 "
    "hours; tfoidc reads it as the month's vCPU-hours, as Infracost does for DocumentDB",
    "aws_neptune_cluster.iooptimized": "no I/O-optimized storage price for eu-west-2 (the golden's region) in "
    "the shared data: not priced",
    # containers
    "aws_ecs_service.task_set": "tasks run by aws_ecs_task_set are not modelled (the service has no task definition)",
    # databases
    "aws_docdb_cluster_instance.medium": _DOCDB_STORAGE,
    "aws_docdb_cluster_instance.large": _DOCDB_STORAGE,
    "aws_docdb_cluster_instance.mediumue2": _DOCDB_STORAGE,
    "aws_docdb_cluster_instance.largeue2": _DOCDB_STORAGE,
    "aws_kinesis_stream.test_stream_provisioned_with_usage": "extended retention of a provisioned stream is "
    "billed per shard hour when retention_period exceeds 24 h (it is 24 here); Infracost bills the usage "
    "file's GB",
    "aws_kinesis_stream.use2_test_stream_provisioned_with_usage": "extended retention of a provisioned stream "
    "is billed per shard hour when retention_period exceeds 24 h (it is 24 here); Infracost bills the usage "
    "file's GB",
}


@dataclass(frozen=True)
class Comparison:
    golden: str
    address: str
    expected: Decimal
    actual: Decimal | None  # None: tfoidc did not price it
    not_priced_reason: str
    golden_date: str
    catalog_dates: tuple[str, ...]
    rows: int = 1  # priced rows in the golden, each rounded to the cent
    ignored_usage: tuple[str, ...] = ()  # usage-file keys tfoidc does not read

    @property
    def same_date(self) -> bool:
        return bool(self.catalog_dates) and set(self.catalog_dates) == {self.golden_date}

    @property
    def within_1pct(self) -> bool:
        return within(self.expected, self.actual, self.rows)

    def describe(self) -> str:
        got = f"${self.actual:.2f}" if self.actual is not None else f"not priced ({self.not_priced_reason})"
        why = MODELLING_DIFFERENCES.get(self.address)
        if why is None and not self.same_date:
            why = f"price date differs: catalog {', '.join(sorted(set(self.catalog_dates))) or '-'} vs golden {self.golden_date}"
        return f"{self.golden}: {self.address}: golden ${self.expected:.2f}, tfoidc {got}; {why or ''}"


@dataclass(frozen=True)
class ComponentComparison:
    golden: str
    address: str
    name: str
    expected: Decimal  # the golden's monthly cost, or its unit price for a usage-only row
    actual: Decimal
    golden_date: str
    catalog_date: str
    is_unit_price: bool

    @property
    def same_date(self) -> bool:
        return self.catalog_date == self.golden_date

    @property
    def within_1pct(self) -> bool:
        return within(self.expected, self.actual, 1)

    def describe(self) -> str:
        what = "unit price" if self.is_unit_price else "monthly"
        return (
            f"{self.golden}: {self.address}: {self.name}: {what} golden {self.expected}, tfoidc {self.actual} "
            f"(prices of {self.catalog_date} vs {self.golden_date})"
        )


def within(expected: Decimal, actual: Decimal | None, rows: int) -> bool:
    if actual is None:
        return False
    rounding = Decimal("0.005") * rows  # the golden shows each row rounded to the cent
    return abs(actual - expected) <= max(expected / 100, rounding)


def _dates(r: ResourceCost) -> tuple[str, ...]:
    return tuple(
        m[1] for c in r.components if c.monthly_cost is not None and (m := DATE.search(c.price_source))
    )


def _compare(
    golden: str,
    expected: dict[str, Decimal],
    est: CostEstimate,
    golden_date: str,
    counts: dict[str, int] | None = None,
    ignored: dict[str, list[str]] | None = None,
) -> list[Comparison]:
    rows = []
    priced = {r.address: r for r in est.resources}
    not_priced = {n.address: n.reason for n in est.not_priced}
    for address, cost in expected.items():
        skipped = tuple((ignored or {}).get(address, ()))
        if address in priced:
            r = priced[address]
            n = (counts or {}).get(address, 1)
            rows.append(
                Comparison(golden, address, cost, r.monthly_after, "", golden_date, _dates(r), n, skipped)
            )
        elif address in not_priced:
            rows.append(
                Comparison(golden, address, cost, None, not_priced[address], golden_date, (), 1, skipped)
            )
    return rows


def _compare_components(
    golden: str, goldens: dict[str, list[GoldenRow]], est: CostEstimate, golden_date: str
) -> list[ComponentComparison]:
    found = []
    for r in est.resources:
        ours = {c.name: c for c in r.components}
        for row in goldens.get(r.address, ()):
            c = ours.get(row.name)
            if c is None or not (m := DATE.search(c.price_source)):
                continue
            if row.cost is not None and c.monthly_cost is not None:
                found.append(
                    ComponentComparison(
                        golden, r.address, row.name, row.cost, c.monthly_cost, golden_date, m[1], False
                    )
                )
            elif row.unit_price is not None and c.monthly_cost is None and _same_unit(row.unit, c.unit):
                found.append(
                    ComponentComparison(
                        golden, r.address, row.name, row.unit_price, c.unit_price, golden_date, m[1], True
                    )
                )
    return found


def _same_unit(golden: str, ours: str) -> bool:
    return golden.rstrip("s").lower() == ours.rstrip("s").lower()


@cache
def _price_goldens() -> tuple[tuple[Comparison, ...], tuple[ComponentComparison, ...]]:
    rows: list[Comparison] = []
    components: list[ComponentComparison] = []
    sets: dict[str, list[tuple[Change, dict[str, Decimal]]]] = {**DERIVED, **NEW_GOLDENS}
    for golden, derived in sets.items():
        text = (PRICES / "infracost-goldens" / f"{golden}_test.golden.txt").read_text(encoding="utf-8")
        table = golden_components(text)
        expected = golden_monthly(text)
        counts = {a: len(c) for a, c in golden_rows(text).items()}
        usage, ignored = golden_usage(golden)
        usage.update({change.address: values for change, values in derived if values})
        est = run(make_plan([c for c, _ in derived]), config=CostConfig(usage=usage))
        wanted = {c.address: expected[c.address] for c, _ in derived if c.address in expected}
        date = GOLDEN_DATES.get(golden, GOLDEN_DEFAULT_DATE)
        rows += _compare(golden, wanted, est, date, counts, ignored)
        components += _compare_components(golden, table, est, date)
    return tuple(rows), tuple(components)


def compare_price_goldens() -> list[Comparison]:
    return list(_price_goldens()[0])


def compare_price_golden_components() -> list[ComponentComparison]:
    return list(_price_goldens()[1])


def compare_golden(golden: str) -> list[Comparison]:
    """The comparisons of one golden (for the per-pricer tests)."""
    return [c for c in compare_price_goldens() if c.golden == golden]


SYNC_USAGE = {
    'aws_cloudwatch_log_group.production_logs["media"]': {
        "monthly_data_ingested_gb": 1000,
        "storage_gb": 1000,
    },
    'aws_cloudwatch_log_group.production_logs["assets"]': {
        "monthly_data_ingested_gb": 100,
        "storage_gb": 1000,
    },
    "aws_nat_gateway.example_count[0]": {"monthly_data_processed_gb": 200},
    "aws_nat_gateway.example_count[1]": {"monthly_data_processed_gb": 10},
    'aws_nat_gateway.example_each["assets"]': {"monthly_data_processed_gb": 4},
    'aws_nat_gateway.example_each["media"]': {"monthly_data_processed_gb": 2},
}
PLAN_GOLDENS = {
    "example_plan.json": ("example_plan.json.golden.txt", {}),
    "instance_with_attachment_before_deploy.json": (
        "instance_with_attachment_before_deploy.json.golden.txt",
        {},
    ),
    "instance_with_attachment_after_deploy.json": (
        "instance_with_attachment_after_deploy.json.golden.txt",
        {},
    ),
    "sync_usage_file_plan.json": ("sync_usage_file_plan.json.golden.txt", SYNC_USAGE),
    "policy_data_upload_plan.json": ("policy_data_upload_plan.json.golden.txt", {}),
}


def compare_plan_goldens() -> list[Comparison]:
    """The goldens that come with their plan: the plan is priced as it is. Their price date is not
    recorded, so none of them is a same-date comparison."""
    rows: list[Comparison] = []
    for plan_name, (golden_name, usage) in PLAN_GOLDENS.items():
        plan = derive(PLANS / "infracost" / plan_name, lambda doc: None)
        text = (PLANS / "infracost" / golden_name).read_text(encoding="utf-8")
        is_json = text.lstrip().startswith("{")
        expected = golden_json_monthly(text) if is_json else golden_monthly(text)
        counts = {} if is_json else {a: len(c) for a, c in golden_rows(text).items()}
        config = CostConfig(usage={a: {k: Decimal(v) for k, v in u.items()} for a, u in usage.items()})
        rows += _compare(golden_name, expected, run(plan, config=config), "unknown", counts)
    return rows


def summary(rows: list[Comparison], components: list[ComponentComparison] | None = None) -> str:
    same = [r for r in rows if r.same_date]
    other = [r for r in rows if not r.same_date]
    text = (
        f"{len(rows)} resources compared, {sum(r.within_1pct for r in rows)} within 1%; "
        f"same price date: {sum(r.within_1pct for r in same)}/{len(same)} within 1%; "
        f"other dates: {sum(r.within_1pct for r in other)}/{len(other)} within 1%"
    )
    if components is not None:
        same_c = [c for c in components if c.same_date]
        text += (
            f"; components: {len(components)} compared, same price date {sum(c.within_1pct for c in same_c)}"
            f"/{len(same_c)} within 1%, other dates {sum(c.within_1pct for c in components if not c.same_date)}"
            f"/{sum(not c.same_date for c in components)}"
        )
    return text


def check_golden(golden: str) -> list[Comparison]:
    """One golden, for its pricer's tests: every resource of its test configuration within 1 % of the
    golden (and every component whose price date matches), or the difference listed with its reason."""
    from tests.conftest import need_shared

    need_shared(PRICES / "infracost-goldens" / f"{golden}_test.golden.txt")
    rows = compare_golden(golden)
    assert rows, f"nothing of {golden} was compared"
    unexplained = [
        c.describe()
        for c in rows
        if not c.within_1pct and c.address not in MODELLING_DIFFERENCES and (c.same_date or c.ignored_usage)
    ]
    assert unexplained == [], "\n".join(unexplained)
    stale = [c.address for c in rows if c.within_1pct and c.address in MODELLING_DIFFERENCES]
    assert stale == [], f"listed as different but agree: {stale}"
    components = [c for c in compare_price_golden_components() if c.golden == golden]
    off = [
        c.describe()
        for c in components
        if c.same_date and not c.within_1pct and c.address not in MODELLING_DIFFERENCES
    ]
    assert off == [], "\n".join(off)
    return rows
