"""What tfoidc needs from Terraform files, read with tree-sitter's HCL grammar (never with regexes).

Only top-level blocks are visited: `module` calls and their `source`, `terraform_remote_state` data
sources with their backend settings, and the root's `backend` block. Values are read only when they are
literal strings: `source = "../x"` is known, `key = "${var.env}.tfstate"` is not (None).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any

import orjson

if TYPE_CHECKING:
    from tree_sitter import Node, Parser

# Bump when what is extracted changes: it keys the cache of extracted facts.
FACTS_VERSION = 1


@dataclass(frozen=True, slots=True)
class ModuleCall:
    name: str
    source: str | None  # None: not a literal string

    @property
    def is_local(self) -> bool:
        """Terraform treats only `./` and `../` sources as local paths."""
        return self.source is not None and self.source.startswith(("./", "../"))


@dataclass(frozen=True, slots=True)
class RemoteState:
    """A `data "terraform_remote_state"` block; `config` holds its literal string settings."""

    name: str
    backend: str | None
    config: tuple[tuple[str, str], ...]

    def setting(self, key: str) -> str | None:
        return dict(self.config).get(key)


@dataclass(frozen=True, slots=True)
class Backend:
    type: str
    config: tuple[tuple[str, str], ...]


@dataclass(frozen=True, slots=True)
class FileFacts:
    modules: tuple[ModuleCall, ...] = ()
    remote_states: tuple[RemoteState, ...] = ()
    backend: Backend | None = None
    # 1-based line of the first syntax error, when the file does not parse cleanly.
    syntax_error_line: int | None = None

    def to_json(self) -> list[Any]:
        return [
            [[m.name, m.source] for m in self.modules],
            [[r.name, r.backend, [list(kv) for kv in r.config]] for r in self.remote_states],
            None if self.backend is None else [self.backend.type, [list(kv) for kv in self.backend.config]],
            self.syntax_error_line,
        ]

    @staticmethod
    def from_json(data: list[Any]) -> FileFacts:
        modules, states, backend, error = data
        return FileFacts(
            modules=tuple(ModuleCall(n, s) for n, s in modules),
            remote_states=tuple(RemoteState(n, b, tuple((k, v) for k, v in c)) for n, b, c in states),
            backend=None if backend is None else Backend(backend[0], tuple((k, v) for k, v in backend[1])),
            syntax_error_line=error,
        )


EMPTY = FileFacts()


def read_facts(path: str, source: bytes) -> FileFacts:
    """The facts of one file: `.tf` through tree-sitter, `.tf.json` through its JSON form."""
    if path.endswith(".tf.json"):
        return _json_facts(source)
    return _hcl_facts(source)


@cache
def _parser() -> Parser:
    import tree_sitter_hcl
    from tree_sitter import Language, Parser

    return Parser(Language(tree_sitter_hcl.language()))


def _hcl_facts(source: bytes) -> FileFacts:
    root = _parser().parse(source).root_node
    modules: list[ModuleCall] = []
    states: list[RemoteState] = []
    backend: Backend | None = None
    for body in root.children:
        if body.type != "body":
            continue
        for block in body.children:
            if block.type != "block":
                continue
            kind, labels, inner = _block_parts(block)
            if kind == "module" and labels:
                modules.append(ModuleCall(labels[0], _literal(_attribute(inner, "source"))))
            elif kind == "data" and labels[:1] == ["terraform_remote_state"] and len(labels) > 1:
                states.append(_remote_state(labels[1], inner))
            elif kind == "terraform" and inner is not None:
                backend = _backend(inner) or backend
    return FileFacts(
        modules=tuple(modules),
        remote_states=tuple(states),
        backend=backend,
        syntax_error_line=_first_error_line(root) if root.has_error else None,
    )


def _block_parts(block: Node) -> tuple[str, list[str], Node | None]:
    kind = ""
    labels: list[str] = []
    inner: Node | None = None
    for child in block.children:
        t = child.type
        if t == "identifier" and not kind:
            kind = _text(child)
        elif t == "string_lit":
            labels.append(_string_lit(child) or "")
        elif t == "identifier":
            labels.append(_text(child))
        elif t == "body":
            inner = child
    return kind, labels, inner


def _attribute(body: Node | None, name: str) -> Node | None:
    """The expression of attribute `name` directly in `body`."""
    if body is None:
        return None
    for child in body.children:
        if child.type == "attribute":
            ident = child.children[0] if child.children else None
            if ident is not None and ident.type == "identifier" and _text(ident) == name:
                return next((c for c in child.children if c.type == "expression"), None)
    return None


def _literal(expression: Node | None) -> str | None:
    """The value of an expression that is one literal string (a template without interpolation)."""
    if expression is None:
        return None
    node = expression
    while node.type in ("expression", "literal_value", "template_expr", "quoted_template") and (
        node.named_child_count == 1 or node.type in ("string_lit", "quoted_template")
    ):
        if node.type == "quoted_template":
            break
        node = node.named_children[0]
    if node.type in ("string_lit", "quoted_template"):
        return _string_lit(node)
    return None


def _string_lit(node: Node) -> str | None:
    parts: list[str] = []
    for child in node.children:
        if child.type == "template_literal":
            parts.append(_unescape(_text(child)))
        elif child.type not in ("quoted_template_start", "quoted_template_end"):
            return None  # an interpolation or directive: not a literal
    return "".join(parts)


_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\"}


def _unescape(text: str) -> str:
    if "\\" not in text:
        return text
    out: list[str] = []
    chars = iter(text)
    for ch in chars:
        if ch == "\\":
            nxt = next(chars, "")
            out.append(_ESCAPES.get(nxt, "\\" + nxt))
        else:
            out.append(ch)
    return "".join(out)


def _object_literals(expression: Node | None) -> tuple[tuple[str, str], ...]:
    """`{ key = "literal", ... }`: the elements whose key and value are both literal."""
    if expression is None:
        return ()
    node = expression
    while node.type in ("expression", "collection_value") and node.named_child_count == 1:
        node = node.named_children[0]
    if node.type != "object":
        return ()
    pairs: list[tuple[str, str]] = []
    for elem in node.named_children:
        if elem.type != "object_elem":
            continue
        exprs = [c for c in elem.named_children if c.type == "expression"]
        if len(exprs) != 2:
            continue
        key = _object_key(exprs[0])
        value = _literal(exprs[1])
        if key is not None and value is not None:
            pairs.append((key, value))
    return tuple(sorted(pairs))


def _object_key(expression: Node) -> str | None:
    node = expression
    if node.named_child_count == 1 and node.named_children[0].type == "variable_expr":
        ident = node.named_children[0].named_children
        return _text(ident[0]) if len(ident) == 1 else None
    return _literal(expression)


def _remote_state(name: str, body: Node | None) -> RemoteState:
    return RemoteState(
        name=name,
        backend=_literal(_attribute(body, "backend")),
        config=_object_literals(_attribute(body, "config")),
    )


def _backend(terraform_body: Node) -> Backend | None:
    for block in terraform_body.children:
        if block.type != "block":
            continue
        kind, labels, inner = _block_parts(block)
        if kind == "backend" and labels:
            pairs = []
            for child in inner.children if inner is not None else ():
                if child.type == "attribute" and child.children:
                    value = _literal(next((c for c in child.children if c.type == "expression"), None))
                    if value is not None:
                        pairs.append((_text(child.children[0]), value))
            return Backend(labels[0], tuple(sorted(pairs)))
    return None


def _first_error_line(node: Node) -> int:
    stack = [node]
    while stack:
        current = stack.pop()
        if current.type == "ERROR" or current.is_missing:
            return int(current.start_point[0]) + 1
        stack.extend(reversed([c for c in current.children if c.has_error or c.is_missing]))
    return int(node.start_point[0]) + 1


def _text(node: Node) -> str:
    raw = node.text
    return raw.decode("utf-8", "replace") if raw is not None else ""


def _json_facts(source: bytes) -> FileFacts:
    """Terraform's JSON configuration syntax: the same blocks as objects keyed by their labels."""
    try:
        doc = orjson.loads(source)
    except orjson.JSONDecodeError:
        return FileFacts(syntax_error_line=1)
    if not isinstance(doc, dict):
        return FileFacts(syntax_error_line=1)
    modules = [
        ModuleCall(name, body.get("source") if isinstance(body.get("source"), str) else None)
        for name, body in _json_blocks(doc.get("module"))
    ]
    states = [
        RemoteState(
            name,
            body.get("backend") if isinstance(body.get("backend"), str) else None,
            tuple(sorted((k, v) for k, v in (body.get("config") or {}).items() if isinstance(v, str))),
        )
        for name, body in _json_blocks((doc.get("data") or {}).get("terraform_remote_state"))
        if isinstance(body.get("config") or {}, dict)
    ]
    backend = None
    for _, tf in _json_blocks({"terraform": doc.get("terraform")} if doc.get("terraform") else None):
        for kind, settings in _json_blocks(tf.get("backend")):
            backend = Backend(kind, tuple(sorted((k, v) for k, v in settings.items() if isinstance(v, str))))
    return FileFacts(modules=tuple(modules), remote_states=tuple(states), backend=backend)


def _json_blocks(value: Any) -> list[tuple[str, dict[str, Any]]]:
    """`{"name": {...}}` or `{"name": [{...}]}` as (name, body) pairs."""
    if not isinstance(value, dict):
        return []
    out: list[tuple[str, dict[str, Any]]] = []
    for name, body in value.items():
        for item in body if isinstance(body, list) else [body]:
            if isinstance(item, dict):
                out.append((str(name), item))
    return out
