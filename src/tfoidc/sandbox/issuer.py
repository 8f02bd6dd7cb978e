"""A local OpenID Connect issuer that signs RS256 tokens the way GitLab does.

It serves `/.well-known/openid-configuration` and a JWKS over plain HTTP on 127.0.0.1, so PyJWT's
`PyJWKClient` (and tfoidc's own verification) find the signing key exactly as they would on GitLab.
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections.abc import Mapping
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

DEFAULT_AUDIENCE = "sts.amazonaws.com"
JWKS_PATH = "/oauth/discovery/keys"  # GitLab's own JWKS path
DISCOVERY_PATH = "/.well-known/openid-configuration"

# The job a minted token describes unless a test overrides a claim.
DEFAULT_JOB: dict[str, Any] = {
    "namespace_id": "7",
    "namespace_path": "acme",
    "project_id": "42",
    "project_path": "acme/infra",
    "user_id": "11",
    "user_login": "alice",
    "user_email": "alice@example.com",
    "pipeline_id": "1001",
    "pipeline_source": "push",
    "job_id": "5001",
    "ref": "main",
    "ref_type": "branch",
    "ref_protected": "true",
    "environment": "production",
    "environment_protected": "true",
    "deployment_tier": "production",
    "runner_id": 3,
    "runner_environment": "gitlab-hosted",
    "sha": "0123456789abcdef0123456789abcdef01234567",
    "project_visibility": "private",
}


def new_signing_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def private_key_pem(key: rsa.RSAPrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def load_private_key_pem(pem: bytes) -> rsa.RSAPrivateKey:
    key = serialization.load_pem_private_key(pem, password=None)
    if not isinstance(key, rsa.RSAPrivateKey):
        raise ValueError("the sandbox issuer key must be an RSA key")
    return key


def public_jwk(key: rsa.RSAPrivateKey, kid: str) -> dict[str, Any]:
    jwk: dict[str, Any] = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(key.public_key()))
    jwk.update({"kid": kid, "use": "sig", "alg": "RS256"})
    return jwk


def gitlab_claims(
    *, issuer: str, audience: str, expires_in: int = 300, now: int | None = None, **overrides: Any
) -> dict[str, Any]:
    """GitLab's ID token claim set; `sub`, `ref_path` and `ci_config_ref_uri` follow overridden refs.

    An override of None removes the claim.
    """
    issued = int(time.time()) if now is None else now
    claims: dict[str, Any] = dict(DEFAULT_JOB)
    claims.update({k: v for k, v in overrides.items() if k in DEFAULT_JOB})
    ref_kind = "heads" if claims["ref_type"] == "branch" else "tags"
    server_host = issuer.split("://", 1)[-1]
    claims.update(
        {
            "sub": f"project_path:{claims['project_path']}:ref_type:{claims['ref_type']}:ref:{claims['ref']}",
            "ref_path": f"refs/{ref_kind}/{claims['ref']}",
            "ci_config_ref_uri": (
                f"{server_host}/{claims['project_path']}//.gitlab-ci.yml@refs/{ref_kind}/{claims['ref']}"
            ),
            "iss": issuer,
            "aud": audience,
            "iat": issued,
            "nbf": issued - 5,
            "exp": issued + expires_in,
            "jti": str(uuid.uuid4()),
        }
    )
    claims.update(overrides)
    return {k: v for k, v in claims.items() if v is not None}


class LocalIssuer:
    """Signing key + claim defaults; `start()` serves discovery and JWKS on 127.0.0.1."""

    def __init__(
        self,
        *,
        audience: str = DEFAULT_AUDIENCE,
        key: rsa.RSAPrivateKey | None = None,
        kid: str | None = None,
        url: str | None = None,
    ) -> None:
        self.audience = audience
        self.key = key or new_signing_key()
        self.kid = kid or uuid.uuid4().hex[:16]
        self._url = url
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        if self._url is None:
            raise RuntimeError("the local issuer has not been started")
        return self._url

    @property
    def host(self) -> str:
        """The issuer without its scheme: what IAM uses in provider ARNs and condition keys."""
        return self.url.split("://", 1)[1]

    @property
    def jwks_url(self) -> str:
        return self.url + JWKS_PATH

    @property
    def discovery_url(self) -> str:
        return self.url + DISCOVERY_PATH

    def discovery_document(self) -> dict[str, Any]:
        return {
            "issuer": self.url,
            "jwks_uri": self.jwks_url,
            "response_types_supported": ["id_token"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "claims_supported": sorted({*DEFAULT_JOB, "sub", "aud", "iss", "iat", "nbf", "exp", "jti"}),
        }

    def jwks(self) -> dict[str, Any]:
        return {"keys": [public_jwk(self.key, self.kid)]}

    def claims(self, *, expires_in: int = 300, **overrides: Any) -> dict[str, Any]:
        return gitlab_claims(issuer=self.url, audience=self.audience, expires_in=expires_in, **overrides)

    def mint(
        self,
        *,
        kid: str | None = None,
        key: rsa.RSAPrivateKey | None = None,
        expires_in: int = 300,
        **claim_overrides: Any,
    ) -> str:
        """An RS256 ID token; `kid`/`key`/`expires_in` (negative: already expired) for negative tests."""
        claims = self.claims(expires_in=expires_in, **claim_overrides)
        return jwt.encode(
            claims, key or self.key, algorithm="RS256", headers={"kid": kid or self.kid, "typ": "JWT"}
        )

    def start(self, port: int = 0) -> None:
        if self._server is not None:
            return
        server = ThreadingHTTPServer(("127.0.0.1", port), _handler_for(self))
        server.daemon_threads = True
        self._url = f"http://127.0.0.1:{server.server_address[1]}"
        self._server = server
        self._thread = threading.Thread(target=server.serve_forever, name="tfoidc-issuer", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        if self._server is None:
            return
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._server = None
        self._thread = None


def _handler_for(issuer: LocalIssuer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            documents: Mapping[str, Any] = {
                DISCOVERY_PATH: issuer.discovery_document(),
                JWKS_PATH: issuer.jwks(),
            }
            body = documents.get(self.path.split("?", 1)[0])
            if body is None:
                self.send_error(404)
                return
            payload = json.dumps(body).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, format: str, *args: Any) -> None:  # silence per-request logging
            return

    return Handler
