"""Render what the shipped Terraform would create, for its example inputs, without a cloud provider.

The `.tf` files are parsed by python-hcl2; this module evaluates the expressions they use (variables,
locals, templates, conditionals, for expressions, jsonencode and the usual functions, references to
resources, data sources and module outputs) over that parse tree. Attributes AWS computes at apply time
(ARNs, ids, the account a provider reaches) are derived the way AWS derives them: a role's ARN from its
account, path and name; a provider's account from its `allowed_account_ids`. What cannot be known is an
error, never a guess: a policy that reaches the test was rendered completely.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import hcl2
from lark import Token, Tree

DEFAULT_ACCOUNT = "123456789012"  # a provider block that names no account (single-account layouts)
DEFAULT_REGION = "eu-west-1"


class RenderError(Exception):
    pass


# --- parsing ----------------------------------------------------------------------------------------


@dataclass
class Block:
    type: str
    labels: tuple[str, ...]
    attributes: dict[str, Tree]
    blocks: list[Block]
    where: str

    def children(self, block_type: str) -> list[Block]:
        return [b for b in self.blocks if b.type == block_type]

    def child(self, block_type: str) -> Block | None:
        found = self.children(block_type)
        return found[0] if found else None


def parse_file(path: Path) -> list[Block]:
    return list(_parsed(str(path.resolve()), path.stat().st_mtime_ns))


@cache
def _parsed(path: str, _mtime: int) -> tuple[Block, ...]:
    tree = hcl2.parses_to_tree(Path(path).read_text())
    return tuple(_body(_only(tree, "body"), path))


def parse_dir(directory: Path) -> list[Block]:
    blocks: list[Block] = []
    for path in sorted(directory.glob("*.tf")):
        blocks += parse_file(path)
    return blocks


def _only(tree: Tree, name: str) -> Tree:
    return next(c for c in tree.children if isinstance(c, Tree) and c.data == name)


def _body(body: Tree, where: str) -> list[Block]:
    blocks: list[Block] = []
    for node in body.children:
        if isinstance(node, Tree) and node.data == "block":
            blocks.append(_block(node, where))
    return blocks


def _block(node: Tree, where: str) -> Block:
    parts = [c for c in node.children if isinstance(c, Tree)]
    names = [p for p in parts if p.data in ("identifier", "string", "keyword", "literal_value")]
    body = next(p for p in parts if p.data == "body")
    attributes: dict[str, Tree] = {}
    for child in body.children:
        if isinstance(child, Tree) and child.data == "attribute":
            name_node, expression = (c for c in child.children if isinstance(c, Tree))
            attributes[_name(name_node)] = expression
    return Block(
        type=_name(names[0]),
        labels=tuple(_name(n) for n in names[1:]),
        attributes=attributes,
        blocks=_body(body, where),
        where=where,
    )


def _name(node: Tree) -> str:
    if node.data == "string":
        return "".join(str(part.children[0]) for part in node.children if isinstance(part, Tree))
    return str(node.children[0])


# --- values -----------------------------------------------------------------------------------------


class Unknown:
    """A value only known after apply that this renderer does not derive."""

    def __init__(self, what: str) -> None:
        self.what = what

    def __repr__(self) -> str:
        return f"<unknown {self.what}>"


@dataclass
class Provider:
    account: str
    region: str
    partition: str = "aws"


# --- module instances -------------------------------------------------------------------------------


@dataclass
class Resource:
    """One instance of a managed resource or data source, with its evaluated attributes on demand."""

    module: ModuleInstance
    block: Block
    mode: str  # "managed" | "data"
    key: Any = None  # count index or for_each key
    each_value: Any = None

    @property
    def type(self) -> str:
        return self.block.labels[0]

    @property
    def name(self) -> str:
        return self.block.labels[1]

    @property
    def address(self) -> str:
        prefix = "data." if self.mode == "data" else ""
        suffix = "" if self.key is None else f"[{json.dumps(self.key)}]"
        return f"{self.module.path}{prefix}{self.type}.{self.name}{suffix}"

    def env(self) -> dict[str, Any]:
        env: dict[str, Any] = {}
        if isinstance(self.key, int) and "count" in self.block.attributes:
            env["count"] = {"index": self.key}
        if "for_each" in self.block.attributes:
            env["each"] = {"key": self.key, "value": self.each_value}
        return env

    def argument(self, name: str) -> Any:
        expression = self.block.attributes.get(name)
        return None if expression is None else self.module.evaluate(expression, self.env())

    def attribute(self, name: str) -> Any:
        computed = COMPUTED.get((self.mode, self.type))
        if computed is not None:
            value = computed(self, name)
            if value is not _NOT_COMPUTED:
                return value
        if name in self.block.attributes:
            return self.argument(name)
        if name in ("id", "arn"):
            raise RenderError(f"{self.address}.{name}: not derived by the renderer")
        return Unknown(f"{self.address}.{name}")

    @property
    def provider(self) -> Provider:
        return self.module.provider_for(self.block)


_NOT_COMPUTED = object()


@dataclass(frozen=True)
class _Lazy:
    module: ModuleInstance
    expression: Tree


class ModuleInstance:
    """A root or child module: its blocks, input values and providers."""

    def __init__(
        self,
        directory: Path,
        *,
        inputs: dict[str, Any] | None = None,
        providers: dict[str, Provider] | None = None,
        path: str = "",
        parent: ModuleInstance | None = None,
    ) -> None:
        self.directory = directory
        self.blocks = parse_dir(directory)
        self.inputs = inputs or {}
        self.path = path
        self.parent = parent
        self._locals: dict[str, Any] = {}
        self._variables: dict[str, Any] = {}
        self._modules: dict[str, ModuleInstance] = {}
        self._resources: dict[tuple[str, str, str], list[Resource]] = {}
        self.providers = providers if providers is not None else self._root_providers()

    # blocks by kind
    def _blocks(self, kind: str) -> Iterator[Block]:
        return (b for b in self.blocks if b.type == kind)

    def variable_block(self, name: str) -> Block:
        found = next((b for b in self._blocks("variable") if b.labels[0] == name), None)
        if found is None:
            raise RenderError(f"{self.directory}: no variable {name!r}")
        return found

    def variable(self, name: str) -> Any:
        if name not in self._variables:
            block = self.variable_block(name)
            if name in self.inputs:
                value = self.inputs[name]
                if isinstance(value, _Lazy):
                    value = value.module.evaluate(value.expression)
            elif "default" in block.attributes:
                value = self.evaluate(block.attributes["default"])
            else:
                raise RenderError(f"{self.directory}: variable {name!r} has no value")
            if "type" in block.attributes:
                value = convert(self, block.attributes["type"], value)
            self._variables[name] = value
        return self._variables[name]

    def local(self, name: str) -> Any:
        if name not in self._locals:
            for block in self._blocks("locals"):
                if name in block.attributes:
                    self._locals[name] = self.evaluate(block.attributes[name])
                    break
            else:
                raise RenderError(f"{self.directory}: no local {name!r}")
        return self._locals[name]

    def module(self, name: str) -> ModuleInstance:
        if name not in self._modules:
            block = next((b for b in self._blocks("module") if b.labels[0] == name), None)
            if block is None:
                raise RenderError(f"{self.directory}: no module {name!r}")
            source = self.evaluate(block.attributes["source"])
            # evaluated when the child reads them: modules may refer to each other's outputs
            inputs = {
                k: _Lazy(self, v)
                for k, v in block.attributes.items()
                if k not in ("source", "providers", "version")
            }
            providers = dict(self.providers)
            if "providers" in block.attributes:
                for child_name, reference in _provider_map(block.attributes["providers"]).items():
                    providers[child_name] = self.providers[reference]
            self._modules[name] = ModuleInstance(
                (self.directory / source).resolve(),
                inputs=inputs,
                providers=providers,
                path=f"{self.path}module.{name}.",
                parent=self,
            )
        return self._modules[name]

    def modules(self) -> list[ModuleInstance]:
        return [self.module(b.labels[0]) for b in self._blocks("module")]

    def resources(self, mode: str, rtype: str, name: str) -> list[Resource]:
        key = (mode, rtype, name)
        if key not in self._resources:
            kind = "resource" if mode == "managed" else "data"
            block = next(
                (b for b in self._blocks(kind) if b.labels == (rtype, name)),
                None,
            )
            if block is None:
                raise RenderError(f"{self.directory}: no {kind} {rtype}.{name}")
            self._resources[key] = self._instances(block, mode)
        return self._resources[key]

    def all_resources(self, mode: str = "managed") -> list[Resource]:
        kind = "resource" if mode == "managed" else "data"
        found: list[Resource] = []
        for block in self._blocks(kind):
            found += self.resources(mode, block.labels[0], block.labels[1])
        return found

    def _instances(self, block: Block, mode: str) -> list[Resource]:
        if "count" in block.attributes:
            count = self.evaluate(block.attributes["count"])
            return [Resource(self, block, mode, key=i) for i in range(int(count))]
        if "for_each" in block.attributes:
            collection = self.evaluate(block.attributes["for_each"])
            items = collection.items() if isinstance(collection, dict) else ((v, v) for v in collection)
            return [Resource(self, block, mode, key=k, each_value=v) for k, v in items]
        return [Resource(self, block, mode)]

    # providers
    def _root_providers(self) -> dict[str, Provider]:
        providers: dict[str, Provider] = {}
        for block in self._blocks("provider"):
            alias = self.evaluate(block.attributes["alias"]) if "alias" in block.attributes else None
            name = block.labels[0] if alias is None else f"{block.labels[0]}.{alias}"
            accounts = (
                self.evaluate(block.attributes["allowed_account_ids"])
                if "allowed_account_ids" in block.attributes
                else [DEFAULT_ACCOUNT]
            )
            region = (
                self.evaluate(block.attributes["region"]) if "region" in block.attributes else DEFAULT_REGION
            )
            providers[name] = Provider(account=str(accounts[0]), region=str(region))
        providers.setdefault("aws", Provider(DEFAULT_ACCOUNT, DEFAULT_REGION))
        return providers

    def provider_for(self, block: Block) -> Provider:
        if "provider" in block.attributes:
            return self.providers[_reference_text(block.attributes["provider"])]
        return self.providers["aws"]

    # expressions
    def evaluate(self, expression: Tree, env: dict[str, Any] | None = None) -> Any:
        return Evaluator(self, env or {}).eval(expression)


def _provider_map(expression: Tree) -> dict[str, str]:
    """`providers = { aws = aws.dev }`: the child's provider name -> the parent's, as text."""
    obj = _find(expression, "object")
    mapping: dict[str, str] = {}
    for elem in (c for c in obj.children if isinstance(c, Tree) and c.data == "object_elem"):
        key, value = (c for c in elem.children if isinstance(c, Tree))
        mapping[_reference_text(key)] = _reference_text(value)
    return mapping


def _find(tree: Tree, name: str) -> Tree:
    if tree.data == name:
        return tree
    return next(t for t in tree.iter_subtrees_topdown() if t.data == name)


def _reference_text(tree: Tree) -> str:
    return ".".join(str(t) for t in tree.scan_values(lambda v: isinstance(v, Token) and v.type == "NAME"))


# --- the expression evaluator ------------------------------------------------------------------------


class Namespace:
    """A name whose attributes are looked up lazily: var, local, module, data, a resource type..."""

    def __init__(self, get: Callable[[str], Any], what: str) -> None:
        self._get = get
        self.what = what

    def attr(self, name: str) -> Any:
        return self._get(name)


class Evaluator:
    def __init__(self, module: ModuleInstance, env: dict[str, Any]) -> None:
        self.module = module
        self.env = env

    def eval(self, node: Any) -> Any:
        if isinstance(node, Token):
            raise RenderError(f"unexpected token {node!r}")
        method = getattr(self, f"_{node.data}", None)
        if method is None:
            raise RenderError(f"unsupported expression {node.data} in {self.module.directory}")
        return method(node)

    def _subtrees(self, node: Tree) -> list[Tree]:
        return [c for c in node.children if isinstance(c, Tree) and c.data != "new_line_or_comment"]

    def _expr_term(self, node: Tree) -> Any:
        (inner,) = self._subtrees(node)
        return self.eval(inner)

    def _int_lit(self, node: Tree) -> int:
        return int(str(node.children[0]))

    def _float_lit(self, node: Tree) -> float:
        return float(str(node.children[0]))

    def _literal_value(self, node: Tree) -> Any:
        return {"true": True, "false": False, "null": None}[str(node.children[0])]

    def _string(self, node: Tree) -> Any:
        parts: list[Any] = []
        for part in (c for c in node.children if isinstance(c, Tree)):
            (piece,) = part.children
            if isinstance(piece, Token) and piece.type == "STRING_CHARS":
                parts.append(_unescape(str(piece)))
            elif isinstance(piece, Token) and piece.type == "ESCAPED_INTERPOLATION":
                parts.append(str(piece)[1:])
            elif isinstance(piece, Tree) and piece.data == "interpolation":
                (expression,) = self._subtrees(piece)
                value = self.eval(expression)
                if len([p for p in node.children if isinstance(p, Tree)]) == 1:
                    return value  # "${x}" is x itself, of any type
                parts.append(_to_text(value))
            else:
                raise RenderError(f"template directives are not supported: {piece!r}")
        if any(isinstance(p, Unknown) for p in parts):
            return Unknown("template")
        return "".join(parts)

    def _heredoc_template(self, node: Tree) -> str:
        return _heredoc(str(node.children[0]), trim=False)

    def _heredoc_template_trim(self, node: Tree) -> str:
        return _heredoc(str(node.children[0]), trim=True)

    def _tuple(self, node: Tree) -> list[Any]:
        return [self.eval(c) for c in self._subtrees(node)]

    def _object(self, node: Tree) -> dict[str, Any]:
        result: dict[str, Any] = {}
        for elem in self._subtrees(node):
            key_node, value_node = self._subtrees(elem)
            (key_expression,) = self._subtrees(key_node) or [key_node]
            result[self._key(key_expression)] = self.eval(value_node)
        return result

    def _key(self, node: Tree) -> str:
        # { AWS = ... }: a bare name is the key itself, not a reference
        if node.data == "expr_term":
            (inner,) = self._subtrees(node)
            if inner.data == "identifier":
                return str(inner.children[0])
        if node.data == "identifier":
            return str(node.children[0])
        return _to_text(self.eval(node))

    def _identifier(self, node: Tree) -> Any:
        name = str(node.children[0])
        if name in self.env:
            return self.env[name]
        module = self.module
        if name == "var":
            return Namespace(module.variable, "var")
        if name == "local":
            return Namespace(module.local, "local")
        if name == "module":
            return Namespace(
                lambda n: Namespace(lambda out: _module_output(module.module(n), out), f"module.{n}"),
                "module",
            )
        if name == "data":
            return Namespace(
                lambda t: Namespace(lambda n: _instances_value(module.resources("data", t, n)), f"data.{t}"),
                "data",
            )
        if name == "path":
            return {"module": str(module.directory), "root": str(module.directory)}
        if "_" in name:  # a resource type
            return Namespace(lambda n: _instances_value(module.resources("managed", name, n)), name)
        raise RenderError(f"unknown name {name!r} in {module.directory}")

    def _get_attr_expr_term(self, node: Tree) -> Any:
        target, get_attr = self._subtrees(node)
        value = self.eval(target)
        name_node = self._subtrees(get_attr)[0]
        return _get(value, str(name_node.children[0]))

    def _index_expr_term(self, node: Tree) -> Any:
        target, index = self._subtrees(node)
        value = self.eval(target)
        if index.data == "short_index":
            key: Any = int(str(index.children[-1]))
        else:
            (expression,) = self._subtrees(index)
            key = self.eval(expression)
        if isinstance(value, Unknown):
            return value
        if isinstance(value, list):
            return value[int(key)]
        if isinstance(value, dict):
            return value[key]
        raise RenderError(f"cannot index {value!r} with {key!r}")

    def _function_call(self, node: Tree) -> Any:
        parts = self._subtrees(node)
        name = str(parts[0].children[0])
        if name in ("can", "try"):
            return self._guarded(name, parts)
        arguments = [self.eval(a) for a in self._subtrees(parts[1])] if len(parts) > 1 else []
        expand = any(isinstance(c, Token) and c.type == "ELLIPSIS" for p in parts[1:] for c in p.children)
        if expand:
            arguments = arguments[:-1] + list(arguments[-1])
        function = FUNCTIONS.get(name)
        if function is None:
            raise RenderError(f"function {name}() is not supported by the renderer")
        if any(isinstance(a, Unknown) for a in arguments):
            return Unknown(f"{name}()")
        return function(*arguments)

    def _guarded(self, name: str, parts: list[Tree]) -> Any:
        expressions = self._subtrees(parts[1])
        for expression in expressions:
            try:
                value = self.eval(expression)
            except (RenderError, ValueError, KeyError, IndexError, TypeError, re.error):
                continue
            if isinstance(value, Unknown):
                return value
            return True if name == "can" else value
        if name == "can":
            return False
        raise RenderError("try(): no argument succeeded")

    def _conditional(self, node: Tree) -> Any:
        condition, yes, no = self._subtrees(node)
        test = self.eval(condition)
        if isinstance(test, Unknown):
            return test
        return self.eval(yes) if test else self.eval(no)

    def _binary_op(self, node: Tree) -> Any:
        left, term = self._subtrees(node)
        operator_node, right = self._subtrees(term)
        operator = str(operator_node.children[0])
        a = self.eval(left)
        if operator == "&&" and a is False:
            return False
        if operator == "||" and a is True:
            return True
        b = self.eval(right)
        if isinstance(a, Unknown) or isinstance(b, Unknown):
            return Unknown(operator)
        return BINARY[operator](a, b)

    def _unary_op(self, node: Tree) -> Any:
        operator = str(node.children[0])
        value = self.eval(self._subtrees(node)[0])
        return (not value) if operator == "!" else -value

    def _for_tuple_expr(self, node: Tree) -> list[Any]:
        intro, *rest = self._subtrees(node)
        names, collection = self._for_intro(intro)
        value_expression = rest[0]
        condition = rest[1] if len(rest) > 1 else None
        result = []
        for bindings in _bindings(names, collection):
            inner = Evaluator(self.module, {**self.env, **bindings})
            if condition is None or inner.eval(self._subtrees(condition)[0]):
                result.append(inner.eval(value_expression))
        return result

    def _for_object_expr(self, node: Tree) -> dict[str, Any]:
        intro, *rest = self._subtrees(node)
        names, collection = self._for_intro(intro)
        key_expression, value_expression = rest[0], rest[1]
        condition = rest[2] if len(rest) > 2 else None
        result: dict[str, Any] = {}
        for bindings in _bindings(names, collection):
            inner = Evaluator(self.module, {**self.env, **bindings})
            if condition is None or inner.eval(self._subtrees(condition)[0]):
                result[_to_text(inner.eval(key_expression))] = inner.eval(value_expression)
        return result

    def _for_intro(self, node: Tree) -> tuple[list[str], Any]:
        parts = self._subtrees(node)
        names = [str(p.children[0]) for p in parts if p.data == "identifier"]
        return names, self.eval(parts[-1])


def _bindings(names: list[str], collection: Any) -> Iterator[dict[str, Any]]:
    pairs = list(collection.items()) if isinstance(collection, dict) else list(enumerate(collection))
    for key, value in pairs:
        if len(names) == 1:
            yield {names[0]: value}
        else:
            yield {names[0]: key, names[1]: value}


def _get(value: Any, name: str) -> Any:
    if isinstance(value, Namespace):
        return value.attr(name)
    if isinstance(value, Resource):
        return value.attribute(name)
    if isinstance(value, Unknown):
        return value
    if isinstance(value, dict):
        if name not in value:
            raise RenderError(f"object has no attribute {name!r}: {sorted(value)}")
        return value[name]
    raise RenderError(f"cannot read .{name} of {value!r}")


def _instances_value(instances: list[Resource]) -> Any:
    """`aws_x.y`: the instance itself, or a list / map of instances with count / for_each."""
    if not instances:
        return []
    first = instances[0]
    if "count" in first.block.attributes:
        return instances
    if "for_each" in first.block.attributes:
        return {r.key: r for r in instances}
    return first


def _module_output(module: ModuleInstance, name: str) -> Any:
    block = next((b for b in module.blocks if b.type == "output" and b.labels[0] == name), None)
    if block is None:
        raise RenderError(f"{module.directory}: no output {name!r}")
    return module.evaluate(block.attributes["value"])


def _unescape(text: str) -> str:
    return json.loads(f'"{text}"') if "\\" in text else text


def _heredoc(text: str, *, trim: bool) -> str:
    lines = text.split("\n")[1:-2]
    if trim:
        indent = min((len(line) - len(line.lstrip()) for line in lines if line.strip()), default=0)
        lines = [line[indent:] for line in lines]
    body = "\n".join(lines) + "\n"
    if "${" in body.replace("$${", ""):
        raise RenderError("interpolation in heredocs is not supported by the renderer")
    return body.replace("$${", "${")


def _to_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, str | int | float):
        return str(value)
    if isinstance(value, Unknown):
        raise RenderError(f"{value!r} used in a string")
    raise RenderError(f"cannot use {value!r} in a string")


def _jsonencode(value: Any) -> str:
    def plain(v: Any) -> Any:
        if isinstance(v, Unknown):
            raise RenderError(f"{v!r} in jsonencode()")
        if isinstance(v, dict):
            return {str(k): plain(x) for k, x in v.items()}
        if isinstance(v, list | tuple | set | frozenset):
            return [plain(x) for x in v]
        return v

    return json.dumps(plain(value), separators=(",", ":"))


def _flatten(value: list[Any]) -> list[Any]:
    out: list[Any] = []
    for item in value:
        out += _flatten(item) if isinstance(item, list) else [item]
    return out


def _regex(pattern: str, text: str) -> Any:
    match = re.search(pattern, text)
    if match is None:
        raise ValueError(f"regex {pattern!r} does not match {text!r}")
    if match.groupdict():
        return match.groupdict()
    return list(match.groups()) if match.groups() else match.group(0)


FUNCTIONS: dict[str, Callable[..., Any]] = {
    "jsonencode": _jsonencode,
    "jsondecode": json.loads,
    "concat": lambda *lists: [x for lst in lists for x in lst],
    "flatten": _flatten,
    "merge": lambda *maps: {k: v for m in maps for k, v in m.items()},
    "length": len,
    "keys": lambda m: sorted(m),
    "values": lambda m: [m[k] for k in sorted(m)],
    "toset": lambda xs: sorted(set(xs), key=str),
    "tolist": list,
    "tomap": dict,
    "distinct": lambda xs: list(dict.fromkeys(xs)),
    "compact": lambda xs: [x for x in xs if x not in (None, "")],
    "contains": lambda xs, x: x in xs,
    "coalesce": lambda *xs: next(x for x in xs if x not in (None, "")),
    "format": lambda f, *a: re.sub(r"%[sdv]", "{}", f).format(*a),
    "join": lambda sep, xs: sep.join(xs),
    "split": lambda sep, s: s.split(sep),
    "replace": lambda s, old, new: s.replace(old, new),
    "trimprefix": lambda s, p: s[len(p) :] if s.startswith(p) else s,
    "trimsuffix": lambda s, p: s[: -len(p)] if p and s.endswith(p) else s,
    "lower": str.lower,
    "upper": str.upper,
    "title": str.title,
    "dirname": lambda p: p.rsplit("/", 1)[0] if "/" in p else ".",
    "basename": lambda p: p.rsplit("/", 1)[-1],
    "regex": _regex,
    "alltrue": lambda xs: all(xs),
    "anytrue": lambda xs: any(xs),
    "startswith": lambda s, p: s.startswith(p),
    "endswith": lambda s, p: s.endswith(p),
    "cidrnetmask": lambda c: c,
    "cidrsubnet": lambda c, *a: c,
    "sort": sorted,
    "lookup": lambda m, k, *d: m.get(k, d[0] if d else None),
    "one": lambda xs: xs[0] if xs else None,
    "tostring": _to_text,
    "tonumber": float,
}

BINARY: dict[str, Callable[[Any, Any], Any]] = {
    "==": lambda a, b: a == b,
    "!=": lambda a, b: a != b,
    "<": lambda a, b: a < b,
    ">": lambda a, b: a > b,
    "<=": lambda a, b: a <= b,
    ">=": lambda a, b: a >= b,
    "+": lambda a, b: a + b,
    "-": lambda a, b: a - b,
    "*": lambda a, b: a * b,
    "/": lambda a, b: a / b,
    "%": lambda a, b: a % b,
    "&&": lambda a, b: bool(a and b),
    "||": lambda a, b: bool(a or b),
}


def convert(module: ModuleInstance, type_expression: Tree, value: Any) -> Any:
    """Apply a variable's type to its value: optional() attribute defaults of object types (>= 1.3)."""
    return _convert(module, type_expression, value)


def _call(node: Tree) -> tuple[str, list[Tree]] | None:
    """The outermost type constructor of a type expression: ("map", [argument]) ...; None for `string`."""
    call = next((t for t in node.iter_subtrees_topdown() if t.data in ("function_call", "identifier")), None)
    if call is None or call.data != "function_call":
        return None
    parts = [c for c in call.children if isinstance(c, Tree) and c.data != "new_line_or_comment"]
    arguments = (
        [a for a in parts[1].children if isinstance(a, Tree) and a.data != "new_line_or_comment"]
        if len(parts) > 1
        else []
    )
    return str(parts[0].children[0]), arguments


def _convert(module: ModuleInstance, node: Tree, value: Any) -> Any:
    call = _call(node)
    if call is None or value is None:
        return value
    name, arguments = call
    if name == "optional":
        return _convert(module, arguments[0], value)
    if name in ("list", "set") and isinstance(value, list):
        return [_convert(module, arguments[0], v) for v in value]
    if name == "map" and isinstance(value, dict):
        return {k: _convert(module, arguments[0], v) for k, v in value.items()}
    if name == "object" and isinstance(value, dict):
        result = dict(value)
        attributes = _find(arguments[0], "object")
        for elem in (c for c in attributes.children if isinstance(c, Tree) and c.data == "object_elem"):
            key_node, type_node = (c for c in elem.children if isinstance(c, Tree))
            key = _reference_text(key_node)
            if key in result:
                result[key] = _convert(module, type_node, result[key])
                continue
            inner = _call(type_node)
            if inner is not None and inner[0] == "optional" and len(inner[1]) > 1:
                result[key] = _convert(module, inner[1][0], module.evaluate(inner[1][1]))
            else:
                result[key] = None
        return result
    return value


# --- attributes AWS computes ---------------------------------------------------------------------------


def _uuid(seed: str) -> str:
    digest = hashlib.sha256(seed.encode()).hexdigest()
    return f"{digest[:8]}-{digest[8:12]}-{digest[12:16]}-{digest[16:20]}-{digest[20:32]}"


def _computed(resource: Resource, name: str) -> Any:
    p = resource.provider
    arn = f"arn:{p.partition}"
    rtype = resource.type
    if resource.mode == "data":
        if rtype == "aws_caller_identity" and name == "account_id":
            return p.account
        if rtype == "aws_region" and name in ("name", "region", "id"):
            return p.region
        if rtype == "aws_partition" and name == "partition":
            return p.partition
        if rtype == "aws_iam_policy_document" and name in ("json", "minified_json"):
            return policy_document_json(resource)
        return _NOT_COMPUTED
    if rtype == "aws_iam_role":
        role_name, path = resource.argument("name"), resource.argument("path") or "/"
        return {
            "arn": f"{arn}:iam::{p.account}:role{path}{role_name}",
            "id": role_name,
            "name": role_name,
        }.get(name, _NOT_COMPUTED)
    if rtype == "aws_iam_openid_connect_provider" and name in ("arn", "id"):
        host = str(resource.argument("url")).removeprefix("https://")
        return f"{arn}:iam::{p.account}:oidc-provider/{host}"
    if rtype == "aws_s3_bucket":
        bucket = resource.argument("bucket")
        return {"arn": f"{arn}:s3:::{bucket}", "id": bucket, "bucket": bucket}.get(name, _NOT_COMPUTED)
    if rtype == "aws_dynamodb_table":
        table = resource.argument("name")
        return {"arn": f"{arn}:dynamodb:{p.region}:{p.account}:table/{table}", "id": table}.get(
            name, _NOT_COMPUTED
        )
    if rtype == "aws_kms_key":
        key_id = _uuid(resource.address)
        return {"arn": f"{arn}:kms:{p.region}:{p.account}:key/{key_id}", "key_id": key_id, "id": key_id}.get(
            name, _NOT_COMPUTED
        )
    if rtype == "aws_sns_topic" and name in ("arn", "id"):
        return f"{arn}:sns:{p.region}:{p.account}:{resource.argument('name')}"
    if rtype == "aws_cloudwatch_event_rule":
        rule = resource.argument("name")
        return {"arn": f"{arn}:events:{p.region}:{p.account}:rule/{rule}", "id": rule, "name": rule}.get(
            name, _NOT_COMPUTED
        )
    if rtype == "aws_cloudtrail" and name in ("arn", "id"):
        return f"{arn}:cloudtrail:{p.region}:{p.account}:trail/{resource.argument('name')}"
    return _NOT_COMPUTED


COMPUTED: dict[tuple[str, str], Callable[[Resource, str], Any]] = {}
for _mode, _types in (
    ("data", ("aws_caller_identity", "aws_region", "aws_partition", "aws_iam_policy_document")),
    (
        "managed",
        (
            "aws_iam_role",
            "aws_iam_openid_connect_provider",
            "aws_s3_bucket",
            "aws_dynamodb_table",
            "aws_kms_key",
            "aws_sns_topic",
            "aws_cloudwatch_event_rule",
            "aws_cloudtrail",
        ),
    ),
):
    for _type in _types:
        COMPUTED[(_mode, _type)] = _computed


def policy_document_json(resource: Resource) -> str:
    """What the aws_iam_policy_document data source renders: statement, principals and condition blocks
    (dynamic blocks included) to an IAM JSON document."""
    statements = []
    for block, env in _expand(resource, resource.block, "statement", resource.env()):
        statements.append(_statement(resource.module, block, env))
    version = resource.argument("version") or "2012-10-17"
    return json.dumps({"Version": version, "Statement": statements})


def _expand(
    resource: Resource, parent: Block, kind: str, env: dict[str, Any]
) -> Iterator[tuple[Block, dict[str, Any]]]:
    for block in parent.blocks:
        if block.type == kind:
            yield block, env
        elif block.type == "dynamic" and block.labels[0] == kind:
            collection = resource.module.evaluate(block.attributes["for_each"], env)
            iterator = kind
            content = block.child("content")
            assert content is not None
            items = collection.items() if isinstance(collection, dict) else enumerate(collection)
            for key, value in items:
                yield content, {**env, iterator: {"key": key, "value": value}}


def _statement(module: ModuleInstance, block: Block, env: dict[str, Any]) -> dict[str, Any]:
    def get(name: str) -> Any:
        return module.evaluate(block.attributes[name], env) if name in block.attributes else None

    statement: dict[str, Any] = {}
    if get("sid"):
        statement["Sid"] = get("sid")
    statement["Effect"] = get("effect") or "Allow"
    for attribute, element in (
        ("actions", "Action"),
        ("not_actions", "NotAction"),
        ("resources", "Resource"),
        ("not_resources", "NotResource"),
    ):
        value = get(attribute)
        if value:
            statement[element] = list(value)
    fake = Resource(module, block, "data")
    for kind, element in (("principals", "Principal"), ("not_principals", "NotPrincipal")):
        principals: dict[str, list[str]] = {}
        for principal, penv in _expand(fake, block, kind, env):
            ptype = module.evaluate(principal.attributes["type"], penv)
            identifiers = module.evaluate(principal.attributes["identifiers"], penv)
            principals.setdefault(ptype, []).extend(identifiers)
        if principals:
            statement[element] = "*" if principals == {"*": ["*"]} else principals
    conditions: dict[str, dict[str, list[str]]] = {}
    for condition, cenv in _expand(fake, block, "condition", env):
        test = module.evaluate(condition.attributes["test"], cenv)
        variable = module.evaluate(condition.attributes["variable"], cenv)
        values = module.evaluate(condition.attributes["values"], cenv)
        conditions.setdefault(test, {}).setdefault(variable, []).extend(values)
    if conditions:
        statement["Condition"] = conditions
    return statement


def validation_errors(directory: Path, variable: str, value: Any, **inputs: Any) -> list[str]:
    """The error messages of `variable`'s validation blocks that `value` fails, as `terraform plan`
    would report them (a validation condition reads only its own variable)."""
    module = ModuleInstance(
        directory,
        inputs={**inputs, variable: value},
        providers={"aws": Provider(DEFAULT_ACCOUNT, DEFAULT_REGION)},
    )
    block = module.variable_block(variable)
    errors = []
    for validation in block.children("validation"):
        try:
            ok = module.evaluate(validation.attributes["condition"])
        except (RenderError, ValueError, KeyError, IndexError, TypeError) as exc:
            ok = False  # Terraform reports an invalid condition as an error too
            message = f"condition failed to evaluate: {exc}"
        else:
            message = module.evaluate(validation.attributes["error_message"])
        if not ok:
            errors.append(str(message))
    return errors
