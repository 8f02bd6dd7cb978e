"""ElastiCache: clusters (Redis, Memcached) and replication groups (Redis)."""

from __future__ import annotations

from decimal import Decimal

from tfoidc.cost.model import CostComponent
from tfoidc.cost.pricers.base import Attrs, Pricing, Unpriceable, missing, pricer

ENGINES = {"redis": "Redis", "memcached": "Memcached"}
BACKUP_USAGE = {"snapshot_storage_size_gb": "GB of backup (snapshot) storage beyond the free allocation"}


def node_hours(p: Pricing, engine: str, node_type: str, nodes: Decimal) -> CostComponent:
    return p.hourly(
        f"ElastiCache (on-demand, {node_type})", f"elasticache/node-hour/{engine}/{node_type}", nodes
    )


def backup_storage(a: Attrs, p: Pricing) -> list[CostComponent]:
    """Snapshots kept (`snapshot_retention_limit` > 0) are billed per GB beyond one free copy."""
    if a.is_unknown("snapshot_retention_limit") and p.related.configured(("snapshot_retention_limit",)):
        raise Unpriceable("snapshot_retention_limit is known only after apply")
    if a.optional_number("snapshot_retention_limit", 0) <= 0:
        return []
    return [
        p.usage_based(
            "Backup storage", "elasticache/backup-storage-gb-month", "GB", "snapshot_storage_size_gb"
        )
    ]


@pricer("aws_elasticache_cluster", catalog=("elasticache/",), usage=BACKUP_USAGE)
def elasticache_cluster(a: Attrs, p: Pricing) -> list[CostComponent]:
    if a.is_set("replication_group_id") or a.is_unknown("replication_group_id"):
        return [node_hours(p, "Redis", replica_node_type(a, p), Decimal(1))]
    engine = ENGINES.get(a.get("engine", ""))
    if engine is None:
        raise Unpriceable(f"engine {a.values.get('engine')!r} is not in the catalog (redis, memcached)")
    node_type = a.get("node_type") or missing("node_type")
    nodes = a.optional_number("num_cache_nodes", 1)
    return [node_hours(p, engine, node_type, nodes), *backup_storage(a, p)]


def replica_node_type(a: Attrs, p: Pricing) -> str:
    """A cluster with `replication_group_id` is one more read replica in that group, of its node type."""
    if a.is_set("node_type"):
        return str(a.get("node_type"))
    group = p.related.find(
        ("replication_group_id",), ["aws_elasticache_replication_group"], ("id", "replication_group_id")
    )
    if group is None:
        raise Unpriceable("a read replica of a replication group not in this plan: its node type is unknown")
    p.note(f"a read replica in {group.address}, of its node type")
    return str(group.attrs.get("node_type") or missing(f"{group.attrs.path}node_type"))


@pricer("aws_elasticache_replication_group", catalog=("elasticache/",), usage=BACKUP_USAGE)
def elasticache_replication_group(a: Attrs, p: Pricing) -> list[CostComponent]:
    engine = a.optional("engine", "redis")
    if engine != "redis":
        raise Unpriceable(f"engine {engine!r} is not in the catalog (redis)")
    node_type = a.get("node_type") or missing("node_type")
    return [node_hours(p, "Redis", node_type, replication_group_nodes(a, p)), *backup_storage(a, p)]


def replication_group_nodes(a: Attrs, p: Pricing) -> Decimal:
    """Cluster mode: shards x (replicas + 1); otherwise `num_cache_clusters` (1 when not set)."""
    legacy = a.block("cluster_mode") if not a.is_unknown("cluster_mode") else None
    for where, attrs in (("", a), ("cluster_mode[0].", legacy)):
        if attrs is None:
            continue
        shards = _count(attrs, p, "num_node_groups", where)
        if shards is not None:
            replicas = _count(attrs, p, "replicas_per_node_group", where)
            return shards * ((replicas or 0) + 1)
    for key in ("num_cache_clusters", "number_cache_clusters"):
        clusters = _count(a, p, key, "")
        if clusters is not None:
            return clusters
    return Decimal(1)


def _count(a: Attrs, p: Pricing, key: str, where: str) -> Decimal | None:
    """A node count: its value, None when not set (computed by AWS), refused when set but unknown."""
    if a.is_unknown(key):
        if where == "" and p.related.configured((key,)):
            raise Unpriceable(f"{key} is known only after apply")
        return None
    value = a.values.get(key)
    return None if value in (None, 0) else a.number(key)
