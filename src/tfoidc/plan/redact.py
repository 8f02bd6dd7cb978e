"""Redacting what Terraform marks sensitive from a plan document, by its sensitivity masks (pure).

Values are replaced by `REDACTED`; only the containers on a path to a redacted value are copied, so an
unmarked value stays the very same object.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tfoidc.plan.model import REDACTED, ResourceChange


def sensitive_variable_names(configuration: dict[str, Any] | None) -> frozenset[str]:
    root = (configuration or {}).get("root_module")
    declared = root.get("variables") if isinstance(root, dict) else None
    if not isinstance(declared, dict):
        return frozenset()
    return frozenset(k for k, v in declared.items() if isinstance(v, dict) and v.get("sensitive") is True)


def redact_variables(value: Any, sensitive: frozenset[str]) -> dict[str, Any]:
    if not isinstance(value, dict):
        return {}
    return {
        name: REDACTED if name in sensitive else (v.get("value") if isinstance(v, dict) else None)
        for name, v in value.items()
    }


def redact_configuration(
    configuration: dict[str, Any], sensitive_vars: frozenset[str], rcs: tuple[ResourceChange, ...]
) -> dict[str, Any]:
    """Hide constants the plan marks sensitive: defaults of sensitive variables (in any module) and
    literal values of resource arguments whose planned value is sensitive. The rest is kept as is."""
    sensitive_args: dict[str, set[str]] = {}
    for rc in rcs:
        mask = rc.after_sensitive if isinstance(rc.after_sensitive, dict) else {}
        keys = {k for k, m in mask.items() if has_true(m)}
        if keys:
            sensitive_args.setdefault(rc.config_address, set()).update(keys)
    root = configuration.get("root_module")
    if not isinstance(root, dict) or not (sensitive_args or _any_sensitive_variable(root)):
        return configuration
    return {**configuration, "root_module": _redact_module_config(root, "", sensitive_args, sensitive_vars)}


def _any_sensitive_variable(module: dict[str, Any]) -> bool:
    variables = module.get("variables")
    if isinstance(variables, dict) and any(
        isinstance(v, dict) and v.get("sensitive") is True for v in variables.values()
    ):
        return True
    calls = module.get("module_calls")
    return isinstance(calls, dict) and any(
        isinstance(c, dict) and isinstance(c.get("module"), dict) and _any_sensitive_variable(c["module"])
        for c in calls.values()
    )


def _redact_module_config(
    module: dict[str, Any], prefix: str, sensitive_args: dict[str, set[str]], root_sensitive: frozenset[str]
) -> dict[str, Any]:
    out = dict(module)
    variables = module.get("variables")
    if isinstance(variables, dict):
        out["variables"] = {
            name: {**decl, "default": REDACTED}
            if isinstance(decl, dict)
            and "default" in decl
            and (decl.get("sensitive") is True or (not prefix and name in root_sensitive))
            else decl
            for name, decl in variables.items()
        }
    resources = module.get("resources")
    if isinstance(resources, list):
        out["resources"] = [_redact_resource_config(r, prefix, sensitive_args) for r in resources]
    calls = module.get("module_calls")
    if isinstance(calls, dict):
        out["module_calls"] = {
            name: {
                **call,
                "module": _redact_module_config(
                    call["module"], f"{prefix}module.{name}.", sensitive_args, root_sensitive
                ),
            }
            if isinstance(call, dict) and isinstance(call.get("module"), dict)
            else call
            for name, call in calls.items()
        }
    return out


def _redact_resource_config(resource: Any, prefix: str, sensitive_args: dict[str, set[str]]) -> Any:
    if not isinstance(resource, dict) or not isinstance(resource.get("expressions"), dict):
        return resource
    keys = sensitive_args.get(prefix + str(resource.get("address", "")))
    if not keys:
        return resource
    expressions = {
        k: {**e, "constant_value": REDACTED}
        if k in keys and isinstance(e, dict) and "constant_value" in e
        else e
        for k, e in resource["expressions"].items()
    }
    return {**resource, "expressions": expressions}


# --- planned values and prior state -------------------------------------------------------------


def redact_state(state: dict[str, Any], masks: Mapping[str, Any]) -> dict[str, Any] | None:
    if not state:
        return None
    values = state.get("values")
    if not isinstance(values, dict):
        return state
    return {**state, "values": redact_values(values, masks)}


def redact_values(values: dict[str, Any], masks: Mapping[str, Any]) -> dict[str, Any] | None:
    """Redact a `values` representation (planned_values, prior_state.values): resources by their
    own `sensitive_values` (0.2+) or, for 0.1 plans, by the matching resource change's mask."""
    if not values:
        return None
    out = dict(values)
    outputs = values.get("outputs")
    if isinstance(outputs, dict):
        out["outputs"] = {
            name: {**o, "value": REDACTED} if isinstance(o, dict) and o.get("sensitive") is True else o
            for name, o in outputs.items()
        }
    root = values.get("root_module")
    if isinstance(root, dict):
        out["root_module"] = _redact_module_values(root, masks)
    return out


def _redact_module_values(module: dict[str, Any], masks: Mapping[str, Any]) -> dict[str, Any]:
    out = dict(module)
    resources = module.get("resources")
    if isinstance(resources, list):
        out["resources"] = [_redact_resource_values(r, masks) for r in resources]
    children = module.get("child_modules")
    if isinstance(children, list):
        out["child_modules"] = [
            _redact_module_values(c, masks) if isinstance(c, dict) else c for c in children
        ]
    return out


def _redact_resource_values(resource: Any, masks: Mapping[str, Any]) -> Any:
    if not isinstance(resource, dict):
        return resource
    mask = resource.get("sensitive_values")
    if mask is None:
        mask = masks.get(resource.get("address", ""))
    if not has_true(mask):
        return resource
    return {**resource, "values": redact(resource.get("values"), mask)}


# --- redaction ----------------------------------------------------------------------------------


def redact(value: Any, sensitive: Any) -> Any:
    """Replace every part of `value` that `sensitive` marks (True, at any depth) by REDACTED.

    Walks the mask, not the value, and copies only the containers on a path to a redacted leaf:
    an unmarked value is returned as the very same object.
    """
    if sensitive is True:
        return value if value is None else REDACTED
    if isinstance(sensitive, dict) and isinstance(value, dict):
        copied: dict[str, Any] | None = None
        for key, mask in sensitive.items():
            if key in value and has_true(mask):
                if copied is None:
                    copied = dict(value)
                copied[key] = redact(value[key], mask)
        return value if copied is None else copied
    if isinstance(sensitive, list) and isinstance(value, list):
        copied_list: list[Any] | None = None
        for i, mask in enumerate(sensitive[: len(value)]):
            if has_true(mask):
                if copied_list is None:
                    copied_list = list(value)
                copied_list[i] = redact(value[i], mask)
        return value if copied_list is None else copied_list
    return value


def has_true(mask: Any) -> bool:
    if mask is True:
        return True
    if isinstance(mask, dict):
        return any(has_true(m) for m in mask.values())
    if isinstance(mask, list):
        return any(has_true(m) for m in mask)
    return False
