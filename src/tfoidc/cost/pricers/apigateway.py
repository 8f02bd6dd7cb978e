"""API Gateway: REST APIs, and HTTP and WebSocket APIs (v2). Requests are usage, in price tiers."""

from __future__ import annotations

from decimal import Decimal

from tfoidc.cost.model import CostComponent
from tfoidc.cost.pricers.base import Attrs, Pricing, Tier, Unpriceable, ceil, pricer

MILLION = 1_000_000
REST_TIERS = (
    Tier("first 333M", "apigateway/rest-request/tier1", 333 * MILLION),
    Tier("next 667M", "apigateway/rest-request/tier2", 667 * MILLION),
    Tier("next 19B", "apigateway/rest-request/tier3", 19_000 * MILLION),
    Tier("over 20B", "apigateway/rest-request/tier4"),
)
HTTP_TIERS = (
    Tier("first 300M", "apigateway/http-request/tier1", 300 * MILLION),
    Tier("over 300M", "apigateway/http-request/tier2"),
)
WEBSOCKET_TIERS = (
    Tier("first 1B", "apigateway/websocket-message/tier1", 1000 * MILLION),
    Tier("over 1B", "apigateway/websocket-message/tier2"),
)
HTTP_CHUNK_KB = Decimal(512)  # HTTP API requests are metered per 512 KB
MESSAGE_CHUNK_KB = Decimal(32)  # WebSocket messages are metered per 32 KB


@pricer(
    "aws_api_gateway_rest_api",
    catalog=("apigateway/rest-request/",),
    usage={"monthly_requests": "API requests a month"},
)
def rest_api(a: Attrs, p: Pricing) -> list[CostComponent]:
    requests = p.usage_value("monthly_requests")
    return p.tiered("Requests", REST_TIERS, "1M requests", requests, ("monthly_requests",), MILLION)


@pricer(
    "aws_apigatewayv2_api",
    catalog=("apigateway/http-request/", "apigateway/websocket-"),
    usage={
        "monthly_requests": "HTTP API requests a month",
        "request_size_kb": "average HTTP API request size in KB (metered per 512 KB)",
        "monthly_messages": "WebSocket messages a month",
        "message_size_kb": "average WebSocket message size in KB (metered per 32 KB)",
        "monthly_connection_mins": "WebSocket connection minutes a month",
    },
)
def apigatewayv2_api(a: Attrs, p: Pricing) -> list[CostComponent]:
    protocol = a.get("protocol_type") or "HTTP"
    if protocol == "HTTP":
        requests = p.usage_value("monthly_requests")
        chunks = ceil((p.usage_value("request_size_kb") or HTTP_CHUNK_KB) / HTTP_CHUNK_KB) or Decimal(1)
        quantity = None if requests is None else requests * chunks
        return p.tiered(
            "Requests", HTTP_TIERS, "1M requests", quantity, ("monthly_requests", "request_size_kb"), MILLION
        )
    if protocol != "WEBSOCKET":
        raise Unpriceable(f"protocol_type {protocol!r} is not in the catalog (HTTP, WEBSOCKET)")
    messages = p.usage_value("monthly_messages")
    chunks = ceil((p.usage_value("message_size_kb") or MESSAGE_CHUNK_KB) / MESSAGE_CHUNK_KB) or Decimal(1)
    quantity = None if messages is None else messages * chunks
    return [
        *p.tiered(
            "Messages",
            WEBSOCKET_TIERS,
            "1M messages",
            quantity,
            ("monthly_messages", "message_size_kb"),
            MILLION,
        ),
        p.usage_based(
            "Connection duration",
            "apigateway/websocket-connection-minute",
            "1M minutes",
            "monthly_connection_mins",
            MILLION,
        ),
    ]
