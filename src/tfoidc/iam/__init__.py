"""IAM policy language: the policy document model and the one evaluator of IAM semantics (pure, no I/O).

The API other stages call:

- `evaluate_trust_policy(policy, claims=..., provider_arn=..., issuer_host=...)` -> `TrustDecision`
  (allowed, reason, and per statement: principal, action and every condition with its explanation);
- `evaluate_permissions(policies, Request(action, resource, context))` -> `PolicyDecision`, and
  `evaluate_access(request, caller_arn=..., identity_policies=..., resource_policy=...)` -> `AccessDecision`
  for identity + resource policies within and across accounts;
- `describe_trust(policy, issuer_host=...)` -> `TrustScope`: who can assume, per OIDC provider, as data
  (projects, refs, audiences or "any project on <host>") with a witness token for each over-broad trust;
- `audit_trust_policy(policy, issuer_host=...)` -> `TrustWarning`s (the OIDC trust guardrail's codes).
"""

from tfoidc.iam.audit import TrustWarning, audit_trust_policy
from tfoidc.iam.evaluate import PolicyInput, StatementResult
from tfoidc.iam.permissions import (
    AccessDecision,
    PolicyDecision,
    Request,
    evaluate_access,
    evaluate_permissions,
)
from tfoidc.iam.scope import Exposure, ProviderScope, TrustedSubject, TrustScope, Witness, describe_trust
from tfoidc.iam.trust import TrustDecision, claims_to_context, evaluate_trust_policy

__all__ = [
    "AccessDecision",
    "Exposure",
    "PolicyDecision",
    "PolicyInput",
    "ProviderScope",
    "Request",
    "StatementResult",
    "TrustDecision",
    "TrustScope",
    "TrustWarning",
    "TrustedSubject",
    "Witness",
    "audit_trust_policy",
    "claims_to_context",
    "describe_trust",
    "evaluate_access",
    "evaluate_permissions",
    "evaluate_trust_policy",
]
