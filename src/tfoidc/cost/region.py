"""Which AWS region a resource change is priced in (pure).

Order: `[cost] region` in tfoidc.toml; else the resource's AWS provider configuration in the plan's
`configuration` block (a constant, or a reference to a root variable resolved from `variables`);
else an ARN or availability zone in the resource's own values. Each answer says how it was found.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from tfoidc.plan.model import Plan, ResourceChange

_ARN_REGION = re.compile(r"^arn:aws[a-z-]*:[a-z0-9-]+:([a-z]{2}(?:-gov)?-[a-z]+-\d):")
_AZ = re.compile(r"^([a-z]{2}(?:-gov)?-[a-z]+-\d)[a-z]$")
_REGION = re.compile(r"^[a-z]{2}(?:-gov)?-[a-z]+-\d$")


@dataclass(frozen=True, slots=True)
class RegionAnswer:
    region: str | None
    how: str  # e.g. "tfoidc.toml [cost] region", "provider aws.west (variable aws_region)"


def resolve_region(plan: Plan, rc: ResourceChange, configured: str | None) -> RegionAnswer:
    if configured:
        return RegionAnswer(configured, "tfoidc.toml [cost] region")
    from_provider = region_from_provider(plan, rc)
    if from_provider.region:
        return from_provider
    for values in (rc.after, rc.before):
        found = region_in_values(values)
        if found:
            return RegionAnswer(found, "an ARN or availability zone in the resource's values")
    return RegionAnswer(None, "region unknown: not in tfoidc.toml, the provider configuration or the values")


def region_from_provider(plan: Plan, rc: ResourceChange) -> RegionAnswer:
    providers: dict[str, Any] = (plan.configuration or {}).get("provider_config") or {}
    for key in _provider_keys(plan, rc):
        config = providers.get(key)
        if not isinstance(config, dict):
            continue
        expression = (config.get("expressions") or {}).get("region") or {}
        if isinstance(expression.get("constant_value"), str):
            return RegionAnswer(expression["constant_value"], f"provider {key} (constant)")
        for ref in expression.get("references") or ():
            if ref.startswith("var.") and not config.get("module_address"):
                value = plan.variables.get(ref[4:].split(".")[0])
                if isinstance(value, str) and _REGION.match(value):
                    return RegionAnswer(value, f"provider {key} (variable {ref[4:]})")
    return RegionAnswer(None, "")


def _provider_keys(plan: Plan, rc: ResourceChange) -> list[str]:
    """Provider config keys to try for this resource: its own, then the default `aws`."""
    keys: list[str] = []
    own = _config_provider_key(plan, rc)
    if own:
        keys.append(own)
        if ":" in own:  # TF 0.12-0.14 name module providers "<module>:aws"; inherited from the root
            keys.append(own.rsplit(":", 1)[1])
    keys.append("aws")
    return keys


def _config_provider_key(plan: Plan, rc: ResourceChange) -> str | None:
    module: Any = (plan.configuration or {}).get("root_module") or {}
    for step in _module_names(rc.module_address):
        module = ((module.get("module_calls") or {}).get(step) or {}).get("module") or {}
    local = rc.config_address.rsplit(".", 2)
    local_address = ".".join(local[-2:])
    for res in module.get("resources") or ():
        if res.get("address") == local_address:
            key = res.get("provider_config_key")
            return key if isinstance(key, str) else None
    return None


def _module_names(module_address: str) -> list[str]:
    from tfoidc.plan.addresses import strip_instance_keys

    parts = strip_instance_keys(module_address).split(".") if module_address else []
    return [parts[i + 1] for i in range(0, len(parts) - 1, 2) if parts[i] == "module"]


def region_in_values(values: Any) -> str | None:
    if not isinstance(values, dict):
        return None
    for key in ("arn", "availability_zone"):
        value = values.get(key)
        if isinstance(value, str):
            match = _ARN_REGION.match(value) or _AZ.match(value)
            if match:
                return match.group(1)
    return None
