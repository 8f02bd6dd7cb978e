"""SNS topics: publishes and deliveries per protocol (standard), or FIFO publishes and deliveries.

Subscriptions are counted from the plan's aws_sns_topic_subscription resources (per protocol), unless
`[cost.usage]` gives the counts. Deliveries to SQS and Lambda are free.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from tfoidc.cost.model import CostComponent
from tfoidc.cost.pricers.base import ZERO, Attrs, Pricing, Unpriceable, ceil, pricer

CHUNK_KB = Decimal(64)  # every 64 KB of a payload is billed as one request
KB_PER_GB = Decimal(1_000_000)
FREE_REQUESTS = Decimal(1_000_000)  # SNS's monthly free tier, applied per topic (as Infracost does)
FREE_SMS = Decimal(100)
MILLION, HUNDRED_K = 1_000_000, 100_000


@dataclass(frozen=True)
class Delivery:
    usage_key: str  # subscriptions of this protocol, when `[cost.usage]` gives them
    name: str
    key: str
    per: int  # deliveries per shown unit
    free: int  # free deliveries a month


DELIVERIES = {
    "http": Delivery(
        "http_subscriptions",
        "HTTP/HTTPS notifications (over 100k)",
        "sns/http-notification",
        HUNDRED_K,
        100_000,
    ),
    "email": Delivery(
        "email_subscriptions",
        "Email/Email-JSON notifications (over 1k)",
        "sns/email-notification",
        HUNDRED_K,
        1_000,
    ),
    "firehose": Delivery(
        "kinesis_subscriptions", "Kinesis Firehose notifications", "sns/firehose-notification", MILLION, 0
    ),
    "application": Delivery(
        "mobile_push_subscriptions", "Mobile Push notifications", "sns/mobile-push-notification", MILLION, 0
    ),
    "macos": Delivery("macos_subscriptions", "MacOS notifications", "sns/macos-notification", MILLION, 0),
}
# a subscription's `protocol` -> the delivery it is billed as ("free": SQS, Lambda)
PLAN_PROTOCOLS = {
    "http": "http",
    "https": "http",
    "email": "email",
    "email-json": "email",
    "firehose": "firehose",
    "application": "application",
    "sms": "sms",
}
SUBSCRIPTION_KEYS = {protocol: d.usage_key for protocol, d in DELIVERIES.items()} | {
    "sms": "sms_subscriptions"
}

USAGE = {
    "monthly_requests": "messages published a month",
    "request_size_kb": "average message size in KB (each 64 KB chunk is billed as a request)",
    **{
        key: f"{protocol} subscriptions (else counted from the plan)"
        for protocol, key in SUBSCRIPTION_KEYS.items()
    },
    "sms_notification_price": "USD per SMS to your destination country (SMS prices vary by country)",
}


@pricer("aws_sns_topic", catalog=("sns/",), usage=USAGE)
def sns_topic(a: Attrs, p: Pricing) -> list[CostComponent]:
    requests = p.usage_value("monthly_requests")
    size_kb = p.usage_value("request_size_kb") or CHUNK_KB
    subscriptions = _subscriptions(p)
    if p.setting(a, "fifo_topic", False) is True:
        return _fifo(p, requests, size_kb, subscriptions)
    chunks = ceil(size_kb / CHUNK_KB) or Decimal(1)
    keys = ("monthly_requests", "request_size_kb")
    billed = None if requests is None else max(ZERO, requests * chunks - FREE_REQUESTS)
    parts = [p.per_use("API requests (over 1M)", "sns/api-request", "1M requests", billed, keys, MILLION)]
    for protocol, d in DELIVERIES.items():
        deliveries = (
            None if requests is None else max(ZERO, requests * subscriptions.get(protocol, ZERO) - d.free)
        )
        unit = "1M notifications" if d.per == MILLION else "100k notifications"
        parts.append(p.per_use(d.name, d.key, unit, deliveries, ("monthly_requests", d.usage_key), d.per))
    sms = subscriptions.get("sms", ZERO)
    if sms and requests:
        parts.append(_sms(p, max(ZERO, requests * sms - FREE_SMS)))
    return parts


def _sms(p: Pricing, deliveries: Decimal) -> CostComponent:
    price = p.usage_value("sms_notification_price")
    if price is None:
        raise Unpriceable(
            "SMS prices vary by destination country: set sms_notification_price in [cost.usage]"
        )
    return p.usage_component(
        "SMS notifications (over 100)",
        "100 notifications",
        price,
        "[cost.usage] sms_notification_price",
        deliveries,
        100,
        ("monthly_requests", "sms_subscriptions", "sms_notification_price"),
    )


def _fifo(
    p: Pricing, requests: Decimal | None, size_kb: Decimal, subscriptions: dict[str, Decimal]
) -> list[CostComponent]:
    """FIFO topics bill each publish and, separately, the payload per GB (no 64 KB chunks); each
    delivery to a subscription likewise."""
    keys = ("monthly_requests", "request_size_kb")
    gb = None if requests is None else requests * size_kb / KB_PER_GB
    parts = [
        p.per_use(
            "FIFO Publish API requests", "sns/fifo-api-request", "1M requests", requests, keys, MILLION
        ),
        p.per_use("FIFO Publish API payload", "sns/fifo-payload-gb", "GB", gb, keys),
    ]
    count = sum(subscriptions.values(), ZERO)
    if count:
        parts += [
            p.per_use(
                "FIFO notifications",
                "sns/fifo-notification",
                "1M notifications",
                None if requests is None else requests * count,
                keys,
                MILLION,
            ),
            p.per_use(
                "FIFO notification payload",
                "sns/fifo-notification-payload-gb",
                "GB",
                None if gb is None else gb * count,
                keys,
            ),
        ]
    return parts


def _subscriptions(p: Pricing) -> dict[str, Decimal]:
    """Subscriptions per protocol: from `[cost.usage]`, else the plan's aws_sns_topic_subscription."""
    counted: dict[str, Decimal] = {}
    for found in p.related.referring(["aws_sns_topic_subscription"], ("topic_arn",)):
        protocol = PLAN_PROTOCOLS.get(str(found.attrs.values.get("protocol")), "free")
        counted[protocol] = counted.get(protocol, ZERO) + 1
    for protocol, usage_key in SUBSCRIPTION_KEYS.items():
        given = p.usage_value(usage_key)
        if given is not None:
            counted[protocol] = given
    return counted
