"""STS refusals turned into one line that says what went wrong and the likely fix. Pure: no I/O."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tfoidc.errors import AuthError, InputError, OperationalError, TfoidcError
from tfoidc.identity.hints import FLAGS, Spelling

# botocore retries these itself (standard mode); seeing one here means the retries ran out.
RETRIED_CODES = frozenset(
    {
        "Throttling",
        "ThrottlingException",
        "RequestLimitExceeded",
        "IDPCommunicationError",
        "ServiceUnavailable",
    }
)


def explain_sts_error(
    code: str,
    message: str,
    *,
    operation: str,
    role_arn: str,
    claims: Mapping[str, Any] | None = None,
    duration_seconds: int | None = None,
    spelling: Spelling = FLAGS,
) -> TfoidcError:
    """The TfoidcError for an STS error response `code`/`message` from `operation` on `role_arn`; its
    hint names settings the way the command at hand spells them (`spelling`)."""
    claims = claims or {}
    sub, aud, iss = claims.get("sub"), claims.get("aud"), claims.get("iss")
    host = str(iss or "<issuer>").split("://", 1)[-1]
    lowered = message.lower()
    if code in RETRIED_CODES:
        return OperationalError(
            f"STS {operation} for {role_arn} still failed after retries: {code}: {message}",
            hint="AWS or the identity provider is throttling or unreachable from AWS; retry the job later",
        )
    if code == "AccessDenied" and operation == "AssumeRoleWithWebIdentity":
        return AuthError(
            f"AWS refused sts:AssumeRoleWithWebIdentity on {role_arn} for sub={sub!r} aud={aud!r}",
            hint=(
                f"the role's trust policy must allow Principal.Federated = the OIDC provider for {host} with "
                f'"{host}:aud" = {aud!r} and "{host}:sub" matching {sub!r} (StringLike for wildcards); '
                f"`tfoidc doctor --role-arn {role_arn}` shows which condition failed"
            ),
        )
    if code == "AccessDenied" and operation == "AssumeRole":
        return AuthError(
            f"AWS refused sts:{operation} on {role_arn}: {message}",
            hint="the target role's trust policy must name the calling role (Principal.AWS) for AssumeRole",
        )
    if code == "AccessDenied" and operation.startswith("iam:"):
        return AuthError(
            f"AWS refused {operation} for {role_arn}: {message}",
            hint="doctor reads IAM with your own credentials (--profile / $AWS_PROFILE); they need "
            "iam:GetRole, iam:ListOpenIDConnectProviders and iam:GetOpenIDConnectProvider",
        )
    if code == "NoSuchEntity":
        return InputError(
            f"{role_arn} does not exist in the account of the credentials used ({message})",
            hint="check the role ARN, and that the credentials used (--profile) are of the role's account",
        )
    if code == "InvalidIdentityToken":
        return _invalid_identity_token(message, lowered, role_arn, host, aud)
    if code in ("ExpiredTokenException", "ExpiredToken") and operation != "AssumeRoleWithWebIdentity":
        return AuthError(
            f"AWS {operation} refused the session credentials as expired ({message})",
            hint="request fresh credentials (`tfoidc auth`), or refresh the profile's session",
        )
    if code in ("ExpiredTokenException", "ExpiredToken"):
        return AuthError(
            f"STS says the ID token has expired ({message})",
            hint="ID tokens live as long as the job; request credentials inside the job that got the token",
        )
    if code == "IDPRejectedClaim":
        return AuthError(
            f"the identity provider rejected the token's claims: {message}",
            hint="a claim the provider requires is missing or wrong; compare `tfoidc whoami` with it",
        )
    if code == "ValidationError" and "durationseconds" in lowered:
        return _duration_error(message, lowered, role_arn, duration_seconds, spelling)
    if code == "RegionDisabledException":
        return AuthError(
            f"STS is not activated in this region for the account: {message}",
            hint="activate the region's STS endpoint in IAM account settings"
            + (f", or choose another with {spelling.region}" if spelling.region else ""),
        )
    if code == "MalformedPolicyDocument" or code == "ValidationError":
        return InputError(f"STS {operation} rejected the request: {message}")
    return AuthError(f"AWS {operation} on {role_arn} failed: {code}: {message}")


def _invalid_identity_token(message: str, lowered: str, role_arn: str, host: str, aud: Any) -> AuthError:
    if "no openidconnect provider found" in lowered or "no openid connect provider" in lowered:
        return AuthError(
            f"AWS has no IAM OIDC identity provider for {host} in the account of {role_arn}",
            hint=f"create one for https://{host} with audience (client ID) {aud!r}: "
            "`aws iam create-open-id-connect-provider`, or Terraform's aws_iam_openid_connect_provider",
        )
    if "incorrect token audience" in lowered or "audience" in lowered:
        return AuthError(
            f"AWS rejected the token's audience {aud!r} for the OIDC provider of {host}",
            hint=f"add {aud!r} to the provider's client ID list, or set the provider's audience as `aud:` "
            "under the job's `id_tokens:`",
        )
    if "couldn't retrieve verification key" in lowered or "verification key" in lowered:
        return AuthError(
            f"AWS could not retrieve the signing keys of {host} ({message})",
            hint="AWS must reach the GitLab instance's /oauth/discovery/keys over public HTTPS; "
            "a private GitLab needs a reachable discovery endpoint",
        )
    return AuthError(
        f"AWS rejected the ID token: {message}",
        hint="compare the token's iss/aud (`tfoidc whoami`) with the IAM OIDC provider",
    )


def _duration_error(
    message: str, lowered: str, role_arn: str, duration: int | None, spelling: Spelling
) -> InputError:
    asked = f" ({duration}s)" if duration is not None else ""
    if "role chaining" in lowered or "1 hour" in lowered:
        return InputError(
            f"the requested duration{asked} exceeds the 1 hour limit for role chaining into {role_arn}",
            hint=f"set {spelling.duration} to 3600 or less" if spelling.duration else None,
        )
    lower = f"lower {spelling.duration} or " if spelling.duration else ""
    return InputError(
        f"the requested duration{asked} exceeds the MaxSessionDuration of {role_arn}: {message}",
        hint=f"{lower}raise the role's MaxSessionDuration (up to 12 h)",
    )
