"""Branch rules: which refs may apply an environment, checked on the token's claims before any STS call
(so a too-broad IAM trust policy alone cannot let a feature branch apply to prod)."""

from __future__ import annotations

from collections.abc import Mapping
from fnmatch import fnmatchcase
from pathlib import Path
from typing import Any

import orjson

from tfoidc.config import EnvironmentConfig
from tfoidc.errors import PolicyBlocked
from tfoidc.plan.parse import incompleteness


def check_apply_allowed(environment: str, env: EnvironmentConfig, claims: Mapping[str, Any]) -> None:
    """Raise PolicyBlocked (exit 3) unless the token's ref may apply `environment`."""
    ref = str(claims.get("ref") or "")
    if env.apply_refs and not any(fnmatchcase(ref, pattern) for pattern in env.apply_refs):
        raise PolicyBlocked(
            f"ref {ref or '(none)'!r} may not apply {environment}: "
            f"environments.{environment}.apply_refs allows only {', '.join(env.apply_refs)}"
        )
    # GitLab sends ref_protected as the string "true"; a JSON boolean is accepted too.
    if env.require_protected_ref and str(claims.get("ref_protected")).lower() != "true":
        raise PolicyBlocked(
            f"ref {ref or '(none)'!r} is not protected and environments.{environment}.require_protected_ref "
            "is set"
        )


def check_local_apply_allowed(environment: str, env: EnvironmentConfig) -> None:
    if not env.allow_local_apply:
        raise PolicyBlocked(
            f"apply with --local is refused for {environment}",
            hint=f"set environments.{environment}.allow_local_apply = true to allow it",
        )


def check_plan_complete(environment: str, env: EnvironmentConfig, plan_json: Path) -> None:
    """Refuse (exit 3) to apply a plan that leaves changes for a later plan (deferred changes,
    `complete: false`), read from the plan.json `tfoidc plan` wrote beside it, unless the environment
    sets allow_incomplete_apply. A guard against mistakes: the job's script could skip it."""
    if env.allow_incomplete_apply:
        return
    try:
        reason = incompleteness(orjson.loads(plan_json.read_bytes()))
    except (OSError, orjson.JSONDecodeError) as exc:
        raise PolicyBlocked(
            f"cannot tell whether the saved plan is complete: {plan_json}: {getattr(exc, 'strerror', None) or exc}",
            hint="apply from the folder `tfoidc plan` wrote",
        ) from None
    if reason is not None:
        raise PolicyBlocked(
            f"the saved plan of {environment} is incomplete: {reason}",
            hint=f"apply it anyway with environments.{environment}.allow_incomplete_apply = true, "
            "then plan again for the rest",
        )
