"""The rule ids of `tfoidc audit` findings: judged on the live account and its logs rather than on a plan,
but waived, gated and reported like every other rule, so their ids live with the rest (pure data)."""

from __future__ import annotations

AUDIT_RULES: dict[str, str] = {
    "TFO-AUDIT-001": "Assumption from a project no environment expects",
    "TFO-AUDIT-002": "Apply role assumed from a ref its branch rules do not allow",
    "TFO-AUDIT-003": "Repeated refused assumptions (someone probing the trust policy)",
    "TFO-AUDIT-004": "Session that did not go through tfoidc",
    "TFO-AUDIT-010": "A role that can change the account is trusted for refs that may be unprotected",
    "TFO-AUDIT-011": "An environment's role is missing from the account",
    "TFO-AUDIT-012": "An apply role is trusted beyond its environment's branch rules",
    "TFO-AUDIT-013": "A GitLab-trusting role no environment uses",
}
