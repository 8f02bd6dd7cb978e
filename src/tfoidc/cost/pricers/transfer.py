"""Transfer Family servers: an hourly fee per enabled protocol, and data uploaded and downloaded."""

from __future__ import annotations

from tfoidc.cost.model import CostComponent
from tfoidc.cost.pricers.base import Attrs, Pricing, pricer

ORDER = ("FTP", "FTPS", "SFTP", "AS2")


@pricer(
    "aws_transfer_server",
    catalog=("transfer/",),
    usage={
        "monthly_data_downloaded_gb": "GB downloaded a month",
        "monthly_data_uploaded_gb": "GB uploaded a month",
    },
)
def transfer_server(a: Attrs, p: Pricing) -> list[CostComponent]:
    protocols = sorted(
        set(a.strings("protocols")) or {"SFTP"}, key=lambda x: ORDER.index(x) if x in ORDER else 9
    )
    parts = [p.hourly(f"{protocol} protocol enabled", "transfer/protocol-hour") for protocol in protocols]
    return [
        *parts,
        p.usage_based("Data downloaded", "transfer/data-downloaded-gb", "GB", "monthly_data_downloaded_gb"),
        p.usage_based("Data uploaded", "transfer/data-uploaded-gb", "GB", "monthly_data_uploaded_gb"),
    ]
