"""The masking filter every line of a child's output (Terraform, `tfoidc exec`) and every JSON artifact
passes through before it reaches a terminal, a log or a file.

A secret is masked as itself and in the forms it obviously takes on its way out: base64 (standard and
URL-safe, at each of the three alignments it can have inside a longer encoded text), JSON string
escaping and percent-encoding; and, in a stream of lines, split across lines the way Terraform wraps
long values in its diagnostics (`│ ` boxes, indentation). Strings shaped like a credential are masked
whoever produced them: JWTs (GitLab ID tokens), AWS access key ids, GitLab tokens.
"""

from __future__ import annotations

import base64
import json
import re
import urllib.parse
from collections.abc import Iterable
from typing import Any

MASK = "***"

# Shapes that are secret whoever produced them.
_SECRET_SHAPES = re.compile(
    "|".join(
        (
            r"eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]+",  # a JWT
            r"\b(?:AKIA|ASIA)[A-Z0-9]{16}\b",  # an AWS access key id
            # GitLab's prefixed tokens: personal/project/group, OAuth, deploy, runner, CI/CD job, trigger...
            r"\bgl(?:pat|oas|dt|rt|cbt|ptt|ft|imt|agent|soat|ffct|wt)-[0-9A-Za-z_.-]{16,}",
        )
    )
)
# Shorter values would mask ordinary words and numbers and make the output unreadable.
_MIN_LITERAL_LENGTH = 4
# An encoded fragment shorter than this could be ordinary text.
_MIN_FRAGMENT_LENGTH = 8
# What Terraform puts before a wrapped line of a diagnostic: its box and indentation.
_DECORATION = re.compile(r"[ \t│╷╵┃║]*")


def variants(secret: str) -> set[str]:
    """`secret` and its obvious transforms, each long enough to be recognised as it."""
    found = {secret}
    found.add(json.dumps(secret)[1:-1])
    found.add(json.dumps(secret, ensure_ascii=False)[1:-1])
    found.add(urllib.parse.quote(secret, safe=""))
    found.add(urllib.parse.quote_plus(secret, safe=""))
    raw = secret.encode()
    for shift in range(3):
        for fragment in _base64_fragments(raw, shift):
            if len(fragment) >= _MIN_FRAGMENT_LENGTH:
                found.add(fragment)
    return {v for v in found if len(v) >= _MIN_LITERAL_LENGTH}


def _base64_fragments(raw: bytes, shift: int) -> tuple[str, str]:
    """The base64 characters that depend only on `raw` when it starts `shift` bytes into an encoded
    text: whatever precedes or follows it, an encoding of that text contains them."""
    encoded = base64.b64encode(b"\0" * shift + raw).decode().rstrip("=")
    first = -(-8 * shift // 6)  # the first character no prefix bit reaches
    end = 8 * (shift + len(raw)) // 6  # the characters no suffix bit reaches end here
    standard = encoded[first:end]
    return standard, standard.translate(str.maketrans("+/", "-_"))


class Masker:
    """Replaces known secret values (and their variants) and secret-shaped strings by `***`."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        self._secrets = tuple(sorted({s for s in secrets if s and len(s) >= _MIN_LITERAL_LENGTH}))
        literals = sorted({v for s in self._secrets for v in variants(s)}, key=len, reverse=True)
        self._literals = tuple(literals)
        self._pattern = re.compile("|".join(re.escape(s) for s in literals)) if literals else None
        # Where a secret may begin: its first two characters (a lookahead finds them at C speed).
        by_start: dict[str, list[str]] = {}
        for literal in literals:
            by_start.setdefault(literal[:2], []).append(literal)
        self._by_start = {start: tuple(group) for start, group in by_start.items()}
        self._starts = (
            re.compile("(?=(" + "|".join(re.escape(s) for s in sorted(by_start)) + "))") if literals else None
        )
        self._first_chars = frozenset(literal[0] for literal in literals)
        self._longest = len(literals[0]) if literals else 0

    def with_secrets(self, secrets: Iterable[str]) -> Masker:
        return Masker((*self._secrets, *secrets))

    def mask(self, text: str) -> str:
        if self._pattern is not None:
            text = self._pattern.sub(MASK, text)
        return mask_shapes(text)

    def mask_document(self, value: Any) -> Any:
        """`value` (decoded JSON) with every string, and every object key, masked: for the artifacts
        tfoidc writes, so a value the user listed never reaches them even when Terraform does not know
        it is secret. Walking the structure keeps the document valid whatever the secret contains."""
        if isinstance(value, str):
            return self.mask(value)
        if isinstance(value, list):
            return [self.mask_document(v) for v in value]
        if isinstance(value, dict):
            return {self.mask(str(k)): self.mask_document(v) for k, v in value.items()}
        return value

    def stream(self) -> StreamMasker:
        """A filter for a stream of lines that also masks a secret split across lines."""
        return StreamMasker(self)

    def literal_spans(self, text: str) -> list[tuple[int, int]]:
        if self._pattern is None:
            return []
        return [m.span() for m in self._pattern.finditer(text)]

    def pending_start(self, text: str) -> int:
        """The first index from which `text` ends with the beginning of a secret (which the next line
        may complete); len(text) when it does not."""
        end = len(text)
        if self._starts is None or not text:
            return end
        for match in self._starts.finditer(text, max(0, end - self._longest + 1)):
            p = match.start()
            tail = text[p:]
            if any(len(lit) > len(tail) and lit.startswith(tail) for lit in self._by_start[match.group(1)]):
                return p
        return end - 1 if text[-1] in self._first_chars else end


def mask_shapes(text: str) -> str:
    return _SECRET_SHAPES.sub(MASK, text)


class StreamMasker:
    """Masks a stream of lines, also a secret split across lines (Terraform wraps long values across
    `│ ` lines).

    A line that ends with at least the first `HOLD_AT_LEAST` characters of a secret is held back until
    the next line shows whether it continues it, or until the stream goes quiet (`idle`). Lines already
    written still count: their tail is kept, so the continuation of a secret whose first characters went
    out is masked in the next line."""

    HOLD_AT_LEAST = 4

    def __init__(self, masker: Masker) -> None:
        self._masker = masker
        self._held: list[str] = []
        self._carry = ""  # the tail of what was written that may begin a secret, for matching only

    def feed(self, line: str) -> list[str]:
        self._held.append(line)
        return self._release(everything=False)

    def idle(self) -> list[str]:
        """The stream is quiet: nothing is coming to complete a held line."""
        return self._release(everything=True)

    def flush(self) -> list[str]:
        released = self._release(everything=True)
        self._carry = ""
        return released

    def _release(self, *, everything: bool) -> list[str]:
        if not self._held:
            return []
        carry = self._carry
        parts = [_split(line) for line in self._held]
        spans = self._masker.literal_spans(carry + "".join(content for _, content, _ in parts))
        shifted = [(max(a - len(carry), 0), b - len(carry)) for a, b in spans if b > len(carry)]
        if shifted:
            parts = _mask_spans(parts, shifted)
        joined = carry + "".join(content for _, content, _ in parts)
        pending = self._masker.pending_start(joined)
        cut = len(joined)
        if not everything and len(joined) - pending >= self.HOLD_AT_LEAST:
            cut = max(pending, len(carry))
        released: list[str] = []
        offset = len(carry)
        for lead, content, trail in parts:
            if offset + len(content) > cut:
                break
            offset += len(content)
            released.append(mask_shapes(lead + content + trail))
        # Only a tail of what was written that may begin a secret matters to the lines to come.
        self._carry = joined[min(pending, offset) : offset]
        self._held = [lead + content + trail for lead, content, trail in parts[len(released) :]]
        return released


def _split(line: str) -> tuple[str, str, str]:
    """(decoration, content, trailing whitespace) of a line."""
    match = _DECORATION.match(line)
    start = match.end() if match else 0
    body = line[start:]
    content = body.rstrip()
    return line[:start], content, body[len(content) :]


def _mask_spans(
    parts: list[tuple[str, str, str]], spans: list[tuple[int, int]]
) -> list[tuple[str, str, str]]:
    """Replace the characters each span covers in the joined contents, line by line, by MASK."""
    masked: list[tuple[str, str, str]] = []
    offset = 0
    for lead, content, trail in parts:
        start, end = offset, offset + len(content)
        pieces: list[str] = []
        position = start
        for span_start, span_end in spans:
            lo, hi = max(span_start, start), min(span_end, end)
            if lo >= hi:
                continue
            pieces.append(content[position - start : lo - start])
            pieces.append(MASK)
            position = hi
        pieces.append(content[position - start :])
        masked.append((lead, "".join(pieces), trail))
        offset = end
    return masked
