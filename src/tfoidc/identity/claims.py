"""Checking an ID token's claims (and, by default, its signature) before any AWS call.

The signing key is found the way AWS finds it: the issuer's discovery document names its JWKS.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from datetime import UTC, datetime
from typing import Any

import jwt

from tfoidc.errors import AuthError, OperationalError
from tfoidc.identity.token import IdToken

ALGORITHMS = ["RS256"]  # what GitLab signs with, and what AWS accepts from it
DISCOVERY_PATH = "/.well-known/openid-configuration"
HTTP_TIMEOUT = 10


def verify_token(
    token: IdToken,
    *,
    audience: str | None,
    issuer: str | None,
    verify_signature: bool = True,
    leeway: int = 60,
) -> dict[str, Any]:
    """The token's claims once exp/nbf/iat (with `leeway` seconds), `aud`, `iss` and the signature hold.

    `audience`/`issuer` None skip those comparisons; the signature is checked against the JWKS of the
    configured issuer, or of the token's own `iss` when none is configured.
    """
    claims = token.unverified_claims
    _check_issuer(token, issuer)
    # Claims first, offline: an expired or misdirected token is an auth failure even when the issuer's
    # keys cannot be fetched, and no request goes out for a token that would be refused anyway.
    checked = _decode(token, None, audience=audience, leeway=leeway, verify_signature=False)
    if not verify_signature:
        return checked
    key = signing_key(token, jwks_url_for(issuer or str(claims.get("iss", ""))))
    return _decode(token, key, audience=audience, leeway=leeway, verify_signature=True)


def _decode(
    token: IdToken, key: Any, *, audience: str | None, leeway: int, verify_signature: bool
) -> dict[str, Any]:
    try:
        return jwt.decode(
            token.raw,
            key,
            algorithms=ALGORITHMS,
            audience=audience,
            leeway=leeway,
            options={
                "verify_signature": verify_signature,
                "verify_exp": True,
                "verify_nbf": True,
                "verify_iat": True,
                "verify_aud": audience is not None,
                "verify_iss": False,  # compared by _check_issuer, with a better message
                "require": ["exp", "iat", "iss", "sub"],
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
        raise _wrong_audience(token, audience) from None
    except jwt.MissingRequiredClaimError as exc:
        raise AuthError(f"the ID token from {token.source} has no {exc.claim!r} claim") from None
    except jwt.InvalidSignatureError:
        raise AuthError(
            f"the ID token from {token.source} has an invalid signature for the issuer's published key",
            hint="the token was altered or signed by another issuer; check --issuer",
        ) from None
    except jwt.InvalidTokenError as exc:
        raise AuthError(f"the ID token from {token.source} was refused: {exc}") from None


def jwks_url_for(issuer: str) -> str:
    """The `jwks_uri` of the issuer's OpenID discovery document."""
    if not issuer.startswith(("https://", "http://")):
        raise AuthError(
            f"cannot verify the signature: issuer {issuer!r} is not a URL",
            hint="pass --issuer https://gitlab.example.com, or --no-verify",
        )
    url = issuer.rstrip("/") + DISCOVERY_PATH
    try:
        with urllib.request.urlopen(url, timeout=HTTP_TIMEOUT) as response:
            document = json.load(response)
    except urllib.error.HTTPError as exc:
        raise OperationalError(
            f"the issuer's discovery document {url} answered HTTP {exc.code}",
            hint="check --issuer, or pass --no-verify where the runner cannot reach GitLab",
        ) from None
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise OperationalError(
            f"cannot fetch the issuer's discovery document {url}: {reason}",
            hint="pass --no-verify where the runner cannot reach GitLab (AWS still verifies the signature)",
        ) from None
    except ValueError:
        raise OperationalError(f"the issuer's discovery document {url} is not JSON") from None
    jwks_uri = document.get("jwks_uri") if isinstance(document, dict) else None
    if not isinstance(jwks_uri, str):
        raise OperationalError(f"the issuer's discovery document {url} names no jwks_uri")
    return jwks_uri


def signing_key(token: IdToken, jwks_url: str) -> Any:
    """The JWKS key named by the token's `kid`."""
    client = jwt.PyJWKClient(jwks_url, cache_keys=False, timeout=HTTP_TIMEOUT)
    try:
        return client.get_signing_key_from_jwt(token.raw).key
    except jwt.PyJWKClientConnectionError as exc:
        raise OperationalError(
            f"cannot fetch the issuer's signing keys from {jwks_url}: {exc}",
            hint="pass --no-verify where the runner cannot reach GitLab (AWS still verifies the signature)",
        ) from None
    except jwt.PyJWKClientError:
        kid = _header(token).get("kid")
        raise AuthError(
            f"the ID token from {token.source} is signed with key id {kid!r}, which the issuer does not "
            f"publish at {jwks_url}",
            hint="the token comes from another GitLab instance, or the key was rotated; check --issuer",
        ) from None
    except jwt.DecodeError:
        raise AuthError(f"the ID token from {token.source} has an unreadable header") from None


def _header(token: IdToken) -> dict[str, Any]:
    try:
        return jwt.get_unverified_header(token.raw)
    except jwt.DecodeError:
        return {}


def _check_issuer(token: IdToken, issuer: str | None) -> None:
    actual = token.unverified_claims.get("iss")
    if issuer is not None and str(actual).rstrip("/") != issuer.rstrip("/"):
        raise AuthError(
            f"the ID token from {token.source} was issued by {actual!r}, not the expected {issuer!r}",
            hint="set --issuer / $TFOIDC_ISSUER to your GitLab URL ($CI_SERVER_URL)",
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


def _wrong_audience(token: IdToken, audience: str | None) -> AuthError:
    actual = token.unverified_claims.get("aud")
    return AuthError(
        f"the ID token from {token.source} is for audience {actual!r}, not the expected {audience!r}",
        hint=f"set `aud: {audience}` under the job's `id_tokens:`, or pass the token's own with --audience",
    )
