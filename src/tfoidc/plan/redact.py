"""The one redaction pass over a plan document (pure): every reader and every writer of plan data uses it.

`redact_document` walks `terraform show -json` output by its schema and replaces by `REDACTED` every
value Terraform marks sensitive, wherever the schema can carry it:

- `resource_changes`, `resource_drift` and `deferred_changes[].resource_change`: `before`/`after` by
  their `before_sensitive`/`after_sensitive` masks;
- `output_changes`: the whole value of an output marked sensitive on either side;
- `planned_values` and `prior_state.values`: resources by their `sensitive_values` or, for plans made
  before that field existed (format 0.1, Terraform 0.14), by the matching resource change's mask;
  outputs marked sensitive;
- `variables`: the values of variables the configuration declares sensitive (all values when the plan
  has no configuration to say which are);
- `configuration`: defaults of sensitive variables and literal values of sensitive outputs in every
  module, literals passed into a child module's sensitive variable, literals of resource arguments
  whose planned or prior value is sensitive (nested blocks included), every literal of a provider
  configuration except the few settings that are never credentials (`PROVIDER_SETTINGS`), and every
  literal of a provisioner.

Terraform's masks do not reach every copy of a value (a literal passed to a module variable that is
not declared sensitive but ends in a sensitive argument; a plan without masks). So every string the
pass redacted is remembered, and any string equal to one of them, or containing one of the longer ones,
is redacted too in the parts of the document no mask covers: the configuration's literals, values
without a mask, variables and outputs not declared sensitive, `checks`, generated configuration and
any top-level field this version does not know.

Only the containers on a path to a redacted value are copied, so an unmarked value stays the very
same object and a large plan costs a walk of its masks, not of its values.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from functools import partial
from typing import Any

from tfoidc.plan.addresses import strip_instance_keys
from tfoidc.plan.model import REDACTED

# Provider settings kept in the redacted configuration: read by the analysis (the region), and never
# credentials. Every other literal of a provider block (keys, tokens, passwords, proxy URLs with user
# info, assume_role external ids, ...) is redacted, whatever the provider: its schema is not in the plan.
PROVIDER_SETTINGS = frozenset({"region"})
# Top-level fields that hold no value from the configuration or the infrastructure.
_NO_VALUES = frozenset(
    {
        "format_version",
        "terraform_version",
        "applyable",
        "complete",
        "errored",
        "timestamp",
        "relevant_attributes",
    }
)
_HANDLED = frozenset(
    {
        "variables",
        "configuration",
        "resource_changes",
        "resource_drift",
        "deferred_changes",
        "output_changes",
        "planned_values",
        "prior_state",
    }
)
# A remembered secret is looked for inside longer strings only from this length: shorter ones would
# match ordinary words; they are still redacted wherever a whole string equals them.
_MIN_CONTAINED = 8


class RedactedDocument(dict[str, Any]):
    """A plan document that went through `redact_document`: safe to write, and never redacted twice."""


def redact_document(doc: Any) -> Any:
    """`doc` with every value Terraform marks sensitive replaced by REDACTED (see the module doc).

    Anything that is not an object is returned as is (the parser then says what is wrong with it);
    malformed parts are left for the parser to refuse, never a reason to skip a value.
    """
    if isinstance(doc, RedactedDocument) or not isinstance(doc, dict):
        return doc
    secrets: set[str] = set()
    out = RedactedDocument(doc)
    changes = _resource_change_masks(doc)

    for key in ("resource_changes", "resource_drift"):
        if isinstance(doc.get(key), list):
            out[key] = _map_list(doc[key], lambda rc: _redact_change_entry(rc, secrets))
    if isinstance(doc.get("deferred_changes"), list):
        out["deferred_changes"] = _map_list(doc["deferred_changes"], lambda d: _redact_deferred(d, secrets))
    if isinstance(doc.get("output_changes"), dict):
        out["output_changes"] = _map_dict(
            doc["output_changes"], lambda oc: _redact_output_change(oc, secrets)
        )
    if isinstance(doc.get("planned_values"), dict):
        out["planned_values"] = _redact_values(doc["planned_values"], changes.after, secrets)
    prior = doc.get("prior_state")
    if isinstance(prior, dict) and isinstance(prior.get("values"), dict):
        out["prior_state"] = {**prior, "values": _redact_values(prior["values"], changes.before, secrets)}

    configuration = doc.get("configuration")
    sensitive_vars = _sensitive_root_variables(configuration)
    if "variables" in doc:
        out["variables"] = _redact_variables(doc["variables"], sensitive_vars, secrets)
    if isinstance(configuration, dict):
        masks = _config_masks(changes, out)
        out["configuration"] = _redact_configuration(configuration, masks, secrets)

    echo = _Echo(secrets)
    if echo:
        if isinstance(out.get("configuration"), dict):
            out["configuration"] = echo.literals(out["configuration"])
        for key in ("resource_changes", "resource_drift"):
            if isinstance(out.get(key), list):
                out[key] = _map_list(out[key], echo.generated_config)
        # Small parts whose values no mask covers as a whole: a variable or an output that repeats a
        # secret without being declared sensitive; and whatever this version does not know.
        for key in (out.keys() - _HANDLED - _NO_VALUES) | {"variables", "output_changes"}:
            if key in out:
                out[key] = echo.values(out[key])
        for key in ("planned_values", "prior_state"):
            if isinstance(out.get(key), dict):
                out[key] = _echo_unmasked(out[key], changes.changed, echo)
    return out


# --- masks ----------------------------------------------------------------------------------------


class _ChangeMasks:
    """The masks of resource changes by instance address: the fallback for `values` representations
    without `sensitive_values`, and the source of the configuration's masks."""

    def __init__(self) -> None:
        self.before: dict[str, Any] = {}  # only masks marking something
        self.after: dict[str, Any] = {}
        self.changed: set[str] = set()  # addresses with a resource change (masked, even if by nothing)
        self.by_config: dict[str, Any] = {}


def _resource_change_masks(doc: dict[str, Any]) -> _ChangeMasks:
    masks = _ChangeMasks()
    for key in ("resource_changes", "resource_drift"):
        for rc in doc.get(key) or () if isinstance(doc.get(key), list) else ():
            _note_change(masks, rc, current=key == "resource_changes")
    for deferred in (
        doc.get("deferred_changes") or () if isinstance(doc.get("deferred_changes"), list) else ()
    ):
        if isinstance(deferred, dict):
            _note_change(masks, deferred.get("resource_change"), current=False)
    return masks


def _note_change(masks: _ChangeMasks, rc: Any, *, current: bool) -> None:
    if not isinstance(rc, dict) or not isinstance(rc.get("change"), dict):
        return
    address = rc.get("address")
    if not isinstance(address, str):
        return
    change = rc["change"]
    before, after = change.get("before_sensitive"), change.get("after_sensitive")
    current = current and rc.get("deposed") is None
    if current:
        masks.changed.add(address)
    for mask, fallback in ((before, masks.before), (after, masks.after)):
        if has_true(mask):
            if current:
                fallback[address] = mask
            config = strip_instance_keys(address)
            masks.by_config[config] = _union(masks.by_config.get(config), _collapse(mask))


def _config_masks(changes: _ChangeMasks, redacted: dict[str, Any]) -> dict[str, Any]:
    """Masks by configuration address (instance keys stripped, lists collapsed): resource changes,
    and the `sensitive_values` of planned and prior values (data sources appear only there)."""
    masks = dict(changes.by_config)
    prior = redacted.get("prior_state")
    for values in (redacted.get("planned_values"), prior.get("values") if isinstance(prior, dict) else None):
        for resource in _resources_of(values):
            mask = resource.get("sensitive_values")
            address = resource.get("address")
            if mask and has_true(mask) and isinstance(address, str):
                config = strip_instance_keys(address)
                masks[config] = _union(masks.get(config), _collapse(mask))
    return masks


def _collapse(mask: Any) -> Any:
    """A mask for the configuration, which does not index instances or blocks: True, or a dict of
    collapsed masks; a list becomes the union of its elements."""
    if mask is True:
        return True
    if isinstance(mask, dict):
        return {k: _collapse(m) for k, m in mask.items() if has_true(m)}
    if isinstance(mask, list):
        merged: Any = None
        for m in mask:
            if has_true(m):
                merged = _union(merged, _collapse(m))
        return merged
    return None


def _union(a: Any, b: Any) -> Any:
    if a is None:
        return b
    if b is None:
        return a
    if a is True or b is True or not isinstance(a, dict) or not isinstance(b, dict):
        return True
    return {k: _union(a.get(k), b.get(k)) for k in a.keys() | b.keys()}


def has_true(mask: Any) -> bool:
    if mask is True:
        return True
    if not mask:  # False, None, {} and []: Terraform's mask of a value with nothing sensitive
        return False
    if isinstance(mask, dict):
        return any(has_true(m) for m in mask.values())
    if isinstance(mask, list):
        return any(has_true(m) for m in mask)
    return False


# --- values ---------------------------------------------------------------------------------------


def redact(value: Any, sensitive: Any, secrets: set[str] | None = None) -> Any:
    """Replace every part of `value` that `sensitive` marks (True, at any depth) by REDACTED,
    remembering the strings it hides in `secrets`.

    Walks the mask, not the value, and copies only the containers on a path to a redacted leaf:
    an unmarked value is returned as the very same object.
    """
    if sensitive is True:
        if value is None:
            return None
        if secrets is not None:
            _remember(value, secrets)
        return REDACTED
    if isinstance(sensitive, dict) and isinstance(value, dict):
        copied: dict[str, Any] | None = None
        for key, mask in sensitive.items():
            if key in value and has_true(mask):
                if copied is None:
                    copied = dict(value)
                copied[key] = redact(value[key], mask, secrets)
        return value if copied is None else copied
    if isinstance(sensitive, list) and isinstance(value, list):
        copied_list: list[Any] | None = None
        for i, mask in enumerate(sensitive[: len(value)]):
            if has_true(mask):
                if copied_list is None:
                    copied_list = list(value)
                copied_list[i] = redact(value[i], mask, secrets)
        return value if copied_list is None else copied_list
    if has_true(sensitive) and value is not None:
        # The mask and the value disagree on the shape: hide all of it rather than guess.
        return redact(value, True, secrets)
    return value


def _redact_collapsed(value: Any, mask: Any, secrets: set[str]) -> Any:
    """`redact` with a collapsed mask: a list value gets the same mask for every element."""
    if mask is None:
        return value
    if isinstance(value, list) and mask is not True:
        return _map_list(value, lambda v: _redact_collapsed(v, mask, secrets))
    if isinstance(mask, dict) and isinstance(value, dict):
        copied: dict[str, Any] | None = None
        for key, m in mask.items():
            if key in value:
                new = _redact_collapsed(value[key], m, secrets)
                if new is not value[key]:
                    copied = dict(value) if copied is None else copied
                    copied[key] = new
        return value if copied is None else copied
    return redact(value, True, secrets)


def _remember(value: Any, secrets: set[str]) -> None:
    if isinstance(value, str):
        if value and value != REDACTED:
            secrets.add(value)
    elif isinstance(value, dict):
        for v in value.values():
            _remember(v, secrets)
    elif isinstance(value, list):
        for v in value:
            _remember(v, secrets)


def _redact_change_entry(rc: Any, secrets: set[str]) -> Any:
    if not isinstance(rc, dict) or not isinstance(rc.get("change"), dict):
        return rc
    change = rc["change"]
    before = redact(change.get("before"), change.get("before_sensitive"), secrets)
    after = redact(change.get("after"), change.get("after_sensitive"), secrets)
    if before is change.get("before") and after is change.get("after"):
        return rc
    new = dict(change)
    if "before" in change:
        new["before"] = before
    if "after" in change:
        new["after"] = after
    return {**rc, "change": new}


def _redact_deferred(deferred: Any, secrets: set[str]) -> Any:
    if not isinstance(deferred, dict) or "resource_change" not in deferred:
        return deferred
    rc = _redact_change_entry(deferred["resource_change"], secrets)
    return deferred if rc is deferred["resource_change"] else {**deferred, "resource_change": rc}


def _redact_output_change(oc: Any, secrets: set[str]) -> Any:
    if not isinstance(oc, dict):
        return oc
    if not (has_true(oc.get("before_sensitive")) or has_true(oc.get("after_sensitive"))):
        return oc
    out = dict(oc)
    for key in ("before", "after"):
        if oc.get(key) is not None:
            out[key] = redact(oc[key], True, secrets)
    return out


def _redact_values(values: dict[str, Any], fallback: Mapping[str, Any], secrets: set[str]) -> dict[str, Any]:
    """A `values` representation (planned_values, prior_state.values)."""
    changed: dict[str, Any] = {}
    outputs = values.get("outputs")
    if isinstance(outputs, dict):
        new_outputs = _map_dict(outputs, partial(_redact_output_value, secrets=secrets))
        if new_outputs is not outputs:
            changed["outputs"] = new_outputs
    root = values.get("root_module")
    if isinstance(root, dict):
        new_root = _redact_module_values(root, fallback, secrets)
        if new_root is not root:
            changed["root_module"] = new_root
    return {**values, **changed} if changed else values


def _redact_output_value(output: Any, *, secrets: set[str]) -> Any:
    if isinstance(output, dict) and output.get("sensitive") is True and output.get("value") is not None:
        return {**output, "value": redact(output["value"], True, secrets)}
    return output


def _redact_module_values(
    module: dict[str, Any], fallback: Mapping[str, Any], secrets: set[str]
) -> dict[str, Any]:
    changed: dict[str, Any] = {}
    resources = module.get("resources")
    if isinstance(resources, list):
        new = _map_list(resources, partial(_redact_resource_values, fallback=fallback, secrets=secrets))
        if new is not resources:
            changed["resources"] = new
    children = module.get("child_modules")
    if isinstance(children, list):
        new = _map_list(children, partial(_redact_child_values, fallback=fallback, secrets=secrets))
        if new is not children:
            changed["child_modules"] = new
    return {**module, **changed} if changed else module


def _redact_child_values(child: Any, *, fallback: Mapping[str, Any], secrets: set[str]) -> Any:
    return _redact_module_values(child, fallback, secrets) if isinstance(child, dict) else child


_ABSENT = object()


def _redact_resource_values(resource: Any, *, fallback: Mapping[str, Any], secrets: set[str]) -> Any:
    if type(resource) is not dict:
        return resource
    mask = resource.get("sensitive_values", _ABSENT)
    if mask is _ABSENT:  # format 0.1 (Terraform 0.14): only the resource change knows
        if not fallback:
            return resource
        mask = fallback.get(resource.get("address"))  # type: ignore[arg-type]
    if not mask or not has_true(mask):
        return resource
    return {**resource, "values": redact(resource.get("values"), mask, secrets)}


def _echo_unmasked(values: dict[str, Any], changed: set[str], echo: _Echo) -> dict[str, Any]:
    """Values of resources no mask covers (no `sensitive_values`, no resource change): echoes only."""

    def resource(r: Any) -> Any:
        if not isinstance(r, dict) or "sensitive_values" in r or r.get("address") in changed:
            return r
        new = echo.values(r.get("values"))
        return r if new is r.get("values") else {**r, "values": new}

    def module(m: Any) -> Any:
        if not isinstance(m, dict):
            return m
        out = m
        if isinstance(m.get("resources"), list):
            out = {**out, "resources": _map_list(m["resources"], resource)}
        if isinstance(m.get("child_modules"), list):
            out = {**out, "child_modules": _map_list(m["child_modules"], module)}
        return out

    target = values.get("values") if "values" in values else values  # prior_state wraps its values
    if not isinstance(target, dict) or not isinstance(target.get("root_module"), dict):
        return values
    new_target = {**target, "root_module": module(target["root_module"])}
    return {**values, "values": new_target} if "values" in values else new_target


def _redact_variables(variables: Any, sensitive: frozenset[str] | None, secrets: set[str]) -> Any:
    if not isinstance(variables, dict):
        return variables
    out = dict(variables)
    for name, v in variables.items():
        if isinstance(v, dict) and v.get("value") is not None and (sensitive is None or name in sensitive):
            out[name] = {**v, "value": redact(v["value"], True, secrets if sensitive is not None else None)}
    return out


def _sensitive_root_variables(configuration: Any) -> frozenset[str] | None:
    """The root variables declared sensitive; None when the plan has no configuration to say."""
    if not isinstance(configuration, dict):
        return None
    root = configuration.get("root_module")
    declared = root.get("variables") if isinstance(root, dict) else None
    if not isinstance(declared, dict):
        return frozenset()
    return frozenset(k for k, v in declared.items() if isinstance(v, dict) and v.get("sensitive") is True)


# --- configuration --------------------------------------------------------------------------------


def _redact_configuration(
    configuration: dict[str, Any], masks: Mapping[str, Any], secrets: set[str]
) -> dict[str, Any]:
    out = dict(configuration)
    providers = configuration.get("provider_config")
    if isinstance(providers, dict):
        out["provider_config"] = _map_dict(providers, lambda p: _redact_provider(p, secrets))
    root = configuration.get("root_module")
    if isinstance(root, dict):
        out["root_module"] = _redact_module_config(root, "", masks, secrets)
    return out


def _redact_provider(provider: Any, secrets: set[str]) -> Any:
    if not isinstance(provider, dict) or not isinstance(provider.get("expressions"), dict):
        return provider
    expressions = provider["expressions"]
    redacted = {
        name: e if name in PROVIDER_SETTINGS else _redact_literals(e, secrets)
        for name, e in expressions.items()
    }
    return {**provider, "expressions": redacted}


def _redact_module_config(
    module: dict[str, Any], prefix: str, masks: Mapping[str, Any], secrets: set[str]
) -> dict[str, Any]:
    changed: dict[str, Any] = {}
    variables = module.get("variables")
    if isinstance(variables, dict) and _declares_sensitive(variables):
        changed["variables"] = _map_dict(variables, partial(_redact_variable_declaration, secrets=secrets))
    outputs = module.get("outputs")
    if isinstance(outputs, dict) and _declares_sensitive(outputs):
        changed["outputs"] = _map_dict(outputs, partial(_redact_output_declaration, secrets=secrets))
    resources = module.get("resources")
    if isinstance(resources, list):
        new = _map_list(
            resources, partial(_redact_resource_config, prefix=prefix, masks=masks, secrets=secrets)
        )
        if new is not resources:
            changed["resources"] = new
    calls = module.get("module_calls")
    if isinstance(calls, dict):
        new_calls = {
            name: _redact_module_call(call, f"{prefix}module.{name}.", masks, secrets)
            for name, call in calls.items()
        }
        if any(new_calls[name] is not call for name, call in calls.items()):
            changed["module_calls"] = new_calls
    return {**module, **changed} if changed else module


def _declares_sensitive(declarations: dict[str, Any]) -> bool:
    """Some variable or output declaration is `sensitive = true`."""
    return any(type(d) is dict and d.get("sensitive") is True for d in declarations.values())


def _redact_variable_declaration(decl: Any, *, secrets: set[str]) -> Any:
    if isinstance(decl, dict) and decl.get("sensitive") is True and decl.get("default") is not None:
        return {**decl, "default": redact(decl["default"], True, secrets)}
    return decl


def _redact_output_declaration(output: Any, *, secrets: set[str]) -> Any:
    if isinstance(output, dict) and output.get("sensitive") is True and "expression" in output:
        return {**output, "expression": _redact_literals(output["expression"], secrets)}
    return output


def _redact_resource_config(
    resource: Any, *, prefix: str, masks: Mapping[str, Any], secrets: set[str]
) -> Any:
    if type(resource) is not dict:
        return resource
    out = resource
    if masks:
        address = resource.get("address")
        mask = masks.get(prefix + address) if isinstance(address, str) else None
        expressions = resource.get("expressions")
        if mask is not None and isinstance(expressions, dict):
            out = {**out, "expressions": _redact_expressions(expressions, mask, secrets)}
    provisioners = resource.get("provisioners")
    if provisioners and isinstance(provisioners, list):
        # Provisioner commands and connection settings often carry credentials Terraform does not
        # mark; no stage reads their literals.
        out = {**out, "provisioners": _map_list(provisioners, partial(_redact_provisioner, secrets=secrets))}
    return out


def _redact_provisioner(provisioner: Any, *, secrets: set[str]) -> Any:
    if not isinstance(provisioner, dict) or "expressions" not in provisioner:
        return provisioner
    return {**provisioner, "expressions": _redact_literals(provisioner["expressions"], secrets)}


def _redact_module_call(call: Any, prefix: str, masks: Mapping[str, Any], secrets: set[str]) -> Any:
    if not isinstance(call, dict):
        return call
    child = call.get("module")
    if not isinstance(child, dict):
        return call
    changed: dict[str, Any] = {}
    declared = child.get("variables")
    expressions = call.get("expressions")
    if (
        isinstance(declared, dict)
        and isinstance(expressions, dict)
        and expressions
        and _declares_sensitive(declared)
    ):
        sensitive = {n for n, d in declared.items() if isinstance(d, dict) and d.get("sensitive") is True}
        changed["expressions"] = {
            name: _redact_literals(e, secrets) if name in sensitive else e for name, e in expressions.items()
        }
    new_child = _redact_module_config(child, prefix, masks, secrets)
    if new_child is not child:
        changed["module"] = new_child
    return {**call, **changed} if changed else call


def _redact_expressions(expressions: dict[str, Any], mask: Any, secrets: set[str]) -> dict[str, Any]:
    """An `expressions` block by a collapsed mask of its resource's values."""
    if mask is True:
        return _map_dict(expressions, lambda e: _redact_literals(e, secrets))
    if not isinstance(mask, dict):
        return expressions
    out: dict[str, Any] | None = None
    for name, m in mask.items():
        expression = expressions.get(name)
        if expression is None or m is None:
            continue
        if isinstance(expression, list):  # nested blocks: each is an expressions block
            new: Any = _map_list(expression, partial(_redact_block, mask=m, secrets=secrets))
        elif isinstance(expression, dict) and "constant_value" in expression:
            new = {
                **expression,
                "constant_value": _redact_collapsed(expression["constant_value"], m, secrets),
            }
        else:
            continue
        if new is not expression:
            out = dict(expressions) if out is None else out
            out[name] = new
    return expressions if out is None else out


def _redact_block(block: Any, *, mask: Any, secrets: set[str]) -> Any:
    return _redact_expressions(block, mask, secrets) if isinstance(block, dict) else block


def _redact_literals(expression: Any, secrets: set[str]) -> Any:
    """Every literal in an expression (or a block of them), references kept."""
    if isinstance(expression, list):
        return _map_list(expression, lambda e: _redact_literals(e, secrets))
    if not isinstance(expression, dict):
        return expression
    if "constant_value" in expression or "references" in expression:
        if expression.get("constant_value") is None:
            return expression
        return {**expression, "constant_value": redact(expression["constant_value"], True, secrets)}
    return _map_dict(expression, lambda e: _redact_literals(e, secrets))  # a block: name -> expression


# --- echoes of redacted values --------------------------------------------------------------------


class _Echo:
    """Redacts strings equal to, or containing, a value the pass already redacted."""

    def __init__(self, secrets: Iterable[str]) -> None:
        self.exact = frozenset(secrets)
        long = sorted((s for s in self.exact if len(s) >= _MIN_CONTAINED), key=len, reverse=True)
        self.pattern = re.compile("|".join(map(re.escape, long))) if long else None

    def __bool__(self) -> bool:
        return bool(self.exact)

    def hit(self, text: str) -> bool:
        return text in self.exact or (self.pattern is not None and self.pattern.search(text) is not None)

    def values(self, value: Any) -> Any:
        """`value` with every string that echoes a secret redacted (object keys included)."""
        if isinstance(value, str):
            return REDACTED if self.hit(value) else value
        if isinstance(value, list):
            return _map_list(value, self.values)
        if isinstance(value, dict):
            if any(isinstance(k, str) and self.hit(k) for k in value):
                return {(REDACTED if self.hit(k) else k): self.values(v) for k, v in value.items()}
            return _map_dict(value, self.values)
        return value

    def literals(self, configuration: Any) -> Any:
        """The configuration with echoing literals (constant values, variable defaults) redacted."""
        if isinstance(configuration, list):
            return _map_list(configuration, self.literals)
        if not isinstance(configuration, dict):
            return configuration
        out: dict[str, Any] | None = None
        for key, value in configuration.items():
            if key in ("constant_value", "default"):
                new = self.values(value)
            elif isinstance(value, dict | list):
                new = self.literals(value)
            else:
                continue
            if new is not value:
                out = dict(configuration) if out is None else out
                out[key] = new
        return configuration if out is None else out

    def generated_config(self, rc: Any) -> Any:
        change = rc.get("change") if isinstance(rc, dict) else None
        if not isinstance(change, dict):
            return rc
        text = change.get("generated_config")
        if not isinstance(text, str) or not self.hit(text):
            return rc
        return {**rc, "change": {**change, "generated_config": REDACTED}}


# --- copy on write --------------------------------------------------------------------------------


def _map_list(items: list[Any], fn: Callable[[Any], Any]) -> list[Any]:
    """`fn` applied to each item; the same list when nothing changed."""
    out: list[Any] | None = None
    for i, item in enumerate(items):
        new = fn(item)
        if new is not item:
            if out is None:
                out = list(items)
            out[i] = new
    return items if out is None else out


def _map_dict(items: dict[str, Any], fn: Callable[[Any], Any]) -> dict[str, Any]:
    out: dict[str, Any] | None = None
    for key, item in items.items():
        new = fn(item)
        if new is not item:
            if out is None:
                out = dict(items)
            out[key] = new
    return items if out is None else out


def _resources_of(values: Any) -> Iterable[dict[str, Any]]:
    if not isinstance(values, dict):
        return
    stack = [values.get("root_module")]
    while stack:
        module = stack.pop()
        if not isinstance(module, dict):
            continue
        for resource in module.get("resources") or () if isinstance(module.get("resources"), list) else ():
            if isinstance(resource, dict):
                yield resource
        children = module.get("child_modules")
        if isinstance(children, list):
            stack.extend(children)
