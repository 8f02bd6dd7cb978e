"""IAM policy language: the policy document model and the one evaluator of IAM semantics (pure, no I/O).

The API other stages call (import each from its module; this package imports nothing):

- `trust.evaluate_trust_policy(policy, claims=..., provider_arn=..., issuer_host=...)` -> `TrustDecision`
  (allowed, reason, and per statement: principal, action and every condition with its explanation);
- `permissions.evaluate_permissions(policies, Request(action, resource, context))` -> `PolicyDecision`, and
  `permissions.evaluate_access(request, caller_arn=..., identity_policies=..., resource_policy=...)` -> `AccessDecision`
  for identity + resource policies within and across accounts;
- `scope.describe_trust(policy, issuer_host=...)` -> `TrustScope`: who can assume, per OIDC provider, as data
  (projects, refs, audiences or "any project on <host>") with a witness token for each over-broad trust;
- `audit.audit_trust_policy(policy, issuer_host=...)` -> `TrustWarning`s (the OIDC trust guardrail's codes).
"""
