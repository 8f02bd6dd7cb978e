"""SNS topics."""

from __future__ import annotations

from decimal import Decimal

from tests.cost.costplans import Change, one, price, priced, usage
from tests.cost.goldens import check_golden


def test_sns_topic_golden() -> None:
    check_golden("sns_topic")


def test_deliveries_are_counted_from_the_plans_subscriptions() -> None:
    topic = Change("aws_sns_topic.t", {"name": "t"}, after_unknown={"arn": True})
    subs = [
        Change(
            f"aws_sns_topic_subscription.s{i}",
            {"protocol": protocol},
            after_unknown={"topic_arn": True},
            expressions={"topic_arn": {"references": ["aws_sns_topic.t.arn", "aws_sns_topic.t"]}},
        )
        for i, protocol in enumerate(["https", "https", "sqs", "email"])
    ]
    est = priced([topic, *subs], config=usage("aws_sns_topic.t", monthly_requests=500_000))
    costs = {c.name: c.monthly_cost for c in one(est, "aws_sns_topic.t").components}
    assert costs["API requests (over 1M)"] == 0  # within the free million
    assert costs["HTTP/HTTPS notifications (over 100k)"] == (2 * 500_000 - 100_000) * price(
        "sns/http-notification"
    )
    assert costs["Email/Email-JSON notifications (over 1k)"] == (500_000 - 1_000) * price(
        "sns/email-notification"
    )
    assert costs["Kinesis Firehose notifications"] == 0


def test_sms_needs_its_price_by_country() -> None:
    config = usage("aws_sns_topic.t", monthly_requests=1000, sms_subscriptions=2)
    est = priced([Change("aws_sns_topic.t", {"name": "t"})], config=config)
    assert "sms_notification_price" in est.not_priced[0].reason
    config = usage("aws_sns_topic.t", monthly_requests=1000, sms_subscriptions=2, sms_notification_price=0.01)
    topic = one(priced([Change("aws_sns_topic.t", {"name": "t"})], config=config), "aws_sns_topic.t")
    assert topic.components[-1].monthly_cost == (2000 - 100) * Decimal("0.01")
