"""Per resource type: the cost components of one resource's values (pure).

A pricer reads attributes through `Attrs` (which refuses unknown and sensitive values) and builds
components through `Pricing` (which refuses prices missing from the catalog). Either refusal becomes
a `NotPriced` with the reason; nothing is ever silently $0.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from tfoidc.cost.catalog import Catalog
from tfoidc.cost.model import HOURS_PER_MONTH, CostComponent
from tfoidc.plan.model import REDACTED

ZERO = Decimal(0)


class Unpriceable(Exception):
    """This resource cannot be priced; the message says why, in words for the user."""


class _AllUnknown(dict[str, Any]):
    """`after_unknown` of a block that is unknown as a whole: every attribute in it is unknown."""

    def get(self, key: str, default: Any = None) -> Any:
        return True


@dataclass(frozen=True)
class Attrs:
    """One object of a resource's values with its `after_unknown` mirror."""

    values: Mapping[str, Any]
    unknown: Mapping[str, Any]
    path: str = ""

    def get(self, key: str, default: Any = None) -> Any:
        name = f"{self.path}{key}"
        if self.unknown.get(key) is True:
            raise Unpriceable(f"{name} is known only after apply")
        value = self.values.get(key)
        if value == REDACTED:
            raise Unpriceable(f"{name} is sensitive")
        return default if value is None else value

    def number(self, key: str, default: Decimal | int | None = None) -> Decimal:
        value = self.get(key)
        if value is None or value == "":
            if default is None:
                raise Unpriceable(f"{self.path}{key} is not set")
            return Decimal(default)
        try:
            return Decimal(str(value))
        except ArithmeticError:
            raise Unpriceable(f"{self.path}{key} is not a number: {value!r}") from None

    def optional(self, key: str, default: Any) -> Any:
        """An optional attribute whose unknown value means "not set": the provider/AWS default
        (e.g. `tenancy` is computed as "default" when the configuration leaves it out)."""
        if self.unknown.get(key) is True or self.values.get(key) is None:
            return default
        return self.get(key)

    def optional_number(self, key: str, default: Decimal | int) -> Decimal:
        if self.unknown.get(key) is True or self.values.get(key) in (None, ""):
            return Decimal(default)
        return self.number(key)

    def is_unknown(self, key: str) -> bool:
        return self.unknown.get(key) is True

    def blocks(self, key: str) -> list[Attrs]:
        """The nested blocks under `key` (a list of objects); unknown as a whole is refused."""
        raw = self.get(key, [])
        unknown = self.unknown.get(key)
        if not isinstance(raw, list):
            raw = [raw] if isinstance(raw, dict) else []
        out = []
        for i, item in enumerate(raw):
            mirror = unknown[i] if isinstance(unknown, list) and i < len(unknown) else {}
            if mirror is True:  # the whole block is known only after apply
                mirror = _AllUnknown()
            elif not isinstance(mirror, dict):
                mirror = {}
            out.append(Attrs(item if isinstance(item, dict) else {}, mirror, f"{self.path}{key}[{i}]."))
        return out


@dataclass(frozen=True)
class Pricing:
    catalog: Catalog
    region: str
    usage: Mapping[str, Decimal]
    managed_volume_ids: frozenset[str] = frozenset()  # priced as aws_ebs_volume, not again as a device

    def unit_price(self, key: str) -> tuple[Decimal, str]:
        price = self.catalog.price(self.region, key)
        if price is None:
            raise Unpriceable(f"no price for {key} in {self.region} in the catalog")
        return price.amount, price.describe_source()

    def fixed(self, name: str, key: str, unit: str, quantity: Decimal) -> CostComponent:
        amount, source = self.unit_price(key)
        return CostComponent(name, unit, amount, quantity, amount * quantity, source)

    def hourly(self, name: str, key: str, count: Decimal | int = 1) -> CostComponent:
        return self.fixed(name, key, "hours", HOURS_PER_MONTH * count)

    def usage_based(
        self, name: str, key: str, unit: str, usage_key: str, units_per_shown: Decimal | int = 1
    ) -> CostComponent:
        """A component priced per use. The catalog prices one raw unit (a request, a GB); the usage
        value counts raw units, as Infracost's usage file does; `units_per_shown` groups raw units
        for display (1,000,000 for "1M requests")."""
        amount, source = self.unit_price(key)
        quantity = self.usage.get(usage_key)
        return self.usage_component(name, unit, amount, source, quantity, units_per_shown, usage_key)

    @staticmethod
    def usage_component(
        name: str,
        unit: str,
        amount: Decimal,
        source: str,
        quantity: Decimal | None,
        units_per_shown: Decimal | int,
        usage_key: str,
    ) -> CostComponent:
        shown_price = amount * units_per_shown
        if quantity is None:
            return CostComponent(name, unit, shown_price, None, None, f"{source}; usage: {usage_key}")
        return CostComponent(name, unit, shown_price, quantity / units_per_shown, amount * quantity, source)


Pricer = Callable[[Attrs, Pricing], list[CostComponent]]


# --- EC2 and EBS -----------------------------------------------------------------------------------

EBS_NAMES = {
    "gp2": "general purpose SSD, gp2",
    "gp3": "general purpose SSD, gp3",
    "io1": "provisioned IOPS SSD, io1",
    "io2": "provisioned IOPS SSD, io2",
    "st1": "throughput optimized HDD, st1",
    "sc1": "cold HDD, sc1",
}
GP3_FREE_IOPS = Decimal(3000)
GP3_FREE_THROUGHPUT = Decimal(125)
ROOT_VOLUME_DEFAULT_GB = Decimal(8)


def ebs_components(
    p: Pricing, prefix: str, volume_type: str, size: Decimal, iops: Decimal, throughput: Decimal
) -> list[CostComponent]:
    label = EBS_NAMES.get(volume_type, "magnetic" if volume_type == "standard" else volume_type)
    parts = [p.fixed(f"{prefix}Storage ({label})", f"ebs/storage-gb-month/{volume_type}", "GB", size)]
    if volume_type in ("io1", "io2"):
        parts.append(p.fixed(f"{prefix}Provisioned IOPS", f"ebs/iops-month/{volume_type}", "IOPS", iops))
    elif volume_type == "gp3":
        if iops > GP3_FREE_IOPS:
            parts.append(
                p.fixed(f"{prefix}Provisioned IOPS", "ebs/iops-month/gp3", "IOPS", iops - GP3_FREE_IOPS)
            )
        if throughput > GP3_FREE_THROUGHPUT:
            extra = throughput - GP3_FREE_THROUGHPUT
            parts.append(
                p.fixed(f"{prefix}Provisioned throughput", "ebs/throughput-mbps-month/gp3", "MBps", extra)
            )
    elif volume_type == "standard":
        parts.append(
            p.usage_based(
                f"{prefix}I/O requests",
                "ebs/io-request/standard",
                "1M requests",
                "monthly_standard_io_requests",
                1_000_000,
            )
        )
    return parts


def price_ebs_volume(a: Attrs, p: Pricing) -> list[CostComponent]:
    volume_type = a.optional("type", "gp2")
    size = a.number("size")
    iops, throughput = a.optional_number("iops", 0), a.optional_number("throughput", 0)
    return ebs_components(p, "", volume_type, size, iops, throughput)


def block_device(a: Attrs, p: Pricing, prefix: str, *, root: bool) -> list[CostComponent]:
    volume_type = a.optional("volume_type", "gp2") or "gp2"
    if root and (a.is_unknown("volume_size") or a.values.get("volume_size") in (None, 0)):
        size, prefix = ROOT_VOLUME_DEFAULT_GB, f"{prefix}(size known after apply, assumed 8 GB) "
    else:
        size = a.number("volume_size")
    iops, throughput = a.optional_number("iops", 0), a.optional_number("throughput", 0)
    return ebs_components(p, prefix, volume_type, size, iops, throughput)


def instance_usage(p: Pricing, instance_type: str, count: Decimal | int = 1) -> CostComponent:
    return p.hourly(
        f"Instance usage (Linux/UNIX, on-demand, {instance_type})",
        f"ec2/instance-hour/{instance_type}",
        count,
    )


def price_instance(a: Attrs, p: Pricing) -> list[CostComponent]:
    tenancy = a.optional("tenancy", "default")
    if tenancy not in ("default", ""):
        raise Unpriceable(f"tenancy {tenancy!r} is not in the catalog (shared tenancy only)")
    parts = [instance_usage(p, a.get("instance_type") or _missing("instance_type"))]
    roots = a.blocks("root_block_device") if not a.is_unknown("root_block_device") else []
    if not roots:
        roots = [Attrs({}, {"volume_size": True}, "root_block_device[0].")]
    parts += block_device(roots[0], p, "root_block_device: ", root=True)
    if not a.is_unknown("ebs_block_device"):
        for i, dev in enumerate(a.blocks("ebs_block_device")):
            if dev.values.get("volume_id") not in p.managed_volume_ids:
                parts += block_device(dev, p, f"ebs_block_device[{i}]: ", root=False)
    return parts


def price_eks_node_group(a: Attrs, p: Pricing) -> list[CostComponent]:
    if a.optional("capacity_type", "ON_DEMAND") != "ON_DEMAND":
        raise Unpriceable("spot capacity is not in the catalog (on-demand only)")
    types = a.optional("instance_types", None) or ["t3.medium"]
    scaling = a.blocks("scaling_config")
    if not scaling:
        raise Unpriceable("scaling_config is not set")
    desired = scaling[0].number("desired_size")
    parts = [instance_usage(p, types[0], desired)]
    if not a.blocks("launch_template"):
        disk = a.optional_number("disk_size", 20)
        parts.append(
            p.fixed("Storage (general purpose SSD, gp2)", "ebs/storage-gb-month/gp2", "GB", disk * desired)
        )
    return parts


def price_eks_cluster(a: Attrs, p: Pricing) -> list[CostComponent]:
    return [p.hourly("EKS cluster", "eks/cluster-hour")]


# --- networking ------------------------------------------------------------------------------------


def price_nat_gateway(a: Attrs, p: Pricing) -> list[CostComponent]:
    return [
        p.hourly("NAT gateway", "natgateway/hour"),
        p.usage_based("Data processed", "natgateway/data-gb", "GB", "monthly_data_processed_gb"),
    ]


def price_lb(a: Attrs, p: Pricing) -> list[CostComponent]:
    kind = a.optional("load_balancer_type", "application")
    if kind not in ("application", "network"):
        raise Unpriceable(f"load balancer type {kind!r} is not in the catalog")
    return [
        p.hourly(f"{kind.capitalize()} load balancer", f"elb/{kind}-hour"),
        p.usage_based(
            "Load balancer capacity units",
            f"elb/{kind}-lcu-hour",
            "LCU",  # an LCU for a month, as Infracost shows it
            "monthly_lcu_hours",
            HOURS_PER_MONTH,
        ),
    ]


def price_elb(a: Attrs, p: Pricing) -> list[CostComponent]:
    return [
        p.hourly("Classic load balancer", "elb/classic-hour"),
        p.usage_based("Data processed", "elb/classic-data-gb", "GB", "monthly_data_processed_gb"),
    ]


def price_eip(a: Attrs, p: Pricing) -> list[CostComponent]:
    attached = bool(a.values.get("instance") or a.values.get("network_interface"))
    key = "vpc/public-ipv4-in-use-hour" if attached else "vpc/public-ipv4-idle-hour"
    return [p.hourly("Public IPv4 address" + ("" if attached else " (idle)"), key)]


def price_vpc_endpoint(a: Attrs, p: Pricing) -> list[CostComponent]:
    kind = a.get("vpc_endpoint_type", "Gateway")  # unknown is refused: Interface costs, Gateway is free
    if kind == "Gateway":
        return []
    if kind != "Interface":
        raise Unpriceable(f"VPC endpoint type {kind!r} is not in the catalog")
    subnets = a.get("subnet_ids") or []
    count = max(len(subnets), 1)
    return [
        p.hourly("Endpoint (Interface)", "vpc/endpoint-hour", count),
        p.usage_based(
            "Data processed (first 1PB)", "vpc/endpoint-data-gb", "GB", "monthly_data_processed_gb"
        ),
    ]


# --- databases and caches --------------------------------------------------------------------------

RDS_ENGINES = {
    "mysql": "MySQL",
    "postgres": "PostgreSQL",
    "mariadb": "MariaDB",
    "aurora": "Aurora MySQL",
    "aurora-mysql": "Aurora MySQL",
    "aurora-postgresql": "Aurora PostgreSQL",
}
RDS_GP3_LARGE_GB = Decimal(400)
RDS_GP3_BASELINE_LARGE = Decimal(12000)
MULTI_AZ_FACTOR = Decimal(2)  # AWS bills a Multi-AZ (one standby) instance and its storage twice


def rds_engine(a: Attrs) -> str:
    engine = a.get("engine") or _missing("engine")
    if engine not in RDS_ENGINES:
        raise Unpriceable(f"engine {engine!r} is not in the catalog (MySQL, PostgreSQL, MariaDB, Aurora)")
    return RDS_ENGINES[engine]


def price_db_instance(a: Attrs, p: Pricing) -> list[CostComponent]:
    engine = rds_engine(a)
    instance_class = a.get("instance_class") or _missing("instance_class")
    multi_az = bool(a.optional("multi_az", False))
    factor = MULTI_AZ_FACTOR if multi_az else Decimal(1)
    deployment = "Multi-AZ" if multi_az else "Single-AZ"
    instance = p.fixed(
        f"Database instance (on-demand, {deployment}, {instance_class})",
        f"rds/instance-hour/{engine}/{instance_class}",
        "hours",
        HOURS_PER_MONTH,
    )
    instance = _scaled(instance, factor)
    parts = [instance]
    if not engine.startswith("Aurora"):
        iops = a.optional_number("iops", 0)
        storage_type = a.optional("storage_type", None) or ("io1" if iops else "gp2")
        size = a.number("allocated_storage")
        label = EBS_NAMES.get(storage_type, storage_type)
        parts.append(
            _scaled(p.fixed(f"Storage ({label})", f"rds/storage-gb-month/{storage_type}", "GB", size), factor)
        )
        if storage_type in ("io1", "io2"):
            parts.append(
                _scaled(p.fixed("Provisioned IOPS", f"rds/iops-month/{storage_type}", "IOPS", iops), factor)
            )
        elif storage_type == "gp3":
            # gp3 includes a baseline (3,000 IOPS below 400 GB, 12,000 from 400 GB); more is billed
            baseline = RDS_GP3_BASELINE_LARGE if size >= RDS_GP3_LARGE_GB else GP3_FREE_IOPS
            if iops > baseline:
                parts.append(
                    _scaled(
                        p.fixed(
                            f"Provisioned GP3 IOPS (above {baseline:,})",
                            "rds/iops-month/gp3",
                            "IOPS",
                            iops - baseline,
                        ),
                        factor,
                    )
                )
        parts.append(
            p.usage_based(
                "Additional backup storage",
                "rds/backup-storage-gb-month",
                "GB",
                "additional_backup_storage_gb",
            )
        )
    return parts


def price_rds_cluster_instance(a: Attrs, p: Pricing) -> list[CostComponent]:
    engine = rds_engine(a)
    instance_class = a.get("instance_class") or _missing("instance_class")
    return [
        p.hourly(
            f"Database instance (on-demand, {instance_class})", f"rds/instance-hour/{engine}/{instance_class}"
        )
    ]


def price_rds_cluster(a: Attrs, p: Pricing) -> list[CostComponent]:
    raise Unpriceable(
        "Aurora cluster storage and I/O are not in the catalog (its instances are priced as"
        " aws_rds_cluster_instance)"
    )


def price_elasticache_cluster(a: Attrs, p: Pricing) -> list[CostComponent]:
    if a.values.get("replication_group_id"):
        raise Unpriceable("nodes of a replication group are priced with the group, which is not covered")
    engine = {"redis": "Redis", "memcached": "Memcached"}.get(a.get("engine", ""))
    if engine is None:
        raise Unpriceable(f"engine {a.values.get('engine')!r} is not in the catalog (redis, memcached)")
    node_type = a.get("node_type") or _missing("node_type")
    nodes = a.optional_number("num_cache_nodes", 1)
    return [
        p.hourly(
            f"ElastiCache (on-demand, {node_type})", f"elasticache/node-hour/{engine}/{node_type}", nodes
        )
    ]


def price_dynamodb_table(a: Attrs, p: Pricing) -> list[CostComponent]:
    if a.optional("billing_mode", "PROVISIONED") == "PAY_PER_REQUEST":
        parts = [
            p.usage_based(
                "Write request unit (WRU)",
                "dynamodb/write-request-unit",
                "WRUs",
                "monthly_write_request_units",
            ),
            p.usage_based(
                "Read request unit (RRU)", "dynamodb/read-request-unit", "RRUs", "monthly_read_request_units"
            ),
        ]
    else:
        # Each global secondary index has its own provisioned capacity, billed like the table's.
        indexes = a.blocks("global_secondary_index")
        wcu = a.number("write_capacity") + sum((i.number("write_capacity", 0) for i in indexes), ZERO)
        rcu = a.number("read_capacity") + sum((i.number("read_capacity", 0) for i in indexes), ZERO)
        parts = [
            p.fixed("Write capacity unit (WCU)", "dynamodb/wcu-hour", "WCU-hours", wcu * HOURS_PER_MONTH),
            p.fixed("Read capacity unit (RCU)", "dynamodb/rcu-hour", "RCU-hours", rcu * HOURS_PER_MONTH),
        ]
    parts.append(p.usage_based("Data storage", "dynamodb/storage-gb-month", "GB", "storage_gb"))
    return parts


# --- security, logs, serverless, storage -----------------------------------------------------------


def price_kms_key(a: Attrs, p: Pricing) -> list[CostComponent]:
    return [
        p.fixed("Customer master key", "kms/key-month", "months", Decimal(1)),
        p.usage_based("Requests", "kms/request", "10k requests", "monthly_requests", 10_000),
    ]


def price_secretsmanager_secret(a: Attrs, p: Pricing) -> list[CostComponent]:
    return [
        p.fixed("Secret", "secretsmanager/secret-month", "months", Decimal(1)),
        p.usage_based(
            "API requests", "secretsmanager/api-request", "10k requests", "monthly_requests", 10_000
        ),
    ]


def price_cloudwatch_log_group(a: Attrs, p: Pricing) -> list[CostComponent]:
    return [
        p.usage_based("Data ingested", "cloudwatch/logs-ingested-gb", "GB", "monthly_data_ingested_gb"),
        p.usage_based("Archival Storage", "cloudwatch/logs-stored-gb-month", "GB", "storage_gb"),
        p.usage_based(
            "Insights queries data scanned",
            "cloudwatch/logs-insights-scanned-gb",
            "GB",
            "monthly_data_scanned_gb",
        ),
    ]


def price_lambda_function(a: Attrs, p: Pricing) -> list[CostComponent]:
    suffix = "-arm" if "arm64" in (a.optional("architectures", None) or []) else ""
    memory_gb = a.optional_number("memory_size", 128) / 1024
    storage_blocks = a.blocks("ephemeral_storage")
    storage_mb = storage_blocks[0].optional_number("size", 512) if storage_blocks else Decimal(512)
    extra_storage_gb = max(ZERO, storage_mb - 512) / 1024  # the first 512 MB are included
    requests = p.usage.get("monthly_requests")
    duration_ms = p.usage.get("request_duration_ms")
    seconds = None if requests is None or duration_ms is None else requests * duration_ms / 1000
    duration_price, duration_source = p.unit_price(f"lambda/duration-gb-second{suffix}")
    storage_price, storage_source = p.unit_price(f"lambda/ephemeral-storage-gb-second{suffix}")
    return [
        p.usage_based("Requests", f"lambda/request{suffix}", "1M requests", "monthly_requests", 1_000_000),
        p.usage_component(
            "Duration (first tier)",
            "GB-seconds",
            duration_price,
            duration_source,
            None if seconds is None else seconds * memory_gb,
            1,
            "monthly_requests + request_duration_ms",
        ),
        p.usage_component(
            "Ephemeral storage",
            "GB-seconds",
            storage_price,
            storage_source,
            None if seconds is None else seconds * extra_storage_gb,
            1,
            "monthly_requests + request_duration_ms",
        ),
    ]


def price_s3_bucket(a: Attrs, p: Pricing) -> list[CostComponent]:
    return [
        p.usage_based("Standard storage", "s3/standard-storage-gb-month", "GB", "storage_gb"),
        p.usage_based(
            "PUT, COPY, POST, LIST requests",
            "s3/standard-put-request",
            "1k requests",
            "monthly_tier_1_requests",
            1000,
        ),
        p.usage_based(
            "GET, SELECT, and all other requests",
            "s3/standard-get-request",
            "1k requests",
            "monthly_tier_2_requests",
            1000,
        ),
    ]


def _scaled(c: CostComponent, factor: Decimal) -> CostComponent:
    if factor == 1 or c.monthly_quantity is None or c.monthly_cost is None:
        return c
    return CostComponent(
        c.name, c.unit, c.unit_price * factor, c.monthly_quantity, c.monthly_cost * factor, c.price_source
    )


def _missing(key: str) -> Any:
    raise Unpriceable(f"{key} is not set")


PRICERS: dict[str, Pricer] = {
    "aws_instance": price_instance,
    "aws_ebs_volume": price_ebs_volume,
    "aws_nat_gateway": price_nat_gateway,
    "aws_lb": price_lb,
    "aws_alb": price_lb,
    "aws_elb": price_elb,
    "aws_eip": price_eip,
    "aws_db_instance": price_db_instance,
    "aws_rds_cluster": price_rds_cluster,
    "aws_rds_cluster_instance": price_rds_cluster_instance,
    "aws_elasticache_cluster": price_elasticache_cluster,
    "aws_eks_cluster": price_eks_cluster,
    "aws_eks_node_group": price_eks_node_group,
    "aws_dynamodb_table": price_dynamodb_table,
    "aws_kms_key": price_kms_key,
    "aws_secretsmanager_secret": price_secretsmanager_secret,
    "aws_cloudwatch_log_group": price_cloudwatch_log_group,
    "aws_lambda_function": price_lambda_function,
    "aws_s3_bucket": price_s3_bucket,
    "aws_vpc_endpoint": price_vpc_endpoint,
}

# AWS types with no charge of their own (their cost, if any, is in the resources they configure).
FREE_TYPES = frozenset(
    [
        "aws_security_group",
        "aws_security_group_rule",
        "aws_vpc_security_group_ingress_rule",
        "aws_vpc_security_group_egress_rule",
        "aws_vpc",
        "aws_default_vpc",
        "aws_subnet",
        "aws_default_subnet",
        "aws_route",
        "aws_route_table",
        "aws_route_table_association",
        "aws_internet_gateway",
        "aws_egress_only_internet_gateway",
        "aws_network_acl",
        "aws_network_acl_rule",
        "aws_default_network_acl",
        "aws_default_route_table",
        "aws_default_security_group",
        "aws_vpc_dhcp_options",
        "aws_vpc_dhcp_options_association",
        "aws_eip_association",
        "aws_volume_attachment",
        "aws_iam_role",
        "aws_iam_policy",
        "aws_iam_role_policy",
        "aws_iam_role_policy_attachment",
        "aws_iam_user",
        "aws_iam_user_policy",
        "aws_iam_user_policy_attachment",
        "aws_iam_group",
        "aws_iam_group_policy",
        "aws_iam_group_membership",
        "aws_iam_group_policy_attachment",
        "aws_iam_instance_profile",
        "aws_iam_openid_connect_provider",
        "aws_iam_account_password_policy",
        "aws_iam_policy_attachment",
        "aws_iam_service_linked_role",
        "aws_s3_bucket_policy",
        "aws_s3_bucket_acl",
        "aws_s3_bucket_versioning",
        "aws_s3_bucket_public_access_block",
        "aws_s3_bucket_server_side_encryption_configuration",
        "aws_s3_bucket_ownership_controls",
        "aws_s3_bucket_logging",
        "aws_s3_bucket_lifecycle_configuration",
        "aws_s3_bucket_cors_configuration",
        "aws_s3_bucket_website_configuration",
        "aws_s3_bucket_notification",
        "aws_kms_alias",
        "aws_lb_listener",
        "aws_alb_listener",
        "aws_lb_listener_rule",
        "aws_alb_listener_rule",
        "aws_lb_target_group",
        "aws_alb_target_group",
        "aws_lb_target_group_attachment",
        "aws_alb_target_group_attachment",
        "aws_db_subnet_group",
        "aws_db_parameter_group",
        "aws_elasticache_subnet_group",
        "aws_elasticache_parameter_group",
        "aws_launch_configuration",
        "aws_launch_template",
        "aws_autoscaling_group",
        "aws_appautoscaling_target",
        "aws_appautoscaling_policy",
        "aws_lambda_permission",
        "aws_cloudwatch_log_resource_policy",
        "aws_cloudwatch_event_target",
        "aws_ecr_lifecycle_policy",
        "aws_ecr_repository_policy",
        "aws_acm_certificate_validation",
        "aws_sns_topic_subscription",
        "aws_sqs_queue_policy",
        "aws_key_pair",
    ]
)

# The catalog keys each priced type reads (for `tfoidc prices show TYPE`).
CATALOG_PREFIXES: dict[str, tuple[str, ...]] = {
    "aws_instance": ("ec2/instance-hour/", "ebs/"),
    "aws_ebs_volume": ("ebs/",),
    "aws_nat_gateway": ("natgateway/",),
    "aws_lb": ("elb/application-", "elb/network-"),
    "aws_alb": ("elb/application-",),
    "aws_elb": ("elb/classic-",),
    "aws_eip": ("vpc/public-ipv4-",),
    "aws_db_instance": ("rds/",),
    "aws_rds_cluster": ("rds/instance-hour/Aurora",),
    "aws_rds_cluster_instance": ("rds/instance-hour/Aurora",),
    "aws_elasticache_cluster": ("elasticache/",),
    "aws_eks_cluster": ("eks/",),
    "aws_eks_node_group": ("ec2/instance-hour/", "ebs/storage-gb-month/gp2"),
    "aws_dynamodb_table": ("dynamodb/",),
    "aws_kms_key": ("kms/",),
    "aws_secretsmanager_secret": ("secretsmanager/",),
    "aws_cloudwatch_log_group": ("cloudwatch/logs-",),
    "aws_lambda_function": ("lambda/",),
    "aws_s3_bucket": ("s3/",),
    "aws_vpc_endpoint": ("vpc/endpoint-",),
}

# The usage keys each type reads from `[cost.usage]` (as in Infracost's usage file, flattened).
USAGE_KEYS: dict[str, frozenset[str]] = {
    "aws_ebs_volume": frozenset({"monthly_standard_io_requests"}),
    "aws_instance": frozenset({"monthly_standard_io_requests"}),
    "aws_nat_gateway": frozenset({"monthly_data_processed_gb"}),
    "aws_lb": frozenset({"monthly_lcu_hours"}),
    "aws_alb": frozenset({"monthly_lcu_hours"}),
    "aws_elb": frozenset({"monthly_data_processed_gb"}),
    "aws_vpc_endpoint": frozenset({"monthly_data_processed_gb"}),
    "aws_db_instance": frozenset({"additional_backup_storage_gb"}),
    "aws_dynamodb_table": frozenset(
        {"monthly_write_request_units", "monthly_read_request_units", "storage_gb"}
    ),
    "aws_kms_key": frozenset({"monthly_requests"}),
    "aws_secretsmanager_secret": frozenset({"monthly_requests"}),
    "aws_cloudwatch_log_group": frozenset(
        {"monthly_data_ingested_gb", "storage_gb", "monthly_data_scanned_gb"}
    ),
    "aws_lambda_function": frozenset({"monthly_requests", "request_duration_ms"}),
    "aws_s3_bucket": frozenset({"storage_gb", "monthly_tier_1_requests", "monthly_tier_2_requests"}),
}
