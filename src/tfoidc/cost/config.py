"""`[cost]` in tfoidc.toml: the pricing region and expected usage.

```toml
[cost]
region = "eu-west-1"          # else taken from the plan's provider configuration

[cost.usage."aws_lambda_function"]                 # every resource of a type ...
monthly_requests = 2000000
[cost.usage."aws_lambda_function.api"]             # ... or one address (wins over the type)
monthly_requests = 50000000
average_request_duration_ms = 120
```
The usage keys follow Infracost's usage file; `docs/cost.md` lists them per resource type.
"""

from __future__ import annotations

from decimal import Decimal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from tfoidc.errors import KeyPathError
from tfoidc.plan.addresses import strip_instance_keys


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
