"""Stacks from the Terraform files of a tree and tfoidc.toml (pure: facts and configuration in, stacks out).

A stack is a folder holding Terraform files that no other folder calls as a local module (`source =
"./..."` or `"../..."`), named by its path from the project root (the folder of tfoidc.toml). Each
`[environments.X]` is a stack named X whose root is its `root`. `[stacks.settings."<glob>"]` gives
settings to every stack whose name matches; for each key the most specific matching glob wins
(`globs.PathGlob.specificity`); an `[environments.X]` block is more specific than any glob for X.
"""

from __future__ import annotations

import posixpath
from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from tfoidc.config import Config, EnvironmentConfig, describe_validation_error
from tfoidc.errors import InputError
from tfoidc.stacks.config import ENVIRONMENT_KEYS, StackSettings
from tfoidc.stacks.globs import PathGlob
from tfoidc.stacks.hcl import FileFacts, RemoteState

# The settings keys of a remote state / backend that name one state object, per backend type.
STATE_IDENTITY = {
    "s3": ("bucket", "key"),
    "gcs": ("bucket", "prefix"),
    "azurerm": ("storage_account_name", "container_name", "key"),
}


@dataclass(frozen=True)
class Stack:
    name: str
    root: str  # folder relative to the project root, "." for the root itself
    settings: dict[str, Any]  # every key given to this stack, placeholders filled in
    origins: dict[str, str]  # key -> where it was set: `stacks.settings."live/**"` or `environments.dev`
    from_environment: bool
    modules: tuple[str, ...]  # local module folders called, directly or through other modules
    module_chains: dict[str, tuple[str, ...]]  # module folder -> the chain of calls that reaches it
    remote_states: tuple[RemoteState, ...]
    backend_type: str | None
    backend: dict[str, str]  # literal backend settings: the backend block, then backend_config

    @property
    def depends_on(self) -> tuple[str, ...]:
        return tuple(self.settings.get("depends_on") or ())

    @property
    def var_files(self) -> tuple[str, ...]:
        """Var files as paths from the project root."""
        return tuple(_join(self.root, v) for v in self.settings.get("var_files") or ())

    @property
    def watch(self) -> tuple[str, ...]:
        return tuple(self.settings.get("watch") or ())

    def state_identity(self) -> tuple[str, tuple[str, ...]] | None:
        """(backend type, the values naming its state object), when all are known literally."""
        keys = STATE_IDENTITY.get(self.backend_type or "")
        if keys is None or any(k not in self.backend for k in keys):
            return None
        return (self.backend_type or "", tuple(self.backend[k] for k in keys))

    def environment_config(self) -> EnvironmentConfig:
        given = {k: self.settings[k] for k in ENVIRONMENT_KEYS if k in self.settings}
        return EnvironmentConfig.model_validate({"root": self.root, **given})


@dataclass(frozen=True)
class StackSet:
    stacks: dict[str, Stack]
    # Every folder holding Terraform files -> the folders it calls as local modules.
    calls: dict[str, tuple[str, ...]]
    warnings: tuple[str, ...] = ()

    def by_root(self) -> dict[str, Stack]:
        return {s.root: s for s in self.stacks.values()}


@dataclass
class _Settings:
    values: dict[str, Any] = field(default_factory=dict)
    origins: dict[str, str] = field(default_factory=dict)
    rank: dict[str, tuple[int, int, int]] = field(default_factory=dict)


def discover(facts: Mapping[str, FileFacts], config: Config) -> StackSet:
    """The stacks of a tree whose Terraform files are `facts` (paths relative to the project root)."""
    warnings: list[str] = []
    folders: dict[str, list[tuple[str, FileFacts]]] = {}
    for path in sorted(facts):
        folders.setdefault(_folder(path), []).append((path, facts[path]))
        if facts[path].syntax_error_line is not None:
            warnings.append(
                f"{path}: syntax error near line {facts[path].syntax_error_line}; "
                "module calls after it may be missed"
            )
    calls = _local_calls(folders, warnings)
    called = {target for source, targets in calls.items() for target in targets if target != source}
    stacks_config = config.stacks
    include = [PathGlob(p) for p in stacks_config.include]
    exclude = [PathGlob(p) for p in stacks_config.exclude]
    patterns = {pattern: PathGlob(pattern) for pattern in stacks_config.settings}
    used_patterns: set[str] = set()

    env_roots = {_normal(name, env.root): name for name, env in config.environments.items()}
    candidates = sorted(
        f
        for f in folders
        if f not in called and any(g.matches(f) for g in include) and not any(g.matches(f) for g in exclude)
    )
    for key, globs in (("include", include), ("exclude", exclude)):
        for glob in globs:
            if not any(glob.matches(f) for f in folders):
                warnings.append(f"stacks.{key}: {glob.pattern!r} matches no folder")
    names: list[tuple[str, str, bool]] = []  # (name, root, from environment)
    merged_by_name: dict[str, _Settings] = {}
    for folder in candidates:
        if folder in env_roots:
            continue
        merged_by_name[folder] = _merged(folder, patterns, stacks_config.settings, used_patterns)
        if not merged_by_name[folder].values.get("exclude"):
            names.append((folder, folder, False))
    for name, env in config.environments.items():
        names.append((name, _normal(name, env.root), True))

    stacks: dict[str, Stack] = {}
    closure_memo: dict[str, dict[str, tuple[str, ...]]] = {}
    for name, root, from_env in names:
        if name in stacks:
            raise InputError(
                f"environments.{name}: the name is also a discovered stack's folder; rename the environment "
                f"or exclude the folder (stacks.exclude)"
            )
        merged = merged_by_name.get(name) if not from_env else None
        merged = merged or _merged(name, patterns, stacks_config.settings, used_patterns)
        if from_env:
            env = config.environments[name]
            for key in env.model_fields_set - {"root"}:
                merged.values[key] = getattr(env, key)
                merged.origins[key] = f"environments.{name}"
        settings = _fill_placeholders(name, merged.values)
        _check(name, root, settings, merged.origins)
        chains = _closure(root, calls, closure_memo)
        files = [f for _, f in folders.get(root, [])]
        backend_type, backend = _backend(files, settings.get("backend_config") or {})
        stacks[name] = Stack(
            name=name,
            root=root,
            settings=settings,
            origins=merged.origins,
            from_environment=from_env,
            modules=tuple(sorted(chains)),
            module_chains=chains,
            remote_states=tuple(r for f in files for r in f.remote_states),
            backend_type=backend_type,
            backend=backend,
        )
    for pattern in patterns:
        if pattern not in used_patterns and not any(patterns[pattern].matches(f) for f in folders):
            warnings.append(f"stacks.settings.{pattern}: the pattern matches no stack")
    _check_depends_on(stacks)
    return StackSet(stacks=dict(sorted(stacks.items())), calls=calls, warnings=tuple(warnings))


def _folder(path: str) -> str:
    folder = posixpath.dirname(path)
    return folder or "."


def _join(folder: str, relative: str) -> str:
    return posixpath.normpath(posixpath.join(folder, relative))


def _normal(name: str, root: str) -> str:
    normal = posixpath.normpath(root.replace("\\", "/"))
    return "." if normal in ("", ".") else normal


def _local_calls(
    folders: dict[str, list[tuple[str, FileFacts]]], warnings: list[str]
) -> dict[str, tuple[str, ...]]:
    calls: dict[str, tuple[str, ...]] = {}
    for folder, files in folders.items():
        targets: list[str] = []
        for path, facts in files:
            for module in facts.modules:
                if not module.is_local:
                    continue
                target = _join(folder, module.source or "")
                if target.startswith("../") or target == "..":
                    warnings.append(
                        f"{path}: module {module.name!r} calls {module.source!r}, outside the project"
                    )
                elif target not in folders:
                    warnings.append(
                        f"{path}: module {module.name!r} calls {module.source!r}, a folder without .tf files"
                    )
                elif target not in targets:
                    targets.append(target)
        calls[folder] = tuple(targets)
    return calls


def _closure(
    root: str, calls: dict[str, tuple[str, ...]], memo: dict[str, dict[str, tuple[str, ...]]]
) -> dict[str, tuple[str, ...]]:
    """Every local module folder `root` reaches -> the shortest chain of calls to it."""
    if root in memo:
        return memo[root]
    chains: dict[str, tuple[str, ...]] = {}
    queue: deque[tuple[str, tuple[str, ...]]] = deque((t, (t,)) for t in calls.get(root, ()) if t != root)
    while queue:
        folder, chain = queue.popleft()
        if folder in chains or folder == root:
            continue
        chains[folder] = chain
        queue.extend((t, (*chain, t)) for t in calls.get(folder, ()) if t not in chains)
    memo[root] = chains
    return chains


def _merged(
    name: str,
    patterns: dict[str, PathGlob],
    settings: Mapping[str, StackSettings],
    used: set[str],
) -> _Settings:
    """Each key from the most specific matching pattern; `backend_config` merged key by key."""
    out = _Settings()
    for pattern, glob in patterns.items():
        if not glob.matches(name):
            continue
        used.add(pattern)
        rank = glob.specificity
        for key, value in settings[pattern].given().items():
            entries = value.items() if key == "backend_config" else [(None, value)]
            for sub, item in entries:
                slot = key if sub is None else f"backend_config.{sub}"
                if slot in out.rank and out.rank[slot] > rank:
                    continue
                if slot in out.rank and out.rank[slot] == rank and _get(out.values, slot) != item:
                    raise InputError(
                        f"stacks.settings: {out.origins[slot]} and {pattern!r} both match {name!r} equally "
                        f"specifically and set {slot} differently; make one of them more specific"
                    )
                out.rank[slot] = rank
                out.origins[slot] = f"stacks.settings.{pattern}"
                if sub is None:
                    out.values[key] = item
                else:
                    out.values.setdefault("backend_config", {})[sub] = item
    for slot in [s for s in out.origins if s.startswith("backend_config.")]:
        out.origins.setdefault("backend_config", out.origins[slot])
    return out


def _get(values: dict[str, Any], slot: str) -> Any:
    if slot.startswith("backend_config."):
        return (values.get("backend_config") or {}).get(slot.split(".", 1)[1])
    return values.get(slot)


def _fill_placeholders(name: str, values: dict[str, Any]) -> dict[str, Any]:
    account = str(values.get("account") or "")

    def fill(value: Any) -> Any:
        if isinstance(value, str):
            return value.replace("{stack}", name).replace("{account}", account)
        if isinstance(value, dict):
            return {k: fill(v) for k, v in value.items()}
        if isinstance(value, list):
            return [fill(v) for v in value]
        return value

    return {k: fill(v) for k, v in values.items()}


def _check(name: str, root: str, settings: dict[str, Any], origins: dict[str, str]) -> None:
    """The settings a stack ends up with, checked as `[environments.X]` would be."""
    given = {k: settings[k] for k in ENVIRONMENT_KEYS if k in settings}
    try:
        EnvironmentConfig.model_validate({"root": root, **given})
    except ValidationError as exc:
        key = str(exc.errors()[0]["loc"][0]) if exc.errors()[0]["loc"] else ""
        where = origins.get(key, "stacks.settings")
        raise InputError(f"{where} (for stack {name!r}): {describe_validation_error(exc)}") from None
    account = settings.get("account")
    if account:
        for key in ("role_arn", "plan_role_arn", "local_role_arn"):
            arn = settings.get(key)
            if arn and arn.split(":")[4] != account:
                raise InputError(
                    f"{origins.get(key, 'stacks.settings')}.{key} (for stack {name!r}): role {arn} is not in "
                    f"account {account} ({origins.get('account')}.account)"
                )


def _backend(files: list[FileFacts], backend_config: Mapping[str, Any]) -> tuple[str | None, dict[str, str]]:
    block = next((f.backend for f in files if f.backend is not None), None)
    values = dict(block.config) if block is not None else {}
    values.update({k: str(v) for k, v in backend_config.items() if not isinstance(v, bool)})
    return (block.type if block is not None else None), values


def _check_depends_on(stacks: dict[str, Stack]) -> None:
    for stack in stacks.values():
        for i, dependency in enumerate(stack.depends_on):
            if dependency not in stacks:
                where = stack.origins.get("depends_on", "stacks.settings")
                raise InputError(
                    f"{where}.depends_on.{i} (for stack {stack.name!r}): no stack named {dependency!r}"
                )
            if dependency == stack.name:
                raise InputError(
                    f"{stack.origins.get('depends_on')}.depends_on.{i}: {stack.name!r} depends on itself"
                )
