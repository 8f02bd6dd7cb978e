"""FSx for Windows File Server."""

from __future__ import annotations

from tests.cost.costplans import Change, priced
from tests.cost.goldens import check_golden


def test_fsx_windows_file_system_golden() -> None:
    check_golden("fsx_windows_file_system")


def test_a_deployment_type_without_prices_is_not_priced() -> None:
    values = {
        "storage_capacity": 32,
        "throughput_capacity": 8,
        "deployment_type": "SINGLE_AZ_2",
        "storage_type": "SSD",
    }
    est = priced([Change("aws_fsx_windows_file_system.f", values)])
    assert "no price for fsx/windows/throughput-mbps-month/single-az-2" in est.not_priced[0].reason
