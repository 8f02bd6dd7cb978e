"""bench/fuzz.py in CI: a few thousand generated plans, tfoidc.toml files and tfoidc.json documents
through the real command line (the full 100,000-input run and its numbers are in bench/README.md).
Each input ends in its output or in one `tfoidc: error:` line with a documented exit code."""

from __future__ import annotations

import importlib.util
import sys
from types import ModuleType

import pytest

from tests.conftest import REPO

# A few thousand in all, split so that xdist runs the kinds side by side.
EXAMPLES = {"plan": 800, "config": 700, "analysis": 700}


def fuzz_module() -> ModuleType:
    spec = importlib.util.spec_from_file_location("fuzz", REPO / "bench" / "fuzz.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


@pytest.mark.slow
@pytest.mark.parametrize("kind", sorted(EXAMPLES))
def test_generated_inputs_end_in_output_or_one_documented_line(
    kind: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("TFOIDC_DEBUG", raising=False)
    monkeypatch.delenv("TFOIDC_CONFIG", raising=False)
    fuzz = fuzz_module()
    tally = fuzz.fuzz(kind, EXAMPLES[kind], seed=None)  # derandomised: the same inputs on every run
    assert tally.examples == EXAMPLES[kind]
    assert tally.problems == [], "\n\n".join(tally.problems[:5])
    # The generators reach past the parser: most plans are analysed and rendered, not refused.
    if kind == "plan":
        analysed = sum(n for key, n in tally.codes.items() if key in ("plan:0", "plan:3"))
        assert analysed >= EXAMPLES[kind] // 3, tally.codes


def test_the_toml_writer_round_trips() -> None:
    import tomllib

    fuzz = fuzz_module()
    config = {
        "a": 1,
        "b": {"c": 'x\ny"', "d": [1, 2]},
        "e": [{"f": True}, {"f": False}],
        "g": {"h": {"i": 1.5}},
    }
    assert tomllib.loads(fuzz.to_toml(config)) == config
