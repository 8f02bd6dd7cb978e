"""Plan-controlled text is escaped by construction, in every output medium.

The property test puts one generated string everywhere a merge request author controls text (a
for_each key in addresses, map keys and values in an attribute diff, a JSON document in a string
attribute, replace paths, action reasons, moved-from addresses, findings, cost rows, drift, deferred
changes) and renders every format. Each output must have exactly the structure it has when that
string is a plain word: the same markdown-it tokens, the same XML element tree, the same JSON shape,
the same HTML tags, the same number of terminal lines, with no escape sequence in any of them.
"""

from __future__ import annotations

import dataclasses
import json
import xml.etree.ElementTree as ET
from decimal import Decimal
from functools import cache
from html.parser import HTMLParser
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from tfoidc.analysis.model import Analysis
from tfoidc.analysis.run import analyze
from tfoidc.config import Config
from tfoidc.cost.model import CostComponent, CostEstimate, NotPriced, ResourceCost
from tfoidc.guardrails.model import Finding, Severity
from tfoidc.plan.parse import plan_from_document
from tfoidc.report.escape import Markdown, fenced_block, markdown, script_json, visible, xml
from tfoidc.report.markdown import _environment as note_environment
from tfoidc.report.render import FORMATS, render

# What breaks each medium, offered often; the rest of Unicode (bar lone surrogates, which neither
# orjson nor tomllib lets into an analysis) is offered too.
NASTY = list("\n\r\t\x00\x1b\x07\x7f\x85\u2028\u202e\u2066`<>]&[|@*_~$#!:/\\\"' -.=+0123456789ax")
NASTY += ["```", "</script>", "<!--", "-->", "[red]", "[/x]", "@all", "\x1b[31m", "\r\n", "]]>", "{{", "%}"]
HOSTILE = st.lists(
    st.one_of(st.sampled_from(NASTY), st.characters(exclude_categories=("Cs",))), min_size=1, max_size=12
).map("".join)


def plan_document(s: str) -> dict[str, Any]:
    """A plan carrying `s` everywhere its author controls text. Only null/random resources, which no
    guardrail judges and no pricer prices, so the analysis differs only in the text."""

    def rc(address: str, actions: list[str], before: Any, after: Any, **extra: Any) -> dict[str, Any]:
        change = {"actions": actions, "before": before, "after": after, "after_unknown": {}}
        if "replace_paths" in extra:
            change["replace_paths"] = extra.pop("replace_paths")
        return {
            "address": address,
            "mode": "managed",
            "type": "null_resource",
            "name": "r",
            "provider_name": "registry.terraform.io/hashicorp/null",
            "change": change,
            **extra,
        }

    key = f"null_resource.r[{json.dumps(s)}]"
    policy_before = json.dumps({"Statement": [{"Action": [s], "Resource": "*"}]})
    policy_after = json.dumps({"Statement": [{"Action": [s, "zz:Zz"], "Resource": "*"}]})
    return {
        "format_version": "1.2",
        "terraform_version": "1.9.8",
        "complete": False,
        "resource_changes": [
            rc(key, ["create"], None, {"triggers": {s: s}}, index=s),
            rc(
                "null_resource.updated",
                ["update"],
                {"triggers": {s: "a", "v": s}, "policy": policy_before},
                {"triggers": {s: "b", "v": s + "!"}, "policy": policy_after},
                previous_address=s,
            ),
            rc(
                "null_resource.replaced",
                ["delete", "create"],
                {"id": "1"},
                {"id": "2"},
                action_reason=s,
                replace_paths=[[s, 0]],
            ),
            rc("null_resource.kept", ["create", "forget"], {}, {}),
        ],
        "resource_drift": [rc(key, ["update"], {"triggers": {}}, {"triggers": {s: s}})],
        "deferred_changes": [{"reason": s, "resource_change": rc(key + ".later", ["create"], None, {})}],
    }


def hostile_analysis(s: str) -> Analysis:
    analysis = analyze(plan_from_document(plan_document(s)), Config(), environment="prod")
    address = f"null_resource.r[{json.dumps(s)}]"
    findings = (
        Finding(
            rule="TFO-TEST-001",
            severity=Severity.BLOCK,
            address=address,
            message=s,
            title=s,
            attribute=s,
            fix=s,
        ),
        Finding(
            rule="TFO-TEST-002",
            severity=Severity.WARN,
            address=s,
            message=s,
            waived=True,
            waiver_reason=s,
        ),
    )
    cost = CostEstimate(
        currency="USD",
        region="us-east-1",
        resources=(
            ResourceCost(
                address,
                s,
                s,
                "create",
                Decimal(0),
                Decimal("10.5"),
                components=(
                    CostComponent(s, s, Decimal("0.5"), Decimal(21), Decimal("10.5"), s),
                    CostComponent(s, s, Decimal("0.2"), None, None, s, (s,)),
                ),
            ),
            ResourceCost(s, "aws_instance", "", "update", Decimal(1), Decimal(2)),
        ),
        not_priced=(NotPriced(address, s, s),),
        notes=(s,),
    )
    return dataclasses.replace(analysis, findings=findings, cost=cost)


@cache
def plain() -> Analysis:
    return hostile_analysis("word")


# --- the structure each medium's reader sees --------------------------------------------------------


def markdown_structure(text: str) -> list[tuple[Any, ...]]:
    """markdown-it's view, text content left out: block and inline token types, tags and nesting."""
    shape: list[tuple[Any, ...]] = []
    for token in MarkdownIt("commonmark").enable(["table", "strikethrough"]).parse(text):
        shape.append((token.type, token.tag, token.nesting, token.info if token.type == "fence" else ""))
        shape.extend(
            (child.type, child.tag, child.nesting)
            for child in token.children or ()
            if child.type not in ("text", "text_special")
        )
    return shape


def xml_structure(element: ET.Element) -> tuple[Any, ...]:
    return (element.tag, tuple(sorted(element.attrib)), tuple(xml_structure(child) for child in element))


def json_structure(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: json_structure(v) for key, v in value.items()}
    if isinstance(value, list):
        return [json_structure(v) for v in value]
    return type(value).__name__


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.events: list[tuple[str, ...]] = []
        self.data: dict[str, str] = {}
        self._script_id: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.events.append(("start", tag, *sorted(name for name, _ in attrs)))
        self._script_id = dict(attrs).get("id") if tag == "script" else None

    def handle_endtag(self, tag: str) -> None:
        self.events.append(("end", tag))
        self._script_id = None

    def handle_data(self, data: str) -> None:
        if self._script_id:
            self.data[self._script_id] = self.data.get(self._script_id, "") + data


def html_structure(text: str) -> tuple[list[tuple[str, ...]], Any]:
    parser = _Tags()
    parser.feed(text)
    parser.close()
    return parser.events, json_structure(json.loads(parser.data["tfoidc-data"]))


def structure(fmt: str, text: str) -> Any:
    if fmt == "md":
        return markdown_structure(text)
    if fmt == "junit":
        return xml_structure(ET.fromstring(text))
    if fmt == "html":
        return html_structure(text)
    if fmt == "text":
        return len(text.splitlines())
    return json_structure(json.loads(text))


def rendered(analysis: Analysis, fmt: str) -> str:
    # A wide terminal: a table cell folds a long value onto more lines, which is layout, not structure.
    return render(analysis, fmt, width=10_000)


@pytest.mark.parametrize("fmt", FORMATS)
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(s=HOSTILE)
def test_plan_controlled_text_cannot_change_the_structure_of_any_format(fmt: str, s: str) -> None:
    text = rendered(hostile_analysis(s), fmt)
    assert structure(fmt, text) == structure(fmt, rendered(plain(), fmt))
    assert "\x1b" not in text and "\x00" not in text
    if fmt in ("text", "md", "junit", "sarif", "codequality"):
        assert "\u202e" not in text  # a reviewer reads what is there, not a reordering of it
    if fmt == "text":
        assert visible(s).strip() in text  # printed as it is: [red] is not a colour, [/x] no error
    if fmt == "json":  # the contract is data: the string itself, exactly
        doc = json.loads(text)
        assert doc["changes"][0]["index"] == s and doc["plan"]["deferred"][0]["reason"] == s
    text.encode("utf-8")  # every file can be written


def test_the_example_strings_of_the_issue() -> None:
    s = "a\n```\n</script><b>[red]x[/x]@all\x1b[2J\x00 ]"
    for fmt in FORMATS:
        text = rendered(hostile_analysis(s), fmt)
        assert structure(fmt, text) == structure(fmt, rendered(plain(), fmt)), fmt
        assert "\x1b" not in text, fmt
        if fmt == "html":  # (markdown shows them in code spans, inert: the structure check says so)
            assert "</script><b>" not in text and "<b>[" not in text, fmt


# --- each escaping function ---------------------------------------------------------------------


def test_visible_shows_every_control_and_reordering_character() -> None:
    assert visible("a\nb\tc\r\x00\x1b[31m\x7f\x85\u202e\u2028\ud800\uffff") == (
        "a\\nb\\tc\\r\\x00\\x1b[31m\\x7f\\x85\\u202e\\u2028\\ud800\\uffff"
    )
    assert visible("plain text, é ü 中文 🛑") == "plain text, é ü 中文 🛑"


def test_markdown_text_is_one_inert_line() -> None:
    text = markdown("- [x](http://evil) <img> *b* _i_ `c` | @all ~~s~~ $m$\n# h")
    assert "\n" not in text
    html = MarkdownIt("commonmark").enable(["table", "strikethrough"]).render(text)
    for tag in ("<a", "<img", "<em", "<strong", "<code", "<s>", "<h1", "<li"):
        assert tag not in html, tag
    assert "@all" not in text and "://" not in text  # no mention, no bare link
    assert markdown("aws_s3_bucket_policy") == "aws_s3_bucket_policy"  # readable where harmless


def test_markdown_code_span_holds_any_text_in_a_table_cell() -> None:
    for value in ("a`b", "``", "`", "x|y", "a\nb", " lead", ""):
        row = f"| h |\n|---|\n| {markdown(value, 'code')} |\n"
        tokens = MarkdownIt("commonmark").enable("table").parse(row)
        cells = [t for t in tokens if t.type == "td_open"]
        codes = [c for t in tokens for c in t.children or () if c.type == "code_inline"]
        assert len(cells) == 1 and len(codes) == 1, value
        assert codes[0].content.strip() == visible(value).strip(), value


def test_fenced_block_cannot_be_ended_early() -> None:
    block = fenced_block(["```", "~~~", "a\n```\nb"], "diff", indent="  ")
    tokens = [t for t in MarkdownIt("commonmark").parse(f"- item\n\n  {block}\n") if t.type == "fence"]
    assert len(tokens) == 1 and tokens[0].content.count("\n") == 3


def test_a_template_that_forgets_to_escape_is_escaped_anyway() -> None:
    """The note's environment escapes every {{ }} that is not already Markdown: a new template, or a
    new line in one, cannot print a plan string raw."""
    template = note_environment().from_string("| {{ value }} | {{ safe }} |")
    out = template.render(value="x | <b>y</b>\n# z @all", safe=Markdown("**ok**"))
    assert out == "| x &#124; &lt;b&gt;y&lt;/b&gt; # z @\u2060all | **ok** |"


def test_xml_keeps_junit_well_formed() -> None:
    element = ET.Element("testcase", name=xml("a\x00\x1b\x0b\ufffe"))
    element.text = xml("b\x01")
    ET.fromstring(ET.tostring(element))


def test_script_json_cannot_end_the_script_element() -> None:
    text = script_json({"k": "</script><script>alert(1)</script><!--"})
    assert "<" not in text and json.loads(text) == {"k": "</script><script>alert(1)</script><!--"}


# --- the waiver a blocking finding offers to paste --------------------------------------------------


@settings(max_examples=200, deadline=None)
@given(s=HOSTILE)
def test_toml_string_holds_any_address_exactly(s: str) -> None:
    import tomllib

    from tfoidc.report.view import toml_string

    text = toml_string(s)
    assert tomllib.loads(f"a = {text}")["a"] == s
    assert visible(text) == text  # nothing invisible or line-breaking reaches the fenced block


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(s=HOSTILE)
def test_the_waiver_to_paste_names_the_hostile_address_exactly(s: str) -> None:
    import tomllib

    text = rendered(hostile_analysis(s), "md")
    block = text.split("```toml\n", 1)[1]
    fence = "```"
    block = block[: block.index("\n" + fence)]  # the longest backtick run inside is shorter
    waiver = tomllib.loads(block)["guardrails"]["waivers"][0]
    assert waiver["address"] == f"null_resource.r[{json.dumps(s)}]" and waiver["rule"] == "TFO-TEST-001"
    assert waiver["environments"] == ["prod"]
    # The HTML report offers the same entry, HTML-escaped inside its <pre>.
    import html as html_lib

    page = rendered(hostile_analysis(s), "html")
    pre = page.split('<pre class="waiver">', 1)[1].split("</pre>", 1)[0]
    assert tomllib.loads(html_lib.unescape(pre))["guardrails"]["waivers"][0] == waiver
