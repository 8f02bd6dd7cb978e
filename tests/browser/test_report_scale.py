"""The HTML report at 24, 1k and 10k resources, in a real headless Chromium (Debian's `chromium`).

Plans are bench/bench_analyze.py's: a real fixture plan nested as N module calls. At every size the
report must open on the verdict, findings and cost (not on a 10k-row table), page the change table,
draw a graph a person can read (grouped by module once it is large: one box per group, coloured by
the most destructive change inside), and find a resource by address. Screenshots go to the test's
tmp dir and to test-artifacts/; how long the page takes to become usable is printed (pytest -s).
"""

from __future__ import annotations

import importlib.util
import re
import shutil
import sys
import time
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from tests.chromium import ARTIFACTS, require_chromium
from tests.conftest import REPO, need_shared
from tfoidc.analysis.run import analyze
from tfoidc.config import Config
from tfoidc.plan.parse import load_plan
from tfoidc.report.render import render

SCRIPT = REPO / "bench" / "bench_analyze.py"

pytestmark = pytest.mark.slow

require_chromium()


def _bench() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_analyze", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def report_of(size: int, directory: Path) -> tuple[Path, int, int]:
    bench = _bench()
    need_shared(bench.BASE_PLAN)
    plan_path, instances = bench.build(size, directory)
    analysis = analyze(load_plan(plan_path), Config(), environment="prod")
    html = directory / f"report_{instances}.html"
    html.write_text(render(analysis, "html"), encoding="utf-8")
    return html, instances, len(analysis.plan.changes())


def _shot(page: Any, directory: Path, name: str) -> None:
    page.screenshot(path=str(directory / name), full_page=False)
    ARTIFACTS.mkdir(exist_ok=True)
    shutil.copyfile(directory / name, ARTIFACTS / name)


@pytest.mark.parametrize("size", [24, 1_000, 10_000])
def test_the_report_opens_on_the_verdict_and_stays_usable(browser: Any, tmp_path: Path, size: int) -> None:
    html, instances, changes = report_of(size, tmp_path)
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    errors: list[str] = []
    try:
        page = context.new_page()
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.route(re.compile(r"^(?!file://).*"), lambda route: route.abort())
        started = time.perf_counter()
        page.goto(html.as_uri(), timeout=120_000)
        page.wait_for_selector("body[data-graph-ready='true']", timeout=120_000)
        usable = time.perf_counter() - started
        print(f"\n{instances} resources: {html.stat().st_size / 1e6:.1f} MB, usable after {usable:.2f} s")
        _shot(page, tmp_path, f"scale-{instances}-top.png")

        # It opens on what to do, the findings and the cost: the first screen holds the verdict.
        verdict = page.locator("#verdict")
        assert verdict.is_visible() and (verdict.text_content() or "").startswith(("⚠️ prod:", "✅ prod:"))
        order = page.evaluate("Array.from(document.querySelectorAll('main > section')).map(s => s.id)")
        assert (
            order.index("findings")
            < order.index("cost")
            < order.index("changes")
            < order.index("graph-section")
        )

        # The change table is paged: never thousands of rows on screen.
        rows = page.locator("#change-list tbody tr:not([hidden])")
        assert rows.count() == min(changes, 100)
        if changes > 100:
            assert page.text_content("#page-info") == f"1\u2013100 of {changes}"
            page.click("#page-next")
            assert page.text_content("#page-info") == f"101\u2013200 of {changes}"

        # The graph is readable: grouped once large, each box a group of resources.
        nodes = page.locator("svg#graph g.node")
        groups = page.locator("svg#graph g.node.group")
        resources = page.evaluate(
            "JSON.parse(document.getElementById('tfoidc-data').textContent).nodes"
            ".filter(n => n.kind === 'resource').length"
        )
        if resources > 400:
            assert 0 < groups.count() <= nodes.count() < 400
        else:
            assert groups.count() == 0 and nodes.count() == resources

        # Search focuses a resource, opening the groups it is in.
        target = page.evaluate(
            "JSON.parse(document.getElementById('tfoidc-data').textContent).nodes"
            ".filter(n => n.kind === 'resource').slice(-1)[0].id"
        )
        started = time.perf_counter()
        page.fill("#graph-search", target)
        page.press("#graph-search", "Enter")
        node = page.locator(f"svg#graph g.node[data-id='{target}']")
        assert node.count() == 1 and "selected" in (node.get_attribute("class") or "")
        print(f"{instances} resources: search and open its group in {time.perf_counter() - started:.2f} s")
        assert page.locator("#details h3").text_content() == target
        page.locator("#graph-section").scroll_into_view_if_needed()
        _shot(page, tmp_path, f"scale-{instances}-graph.png")
        assert errors == []
    finally:
        context.close()
