"""CloudWatch log groups, metric alarms and composite alarms."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tests.cost.costplans import Change, one, price, priced
from tests.cost.goldens import check_golden
from tfoidc.cost.config import CostConfig


def test_cloudwatch_log_group_usage() -> None:
    usage = {"monthly_data_ingested_gb": Decimal(100), "storage_gb": Decimal(1000)}
    est = priced(
        [Change("aws_cloudwatch_log_group.l", {"name": "l"})],
        config=CostConfig(usage={"aws_cloudwatch_log_group": usage}),
    )
    expected = 100 * price("cloudwatch/logs-ingested-gb") + 1000 * price("cloudwatch/logs-stored-gb-month")
    log = one(est, "aws_cloudwatch_log_group.l")
    assert log.monthly_after == expected
    assert [c.monthly_cost is None for c in log.components] == [False, False, True]


@pytest.mark.parametrize("golden", ["cloudwatch_log_group", "cloudwatch_metric_alarm"])
def test_goldens(golden: str) -> None:
    check_golden(golden)


def test_alarm_resolution_metric_math_and_anomaly_detection() -> None:
    query = lambda period: {"metric": [{"metric_name": "x", "period": period}]}  # noqa: E731
    est = priced(
        [
            Change("aws_cloudwatch_metric_alarm.standard", {"period": 300}),
            Change("aws_cloudwatch_metric_alarm.high", {"period": 10}),
            Change(
                "aws_cloudwatch_metric_alarm.math",
                {"metric_query": [{"expression": "a+b"}, query(60), query(60)]},
            ),
            Change(
                "aws_cloudwatch_metric_alarm.band",
                {"metric_query": [{"expression": "ANOMALY_DETECTION_BAND(m1)"}, query(300)]},
            ),
            Change("aws_cloudwatch_composite_alarm.c", {"alarm_rule": "ALARM(a)"}),
            Change("aws_cloudwatch_metric_alarm.later", {}, after_unknown={"period": True}),
        ]
    )
    standard, high = price("cloudwatch/alarm-standard-month"), price("cloudwatch/alarm-high-month")
    assert one(est, "aws_cloudwatch_metric_alarm.standard").monthly_after == standard
    assert one(est, "aws_cloudwatch_metric_alarm.high").monthly_after == high
    assert one(est, "aws_cloudwatch_metric_alarm.math").monthly_after == 2 * standard
    assert one(est, "aws_cloudwatch_metric_alarm.band").monthly_after == 3 * standard
    assert one(est, "aws_cloudwatch_composite_alarm.c").monthly_after == price(
        "cloudwatch/alarm-composite-month"
    )
    assert [n.address for n in est.not_priced] == ["aws_cloudwatch_metric_alarm.later"]
