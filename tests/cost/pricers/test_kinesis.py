"""Kinesis data streams."""

from __future__ import annotations

from tests.cost.costplans import HOURS, Change, one, price, priced, usage
from tests.cost.goldens import check_golden


def test_kinesis_stream_golden() -> None:
    check_golden("kinesis_stream")


def test_provisioned_shards_extended_retention_and_on_demand() -> None:
    est = priced(
        [
            Change("aws_kinesis_stream.p", {"shard_count": 2, "retention_period": 48}),
            Change("aws_kinesis_stream.o", {"stream_mode_details": [{"stream_mode": "ON_DEMAND"}]}),
        ],
        config=usage("aws_kinesis_stream.o", monthly_on_demand_data_in_gb=100),
    )
    shard = price("kinesis/shard-hour") * HOURS
    assert (
        one(est, "aws_kinesis_stream.p").monthly_after
        == 2 * shard + 2 * price("kinesis/extended-retention-shard-hour") * HOURS
    )
    assert one(est, "aws_kinesis_stream.o").monthly_after == price(
        "kinesis/on-demand-stream-hour"
    ) * HOURS + 100 * price("kinesis/on-demand-ingested-gb")
