"""OpenSearch Service (and its former name, Elasticsearch Service) domains."""

from __future__ import annotations

from decimal import Decimal

from tfoidc.cost.model import CostComponent
from tfoidc.cost.pricers.base import Attrs, Pricing, Unpriceable, ceil, pricer

DEFAULT_MASTER_COUNT = 3
GP3_FREE_IOPS = Decimal(3000)
# gp3 baseline throughput per data node: 125 MiB/s; from 3 TiB, 250 MiB/s for every 3 TiB started.
GP3_BASELINE_MIBPS = Decimal(125)
GP3_LARGE_GB = Decimal(3072)  # 3 TiB
GP3_LARGE_MIBPS_PER_3TB = Decimal(250)


def _family(instance_type: str) -> str:
    """ "c4.2xlarge.elasticsearch" and "c4.2xlarge.search" are the same instance and price."""
    return instance_type.removesuffix(".elasticsearch").removesuffix(".search")


def _instances(p: Pricing, label: str, instance_type: str, count: Decimal) -> CostComponent:
    return p.hourly(
        f"{label} (on-demand, {instance_type})", f"opensearch/instance-hour/{_family(instance_type)}", count
    )


@pricer("aws_opensearch_domain", catalog=("opensearch/",))
def opensearch_domain(a: Attrs, p: Pricing) -> list[CostComponent]:
    return domain(a, p, default_instance="m4.large.search")  # the provider's default instance type


@pricer("aws_elasticsearch_domain", catalog=("opensearch/",))
def elasticsearch_domain(a: Attrs, p: Pricing) -> list[CostComponent]:
    return domain(a, p, default_instance="m4.large.elasticsearch")


def domain(a: Attrs, p: Pricing, default_instance: str) -> list[CostComponent]:
    cluster = a.block("cluster_config") or Attrs({}, {}, "cluster_config[0].")
    instance_type = cluster.optional("instance_type", default_instance)
    count = cluster.optional_number("instance_count", 1)
    parts = [_instances(p, "Instance", instance_type, count)]
    ebs = a.block("ebs_options")
    if ebs is not None and ebs.optional("ebs_enabled", False) is True:
        parts += _storage(ebs, p, count)
    if cluster.optional("dedicated_master_enabled", False) is True:
        master = cluster.optional("dedicated_master_type", instance_type)
        masters = cluster.optional_number("dedicated_master_count", DEFAULT_MASTER_COUNT)
        parts.append(_instances(p, "Dedicated master", master, masters))
    if cluster.optional("warm_enabled", False) is True:
        warm = cluster.get("warm_type")
        warm_count = cluster.optional_number("warm_count", 0)
        if warm and warm_count > 0:
            parts.append(_instances(p, "UltraWarm instance", warm, warm_count))
    return parts


def _storage(ebs: Attrs, p: Pricing, nodes: Decimal) -> list[CostComponent]:
    """EBS volumes are per data node: `volume_size` GB (and IOPS, throughput) on each of them."""
    volume_type = ebs.optional("volume_type", "gp2")
    size = ebs.number("volume_size")
    parts = [
        p.fixed(f"Storage ({volume_type})", f"opensearch/storage-gb-month/{volume_type}", "GB", size * nodes)
    ]
    if volume_type == "io1":
        iops = ebs.number("iops")
        parts.append(p.fixed("Storage IOPS (io1)", "opensearch/iops-month/io1", "IOPS", iops * nodes))
    elif volume_type == "gp3":
        if ebs.optional_number("iops", 0) > GP3_FREE_IOPS:
            raise Unpriceable("gp3 IOPS above the 3,000 baseline are not in the catalog")
        baseline = (
            GP3_BASELINE_MIBPS if size < GP3_LARGE_GB else GP3_LARGE_MIBPS_PER_3TB * ceil(size / GP3_LARGE_GB)
        )
        extra = ebs.optional_number("throughput", 0) - baseline
        if extra > 0:
            parts.append(
                p.fixed("Throughput (gp3)", "opensearch/throughput-mibps-month/gp3", "Mbps", extra * nodes)
            )
    return parts
