"""The masking filter: every obvious transform of a secret, and a secret Terraform wrapped across lines."""

from __future__ import annotations

import base64
import json
import urllib.parse

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tfoidc.terraform.masking import MASK, Masker

SECRET = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYzEXAMPLEKEY"


def stream(masker: Masker, lines: list[str], *, idle_after: int | None = None) -> list[str]:
    filter_ = masker.stream()
    out: list[str] = []
    for i, line in enumerate(lines):
        out += filter_.feed(line)
        if i == idle_after:
            out += filter_.idle()
    return out + filter_.flush()


@pytest.mark.parametrize("before", ["", "a", "ab", "abc"])
@pytest.mark.parametrize("after", ["", "x", "xy"])
@pytest.mark.parametrize("encode", [base64.b64encode, base64.urlsafe_b64encode], ids=["base64", "base64url"])
def test_base64_of_a_text_holding_the_secret_is_masked_at_every_alignment(
    before: str, after: str, encode: object
) -> None:
    assert callable(encode)
    encoded = encode((before + SECRET + after).encode()).decode()
    masked = Masker([SECRET]).mask(f"user_data = {encoded}")
    assert MASK in masked
    # what is left is the encoding of the text around it and a character or two at the seams
    leftover = masked.removeprefix("user_data = ").replace(MASK, "")
    assert len(leftover) <= len(encode((before + after).encode())) + 4


@pytest.mark.parametrize(
    "form",
    [
        json.dumps("x" + SECRET + '"quoted"')[1:-1],
        urllib.parse.quote(SECRET, safe=""),
        urllib.parse.quote_plus(SECRET),
    ],
    ids=["json-escaped", "percent-encoded", "form-encoded"],
)
def test_escaped_forms_are_masked(form: str) -> None:
    tricky = 'p@ss"word/with+chars&more=1'
    masker = Masker([SECRET, tricky])
    for secret in (SECRET, tricky):
        for shown in (
            json.dumps(secret)[1:-1],
            urllib.parse.quote(secret, safe=""),
            urllib.parse.quote_plus(secret),
        ):
            assert shown not in masker.mask(f"value = {shown}")
    assert form not in masker.mask(form)


def test_a_secret_terraform_wrapped_across_diagnostic_lines_is_masked() -> None:
    lines = [
        "╷",
        "│ Error: creating IAM access key: the value " + SECRET[:17],
        "│ " + SECRET[17:30],
        "│    " + SECRET[30:] + " is invalid",
        "╵",
    ]
    out = stream(Masker([SECRET]), lines)
    assert len(out) == len(lines)
    text = "".join(out)
    for piece in (SECRET[:17], SECRET[17:30], SECRET[30:]):
        assert piece not in text
    assert out[0] == "╷" and out[-1] == "╵" and out[3].endswith(" is invalid")


def test_lines_not_ending_like_a_secret_pass_at_once() -> None:
    filter_ = Masker([SECRET]).stream()
    assert filter_.feed("null_resource.a: Creating...") == ["null_resource.a: Creating..."]
    assert filter_.feed("Plan: 1 to add, 0 to change, 0 to destroy.") == [
        "Plan: 1 to add, 0 to change, 0 to destroy."
    ]


def test_a_held_line_is_released_when_the_stream_goes_quiet_and_the_rest_is_still_masked() -> None:
    out = stream(Masker([SECRET]), ["token: " + SECRET[:20], SECRET[20:] + " done"], idle_after=0)
    assert out == ["token: " + SECRET[:20], MASK + " done"]  # only what went out before the pause shows


def test_credential_shapes_are_masked_whoever_produced_them() -> None:
    masker = Masker()
    for shaped in (
        "AKIAIOSFODNN7EXAMPLE",
        "glpat-xxxxxxxxxxxxxxxxxxxx",
        "glcbt-64_abcdefghijklmnopqrstu",
        "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJwcm9qZWN0X3BhdGgifQ.c2lnbmF0dXJl",
    ):
        assert masker.mask(f"x {shaped} y") == f"x {MASK} y"


@settings(max_examples=200, deadline=None)
@given(
    secret=st.text(alphabet=st.characters(min_codepoint=33, max_codepoint=126), min_size=8, max_size=60),
    width=st.integers(min_value=1, max_value=40),
    prefix=st.text(alphabet="abc =:", max_size=10),
)
def test_any_secret_cut_into_lines_of_any_width_never_shows(secret: str, width: int, prefix: str) -> None:
    text = prefix + secret + " tail"
    lines = ["│ " + text[i : i + width] for i in range(0, len(text), width)]
    out = "".join(line.removeprefix("│ ") for line in stream(Masker([secret]), lines))
    assert secret not in out
    assert secret[: len(secret) // 2] not in out or secret[: len(secret) // 2] in prefix + " tail"
