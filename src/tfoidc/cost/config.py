"""`[cost]` in tfoidc.toml.  (Skeleton: usage, budgets land in the cost issue.)"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class CostConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    region: str | None = None
