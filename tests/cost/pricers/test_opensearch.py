"""OpenSearch and Elasticsearch domains."""

from __future__ import annotations

from tests.cost.costplans import HOURS, Change, one, price, priced
from tests.cost.goldens import check_golden


def test_goldens() -> None:
    check_golden("elasticsearch_domain")
    check_golden("opensearch_domain")


def test_instances_masters_warm_nodes_and_per_node_storage() -> None:
    values = {
        "cluster_config": [
            {
                "instance_type": "c4.2xlarge.search",
                "instance_count": 3,
                "dedicated_master_enabled": True,
                "dedicated_master_type": "c4.8xlarge.search",
                "dedicated_master_count": 1,
            }
        ],
        "ebs_options": [{"ebs_enabled": True, "volume_size": 100, "volume_type": "gp3", "throughput": 200}],
    }
    domain = one(priced([Change("aws_opensearch_domain.d", values)]), "aws_opensearch_domain.d")
    assert domain.monthly_after == (
        3 * price("opensearch/instance-hour/c4.2xlarge") * HOURS
        + 300 * price("opensearch/storage-gb-month/gp3")  # 100 GB on each of 3 data nodes
        + 3 * 75 * price("opensearch/throughput-mibps-month/gp3")  # 75 MiB/s over the 125 baseline, per node
        + price("opensearch/instance-hour/c4.8xlarge") * HOURS
    )


def test_an_instance_type_without_a_price_is_not_priced() -> None:
    values = {"cluster_config": [{"instance_type": "r6g.large.search"}]}
    est = priced([Change("aws_opensearch_domain.d", values)])
    assert "no price for opensearch/instance-hour/r6g.large" in est.not_priced[0].reason
