"""DynamoDB tables: provisioned capacity (global secondary indexes included) or on-demand requests."""

from __future__ import annotations

from tfoidc.cost.model import HOURS_PER_MONTH, CostComponent
from tfoidc.cost.pricers.base import ZERO, Attrs, Pricing, pricer


@pricer(
    "aws_dynamodb_table",
    catalog=("dynamodb/",),
    usage={
        "monthly_write_request_units": "write request units a month (on-demand tables)",
        "monthly_read_request_units": "read request units a month (on-demand tables)",
        "storage_gb": "GB of table data stored",
    },
)
def dynamodb_table(a: Attrs, p: Pricing) -> list[CostComponent]:
    if p.setting(a, "billing_mode", "PROVISIONED") == "PAY_PER_REQUEST":
        parts = [
            p.usage_based(
                "Write request unit (WRU)",
                "dynamodb/write-request-unit",
                "WRUs",
                "monthly_write_request_units",
            ),
            p.usage_based(
                "Read request unit (RRU)", "dynamodb/read-request-unit", "RRUs", "monthly_read_request_units"
            ),
        ]
    else:
        # Each global secondary index has its own provisioned capacity, billed like the table's.
        indexes = a.blocks("global_secondary_index")
        wcu = a.number("write_capacity") + sum((i.number("write_capacity", 0) for i in indexes), ZERO)
        rcu = a.number("read_capacity") + sum((i.number("read_capacity", 0) for i in indexes), ZERO)
        parts = [
            p.fixed("Write capacity unit (WCU)", "dynamodb/wcu-hour", "WCU-hours", wcu * HOURS_PER_MONTH),
            p.fixed("Read capacity unit (RCU)", "dynamodb/rcu-hour", "RCU-hours", rcu * HOURS_PER_MONTH),
        ]
    parts.append(p.usage_based("Data storage", "dynamodb/storage-gb-month", "GB", "storage_gb"))
    return parts
