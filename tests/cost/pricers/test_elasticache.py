"""ElastiCache clusters and replication groups."""

from __future__ import annotations

from decimal import Decimal

from tests.cost.costplans import HOURS, Change, one, price, priced
from tests.cost.goldens import check_golden
from tfoidc.cost.config import CostConfig


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


def test_goldens() -> None:
    check_golden("elasticache_cluster")
    check_golden("elasticache_replication_group")


def test_replication_group_node_counts() -> None:
    node = price("elasticache/node-hour/Redis/cache.m4.large") * HOURS
    est = priced(
        [
            Change(
                "aws_elasticache_replication_group.sharded",
                {"node_type": "cache.m4.large", "num_node_groups": 3, "replicas_per_node_group": 2},
            ),
            Change(
                "aws_elasticache_replication_group.legacy",
                {
                    "node_type": "cache.m4.large",
                    "cluster_mode": [{"num_node_groups": 2, "replicas_per_node_group": 1}],
                },
            ),
            Change(
                "aws_elasticache_replication_group.plain",
                {"node_type": "cache.m4.large", "num_cache_clusters": 2},
            ),
            Change(
                "aws_elasticache_replication_group.single",
                {"node_type": "cache.m4.large"},
                after_unknown={"num_cache_clusters": True},
            ),
        ]
    )
    assert one(est, "aws_elasticache_replication_group.sharded").monthly_after == 9 * node
    assert one(est, "aws_elasticache_replication_group.legacy").monthly_after == 4 * node
    assert one(est, "aws_elasticache_replication_group.plain").monthly_after == 2 * node
    assert one(est, "aws_elasticache_replication_group.single").monthly_after == node


def test_a_cluster_in_a_replication_group_is_one_more_node_of_the_groups_type() -> None:
    group = Change(
        "aws_elasticache_replication_group.g",
        {"replication_group_id": "g", "node_type": "cache.m4.large", "num_cache_clusters": 2},
    )
    member = Change(
        "aws_elasticache_cluster.replica",
        {"replication_group_id": "g"},
        after_unknown={"node_type": True},
    )
    est = priced([group, member])
    assert (
        one(est, "aws_elasticache_cluster.replica").monthly_after
        == price("elasticache/node-hour/Redis/cache.m4.large") * HOURS
    )
    alone = priced(
        [
            Change(
                "aws_elasticache_cluster.replica",
                {"replication_group_id": "elsewhere"},
                after_unknown={"node_type": True},
            )
        ]
    )
    assert "replication group not in this plan" in alone.not_priced[0].reason


def test_backup_storage_depends_on_usage_when_snapshots_are_kept() -> None:
    values = {"engine": "redis", "node_type": "cache.m4.large", "snapshot_retention_limit": 3}
    est = priced([Change("aws_elasticache_cluster.c", values)])
    backup = one(est, "aws_elasticache_cluster.c").components[-1]
    assert backup.name == "Backup storage" and backup.depends_on_usage
    assert backup.usage_keys == ("snapshot_storage_size_gb",)
    usage = CostConfig(usage={"aws_elasticache_cluster": {"snapshot_storage_size_gb": Decimal(50)}})
    assert one(
        priced([Change("aws_elasticache_cluster.c", values)], config=usage), "aws_elasticache_cluster.c"
    ).components[-1].monthly_cost == 50 * price("elasticache/backup-storage-gb-month")
