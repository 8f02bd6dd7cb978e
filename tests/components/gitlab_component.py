"""A CI/CD component as GitLab reads it: two YAML documents (the `spec:` header, then the jobs), inputs
checked against the header (unknown, missing, type, `options`, `regex`) and `$[[ inputs.x ]]`
interpolated in keys and values (a value that is only the expression keeps the input's type); and a
pipeline's `include: - component:` entries resolved against this repository's templates/."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

REPO = Path(__file__).resolve().parents[2]
TEMPLATES = REPO / "templates"
TYPES: dict[str, tuple[type, ...]] = {
    "string": (str,),
    "number": (int, float),
    "boolean": (bool,),
    "array": (list,),
}
_EXPR = re.compile(r"\$\[\[\s*inputs\.([A-Za-z0-9_-]+)\s*\]\]")
_ONLY_EXPR = re.compile(r"^\s*\$\[\[\s*inputs\.([A-Za-z0-9_-]+)\s*\]\]\s*$")
# <fqdn>/<project path>/<name>@<version>; the name is the last path segment.
_COMPONENT = re.compile(r"^(?P<project>.+)/(?P<name>[A-Za-z0-9_-]+)@(?P<version>.+)$")


class ComponentError(ValueError):
    """What GitLab would refuse when the pipeline is created."""


@dataclass(frozen=True)
class Component:
    name: str
    path: Path
    spec: dict[str, Any]
    body: dict[str, Any]

    @property
    def inputs(self) -> dict[str, dict[str, Any]]:
        return {k: v or {} for k, v in (self.spec.get("inputs") or {}).items()}


def component_path(name: str) -> Path:
    """GitLab's catalog layout: templates/<name>.yml or templates/<name>/template.yml."""
    for path in (TEMPLATES / f"{name}.yml", TEMPLATES / name / "template.yml"):
        if path.is_file():
            return path
    raise ComponentError(f"no component {name!r} in {TEMPLATES}")


def component_names() -> list[str]:
    names = [p.stem for p in TEMPLATES.glob("*.yml")]
    names += [p.parent.name for p in TEMPLATES.glob("*/template.yml")]
    return sorted(names)


def load(name: str) -> Component:
    path = component_path(name)
    docs = list(yaml.safe_load_all(path.read_text()))
    if len(docs) != 2:
        raise ComponentError(
            f"{path.name}: {len(docs)} YAML documents, a component has the spec and the jobs"
        )
    header, body = docs
    if not isinstance(header, dict) or set(header) != {"spec"}:
        raise ComponentError(f"{path.name}: the first document must hold only `spec:`")
    if not isinstance(body, dict):
        raise ComponentError(f"{path.name}: the second document must be a mapping of jobs")
    return Component(name, path, header["spec"] or {}, body)


def resolve_inputs(component: Component, given: dict[str, Any]) -> dict[str, Any]:
    declared = component.inputs
    unknown = sorted(set(given) - set(declared))
    if unknown:
        raise ComponentError(f"{component.name}: unknown input(s) {', '.join(unknown)}")
    values: dict[str, Any] = {}
    for name, spec in declared.items():
        if name in given:
            value = given[name]
        elif "default" in spec:
            value = spec["default"]
        else:
            raise ComponentError(f"{component.name}: input {name!r} is required")
        kind = spec.get("type", "string")
        # bool is an int in Python; GitLab's number is not a boolean.
        if not isinstance(value, TYPES[kind]) or (kind == "number" and isinstance(value, bool)):
            raise ComponentError(f"{component.name}: input {name!r} must be a {kind}, not {value!r}")
        if "options" in spec and value not in spec["options"]:
            raise ComponentError(
                f"{component.name}: input {name!r}: {value!r} is not one of {spec['options']}"
            )
        if "regex" in spec and not re.search(spec["regex"], str(value)):
            raise ComponentError(
                f"{component.name}: input {name!r}: {value!r} does not match {spec['regex']}"
            )
        values[name] = value
    return values


def interpolate(node: Any, values: dict[str, Any]) -> Any:
    if isinstance(node, dict):
        return {_as_key(interpolate(k, values)): interpolate(v, values) for k, v in node.items()}
    if isinstance(node, list):
        return [interpolate(v, values) for v in node]
    if not isinstance(node, str):
        return node
    whole = _ONLY_EXPR.match(node)
    if whole:
        return _value(whole.group(1), values)

    def one(match: re.Match[str]) -> str:
        value = _value(match.group(1), values)
        if isinstance(value, list | dict):
            raise ComponentError(f"input {match.group(1)!r} is an array: it cannot be part of a string")
        return json.dumps(value) if isinstance(value, bool) else str(value)

    out = _EXPR.sub(one, node)
    if "$[[" in out:
        raise ComponentError(f"an interpolation GitLab would not understand: {node!r}")
    return out


def _value(name: str, values: dict[str, Any]) -> Any:
    if name not in values:
        raise ComponentError(f"unknown interpolation key inputs.{name}")
    return values[name]


def _as_key(key: Any) -> str:
    if not isinstance(key, str):
        raise ComponentError(f"a job name must be a string, not {key!r}")
    return key


def render(name: str, given: dict[str, Any] | None = None) -> dict[str, Any]:
    component = load(name)
    rendered: dict[str, Any] = interpolate(component.body, resolve_inputs(component, given or {}))
    return rendered


def referenced_inputs(component: Component) -> set[str]:
    return set(_EXPR.findall(yaml.safe_dump(component.body, width=10_000)))


def expand_includes(pipeline: dict[str, Any], project_path: str) -> dict[str, Any]:
    """The pipeline with each `include: - component:` of this project replaced by its rendered jobs."""
    out = {k: v for k, v in pipeline.items() if k != "include"}
    for item in pipeline.get("include") or []:
        ref = item.get("component") if isinstance(item, dict) else None
        if ref is None:
            raise ComponentError(f"only component includes are resolved here, not {item!r}")
        match = _COMPONENT.match(ref)
        if not match or match.group("project") != project_path:
            raise ComponentError(f"{ref!r} is not a component of {project_path}")
        for job, definition in render(match.group("name"), item.get("inputs") or {}).items():
            if job in out:
                raise ComponentError(f"job {job!r} is defined twice")
            out[job] = definition
    return out


def merged_job(pipeline: dict[str, Any], name: str) -> dict[str, Any]:
    """The job with its `extends` chain merged the way GitLab merges hashes (deep, the job wins)."""
    raw = pipeline[name]
    parents = [raw["extends"]] if isinstance(raw.get("extends"), str) else raw.get("extends", [])
    merged: dict[str, Any] = {}
    for parent in parents:
        merged = _deep_merge(merged, merged_job(pipeline, parent))
    return _deep_merge(merged, {k: v for k, v in raw.items() if k != "extends"})


def _deep_merge(a: dict[str, Any], b: dict[str, Any]) -> dict[str, Any]:
    out = dict(a)
    for k, v in b.items():
        out[k] = _deep_merge(out[k], v) if isinstance(v, dict) and isinstance(out.get(k), dict) else v
    return out


def jobs(pipeline: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The runnable jobs (hidden ones merged into them), with `extends` resolved."""
    reserved = {"stages", "variables", "workflow", "default", "include", "image", "services", "cache", "spec"}
    return {k: merged_job(pipeline, k) for k in pipeline if k not in reserved and not k.startswith(".")}
