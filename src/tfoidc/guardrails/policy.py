"""`[guardrails]` in tfoidc.toml.  (Skeleton: completed in the guardrails issue.)"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class GuardrailsPolicy(BaseModel):
    model_config = ConfigDict(extra="forbid")
