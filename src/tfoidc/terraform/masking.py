"""The masking filter every line of Terraform output passes through before it reaches a terminal or log."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

MASK = "***"

# Shapes that are secret whoever produced them: JWTs (GitLab ID tokens) and AWS access key ids.
_SECRET_SHAPES = (
    re.compile(r"eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]+"),
    re.compile(r"\b(?:AKIA|ASIA)[A-Z0-9]{16}\b"),
)
# Shorter values would mask ordinary words and numbers and make the output unreadable.
_MIN_LITERAL_LENGTH = 4


class Masker:
    """Replaces known secret values and secret-shaped strings by `***`."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        literals = sorted({s for s in secrets if s and len(s) >= _MIN_LITERAL_LENGTH}, key=len, reverse=True)
        self._literals = tuple(literals)
        self._pattern = re.compile("|".join(re.escape(s) for s in literals)) if literals else None

    def with_secrets(self, secrets: Iterable[str]) -> Masker:
        return Masker((*self._literals, *secrets))

    def mask(self, text: str) -> str:
        if self._pattern is not None:
            text = self._pattern.sub(MASK, text)
        for shape in _SECRET_SHAPES:
            text = shape.sub(MASK, text)
        return text

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
