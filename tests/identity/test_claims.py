"""The ID token's checks: the audience is always checked, and the issuer's discovery document and keys are
fetched within bounds whatever the server does (fault injection at the JWKS boundary)."""

from __future__ import annotations

import time
import tracemalloc
from collections.abc import Callable

import pytest

from tests.identity.hostile_issuer import hostile_issuer
from tests.identity.support import Cli, CliResult, Issued
from tfoidc.errors import AuthError, OperationalError
from tfoidc.identity.claims import verify_token
from tfoidc.identity.token import parse_token
from tfoidc.sandbox import Sandbox

Sessions = Callable[[], list[Issued]]


def one_line(result: CliResult, code: int, *fragments: str) -> None:
    assert result.code == code, result
    assert result.err.startswith("tfoidc: error: ") and result.err.count("\n") == 1, result.err
    assert "Traceback" not in result.err and result.out == ""
    for fragment in fragments:
        assert fragment in result.err, (fragment, result.err)


# --- the audience is always checked -------------------------------------------------------------------


def test_with_no_audience_configured_the_shipped_pipelines_audience_is_required(
    tfoidc: Cli, sandbox: Sandbox, moto_sessions: Sessions, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Before, with no --audience and no $TFOIDC_AUDIENCE, any `aud` passed silently."""
    monkeypatch.delenv("TFOIDC_AUDIENCE", raising=False)
    monkeypatch.setenv("GITLAB_OIDC_TOKEN", sandbox.issuer.mint(aud="https://vault.example.com"))
    one_line(
        tfoidc("auth", "--role-arn", sandbox.roles["dev"]),
        4,
        "for audience 'https://vault.example.com', not the expected 'sts.amazonaws.com'",
        "request `aud: sts.amazonaws.com` under the job's `id_tokens:`",
    )
    assert moto_sessions() == []
    monkeypatch.setenv("GITLAB_OIDC_TOKEN", sandbox.issuer.mint(aud="sts.amazonaws.com"))
    assert tfoidc("auth", "--role-arn", sandbox.roles["dev"]).code == 0


def test_no_audience_cannot_be_asked_for() -> None:
    token = parse_token("eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.", source="test")
    with pytest.raises(AuthError, match="no audience"):
        verify_token(token, audience="", issuer=None, verify_signature=False)


def test_a_token_without_aud_is_refused(
    tfoidc: Cli, sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GITLAB_OIDC_TOKEN", sandbox.issuer.mint(aud=None))
    one_line(tfoidc("auth", "--role-arn", sandbox.roles["dev"], "--no-verify"), 4, "has no 'aud' claim")


# --- the issuer's documents, fetched within bounds ----------------------------------------------------

CASES = {
    # behaviour: (exit code, what the one line says)
    "huge-discovery": (1, "is larger than 1024 KiB"),
    "huge-declared": (1, "is larger than 1024 KiB"),
    "drip-discovery": (1, "did not arrive within 2 s ($TFOIDC_NETWORK_TIMEOUT)"),
    "redirect-other-host": (4, "redirects to another host (http://localhost:"),
    "relative-jwks": (4, "names a jwks_uri '/oauth/discovery/keys', which is not an https URL"),
    "file-jwks": (4, "names a jwks_uri 'file:///etc/passwd', which is not an https URL"),
    "jwks-down": (1, "cannot fetch the issuer's signing keys"),
    "jwks-slow": (1, "the issuer's signing keys http://127.0.0.1:"),
    "jwks-500": (1, "answered HTTP 500"),
    "rotated": (4, "which the issuer does not publish"),
    "not-json": (1, "is not JSON"),
}


@pytest.mark.parametrize("behaviour", sorted(CASES))
def test_a_misbehaving_issuer_is_one_line_with_its_exit_code_in_bounded_time(
    tfoidc: Cli, sandbox: Sandbox, moto_sessions: Sessions, monkeypatch: pytest.MonkeyPatch, behaviour: str
) -> None:
    code, fragment = CASES[behaviour]
    monkeypatch.setenv("TFOIDC_NETWORK_TIMEOUT", "2")
    with hostile_issuer(behaviour) as issuer:
        monkeypatch.setenv("TFOIDC_ISSUER", issuer.url)
        monkeypatch.setenv("GITLAB_OIDC_TOKEN", issuer.mint())
        started = time.monotonic()
        result = tfoidc("auth", "--role-arn", sandbox.roles["dev"])
        elapsed = time.monotonic() - started
    one_line(result, code, fragment)
    assert elapsed < 8, f"{behaviour} took {elapsed:.1f}s against a 2s deadline"
    assert moto_sessions() == []


@pytest.mark.parametrize("behaviour", ["redirect-same-host", "rotated-both"])
def test_what_a_well_behaved_issuer_does_is_accepted(
    tfoidc: Cli, sandbox: Sandbox, moto_sessions: Sessions, monkeypatch: pytest.MonkeyPatch, behaviour: str
) -> None:
    with hostile_issuer(behaviour) as issuer:
        monkeypatch.setenv("TFOIDC_ISSUER", issuer.url)
        monkeypatch.setenv("GITLAB_OIDC_TOKEN", issuer.mint())
        result = tfoidc("auth", "--role-arn", sandbox.roles["dev"])
    assert result.code == 0, result
    assert len(moto_sessions()) == 1


def test_an_oversized_discovery_document_costs_no_more_than_the_limit() -> None:
    """An 8 MiB discovery document is refused after its first MiB, without holding the rest."""
    with hostile_issuer("huge-discovery") as issuer:
        token = parse_token(issuer.mint(), source="test")
        tracemalloc.start()
        try:
            with pytest.raises(OperationalError, match="larger than 1024 KiB"):
                verify_token(token, audience=issuer.issuer.audience, issuer=issuer.url)
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
    assert peak < 4 * 1024 * 1024


@pytest.mark.parametrize(
    ("issuer", "fragment"),
    [
        ("http://gitlab.example.com", "'http://gitlab.example.com' is not an https URL"),
        ("ftp://gitlab.example.com", "'ftp://gitlab.example.com' is not an https URL"),
        ("gitlab.example.com", "'gitlab.example.com' is not an https URL"),
    ],
)
def test_only_an_https_issuer_is_asked_for_its_keys(
    tfoidc: Cli, sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch, issuer: str, fragment: str
) -> None:
    """Plain http is accepted for a loopback issuer only: that is the local sandbox."""
    monkeypatch.setenv("TFOIDC_ISSUER", issuer)
    monkeypatch.setenv("GITLAB_OIDC_TOKEN", sandbox.issuer.mint(iss=issuer))
    one_line(tfoidc("auth", "--role-arn", sandbox.roles["dev"]), 4, fragment, "--no-verify")


def test_the_fetch_goes_through_the_runners_proxy_unless_no_proxy_or_loopback(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Runners behind a proxy reach GitLab through it (CONNECT: the proxy never sees the exchange)."""
    import urllib.parse

    from tfoidc.identity import fetch

    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.example:3128")
    monkeypatch.setenv("NO_PROXY", "gitlab.internal")
    deadline = fetch.Deadline.after(5)

    def route(url: str) -> tuple[str, int | None, str | None, str]:
        connection, target = fetch._connect(urllib.parse.urlsplit(url), deadline)
        return connection.host, connection.port, getattr(connection, "_tunnel_host", None), target

    assert route("https://gitlab.com/.well-known/openid-configuration") == (
        "proxy.example", 3128, "gitlab.com", "/.well-known/openid-configuration",
    )  # fmt: skip
    assert route("https://gitlab.internal/oauth/discovery/keys")[:3] == ("gitlab.internal", 443, None)
    assert route("http://127.0.0.1:8080/x")[0] == "127.0.0.1"
