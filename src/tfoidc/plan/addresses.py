"""Terraform address helpers (pure string functions)."""

from __future__ import annotations

import re

# Instance keys are `[0]` or `["key"]`; keys may contain `]` inside quotes, hence the alternation.
_INSTANCE_KEY = re.compile(r'\[(?:"(?:[^"\\]|\\.)*"|\d+)\]')


def strip_instance_keys(address: str) -> str:
    return _INSTANCE_KEY.sub("", address)
