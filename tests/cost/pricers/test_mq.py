"""Amazon MQ brokers."""

from __future__ import annotations

from tests.cost.costplans import HOURS, Change, one, price, priced, usage
from tests.cost.goldens import check_golden


def test_mq_broker_golden() -> None:
    check_golden("mq_broker")


def test_brokers_per_deployment_mode_and_storage_per_engine() -> None:
    values = {
        "engine_type": "ActiveMQ",
        "host_instance_type": "mq.m5.large",
        "deployment_mode": "ACTIVE_STANDBY_MULTI_AZ",
    }
    broker = one(
        priced([Change("aws_mq_broker.b", values)], config=usage("aws_mq_broker.b", storage_size_gb=10)),
        "aws_mq_broker.b",
    )
    assert broker.monthly_after == 2 * price("mq/broker-hour/ActiveMQ/mq.m5.large") * HOURS + 20 * price(
        "mq/storage-gb-month/efs"
    )
