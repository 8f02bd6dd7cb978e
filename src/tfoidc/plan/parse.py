"""`terraform show -json` -> `Plan`.  (First cut; hardened in the plan-core issue.)"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson

from tfoidc.errors import InputError
from tfoidc.plan.model import REDACTED, Action, OutputChange, Plan, ResourceChange


def load_plan(path: str | Path) -> Plan:
    p = Path(path)
    try:
        data = p.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read plan file {p}: {exc.strerror or exc}") from None
    return parse_plan(data, source=str(p))


def parse_plan(data: bytes, *, source: str = "<plan>") -> Plan:
    doc = _decode(data, source)
    if not isinstance(doc, dict) or "format_version" not in doc:
        raise InputError(f"{source}: not a Terraform plan JSON document (no format_version)")
    rcs = tuple(_resource_change(rc) for rc in doc.get("resource_changes") or ())
    drift = tuple(_resource_change(rc) for rc in doc.get("resource_drift") or ())
    outputs = tuple(
        _output_change(name, oc) for name, oc in (doc.get("output_changes") or {}).items()
    )
    return Plan(
        format_version=str(doc["format_version"]),
        terraform_version=doc.get("terraform_version"),
        resource_changes=rcs,
        output_changes=outputs,
        resource_drift=drift,
        variables={k: (v or {}).get("value") for k, v in (doc.get("variables") or {}).items()},
        configuration=doc.get("configuration"),
        prior_state=doc.get("prior_state"),
        planned_values=doc.get("planned_values"),
        errored=bool(doc.get("errored")),
    )


def _decode(data: bytes, source: str) -> Any:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        data = data.decode("utf-16").encode()
    elif data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return orjson.loads(data)
    except orjson.JSONDecodeError as exc:
        raise InputError(f"{source}: not valid JSON ({exc})") from None


def normalise_actions(actions: list[str]) -> Action:
    if actions in (["delete", "create"], ["create", "delete"]):
        return Action.REPLACE
    if len(actions) == 1:
        return Action(actions[0])
    raise InputError(f"unknown action list {actions!r}")


def redact(value: Any, sensitive: Any) -> Any:
    """Replace every part of `value` that `sensitive` marks (True, at any depth) by REDACTED."""
    if sensitive is True:
        return REDACTED
    if isinstance(sensitive, dict) and isinstance(value, dict):
        return {k: redact(v, sensitive.get(k)) for k, v in value.items()}
    if isinstance(sensitive, list) and isinstance(value, list):
        return [redact(v, sensitive[i] if i < len(sensitive) else None) for i, v in enumerate(value)]
    return value


def _resource_change(rc: dict[str, Any]) -> ResourceChange:
    change = rc.get("change") or {}
    actions = list(change.get("actions") or ["no-op"])
    return ResourceChange(
        address=rc["address"],
        module_address=rc.get("module_address", ""),
        mode=rc.get("mode", "managed"),
        type=rc.get("type", ""),
        name=rc.get("name", ""),
        index=rc.get("index"),
        provider_name=rc.get("provider_name", ""),
        action=normalise_actions(actions),
        actions=tuple(actions),
        before=redact(change.get("before"), change.get("before_sensitive")),
        after=redact(change.get("after"), change.get("after_sensitive")),
        after_unknown=change.get("after_unknown"),
        before_sensitive=change.get("before_sensitive"),
        after_sensitive=change.get("after_sensitive"),
        replace_paths=tuple(tuple(p) for p in change.get("replace_paths") or ()),
        action_reason=rc.get("action_reason"),
        previous_address=rc.get("previous_address"),
        deposed=rc.get("deposed"),
        importing=bool(change.get("importing")),
    )


def _output_change(name: str, oc: dict[str, Any]) -> OutputChange:
    sensitive = bool(oc.get("before_sensitive") or oc.get("after_sensitive"))
    return OutputChange(
        name=name,
        action=normalise_actions(list(oc.get("actions") or ["no-op"])),
        sensitive=sensitive,
        before=REDACTED if sensitive else oc.get("before"),
        after=REDACTED if sensitive else oc.get("after"),
    )
