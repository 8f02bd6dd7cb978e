"""How the command at hand spells each setting, so that an error's hint names only what its user can
actually change there (`--audience` on `tfoidc auth`; `environments.prod.apply_audience` for
`tfoidc apply prod` configured in tfoidc.toml)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Spelling:
    """None: the command offers no way to change that setting, and no hint suggests one."""

    audience: str | None = "--audience"
    issuer: str | None = "--issuer"
    no_verify: str | None = "--no-verify"
    token_file: str | None = "--token-file"
    token_var: str | None = "--token-var"
    role: str | None = "--role-arn"
    chain_role: str | None = "--chain-role-arn"
    duration: str | None = "--duration"
    region: str | None = "--region"


# auth, exec and whoami: every setting is a flag.
FLAGS = Spelling()


def either(*choices: str | None) -> str | None:
    """'A or B' of the available choices; None when there is none."""
    available = [c for c in choices if c]
    return " or ".join(available) if available else None
