"""Checking an ID token's claims (and, by default, its signature) before any AWS call.

The audience is always checked: there is no way to ask for "any audience". The signing key is found the
way AWS finds it: the issuer's discovery document names its JWKS; both are fetched within one deadline
and size limit (`identity.fetch`).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import jwt

from tfoidc.errors import AuthError
from tfoidc.identity.fetch import Deadline, acceptable, fetch_json, network_timeout
from tfoidc.identity.hints import FLAGS, Spelling
from tfoidc.identity.token import IdToken

ALGORITHMS = ["RS256"]  # what GitLab signs with, and what AWS accepts from it
DISCOVERY_PATH = "/.well-known/openid-configuration"


def verify_token(
    token: IdToken,
    *,
    audience: str,
    issuer: str | None,
    verify_signature: bool = True,
    leeway: int = 60,
    spelling: Spelling = FLAGS,
) -> dict[str, Any]:
    """The token's claims once exp/nbf/iat (with `leeway` seconds), `aud`, `iss` and the signature hold.

    `issuer` None skips that comparison; the signature is then checked against the JWKS of the token's
    own `iss`."""
    if not audience:
        raise AuthError("no audience to check the ID token's `aud` against")
    claims = token.unverified_claims
    _check_issuer(token, issuer, spelling)
    # Claims first, offline: an expired or misdirected token is an auth failure even when the issuer's
    # keys cannot be fetched, and no request goes out for a token that would be refused anyway.
    checked = _decode(token, None, audience=audience, leeway=leeway, verify=False, spelling=spelling)
    if not verify_signature:
        return checked
    deadline = Deadline.after(network_timeout())
    key = signing_key(token, jwks_url_for(issuer or str(claims.get("iss", "")), deadline, spelling), deadline)
    return _decode(token, key, audience=audience, leeway=leeway, verify=True, spelling=spelling)


def _decode(
    token: IdToken, key: Any, *, audience: str, leeway: int, verify: bool, spelling: Spelling
) -> dict[str, Any]:
    try:
        return jwt.decode(
            token.raw,
            key,
            algorithms=ALGORITHMS,
            audience=audience,
            leeway=leeway,
            options={
                "verify_signature": verify,
                "verify_exp": True,
                "verify_nbf": True,
                "verify_iat": True,
                "verify_aud": True,
                "verify_iss": False,  # compared by _check_issuer, with a better message
                "require": ["exp", "iat", "iss", "sub", "aud"],
            },
        )
    except jwt.ExpiredSignatureError:
        raise _expired(token, leeway) from None
    except jwt.ImmatureSignatureError:
        raise AuthError(
            f"the ID token from {token.source} is not valid yet (nbf/iat is in the future)",
            hint="check this machine's clock; tokens are accepted up to the leeway early",
        ) from None
    except jwt.InvalidAudienceError:
        raise _wrong_audience(token, audience, spelling) from None
    except jwt.MissingRequiredClaimError as exc:
        raise AuthError(f"the ID token from {token.source} has no {exc.claim!r} claim") from None
    except jwt.InvalidSignatureError:
        check = f"; check {spelling.issuer}" if spelling.issuer else ""
        raise AuthError(
            f"the ID token from {token.source} has an invalid signature for the issuer's published key",
            hint=f"the token was altered or signed by another issuer{check}",
        ) from None
    except jwt.InvalidTokenError as exc:
        raise AuthError(f"the ID token from {token.source} was refused: {exc}") from None


def jwks_url_for(issuer: str, deadline: Deadline, spelling: Spelling = FLAGS) -> str:
    """The `jwks_uri` of the issuer's OpenID discovery document."""
    unreachable = _unreachable_hint(spelling)
    if not acceptable(issuer):
        raise AuthError(
            f"cannot verify the signature: the issuer {issuer!r} is not an https URL, so its keys cannot "
            "be trusted",
            hint=_either(
                f"set {spelling.issuer} to your GitLab's https URL" if spelling.issuer else None,
                f"pass {spelling.no_verify}" if spelling.no_verify else None,
            ),
        )
    url = issuer.rstrip("/") + DISCOVERY_PATH
    document = fetch_json(url, what="the issuer's discovery document", deadline=deadline, hint=unreachable)
    jwks_uri = document.get("jwks_uri") if isinstance(document, dict) else None
    if not isinstance(jwks_uri, str) or not jwks_uri:
        raise AuthError(f"the issuer's discovery document {url} names no jwks_uri")
    if not acceptable(jwks_uri):
        raise AuthError(
            f"the issuer's discovery document {url} names a jwks_uri {jwks_uri!r}, which is not an https "
            "URL, so its keys cannot be trusted",
            hint="the issuer must serve its keys over https from an absolute URL",
        )
    return jwks_uri


def signing_key(token: IdToken, jwks_url: str, deadline: Deadline, spelling: Spelling = FLAGS) -> Any:
    """The key of the issuer's JWKS named by the token's `kid`."""
    document = fetch_json(
        jwks_url, what="the issuer's signing keys", deadline=deadline, hint=_unreachable_hint(spelling)
    )
    try:
        keys = jwt.PyJWKSet.from_dict(document if isinstance(document, dict) else {})
    except (jwt.PyJWKSetError, jwt.InvalidKeyError):
        raise AuthError(f"the issuer's signing keys at {jwks_url} hold no usable key") from None
    kid = _header(token).get("kid")
    for key in keys.keys:
        if key.key_id == kid and (key.public_key_use in (None, "sig")):
            return key.key
    check = f"; check {spelling.issuer}" if spelling.issuer else ""
    raise AuthError(
        f"the ID token from {token.source} is signed with key id {kid!r}, which the issuer does not "
        f"publish at {jwks_url}",
        hint=f"the token comes from another GitLab instance, or the key was rotated{check}",
    )


def _header(token: IdToken) -> dict[str, Any]:
    try:
        return jwt.get_unverified_header(token.raw)
    except jwt.DecodeError:
        return {}


def _check_issuer(token: IdToken, issuer: str | None, spelling: Spelling) -> None:
    actual = token.unverified_claims.get("iss")
    if issuer is not None and str(actual).rstrip("/") != issuer.rstrip("/"):
        raise AuthError(
            f"the ID token from {token.source} was issued by {actual!r}, not the expected {issuer!r}",
            hint=f"set {spelling.issuer} to your GitLab URL ($CI_SERVER_URL)" if spelling.issuer else None,
        )


def _expired(token: IdToken, leeway: int) -> AuthError:
    exp = token.unverified_claims.get("exp")
    when = ""
    if isinstance(exp, int | float):
        ago = int(datetime.now(UTC).timestamp() - exp)
        when = f" at {datetime.fromtimestamp(exp, UTC):%Y-%m-%d %H:%M:%S} UTC ({ago}s ago, leeway {leeway}s)"
    return AuthError(
        f"the ID token from {token.source} expired{when}",
        hint="ID tokens live as long as the job; run tfoidc inside the job that received the token",
    )


def _wrong_audience(token: IdToken, audience: str, spelling: Spelling) -> AuthError:
    actual = token.unverified_claims.get("aud")
    override = f", or set {spelling.audience} to the audience the job requests" if spelling.audience else ""
    return AuthError(
        f"the ID token from {token.source} is for audience {actual!r}, not the expected {audience!r}",
        hint=f"request `aud: {audience}` under the job's `id_tokens:`{override}",
    )


def _unreachable_hint(spelling: Spelling) -> str:
    if spelling.no_verify:
        return (
            f"pass {spelling.no_verify} where the runner cannot reach GitLab "
            "(AWS still verifies the signature)"
        )
    return "the runner must reach the GitLab instance's /.well-known/openid-configuration and its keys"


def _either(*hints: str | None) -> str | None:
    available = [h for h in hints if h]
    return ", or ".join(available) if available else None
