"""CloudWatch: log groups (usage) and metric and composite alarms."""

from __future__ import annotations

from decimal import Decimal

from tfoidc.cost.model import CostComponent
from tfoidc.cost.pricers.base import Attrs, Pricing, pricer

HIGH_RESOLUTION_BELOW_SECONDS = 60  # a period under a minute makes a high-resolution alarm
ANOMALY_DETECTION_METRICS = 3  # AWS bills an anomaly detection alarm as 3 alarm metrics (value and band)


@pricer(
    "aws_cloudwatch_log_group",
    catalog=("cloudwatch/logs-",),
    usage={
        "monthly_data_ingested_gb": "GB of log data ingested a month",
        "storage_gb": "GB of log data stored",
        "monthly_data_scanned_gb": "GB scanned by Logs Insights queries a month",
    },
)
def log_group(a: Attrs, p: Pricing) -> list[CostComponent]:
    return [
        p.usage_based("Data ingested", "cloudwatch/logs-ingested-gb", "GB", "monthly_data_ingested_gb"),
        p.usage_based("Archival Storage", "cloudwatch/logs-stored-gb-month", "GB", "storage_gb"),
        p.usage_based(
            "Insights queries data scanned",
            "cloudwatch/logs-insights-scanned-gb",
            "GB",
            "monthly_data_scanned_gb",
        ),
    ]


@pricer("aws_cloudwatch_metric_alarm", catalog=("cloudwatch/alarm-",))
def metric_alarm(a: Attrs, p: Pricing) -> list[CostComponent]:
    queries = a.blocks("metric_query")
    if queries:
        metrics = [m for q in queries if (m := q.block("metric")) is not None]
        periods = [m.number("period") for m in metrics]
        anomaly = any("ANOMALY_DETECTION_BAND" in str(q.optional("expression", "")) for q in queries)
    else:
        periods, anomaly = [a.number("period")], False
    high = any(period < HIGH_RESOLUTION_BELOW_SECONDS for period in periods)
    resolution, key = ("High resolution", "high") if high else ("Standard resolution", "standard")
    count = Decimal(max(len(periods), 1))
    if anomaly:
        return [
            p.fixed(
                f"{resolution} anomaly detection",
                f"cloudwatch/alarm-{key}-month",
                "alarms",
                ANOMALY_DETECTION_METRICS * count,
            )
        ]
    return [p.fixed(resolution, f"cloudwatch/alarm-{key}-month", "alarm metrics", count)]


@pricer("aws_cloudwatch_composite_alarm", catalog=("cloudwatch/alarm-composite-month",))
def composite_alarm(a: Attrs, p: Pricing) -> list[CostComponent]:
    return [p.monthly("Composite alarm", "cloudwatch/alarm-composite-month", "alarms")]
