"""One escaping function per output medium, and the types that mark text as already escaped.

Every string a plan carries (addresses, for_each keys, map keys, attribute paths and values, rule
messages that quote them) is written by whoever opens the merge request. Each medium has exactly one
function that makes such a string inert in it, and each renderer is built so that a string cannot
reach the output without passing through it:

| medium | function | how a forgotten call is caught |
|---|---|---|
| markdown note | `markdown(value, context)` returns `Markdown` | the note's Jinja environment `finalize`s every `{{ }}` that is not `Markdown` through `markdown(value, "text")` |
| terminal (rich) | `console(value)` returns a rich `Text` | the text report's console has markup, emoji and highlighting off, so a plain `str` is printed literally |
| JUnit XML | `xml(value)` | ElementTree escapes `<`, `&` and quotes; `xml` removes what XML 1.0 cannot carry at all |
| SARIF, Code Quality JSON | `json_text(value)` | orjson escapes the JSON syntax; `json_text` neutralises what a viewer would interpret |
| HTML report | Jinja autoescape + `visible` as `finalize`; `script_json(data)` for the inline data | autoescape is on for every template |

`visible` is the common core: control characters (C0, C1, DEL), bidirectional overrides (the
"Trojan Source" characters), line and paragraph separators, lone surrogates and non-characters are
shown as backslash escapes (`\\n`, `\\x1b`, `\\u202e`), so nothing can move the cursor, recolour a
terminal, start a new line in a one-line context, reorder what a reviewer reads or make a file
unencodable.
"""

from __future__ import annotations

import re
from typing import Literal

import orjson

__all__ = [
    "Markdown",
    "MarkdownContext",
    "console",
    "fenced_block",
    "json_text",
    "markdown",
    "script_json",
    "visible",
    "xml",
]

_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}
# C0 and C1 controls, DEL, the bidirectional embeddings/overrides/isolates and marks, line and
# paragraph separators, lone surrogates, and the non-characters U+FFFE/U+FFFF.
_INVISIBLE = re.compile(
    "[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069\ud800-\udfff\ufffe\uffff]"
)


def _escape_one(match: re.Match[str]) -> str:
    char = match.group()
    if char in _NAMED:
        return _NAMED[char]
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def visible(value: object) -> str:
    """`value` as one line of inert text: every control or reordering character becomes a visible
    backslash escape. The core of every medium's escaping."""
    return _INVISIBLE.sub(_escape_one, str(value))


# --- markdown (the merge request note, report.md) ------------------------------------------------


class Markdown(str):
    """Markdown source that is safe to place in the note as it is: either escaped by `markdown`
    or written by tfoidc itself. The note's templates print anything else through `markdown`."""

    __slots__ = ()


MarkdownContext = Literal["text", "code", "url"]

# Characters that can open or close a markdown (CommonMark, GFM, GitLab) construct inside a line:
# emphasis, code, links and images, raw HTML and entities, table cells, strikethrough, math. They
# become numeric character references, which markdown shows as the character and never parses, in
# paragraphs, table cells and HTML blocks (<summary>) alike.
# An underscore between two letters or digits can neither open nor close emphasis: left as it is,
# so that names such as aws_s3_bucket stay readable in the note's source.
# A dollar sign followed by a digit can never close GitLab's $...$ math (pandoc's rule), so money
# amounts stay as they are.
_MD_TEXT_SPECIAL = re.compile(r"[\\`*\[\]<>&|~]|\$(?![0-9])|(?<![A-Za-z0-9])_|_(?![A-Za-z0-9])")
_WHITESPACE = re.compile(r"\s+")
_MD_ENTITIES = {"<": "&lt;", ">": "&gt;", "&": "&amp;"}
# What makes a line a block of another kind when it starts it: headings, quotes, lists, rules,
# setext underlines, fences, tables, ordered list numbers.
_MD_BLOCK_START = re.compile(r"^(?:[#>+\-=*_:`~|!]|\d+[.)])")


def _md_entity(match: re.Match[str]) -> str:
    char = match.group()
    return _MD_ENTITIES.get(char) or f"&#{ord(char)};"


def markdown(value: object, context: MarkdownContext = "text") -> Markdown:
    """The one escaping function of the markdown medium. `context` is where the text goes:

    - `"text"`: inline prose, a table cell, a heading, a <summary>: one line (whitespace runs
      collapse to a space, none at either end; a value of only whitespace is shown as escapes),
      every markdown-significant character as a character reference, no
      @mention (GitLab would notify the person named in a tag value) and no bare link;
    - `"code"`: a code span, safe inside a table cell: a backtick run longer than any inside it,
      `|` escaped for the table, line breaks shown as `\\n`;
    - `"url"`: a link destination: percent-encoded so that it cannot end the link.

    Lines inside a fenced code block go through `fenced_block`.
    """
    if isinstance(value, Markdown) and context == "text":
        return value
    if context == "code":
        return Markdown(_code_span(visible(value)))
    if context == "url":
        return Markdown(_url(str(value)))
    raw = str(value)
    text = visible(_WHITESPACE.sub(" ", raw).strip(" "))
    if not text and raw:  # only whitespace: shown, so that `**{{ x }}**` never becomes `** **`
        text = "".join(f"\\x{ord(c):02x}" if ord(c) < 0x100 else f"\\u{ord(c):04x}" for c in raw)
    if _MD_BLOCK_START.match(text):
        text = f"&#{ord(text[0])};{_MD_TEXT_SPECIAL.sub(_md_entity, text[1:])}"
    else:
        text = _MD_TEXT_SPECIAL.sub(_md_entity, text)
    # A word joiner after @ breaks a mention and after :// a bare link; neither shows.
    return Markdown(text.replace("@", "@\u2060").replace("://", ":\u2060//"))


def _code_span(text: str) -> str:
    text = text.replace("|", "\\|")
    longest = max((len(m) for m in re.findall(r"`+", text)), default=0)
    ticks = "`" * (longest + 1)
    # CommonMark strips one space on each side when both are there: pad so that nothing else is.
    pad = " " if text[:1] in ("`", " ") or text[-1:] in ("`", " ") else ""
    return f"{ticks}{pad}{text}{pad}{ticks}" if text else f"{ticks} {ticks}"


def _url(url: str) -> str:
    from urllib.parse import quote

    return quote(visible(url), safe=":/?#@!$&'*+,;=%~.-_")


def fenced_block(lines: list[str], info: str = "", *, indent: str = "") -> Markdown:
    """A fenced code block of `lines` (each shown with `visible`, so none can end a line early),
    with a backtick fence longer than any backtick run inside, indented by `indent` (a list item)."""
    shown = [visible(line) for line in lines]
    longest = max((len(m) for line in shown for m in re.findall(r"`+", line)), default=0)
    fence = "`" * max(3, longest + 1)
    body = "".join(f"{indent}{line}\n" for line in shown)
    return Markdown(f"{fence}{visible(info)}\n{body}{indent}{fence}")


# --- the terminal (rich) ----------------------------------------------------------------------------


def console(value: object, style: str = "") -> object:
    """The one escaping function of the terminal: a rich `Text`, which rich never reads as markup,
    holding `visible(value)`, so no escape sequence reaches the terminal. (Typed `object` so that
    importing this module does not import rich.)"""
    from rich.text import Text

    return Text(visible(value), style=style)


# --- XML (JUnit) ----------------------------------------------------------------------------------


def xml(value: object) -> str:
    """The one escaping function of JUnit XML, before ElementTree (which escapes `<`, `&` and
    quotes): characters XML 1.0 cannot carry at all (most C0 controls, lone surrogates, U+FFFE/F),
    which ElementTree would write as they are and so produce a file no parser accepts, are shown
    with `visible`, as are the other invisible characters."""
    return visible(value)


# --- JSON for viewers (SARIF, Code Quality) -------------------------------------------------------


def json_text(value: object) -> str:
    """The one escaping function of the JSON reports people read through a viewer (SARIF, Code
    Quality): orjson escapes the JSON syntax itself; this keeps escape sequences and reordering
    characters out of the viewer and lone surrogates (which orjson refuses) out of the file."""
    return visible(value)


# --- data inside an HTML <script> -----------------------------------------------------------------


def script_json(data: object) -> str:
    """`data` as JSON that can sit inside `<script type="application/json">`: every `<` is
    `\\u003c`, so neither `</script>` nor `<!--` in a value can end or change the element; the
    caller marks the result safe for Jinja."""
    return orjson.dumps(data).decode().replace("<", "\\u003c")
