"""`terraform show -json` (plan) -> `Plan`, after the one redaction pass (`plan.redact.redact_document`).

Accepts plan JSON format_version 0.1, 0.2 and 1.x (Terraform 0.12 to current, and OpenTofu).
Unknown fields are ignored; anything that is not a plan becomes one `InputError` line.

Memory: the document is parsed once; the model keeps references into it (no copies) except
where redaction replaced a value, and then only the containers on the path to it were copied.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from tfoidc.errors import InputError
from tfoidc.plan.memory import cyclic_gc_paused
from tfoidc.plan.model import Action, DeferredChange, OutputChange, Plan, ResourceChange
from tfoidc.plan.redact import has_true, redact_document

try:
    import orjson

    _OrjsonError: type[Exception] = orjson.JSONDecodeError
except ImportError:  # pragma: no cover - orjson is a dependency; the stdlib keeps us working without it
    orjson = None  # type: ignore[assignment]
    _OrjsonError = ValueError

import json

_FORMAT_VERSION = re.compile(r"^(\d+)\.(\d+)$")
_SUPPORTED_MAJORS = (0, 1)
# Every action list Terraform and OpenTofu document for `change.actions` (docs: "JSON Output Format",
# change representation).
_ACTIONS: dict[tuple[str, ...], Action] = {
    ("create",): Action.CREATE,
    ("update",): Action.UPDATE,
    ("delete",): Action.DELETE,
    ("read",): Action.READ,
    ("no-op",): Action.NOOP,
    ("forget",): Action.FORGET,
    ("delete", "create"): Action.REPLACE,
    ("create", "delete"): Action.REPLACE,
    ("create", "forget"): Action.REPLACE_FORGET,
}


def load_plan(path: str | Path) -> Plan:
    p = Path(path)
    try:
        data = p.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read plan file {p}: {exc.strerror or exc}") from None
    return parse_plan(data, source=str(p))


def parse_plan(data: bytes, *, source: str = "<plan>") -> Plan:
    """Parse plan JSON bytes. Raises `InputError` (exit 2) for anything that is not a usable plan."""
    with cyclic_gc_paused():
        return _parse(data, source)


def plan_from_document(doc: Any, *, source: str = "<plan>") -> Plan:
    """Build the model from an already decoded plan document (e.g. the one tfoidc just wrote)."""
    with cyclic_gc_paused():
        return _from_document(doc, source)


def _parse(data: bytes, source: str) -> Plan:
    return _from_document(decode_json(data, source), source)


def _from_document(doc: Any, source: str) -> Plan:
    try:
        return _plan(redact_document(doc), source)
    except InputError as exc:
        if exc.message.startswith(source):
            raise
        raise InputError(f"{source}: {exc.message}", hint=exc.hint) from None
    except (TypeError, AttributeError, KeyError, ValueError, IndexError) as exc:
        # Belt and braces: the readers below check shapes, but a plan is user input and a shape we
        # did not foresee must still end as one line, not a traceback.
        raise InputError(f"{source}: malformed plan JSON ({type(exc).__name__}: {exc})") from None
    except RecursionError:
        raise InputError(f"{source}: plan JSON is nested too deeply") from None


# --- decoding -----------------------------------------------------------------------------------


def decode_json(data: bytes, source: str) -> Any:
    """JSON bytes as `terraform show -json` or a shell redirect leaves them (UTF-8, a UTF-8 BOM,
    or UTF-16 from PowerShell's `>`) -> the document; anything else is one `InputError` line."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            data = data.decode("utf-16").encode()
        except UnicodeError:
            raise InputError(f"{source}: not valid JSON (broken UTF-16 text)") from None
    elif data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    if not data or data.isspace():
        raise InputError(f"{source}: empty file, expected `terraform show -json` plan output")
    try:
        return orjson.loads(data) if orjson is not None else json.loads(data)
    except (_OrjsonError, ValueError, RecursionError) as exc:
        raise InputError(f"{source}: not valid JSON ({_short(str(exc))})") from None


def _short(message: str) -> str:
    return " ".join(message.split())[:200]


# --- the document -------------------------------------------------------------------------------


def _plan(doc: Any, source: str) -> Plan:
    if not isinstance(doc, dict):
        raise InputError(f"{source}: not a Terraform plan JSON document (top level is not an object)")
    _refuse_state(doc, source)
    if "format_version" not in doc:
        raise InputError(f"{source}: not a Terraform plan JSON document (no format_version)")
    format_version = _format_version(doc["format_version"], source)

    configuration = _dict(doc.get("configuration"), "configuration") or None
    if configuration is not None:
        _check_configuration(configuration)
    rcs = _resource_changes(doc.get("resource_changes"), "resource_changes")
    drift = _resource_changes(doc.get("resource_drift"), "resource_drift")
    notes: list[str] = []
    errored = doc.get("errored") is True
    if errored:
        notes.append("terraform reported errors while planning (errored: true); the plan is incomplete")
    deferred = _deferred_changes(doc.get("deferred_changes"))
    complete = doc.get("complete") is not False
    if deferred:
        notes.append(
            f"terraform deferred {len(deferred)} change(s) until values it cannot know yet are known; "
            "applying this plan leaves them for a later plan"
        )
    elif not complete:
        notes.append("terraform says this plan is not complete (complete: false); plan again after applying")
    if "resource_changes" not in doc:
        notes.append("the plan has no resource_changes; resources are known only from planned_values")
    if configuration is None:
        notes.append("the plan has no configuration; dependencies are inferred, not read")

    return Plan(
        format_version=format_version,
        terraform_version=_str_or_none(doc.get("terraform_version")),
        resource_changes=rcs,
        output_changes=_output_changes(doc.get("output_changes")),
        resource_drift=drift,
        variables=_variable_values(doc.get("variables")),
        configuration=configuration,
        prior_state=_dict(doc.get("prior_state"), "prior_state") or None,
        planned_values=_dict(doc.get("planned_values"), "planned_values") or None,
        errored=errored,
        complete=complete,
        deferred=deferred,
        notes=tuple(notes),
    )


def _refuse_state(doc: dict[str, Any], source: str) -> None:
    if "lineage" in doc and "serial" in doc:
        raise InputError(
            f"{source}: this is a Terraform state file (terraform.tfstate), not a plan",
            hint="run `terraform plan -out=tfplan && terraform show -json tfplan`",
        )
    plan_keys = ("resource_changes", "planned_values", "configuration", "output_changes", "errored")
    if "values" in doc and not any(k in doc for k in plan_keys):
        raise InputError(
            f"{source}: this is `terraform show -json` of a state, not of a plan",
            hint="pass the plan file: `terraform show -json tfplan`",
        )


def _format_version(value: Any, source: str) -> str:
    text = str(value) if isinstance(value, str | int | float) else ""
    match = _FORMAT_VERSION.match(text)
    if not match:
        raise InputError(f"{source}: unrecognised plan format_version {value!r}")
    major = int(match.group(1))
    if major not in _SUPPORTED_MAJORS:
        raise InputError(
            f"{source}: plan format_version {text} is not supported (this tfoidc reads 0.x and 1.x)",
            hint="upgrade tfoidc",
        )
    return text


# --- resource changes ---------------------------------------------------------------------------


def _resource_changes(value: Any, where: str) -> tuple[ResourceChange, ...]:
    if value is None:
        return ()
    if not isinstance(value, list):
        raise InputError(f"plan {where} is not a list")
    return tuple(_resource_change(rc, f"{where}[{i}]") for i, rc in enumerate(value))


def _resource_change(rc: Any, where: str) -> ResourceChange:
    if not isinstance(rc, dict):
        raise InputError(f"plan {where} is not an object")
    change = _dict(rc.get("change"), f"{where}.change")
    actions = _actions(change.get("actions"), where)
    before_sensitive = change.get("before_sensitive")
    after_sensitive = change.get("after_sensitive")
    importing = change.get("importing")
    import_id = importing.get("id") if isinstance(importing, dict) else None
    return ResourceChange(
        address=_address(rc, where),
        module_address=_str_or_none(rc.get("module_address")) or "",
        mode=_str_or_none(rc.get("mode")) or "managed",
        type=_str_or_none(rc.get("type")) or "",
        name=_str_or_none(rc.get("name")) or "",
        index=rc.get("index") if isinstance(rc.get("index"), int | str) else None,
        provider_name=_str_or_none(rc.get("provider_name")) or "",
        action=_ACTIONS[actions],
        actions=actions,
        before=change.get("before"),
        after=change.get("after"),
        after_unknown=change.get("after_unknown"),
        before_sensitive=before_sensitive,
        after_sensitive=after_sensitive,
        replace_paths=_replace_paths(change.get("replace_paths")),
        action_reason=_str_or_none(rc.get("action_reason")),
        previous_address=_str_or_none(rc.get("previous_address")),
        deposed=_str_or_none(rc.get("deposed")),
        importing=importing is not None and importing is not False,
        import_id=import_id if isinstance(import_id, str) else None,
    )


def incompleteness(doc: Any) -> str | None:
    """Why applying the plan document `doc` would leave changes for a later plan (Terraform 1.8+:
    `complete: false`, `deferred_changes`), or None when it would not (every older plan)."""
    if not isinstance(doc, dict):
        return None
    deferred = doc.get("deferred_changes")
    if isinstance(deferred, list) and deferred:
        return f"Terraform deferred {len(deferred)} change(s) to a later plan"
    if doc.get("complete") is False:
        return "Terraform marked the plan incomplete (complete: false)"
    return None


def _deferred_changes(value: Any) -> tuple[DeferredChange, ...]:
    """`deferred_changes`: `[{"reason": ..., "resource_change": {...}}]` (Terraform 1.8+). Only the
    address, the action and the reason are kept: a deferred change is not part of this plan."""
    deferred = []
    for i, entry in enumerate(_list(value, "deferred_changes")):
        where = f"deferred_changes[{i}]"
        entry = _object(entry, where)
        rc = _object(entry.get("resource_change"), f"{where}.resource_change")
        change = _dict(rc.get("change"), f"{where}.resource_change.change")
        actions = _actions(change.get("actions"), f"{where}.resource_change")
        reason = entry.get("reason")
        deferred.append(
            DeferredChange(
                address=_address(rc, f"{where}.resource_change"),
                action=_ACTIONS[actions],
                reason=reason if isinstance(reason, str) and reason else "unknown",
            )
        )
    return tuple(deferred)


def _actions(value: Any, where: str) -> tuple[str, ...]:
    if value is None:
        return ("no-op",)
    if not isinstance(value, list) or not all(isinstance(a, str) for a in value):
        raise InputError(f"plan {where}.change.actions is not a list of action names")
    actions = tuple(value) or ("no-op",)
    if actions not in _ACTIONS:
        raise InputError(f"plan {where}: unknown action list {list(actions)!r}")
    return actions


def normalise_actions(actions: list[str]) -> Action:
    """Terraform's action list -> one `Action` (both replace orders are `REPLACE`)."""
    try:
        return _ACTIONS[tuple(actions)]
    except (KeyError, TypeError):
        raise InputError(f"unknown action list {actions!r}") from None


def _address(rc: dict[str, Any], where: str) -> str:
    address = rc.get("address")
    if isinstance(address, str) and address:
        return address
    rtype, name = rc.get("type"), rc.get("name")
    if not (isinstance(rtype, str) and rtype and isinstance(name, str) and name):
        raise InputError(f"plan {where} has no address (and no type and name to build one)")
    built = f"data.{rtype}.{name}" if rc.get("mode") == "data" else f"{rtype}.{name}"
    index = rc.get("index")
    if isinstance(index, int):
        built += f"[{index}]"
    elif isinstance(index, str):
        built += "[" + json.dumps(index) + "]"
    module = rc.get("module_address")
    return f"{module}.{built}" if isinstance(module, str) and module else built


def _replace_paths(value: Any) -> tuple[tuple[str | int, ...], ...]:
    if not isinstance(value, list):
        return ()
    return tuple(
        tuple(step for step in path if isinstance(step, str | int))
        for path in value
        if isinstance(path, list)
    )


# --- outputs and variables ----------------------------------------------------------------------


def _output_changes(value: Any) -> tuple[OutputChange, ...]:
    if not isinstance(value, dict):
        return ()
    changes = []
    for name, oc in value.items():
        if not isinstance(oc, dict):
            raise InputError(f"plan output_changes.{name} is not an object")
        actions = _actions(oc.get("actions"), f"output_changes.{name}")
        sensitive = has_true(oc.get("before_sensitive")) or has_true(oc.get("after_sensitive"))
        changes.append(
            OutputChange(
                name=str(name),
                action=_ACTIONS[actions],
                sensitive=sensitive,
                before=oc.get("before"),
                after=oc.get("after"),
            )
        )
    return tuple(changes)


def _variable_values(value: Any) -> dict[str, Any]:
    if not isinstance(value, dict):
        return {}
    return {name: v.get("value") if isinstance(v, dict) else None for name, v in value.items()}


def _check_configuration(configuration: dict[str, Any]) -> None:
    """Refuse a `configuration` whose structure is not Terraform's, naming the path, so every later
    stage can walk it without checking shapes. Expression contents stay free-form, except that
    any `references` must be a list of strings."""
    for key, provider in _dict(configuration.get("provider_config"), "configuration.provider_config").items():
        where = f"configuration.provider_config.{key}"
        _check_expressions(_object(provider, where).get("expressions"), f"{where}.expressions")
    root = configuration.get("root_module")
    if root is not None:
        _check_module(root, "configuration.root_module", set())


def _check_module(module: Any, where: str, checked: set[bytes]) -> None:
    # Paths are only formatted when something is wrong: this walk visits every expression of a
    # configuration (a third of a large plan), and formatting each path cost more than checking.
    module = _dict(module, where)
    for i, resource in enumerate(_list(module.get("resources"), f"{where}.resources")):
        if type(resource) is not dict:
            raise InputError(f"plan {where}.resources[{i}] is not an object")
        _check_block(resource, f"{where}.resources[{i}]")
        if type(resource.get("address", "")) is not str:
            raise InputError(f"plan {where}.resources[{i}].address is not a string")
    for name, call in _dict(module.get("module_calls"), f"{where}.module_calls").items():
        if type(call) is not dict:
            raise InputError(f"plan {where}.module_calls.{name} is not an object")
        _check_block(call, f"{where}.module_calls.{name}")
        child = call.get("module")
        if child is not None and _first_of_its_content(child, checked):
            _check_module(child, f"{where}.module_calls.{name}.module", checked)
    for name, output in _dict(module.get("outputs"), f"{where}.outputs").items():
        if type(output) is not dict:
            raise InputError(f"plan {where}.outputs.{name} is not an object")
        expression = output.get("expression")
        if expression is not None and not _is_expression(expression):
            _explain_expression(expression, f"{where}.outputs.{name}.expression")
        if not _is_string_list(output.get("depends_on")):
            raise InputError(f"plan {where}.outputs.{name}.depends_on is not a list of strings")
    for name, variable in _dict(module.get("variables"), f"{where}.variables").items():
        if type(variable) is not dict:
            raise InputError(f"plan {where}.variables.{name} is not an object")


def _first_of_its_content(module: Any, checked: set[bytes]) -> bool:
    """False for a module configuration of the very same content as one already checked (the check
    is a function of the content alone): a module called from many places is walked once. Content
    orjson cannot write (nested too deeply, integers past 64 bits) is always walked."""
    if orjson is None:
        return True
    try:
        key = orjson.dumps(module)
    except orjson.JSONEncodeError:
        return True
    if key in checked:
        return False
    checked.add(key)
    return True


def _check_block(block: dict[str, Any], where: str) -> None:
    """A resource or module call: its `expressions`, count/for_each and `depends_on`."""
    _check_expressions(block.get("expressions"), f"{where}.expressions")
    for key in ("count_expression", "for_each_expression"):
        expression = block.get(key)
        if expression is not None and not _is_expression(expression):
            _explain_expression(expression, f"{where}.{key}")
    if not _is_string_list(block.get("depends_on")):
        raise InputError(f"plan {where}.depends_on is not a list of strings")


def _check_expressions(value: Any, where: str) -> None:
    """`value` maps argument names to expressions (an `expressions` block, whose nested blocks are
    lists of such maps). Checked one level deep: what later stages read, at the cost of a dict
    lookup."""
    if value is None:
        return
    for key, expression in _object(value, where).items():
        if not _is_expression(expression):
            _explain_expression(expression, f"{where}.{key}")


def _is_expression(expression: Any) -> bool:
    if type(expression) is dict:
        return _is_string_list(expression.get("references"))
    return type(expression) is list and all(type(b) is dict for b in expression)


def _explain_expression(expression: Any, where: str) -> None:
    if type(expression) is dict:
        raise InputError(f"plan {where}.references is not a list of strings")
    raise InputError(f"plan {where} is not an expression object")


def _is_string_list(value: Any) -> bool:
    """None (absent) or a list of strings."""
    return value is None or (type(value) is list and {*map(type, value)} <= _JUST_STR)


_JUST_STR = {str}


# --- small readers ------------------------------------------------------------------------------


def _dict(value: Any, where: str) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise InputError(f"plan {where} is not an object")
    return value


def _object(value: Any, where: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise InputError(f"plan {where} is not an object")
    return value


def _list(value: Any, where: str) -> list[Any]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise InputError(f"plan {where} is not a list")
    return value


def _str_or_none(value: Any) -> str | None:
    return value if isinstance(value, str) else None
