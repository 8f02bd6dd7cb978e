"""MSK clusters."""

from __future__ import annotations

from tests.cost.costplans import HOURS, Change, one, price, priced
from tests.cost.goldens import check_golden


def test_msk_cluster_golden() -> None:
    check_golden("msk_cluster")


def test_brokers_and_their_storage_in_another_region() -> None:
    group = {
        "instance_type": "kafka.m5.large",
        "storage_info": [{"ebs_storage_info": [{"volume_size": 100}]}],
    }
    est = priced(
        [Change("aws_msk_cluster.k", {"number_of_broker_nodes": 3, "broker_node_group_info": [group]})],
        region="eu-west-1",
    )
    expected = 3 * price("msk/broker-hour/m5.large", "eu-west-1") * HOURS + 300 * price(
        "msk/storage-gb-month", "eu-west-1"
    )
    assert one(est, "aws_msk_cluster.k").monthly_after == expected
