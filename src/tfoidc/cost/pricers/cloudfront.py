"""CloudFront distributions. Almost all of the cost is usage per edge-location group; CloudFront
prices are global (the same whatever the distribution's provider region)."""

from __future__ import annotations

from decimal import Decimal

from tfoidc.cost.model import CostComponent
from tfoidc.cost.pricers.base import Attrs, Pricing, Tier, prefixed, pricer

# usage key suffix -> the edge-location group, as AWS's price list names it
GROUPS = {
    "us": "US, Mexico, Canada",
    "europe": "Europe, Israel",
    "south_africa": "South Africa, Kenya, Middle East",
    "south_america": "South America",
    "japan": "Japan",
    "australia": "Australia, New Zealand",
    "asia_pacific": "Hong Kong, Philippines, Asia Pacific",
    "india": "India",
}
TB = 1024
TIER_SIZES = (
    ("first 10TB", 10 * TB),
    ("next 40TB", 40 * TB),
    ("next 100TB", 100 * TB),
    ("next 350TB", 350 * TB),
    ("next 524TB", 524 * TB),
    ("next 4PB", 4096 * TB),
    ("over 5PB", None),
)
# origin shield region -> the usage key suffix its requests are counted under
SHIELD_GROUPS = {
    "us-east-1": "us", "us-east-2": "us", "us-west-2": "us", "eu-west-1": "europe", "eu-west-2": "europe",
    "eu-central-1": "europe", "sa-east-1": "south_america", "ap-northeast-1": "japan",
    "ap-southeast-2": "australia", "ap-southeast-1": "singapore", "ap-northeast-2": "south_korea",
    "ap-south-1": "india",
}  # fmt: skip
SHIELD_KEYS = ("us", "europe", "south_america", "japan", "australia", "singapore", "south_korea", "india")
PER_GROUP = {
    "monthly_data_transfer_to_internet_gb": "GB sent to viewers a month",
    "monthly_data_transfer_to_origin_gb": "GB sent to the origin a month",
    "monthly_http_requests": "HTTP requests a month",
    "monthly_https_requests": "HTTPS requests a month",
}
USAGE = {
    **{
        f"{key}.{group}": f"{what} from {label}"
        for key, what in PER_GROUP.items()
        for group, label in GROUPS.items()
    },
    **{
        f"monthly_shield_requests.{group}": f"origin shield requests a month ({group})"
        for group in SHIELD_KEYS
    },
    "monthly_invalidation_requests": "invalidation paths a month (the first 1,000 are free)",
    "monthly_encryption_requests": "field-level encryption requests a month",
    "monthly_log_lines": "real-time log lines a month",
    "custom_ssl_certificates": "dedicated-IP custom SSL certificates",
}


@pricer("aws_cloudfront_distribution", catalog=("cloudfront/",), usage=USAGE)
def cloudfront_distribution(a: Attrs, p: Pricing) -> list[CostComponent]:
    behaviors = a.blocks("default_cache_behavior") + a.blocks("ordered_cache_behavior")
    parts: list[CostComponent] = []
    if any(b.is_set("field_level_encryption_id") for b in behaviors) or p.usage_value(
        "monthly_encryption_requests"
    ):
        parts.append(
            p.usage_based(
                "Field level encryption requests",
                "cloudfront/field-level-encryption-request",
                "10k requests",
                "monthly_encryption_requests",
                10_000,
            )
        )
    if any(b.is_set("realtime_log_config_arn") for b in behaviors) or p.usage_value("monthly_log_lines"):
        parts.append(
            p.usage_based(
                "Real-time log requests",
                "cloudfront/realtime-log-line",
                "1M lines",
                "monthly_log_lines",
                1_000_000,
            )
        )
    certificate = a.block("viewer_certificate")
    if certificate is not None and certificate.optional("ssl_support_method", "") == "vip":
        count = p.usage_value("custom_ssl_certificates") or Decimal(1)
        parts.append(
            p.per_use(
                "Dedicated IP custom SSLs",
                "cloudfront/dedicated-ip-certificate-month",
                "certificates",
                count,
                ("custom_ssl_certificates",),
            )
        )
    parts += _origin_shield(a, p)
    invalidations = p.usage_value("monthly_invalidation_requests")
    parts += p.tiered(
        "Invalidation requests",
        (
            Tier("first 1k", "cloudfront/invalidation-path/free", 1000),
            Tier("over 1k", "cloudfront/invalidation-path"),
        ),
        "paths",
        invalidations,
        ("monthly_invalidation_requests",),
    )
    used = [g for g in GROUPS if any(p.usage_value(f"{key}.{g}") is not None for key in PER_GROUP)]
    for group in used or ["us"]:
        parts += prefixed(f"{GROUPS[group]}: ", _edge_group(p, group))
    return parts


def _edge_group(p: Pricing, group: str) -> list[CostComponent]:
    internet = f"monthly_data_transfer_to_internet_gb.{group}"
    tiers = [
        Tier(label, f"cloudfront/data-transfer-internet/{group}/tier{i}", size)
        for i, (label, size) in enumerate(TIER_SIZES, start=1)
    ]
    return [
        *p.tiered("Data transfer out to internet", tiers, "GB", p.usage_value(internet), (internet,)),
        p.usage_based(
            "Data transfer out to origin",
            f"cloudfront/data-transfer-origin/{group}",
            "GB",
            f"monthly_data_transfer_to_origin_gb.{group}",
        ),
        p.usage_based(
            "HTTP requests",
            f"cloudfront/http-request/{group}",
            "10k requests",
            f"monthly_http_requests.{group}",
            10_000,
        ),
        p.usage_based(
            "HTTPS requests",
            f"cloudfront/https-request/{group}",
            "10k requests",
            f"monthly_https_requests.{group}",
            10_000,
        ),
    ]


def _origin_shield(a: Attrs, p: Pricing) -> list[CostComponent]:
    parts = []
    for origin in a.blocks("origin"):
        shield = origin.block("origin_shield")
        if shield is None or shield.optional("enabled", False) is not True:
            continue
        region = str(shield.get("origin_shield_region") or "")
        group = SHIELD_GROUPS.get(region)
        usage_key = f"monthly_shield_requests.{group}" if group else "monthly_shield_requests.us"
        parts.append(
            p.usage_based(
                f"Origin shield HTTP requests ({GROUPS.get(group or '', region).split(',')[0]} {region})",
                f"cloudfront/origin-shield-request/{region}",
                "10k requests",
                usage_key,
                10_000,
            )
        )
    return parts
