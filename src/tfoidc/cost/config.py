"""`[cost]` in tfoidc.toml: the pricing region and expected usage.

```toml
[cost]
region = "eu-west-1"          # else taken from the plan's provider configuration

[cost.usage."aws_lambda_function"]                 # every resource of a type ...
monthly_requests = 2000000
[cost.usage."aws_lambda_function.api"]             # ... or one address (wins over the type)
monthly_requests = 50000000
request_duration_ms = 120
[cost.usage."aws_cloudfront_distribution.cdn".monthly_data_transfer_to_internet_gb]
us = 1000                                          # nested keys, as in Infracost's usage file
```
The usage keys follow Infracost's usage file (a nested table is the dotted key
`monthly_data_transfer_to_internet_gb.us`); each pricer declares the keys it reads and
`docs/cost.md` lists them per resource type.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from tfoidc.errors import KeyPathError
from tfoidc.plan.addresses import strip_instance_keys


def _flatten(values: dict[str, Any], prefix: str = "") -> list[tuple[str, Any]]:
    flat: list[tuple[str, Any]] = []
    for key, value in values.items():
        if isinstance(value, dict):
            flat += _flatten(value, f"{prefix}{key}.")
        else:
            flat.append((f"{prefix}{key}", value))
    return flat


def usage_target_type(target: str) -> str:
    """The resource type a `[cost.usage]` key names: a type, or an address (in a module or not)."""
    parts = strip_instance_keys(target).split(".")
    while len(parts) >= 2 and parts[0] == "module":
        parts = parts[2:]
    return parts[0] if parts else target


class CostConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    region: str | None = None
    usage: dict[str, dict[str, Decimal]] = Field(default_factory=dict)

    @field_validator("usage", mode="before")
    @classmethod
    def _flatten_nested_tables(cls, usage: Any) -> Any:
        """`{"x": {"a": {"us": 1}}}` -> `{"x": {"a.us": 1}}` (Infracost's nested usage keys)."""
        if not isinstance(usage, dict):
            return usage
        return {
            target: dict(_flatten(values)) if isinstance(values, dict) else values
            for target, values in usage.items()
        }

    @field_validator("usage")
    @classmethod
    def _known_and_non_negative(cls, usage: dict[str, dict[str, Decimal]]) -> dict[str, dict[str, Decimal]]:
        from tfoidc.cost.pricers import USAGE_KEYS

        for target, values in usage.items():
            resource_type = usage_target_type(target)
            known = USAGE_KEYS.get(resource_type)
            if known is None:
                raise KeyPathError(
                    target,
                    f"{resource_type} has no usage-based prices "
                    f"(usage applies to {', '.join(sorted(USAGE_KEYS))})",
                )
            for key, value in values.items():
                if key not in known:
                    raise KeyPathError(
                        f"{target}.{key}", f"not a usage key of {resource_type} ({', '.join(sorted(known))})"
                    )
                if not value.is_finite() or value < 0:
                    raise KeyPathError(f"{target}.{key}", "must be a non-negative number")
        return usage

    def usage_for(self, address: str, resource_type: str) -> dict[str, Decimal]:
        """Usage for one resource: the type's values overlaid by the address's (with or without index)."""
        merged: dict[str, Decimal] = dict(self.usage.get(resource_type, {}))
        base = strip_instance_keys(address)
        if base != address:
            merged.update(self.usage.get(base, {}))
        merged.update(self.usage.get(address, {}))
        return merged
