"""`[report]` in tfoidc.toml.  (Skeleton: size budget etc. land in the reports issue.)"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class ReportConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")
