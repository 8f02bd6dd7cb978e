"""Transfer Family servers."""

from __future__ import annotations

from tests.cost.costplans import HOURS, Change, one, price, priced
from tests.cost.goldens import check_golden


def test_transfer_server_golden() -> None:
    check_golden("transfer_server")


def test_one_hourly_fee_per_protocol() -> None:
    server = one(
        priced([Change("aws_transfer_server.s", {"protocols": ["SFTP", "FTPS"]})]), "aws_transfer_server.s"
    )
    assert server.monthly_after == 2 * price("transfer/protocol-hour") * HOURS
