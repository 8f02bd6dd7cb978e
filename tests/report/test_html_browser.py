"""The standalone HTML report in a real headless Chromium (Debian's `chromium`, driven by Playwright).

Opens the report of a fixture plan from file://, and checks what a reader relies on: nothing is
fetched from the network, the dependency graph is drawn, filtering the change list works, and a
click on a graph node shows that resource's details. Screenshots go to test-artifacts/.
"""

from __future__ import annotations

import json
import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.chromium import ARTIFACTS, require_chromium
from tests.conftest import REPO
from tests.report.plans import analysis_of, analysis_of_fixture, many_changes_plan
from tfoidc.analysis.graph import FULL
from tfoidc.report.render import render

FIXTURE = "terraform-compliance/issue_249_alb_ecs_modules_update.json"
DOCS_IMAGE = REPO / "docs" / "images" / "report.png"
UPDATE = os.environ.get("TFOIDC_UPDATE_GOLDEN") == "1"

pytestmark = pytest.mark.slow

require_chromium()


@pytest.fixture(scope="module")
def report_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("html") / "report.html"
    path.write_text(render(analysis_of_fixture(FIXTURE, "staging", FULL), "html"), encoding="utf-8")
    return path


class Opened:
    def __init__(self, page: Any, requests: list[str], errors: list[str]) -> None:
        self.page, self.requests, self.errors = page, requests, errors


@pytest.fixture
def opened(browser: Any, report_file: Path) -> Iterator[Opened]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    requests: list[str] = []
    errors: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    # Anything but the report itself is refused, so a stray fetch cannot succeed silently either.
    page.route(re.compile(r"^(?!file://).*"), lambda route: route.abort())
    page.goto(report_file.as_uri())
    page.wait_for_selector("body[data-graph-ready='true']", timeout=10_000)
    try:
        yield Opened(page, requests, errors)
    finally:
        context.close()


def _screenshot(page: Any, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / name), full_page=False)


def _data(page: Any) -> dict[str, Any]:
    return json.loads(page.text_content("#tfoidc-data"))


def test_report_makes_no_network_request_and_has_no_script_error(opened: Opened, report_file: Path) -> None:
    assert opened.requests == [report_file.as_uri()]
    assert opened.errors == []


def test_graph_is_rendered_as_svg_nodes_and_edges(opened: Opened) -> None:
    page = opened.page
    data = _data(page)
    resources = [n for n in data["nodes"] if n["kind"] == "resource"]
    # By default resources only, dependencies through variables/outputs/modules folded into edges.
    assert page.locator("svg#graph g.node").count() == len(resources) > 10
    assert page.locator("svg#graph path.edge").count() == len(data["resource_edges"]) > 5
    listener = page.locator("svg#graph g.node[data-id='module.alb.aws_alb_listener.alb']")
    assert listener.count() == 1
    box = page.locator("svg#graph g.node").first.bounding_box()
    assert box is not None and box["width"] > 60 and box["height"] > 8  # laid out and readable
    _screenshot(page, "report-graph.png")
    page.check("#show-wiring")
    assert page.locator("svg#graph g.node").count() == len(data["nodes"]) > len(resources)
    assert page.locator("svg#graph path.edge").count() == len(data["edges"])
    assert page.locator("svg#graph g.node[data-id='module.alb.var.alb_name']").count() == 1
    assert opened.errors == []


def test_filtering_the_change_list(opened: Opened) -> None:
    page = opened.page
    rows = page.locator("#change-list tbody tr")
    assert rows.count() == 6
    page.fill("#filter-text", "aws_alb")
    visible = [r for r in rows.all() if r.is_visible()]
    assert sorted(r.get_attribute("data-address") for r in visible) == [
        "module.alb.aws_alb.alb",
        "module.alb.aws_alb_target_group.alb",
    ]
    assert page.text_content("#filter-count") == "2 of 6 shown"
    page.fill("#filter-text", "")
    page.select_option("#filter-action", "create")
    assert {r.get_attribute("data-action") for r in rows.all() if r.is_visible()} == {"create"}
    assert page.text_content("#filter-count") == "2 of 6 shown"
    # The graph dims what the filter hides.
    resources = [n for n in _data(page)["nodes"] if n["kind"] == "resource"]
    assert page.locator("svg#graph g.node.dim").count() == len(resources) - 2
    assert opened.errors == []
    _screenshot(page, "report-filtered.png")


def test_clicking_a_node_shows_its_details(opened: Opened) -> None:
    page = opened.page
    node = page.locator("svg#graph g.node[data-id='module.alb.aws_alb.alb']")
    node.click()
    details = page.locator("#details")
    assert details.locator("h3").text_content() == "module.alb.aws_alb.alb"
    text = details.text_content() or ""
    assert "update" in text and "aws_alb" in text
    assert '- tags.Name = "myapp-jmeter-results-sandbox"' in text
    assert '+ tags.Name = "mybu-sandbox-myapp-instance-alb"' in text
    assert "Required by" in text and "module.alb.aws_alb_listener.alb" in text
    assert "selected" in (node.get_attribute("class") or "")
    _screenshot(page, "report-node-details.png")


def test_zoom_changes_the_graph_transform(opened: Opened) -> None:
    page = opened.page
    before = page.get_attribute("#world", "transform")
    page.click("#zoom-in")
    after = page.get_attribute("#world", "transform")
    assert before != after and "scale(" in (after or "")


def test_artifacts_dir_is_gitignored() -> None:
    assert "test-artifacts/" in (REPO / ".gitignore").read_text().splitlines()


def test_readme_screenshot(browser: Any, tmp_path: Path) -> None:
    """The README's picture of the HTML report: a node clicked, details shown. Regenerated into
    docs/images/report.png with TFOIDC_UPDATE_GOLDEN=1; always written to test-artifacts/."""
    path = tmp_path / "report.html"
    path.write_text(render(analysis_of_fixture(FIXTURE, "staging", FULL), "html"), encoding="utf-8")
    context = browser.new_context(viewport={"width": 1200, "height": 900}, device_scale_factor=1)
    try:
        page = context.new_page()
        page.route(re.compile(r"^(?!file://).*"), lambda route: route.abort())
        page.goto(path.as_uri())
        page.wait_for_selector("body[data-graph-ready='true']")
        page.click("svg#graph g.node[data-id='module.alb.aws_alb.alb']")
        page.evaluate("window.scrollTo(0, 0)")
        ARTIFACTS.mkdir(exist_ok=True)
        shot = ARTIFACTS / "report-readme.png"
        page.screenshot(path=str(shot), clip={"x": 0, "y": 0, "width": 1200, "height": 900})
    finally:
        context.close()
    assert 10_000 < shot.stat().st_size < 300_000
    if UPDATE:
        DOCS_IMAGE.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(shot, DOCS_IMAGE)
    assert DOCS_IMAGE.exists() and DOCS_IMAGE.stat().st_size < 300_000


def test_filter_and_change_list_click_bring_an_offscreen_node_into_view(browser: Any, tmp_path: Path) -> None:
    path = tmp_path / "big.html"
    path.write_text(render(analysis_of(many_changes_plan(100), "prod"), "html"), encoding="utf-8")
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.route(re.compile(r"^(?!file://).*"), lambda route: route.abort())
        page.goto(path.as_uri())
        page.wait_for_selector("body[data-graph-ready='true']")

        def inside(address: str) -> bool:
            graph = page.locator("svg#graph").bounding_box()  # the page may have scrolled
            assert graph is not None
            box = page.locator(f"svg#graph g.node[data-id='{address}']").bounding_box()
            assert box is not None
            return bool(
                box["x"] >= graph["x"]
                and box["y"] >= graph["y"]
                and box["x"] + box["width"] <= graph["x"] + graph["width"]
                and box["y"] + box["height"] <= graph["y"] + graph["height"]
            )

        offscreen_js = """() => {
            const g = document.getElementById("graph").getBoundingClientRect();
            return Array.from(document.querySelectorAll("svg#graph g.node")).filter(n => {
                const b = n.getBoundingClientRect();
                return b.left < g.left || b.top < g.top || b.right > g.right || b.bottom > g.bottom;
            }).map(n => n.dataset.id);
        }"""
        offscreen = page.evaluate(offscreen_js)
        assert len(offscreen) > 50  # 300 resources: many are off-screen at the fitted zoom
        late, other = offscreen[-1], offscreen[len(offscreen) // 2]
        assert not inside(late)
        page.fill("#filter-text", late)
        assert page.text_content("#filter-count") == "1 of 300 shown"
        assert inside(late)
        # The change table is paged: the row is found with the filter, then the graph fitted again.
        page.fill("#filter-text", other)
        page.click("#zoom-fit")
        assert not inside(other)
        page.click(f"#change-list tr[data-address='{other}'] a.addr")
        assert inside(other)
        assert page.locator("#details h3").text_content() == other
        assert errors == []
    finally:
        context.close()
