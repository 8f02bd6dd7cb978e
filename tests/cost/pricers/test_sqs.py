"""SQS queues."""

from __future__ import annotations

from decimal import Decimal

from tests.cost.costplans import Change, one, price, priced
from tests.cost.goldens import check_golden
from tfoidc.cost.config import CostConfig


def test_sqs_queue_golden() -> None:
    check_golden("sqs_queue")


def test_requests_are_counted_in_64_kb_chunks_and_fifo_has_its_price() -> None:
    config = CostConfig(
        usage={"aws_sqs_queue": {"monthly_requests": Decimal(3_000_000), "request_size_kb": Decimal(100)}}
    )
    est = priced(
        [
            Change("aws_sqs_queue.std", {"fifo_queue": False}),
            Change("aws_sqs_queue.fifo", {"fifo_queue": True}),
        ],
        config=config,
    )
    assert one(est, "aws_sqs_queue.std").monthly_after == 6_000_000 * price("sqs/standard-request")
    assert one(est, "aws_sqs_queue.fifo").monthly_after == 6_000_000 * price("sqs/fifo-request")
    bare = one(priced([Change("aws_sqs_queue.q", {"name": "q"})]), "aws_sqs_queue.q")
    assert (
        bare.depends_on_usage and bare.components[0].unit_price == price("sqs/standard-request") * 1_000_000
    )
