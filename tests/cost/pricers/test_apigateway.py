"""API Gateway REST and v2 (HTTP, WebSocket) APIs."""

from __future__ import annotations

from tests.cost.costplans import Change, one, price, priced, usage
from tests.cost.goldens import check_golden


def test_goldens() -> None:
    check_golden("api_gateway_rest_api")
    check_golden("apigatewayv2_api")


def test_rest_requests_over_price_tiers() -> None:
    config = usage("aws_api_gateway_rest_api.a", monthly_requests=400_000_000)
    api = one(
        priced([Change("aws_api_gateway_rest_api.a", {"name": "a"})], config=config),
        "aws_api_gateway_rest_api.a",
    )
    assert [c.name for c in api.components] == ["Requests (first 333M)", "Requests (next 667M)"]
    assert api.monthly_after == 333_000_000 * price("apigateway/rest-request/tier1") + 67_000_000 * price(
        "apigateway/rest-request/tier2"
    )


def test_http_api_requests_are_metered_per_512_kb() -> None:
    config = usage("aws_apigatewayv2_api.h", monthly_requests=1_000_000, request_size_kb=600)
    api = one(
        priced([Change("aws_apigatewayv2_api.h", {"protocol_type": "HTTP"})], config=config),
        "aws_apigatewayv2_api.h",
    )
    assert api.monthly_after == 2_000_000 * price("apigateway/http-request/tier1")
