"""`[cost]` in tfoidc.toml: usage keys validated against what the pricers declare, nested tables
as Infracost's nested usage keys, and the precedence of address over type."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from tfoidc.config import load_config
from tfoidc.cost.config import CostConfig
from tfoidc.cost.pricers import PRICERS, USAGE_KEYS


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "[cost.usage.aws_s3_bucket]\nstorage_gb = -5\n",
            "cost.usage.aws_s3_bucket.storage_gb: must be a non-negative number",
        ),
        ("[cost.usage.aws_s3_bucket]\nstorage_gb = 'lots'\n", "cost.usage.aws_s3_bucket.storage_gb"),
        ("[cost]\nregoin = 'us-east-1'\n", "cost.regoin"),
        (
            "[cost.usage.aws_lambda_function]\nmonthly_request = 5\n",
            "cost.usage.aws_lambda_function.monthly_request: not a usage key of aws_lambda_function",
        ),
        (
            "[cost.usage.'module.api[0].aws_nat_gateway.main']\nstorage_gb = 5\n",
            "cost.usage.module.api[0].aws_nat_gateway.main.storage_gb: not a usage key of aws_nat_gateway",
        ),
        (
            "[cost.usage.aws_vpc]\nmonthly_requests = 5\n",
            "cost.usage.aws_vpc: aws_vpc has no usage-based prices",
        ),
        (
            "[cost.usage.aws_cloudfront_distribution.monthly_data_transfer_to_internet_gb]\nmars = 5\n",
            "cost.usage.aws_cloudfront_distribution.monthly_data_transfer_to_internet_gb.mars: not a usage key",
        ),
    ],
)
def test_bad_usage_config_is_one_clear_input_error(tmp_path: Path, text: str, message: str) -> None:
    from tfoidc.errors import InputError

    toml = tmp_path / "tfoidc.toml"
    toml.write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as err:
        load_config(toml)
    assert message in err.value.one_line() and "\n" not in err.value.one_line()


def test_usage_for_prefers_address_over_type_and_indexed_over_base() -> None:
    config = CostConfig(
        usage={
            "aws_lambda_function": {"monthly_requests": Decimal(1), "request_duration_ms": Decimal(100)},
            "module.api.aws_lambda_function.fn": {"monthly_requests": Decimal(2)},
            "module.api.aws_lambda_function.fn[1]": {"monthly_requests": Decimal(3)},
        }
    )
    assert config.usage_for("module.api.aws_lambda_function.fn[1]", "aws_lambda_function") == {
        "monthly_requests": Decimal(3),
        "request_duration_ms": Decimal(100),
    }
    assert (
        config.usage_for("module.api.aws_lambda_function.fn[0]", "aws_lambda_function")["monthly_requests"]
        == 2
    )
    assert config.usage_for("aws_lambda_function.other", "aws_lambda_function")["monthly_requests"] == 1


def test_nested_usage_tables_are_infracosts_nested_keys(tmp_path: Path) -> None:
    toml = tmp_path / "tfoidc.toml"
    toml.write_text(
        """
[cost.usage.'aws_cloudfront_distribution.cdn'.monthly_data_transfer_to_internet_gb]
us = 1000
europe = 50
[cost.usage.'aws_cloudfront_distribution.cdn']
monthly_invalidation_requests = 2000
""",
        encoding="utf-8",
    )
    usage = load_config(toml).cost.usage_for("aws_cloudfront_distribution.cdn", "aws_cloudfront_distribution")
    assert usage == {
        "monthly_data_transfer_to_internet_gb.us": Decimal(1000),
        "monthly_data_transfer_to_internet_gb.europe": Decimal(50),
        "monthly_invalidation_requests": Decimal(2000),
    }


def test_the_accepted_usage_keys_are_exactly_what_the_pricers_declare() -> None:
    """One declaration per pricer: the keys tfoidc.toml accepts are the keys the pricer reads."""
    for resource_type, keys in USAGE_KEYS.items():
        assert keys == frozenset(PRICERS[resource_type].usage), resource_type
        for key in keys:
            CostConfig(usage={resource_type: {key: Decimal(1)}})  # accepted
    unpriced_by_usage = [t for t, p in PRICERS.items() if not p.usage]
    assert "aws_eks_cluster" in unpriced_by_usage and "aws_eks_cluster" not in USAGE_KEYS
