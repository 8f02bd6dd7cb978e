"""Kinesis Data Streams, provisioned (shard hours) or on-demand (stream hours and data)."""

from __future__ import annotations

from tfoidc.cost.model import CostComponent
from tfoidc.cost.pricers.base import Attrs, Pricing, pricer

DEFAULT_RETENTION_HOURS = 24
EXTENDED_RETENTION_HOURS = 168  # up to 7 days is "extended"; beyond is long-term retention


@pricer(
    "aws_kinesis_stream",
    catalog=("kinesis/",),
    usage={
        "monthly_provisioned_put_units": "PUT payload units (25 KB each) a month, provisioned mode",
        "monthly_provisioned_long_term_retention_gb": "GB stored beyond 7 days, provisioned mode",
        "monthly_provisioned_long_term_retrieval_gb": "GB read from beyond 7 days a month, provisioned mode",
        "monthly_provisioned_efo_data_out_gb": "GB read by enhanced fan-out consumers a month, provisioned mode",
        "monthly_provisioned_efo_consumer_hours": "enhanced fan-out consumer-shard hours a month, provisioned mode",
        "monthly_on_demand_data_in_gb": "GB written a month, on-demand mode",
        "monthly_on_demand_data_out_gb": "GB read a month, on-demand mode",
        "monthly_on_demand_efo_data_out_gb": "GB read by enhanced fan-out consumers a month, on-demand mode",
        "monthly_on_demand_extended_retention_gb": "GB stored between 24 hours and 7 days, on-demand mode",
        "monthly_on_demand_long_term_retention_gb": "GB stored beyond 7 days, on-demand mode",
    },
)
def kinesis_stream(a: Attrs, p: Pricing) -> list[CostComponent]:
    details = a.block("stream_mode_details")
    mode = details.optional("stream_mode", "PROVISIONED") if details is not None else "PROVISIONED"
    if mode == "ON_DEMAND":
        return [
            p.hourly("ON_DEMAND", "kinesis/on-demand-stream-hour"),
            p.usage_based(
                "Data ingested", "kinesis/on-demand-ingested-gb", "GB", "monthly_on_demand_data_in_gb"
            ),
            p.usage_based(
                "Data retrieval", "kinesis/on-demand-retrieved-gb", "GB", "monthly_on_demand_data_out_gb"
            ),
            p.usage_based(
                "Enhanced Fan Out (EFO) Data retrieval",
                "kinesis/on-demand-efo-retrieved-gb",
                "GB",
                "monthly_on_demand_efo_data_out_gb",
            ),
            p.usage_based(
                "Extended retention (24H to 7D)",
                "kinesis/on-demand-extended-retention-gb-month",
                "GB",
                "monthly_on_demand_extended_retention_gb",
            ),
            p.usage_based(
                "Long term retention (7D+)",
                "kinesis/long-term-retention-gb-month",
                "GB",
                "monthly_on_demand_long_term_retention_gb",
            ),
        ]
    shards = a.number("shard_count")
    parts = [p.hourly("PROVISIONED", "kinesis/shard-hour", shards)]
    if a.optional_number("retention_period", DEFAULT_RETENTION_HOURS) > DEFAULT_RETENTION_HOURS:
        # retention beyond 24 hours is billed per shard hour (the "extended retention" add-on)
        parts.append(
            p.hourly("Extended retention (24H to 7D)", "kinesis/extended-retention-shard-hour", shards)
        )
    parts += [
        p.usage_based(
            "Put request unit", "kinesis/put-payload-unit", "units", "monthly_provisioned_put_units"
        ),
        p.usage_based(
            "Long term retention (7D+)",
            "kinesis/long-term-retention-gb-month",
            "GB",
            "monthly_provisioned_long_term_retention_gb",
        ),
        p.usage_based(
            "Extended retention retrieval (7D+)",
            "kinesis/long-term-retrieval-gb",
            "GB",
            "monthly_provisioned_long_term_retrieval_gb",
        ),
        p.usage_based(
            "Enhanced Fan Out (EFO) Data retrieval",
            "kinesis/efo-retrieved-gb",
            "GB",
            "monthly_provisioned_efo_data_out_gb",
        ),
        p.usage_based(
            "Enhanced Fan Out (EFO)",
            "kinesis/efo-consumer-shard-hour",
            "consumer-shard hour",
            "monthly_provisioned_efo_consumer_hours",
        ),
    ]
    return parts
