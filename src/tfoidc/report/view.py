"""What the markdown note shows, computed from an `Analysis` (pure, no formatting).

Lists are held as `Shown`: a head and a tail around a left-out middle, so the size budget can shorten
the middle of a long section and the template can still say how much it left out.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache
from typing import Any, Generic, TypeVar

from tfoidc.analysis.graph import RESOURCE
from tfoidc.analysis.model import Analysis
from tfoidc.cost.model import CostComponent, CostEstimate, ResourceCost
from tfoidc.guardrails.model import Finding, Severity
from tfoidc.plan.model import Action, DeferredChange, ResourceChange
from tfoidc.report.config import ReportConfig
from tfoidc.report.diff import AttributeChange, attribute_changes, replace_reasons
from tfoidc.report.mermaid import MermaidGraph, changed_subgraph_mermaid

T = TypeVar("T")
U = TypeVar("U")

# What a plan analysed without an environment is called: never "default", which reads like a
# Terraform workspace or a setting.
DEFAULT_ENVIRONMENT = "plan"
# Most destructive first: what a reviewer must not miss comes first.
GROUP_ORDER = (
    Action.REPLACE,
    Action.DELETE,
    Action.REPLACE_FORGET,
    Action.CREATE,
    Action.UPDATE,
    Action.FORGET,
)
GROUP_TITLES = {
    Action.REPLACE: "Replace (destroy and re-create)",
    Action.REPLACE_FORGET: "Replace, old object kept (forgotten, not destroyed)",
    Action.DELETE: "Destroy",
    Action.CREATE: "Create",
    Action.UPDATE: "Update in place",
    Action.FORGET: "Forget (removed from state, object kept)",
}
MAX_DIFF_LINES = 50
MAX_WAIVERS = 10  # waiver entries offered to paste; more blocking findings want a look, not a paste
BLAST_SHOWN = 5  # dependents named per destroyed resource; the count is always given
# Lists the size budget shortens last: what a plan destroys is never the part left out first.
DANGER_LISTS = (Action.REPLACE.value, Action.DELETE.value)


@dataclass(frozen=True)
class Shown(Generic[T]):
    head: tuple[T, ...]
    tail: tuple[T, ...] = ()
    left_out: int = 0

    @property
    def total(self) -> int:
        return len(self.head) + len(self.tail) + self.left_out

    @property
    def count(self) -> int:
        return len(self.head) + len(self.tail)

    def rows(self) -> list[T | None]:
        """The shown items in order, with None where the left-out middle is (a template draws one
        row for it)."""
        gap: list[T | None] = [None] if self.left_out else []
        return [*self.head, *gap, *self.tail]

    def map(self, fn: Callable[[T], U]) -> Shown[U]:
        """The same selection with `fn` applied to each shown item (the left-out ones are never built)."""
        return Shown(head=tuple(map(fn, self.head)), tail=tuple(map(fn, self.tail)), left_out=self.left_out)


def shown(items: list[T] | tuple[T, ...], limit: int | None) -> Shown[T]:
    """All of `items`, or the first and last `limit` // 2 (rounded up at the head) around a gap."""
    items = tuple(items)
    if limit is None or len(items) <= limit:
        return Shown(head=items)
    head_n = (limit + 1) // 2
    tail_n = limit - head_n
    return Shown(
        head=items[:head_n],
        tail=items[len(items) - tail_n :] if tail_n else (),
        left_out=len(items) - limit,
    )


@dataclass(frozen=True)
class ChangeItem:
    address: str
    type: str
    action: str
    forced_by: tuple[str, ...] = ()
    reason: str | None = None
    previous_address: str | None = None
    diff: tuple[AttributeChange, ...] = ()
    diff_left_out: int = 0
    holds_data: bool = False
    dependents: tuple[str, ...] = ()  # the blast radius of a destroy: resources that depend on it

    @property
    def dependents_shown(self) -> tuple[str, ...]:
        return self.dependents[:BLAST_SHOWN]

    @property
    def diff_lines(self) -> list[str]:
        """`diff`-highlighted lines: `-` the value before, `+` the value after."""
        lines = []
        for change in self.diff:
            if change.before is not None:
                lines.append(f"- {change.path} = {change.before}")
            if change.after is not None:
                lines.append(f"+ {change.path} = {change.after}")
        if self.diff_left_out:
            lines.append(f"# … {self.diff_left_out} more changed attributes in the full report")
        return lines


@dataclass(frozen=True)
class Group:
    action: str
    title: str
    items: Shown[ChangeItem]


@dataclass(frozen=True)
class ComponentRow:
    """One priced part of a resource: quantity times unit price, or the unit price alone when the cost
    depends on usage nobody supplied (never shown as $0.00)."""

    name: str
    quantity: str  # "730 hours", or "" when it depends on usage
    unit_price: str  # "$0.20 per 1M requests"
    monthly: Decimal | None  # None: depends on usage

    @property
    def depends_on_usage(self) -> bool:
        return self.monthly is None


@dataclass(frozen=True)
class CostRow:
    address: str
    action: str
    before: Decimal
    after: Decimal
    delta: Decimal
    components: tuple[ComponentRow, ...] = ()
    usage_based: bool = False  # some of its cost depends on usage not supplied
    only_usage: bool = False  # all of it does: its $0.00 means "unknown", not "free"


@dataclass(frozen=True)
class CostView:
    currency: str
    before: Decimal
    after: Decimal
    delta: Decimal
    rows: Shown[CostRow]
    not_priced: int
    not_priced_types: tuple[tuple[str, int], ...]
    notes: tuple[str, ...]
    sources: tuple[str, ...] = ()  # where the prices come from and their dates
    usage_based: int = 0  # resources with a cost that depends on usage


@dataclass(frozen=True)
class Headline:
    """What to do with the plan, in one line: the first thing a reviewer reads."""

    state: str  # errored | blocked | incomplete | no-changes | review | ready
    icon: str
    text: str  # "Ready to apply", "Blocked", ...
    advice: str = ""  # "fix it or waive it"
    first: Finding | None = None  # the blocking finding named in the line
    more: int = 0  # other blocking findings
    warnings: int = 0

    def plain(self, environment: str) -> str:
        """The line as plain text (the terminal, a <title>): `staging: Blocked: TFO-S3-001 on
        aws_s3_bucket.data — fix it or waive it`."""
        line = f"{environment}: {self.text}"
        if self.first is not None:
            line += f": {self.first.rule} on {self.first.address}"
            if self.more:
                line += f" and {self.more} more blocking finding{'s' if self.more != 1 else ''}"
        elif self.state == "review":
            line += f" after reviewing {self.warnings} warning{'s' if self.warnings != 1 else ''}"
        return line + (f" — {self.advice}" if self.advice else "")


@dataclass(frozen=True)
class Waiver:
    """The `[[guardrails.waivers]]` entry that would accept one blocking finding, to paste."""

    rule: str
    address: str
    environment: str | None

    def toml_lines(self) -> list[str]:
        """TOML a reviewer pastes into tfoidc.toml: every value a TOML basic string (escaped), a
        reason to write and an expiry in the past, so a paste without thought waives nothing."""
        lines = [
            "[[guardrails.waivers]]",
            f"rule = {toml_string(self.rule)}",
            f"address = {toml_string(self.address)}",
        ]
        if has_glob(self.address):
            lines.append("# the address holds * or ?, which a waiver reads as wildcards: narrow it if needed")
        lines += [
            'reason = ""                # required: why this is accepted, and who approved it',
            "expires = 1970-01-01       # required: the last day it applies (a past date waives nothing)",
        ]
        if self.environment:
            lines.append(f"environments = [{toml_string(self.environment)}]")
        return lines


@dataclass(frozen=True)
class EnvView:
    name: str
    verdict: str
    blocked: bool
    has_changes: bool
    groups: tuple[Group, ...]
    findings: Shown[Finding]
    cost: CostView | None
    drift: Shown[ResourceChange] | None
    mermaid: MermaidGraph | None
    notes: tuple[str, ...] = field(default=())
    minimal: bool = False
    errored: bool = False
    incomplete: bool = False
    deferred: Shown[DeferredChange] | None = None
    headline: Headline | None = None
    summary: str = ""  # the verdict's counts without the environment's name
    waivers: tuple[Waiver, ...] = ()
    destroyed: int = 0  # resources the plan destroys (deleted or replaced)
    destroyed_data: int = 0  # of which hold data
    rules_url: str = ""

    @property
    def danger_groups(self) -> tuple[Group, ...]:
        return tuple(g for g in self.groups if g.action in DANGER_LISTS)

    @property
    def other_groups(self) -> tuple[Group, ...]:
        return tuple(g for g in self.groups if g.action not in DANGER_LISTS)

    def rule_url(self, rule: str) -> str | None:
        return rule_url(self.rules_url, rule)

    @property
    def waiver_lines(self) -> list[str]:
        lines: list[str] = []
        for waiver in self.waivers:
            lines += [*([""] if lines else []), *waiver.toml_lines()]
        return lines


@dataclass(frozen=True)
class Limits:
    """How much of each list to show; keys are `"<list name>"` (None = everything)."""

    lists: dict[str, int] = field(default_factory=dict)
    diffs: bool = True
    mermaid_max_nodes: int | None = None
    minimal: bool = False

    def of(self, name: str) -> int | None:
        return self.lists.get(name)


def environment_name(analysis: Analysis) -> str:
    return analysis.environment or DEFAULT_ENVIRONMENT


def format_money(value: Decimal, currency: str = "USD", *, signed: bool = False) -> str:
    amount = abs(value).quantize(Decimal("0.01"))
    sign = ("+" if value > 0 else "-" if value < 0 else "±") if signed else ("-" if value < 0 else "")
    return f"{sign}${amount:,}" if currency == "USD" else f"{sign}{amount:,} {currency}"


def verdict_line(analysis: Analysis) -> str:
    """`prod: 3 to add, 1 to change, 1 to replace, 0 to destroy · 2 blocking findings · +$412.30/mo`."""
    return f"{environment_name(analysis)}: {summary_line(analysis)}"


def summary_line(analysis: Analysis) -> str:
    """The counts under the headline: changes, findings by severity (info is not a warning), cost."""
    counts = analysis.action_counts()
    forgets = (Action.FORGET, Action.REPLACE_FORGET)
    forget = sum(1 for rc in analysis.plan.changes() if rc.action in forgets)
    parts = [
        f"{counts['create']} to add, {counts['update']} to change, "
        f"{counts['replace']} to replace, {counts['delete']} to destroy"
        + (f", {forget} to forget" if forget else "")
    ]
    if analysis.plan.errored:
        parts[0] = "plan errored"
    elif analysis.plan.incomplete:
        parts.append(incomplete_text(analysis))
    blocking = len(analysis.blocking_findings)
    warnings = _count(analysis.findings, Severity.WARN)
    info = _count(analysis.findings, Severity.INFO)
    finding_text = f"{blocking} blocking finding{'s' if blocking != 1 else ''}"
    if warnings:
        finding_text += f", {warnings} warning{'s' if warnings != 1 else ''}"
    if info:
        finding_text += f", {info} info"
    parts.append(finding_text)
    cost = analysis.cost
    if cost is not None and not cost.resources:
        parts.append("no priced resources")  # not "±$0.00/mo": nothing says the change is free
    elif cost is not None:
        unpriced = f" ({len(cost.not_priced)} not priced)" if cost.not_priced else ""
        usage = " + usage" if any(_usage_based(r) for r in cost.resources) else ""
        parts.append(f"{format_money(cost.monthly_delta, cost.currency, signed=True)}/mo{usage}{unpriced}")
    if analysis.drift is not None and analysis.drift.has_drift:
        parts.append(f"drift on {len(analysis.drift.drifted)}")
    return " · ".join(parts)


def _count(findings: tuple[Finding, ...], severity: Severity) -> int:
    return sum(1 for f in findings if f.severity is severity and not f.waived)


def headline(analysis: Analysis) -> Headline:
    """What to do: errors and blocking findings first, then an incomplete plan, then warnings."""
    plan = analysis.plan
    blocking = sorted(analysis.blocking_findings, key=lambda f: (f.rule, f.address))
    warnings = _count(analysis.findings, Severity.WARN)
    if plan.errored:
        return Headline("errored", "❌", "Do not apply", "Terraform reported errors while planning")
    if blocking:
        advice = "fix it or waive it" if len(blocking) == 1 else "fix them or waive them"
        return Headline("blocked", "⛔", "Blocked", advice, first=blocking[0], more=len(blocking) - 1)
    if plan.incomplete:
        return Headline(
            "incomplete",
            "⏳",
            "Incomplete plan",
            "applying it leaves work for a later plan",
            warnings=warnings,
        )
    if not plan.changes():
        return Headline("no-changes", "✅", "No changes", "nothing to apply", warnings=warnings)
    if warnings:
        return Headline("review", "⚠️", "Ready to apply", warnings=warnings)
    return Headline("ready", "✅", "Ready to apply")


def headline_text(analysis: Analysis) -> str:
    return headline(analysis).plain(environment_name(analysis))


def rule_url(base: str, rule: str) -> str | None:
    """The docs section of a built-in rule (`<base>#tfo-s3-001`), None for any other id (custom
    rules, other tools' results): docs/guardrails.md has a heading per built-in rule id."""
    if not base or rule not in builtin_rule_ids():
        return None
    return f"{base}#{rule.lower()}"


@cache
def builtin_rule_ids() -> frozenset[str]:
    from tfoidc.guardrails.rules import load_all

    return frozenset(load_all())


def toml_string(value: str) -> str:
    """`value` as a TOML basic string: quotes and backslashes escaped, and every control, reordering
    or otherwise invisible character as a `\\uXXXX` escape (TOML 1.0 knows no `\\x`)."""
    out = []
    for char in value:
        if char in ('"', "\\"):
            out.append("\\" + char)
        elif _TOML_ESCAPED.match(char):
            code = ord(char)
            out.append("\\uFFFD" if 0xD800 <= code <= 0xDFFF else f"\\u{code:04X}")
        else:
            out.append(char)
    return '"' + "".join(out) + '"'


_TOML_ESCAPED = re.compile(
    "[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069\ud800-\udfff\ufffe\uffff]"
)


def has_glob(address: str) -> bool:
    """Whether a waiver's address would read part of `address` as a wildcard (`*` or `?`)."""
    return "*" in address or "?" in address


def holds_data(rc: ResourceChange, findings_on: frozenset[str]) -> bool:
    """A resource whose destruction loses data: a type TFO-SAFE-001 knows, or one it was told
    about (`extra_types`) and reported."""
    from tfoidc.guardrails.rules.safety import STATEFUL_TYPES

    return rc.type in STATEFUL_TYPES or rc.address in findings_on


def _usage_based(r: ResourceCost) -> bool:
    return any(c.depends_on_usage for c in r.components)


def incomplete_text(analysis: Analysis) -> str:
    """`incomplete plan: 2 changes deferred`: applying the plan leaves work for a later plan."""
    n = len(analysis.plan.deferred)
    if not n:
        return "incomplete plan"
    return f"incomplete plan: {n} change{'s' if n != 1 else ''} deferred"


@dataclass(frozen=True)
class Selection:
    """Which items of each shortenable list a view shows, chosen before any is turned into a row
    (a change's row can carry an attribute diff, the costly part of a view)."""

    minimal: bool
    groups: tuple[tuple[Action, Shown[ResourceChange]], ...]
    findings: Shown[Finding]
    cost_rows: Shown[CostRow] | None
    drift: Shown[ResourceChange] | None
    deferred: Shown[DeferredChange] | None = None

    def sizes(self) -> dict[str, int]:
        """How many items each list shows."""
        sizes = {action.value: items.count for action, items in self.groups}
        sizes["findings"] = self.findings.count
        if self.cost_rows is not None:
            sizes["cost"] = self.cost_rows.count
        if self.drift is not None:
            sizes["drift"] = self.drift.count
        if self.deferred is not None:
            sizes["deferred"] = self.deferred.count
        return sizes

    def least_chars(self) -> int:
        """Characters the note certainly spends on these lists: each shown item prints its address."""
        if self.minimal:
            return 0
        lists: list[Shown[Any]] = [items for _, items in self.groups]
        lists.append(self.findings)
        lists.extend(x for x in (self.cost_rows, self.drift, self.deferred) if x is not None)
        return sum(len(item.address) for items in lists for item in (*items.head, *items.tail))


def select(analysis: Analysis, limits: Limits) -> Selection:
    ordered = _ordered(analysis)
    groups = tuple((action, shown(rcs, limits.of(action.value))) for action, rcs in ordered.groups)
    drift = analysis.drift
    return Selection(
        minimal=limits.minimal,
        groups=groups,
        findings=shown(ordered.findings, limits.of("findings")),
        cost_rows=shown(ordered.cost_rows, limits.of("cost")) if ordered.cost_rows is not None else None,
        drift=shown(drift.drifted, limits.of("drift")) if drift is not None and drift.has_drift else None,
        deferred=shown(analysis.plan.deferred, limits.of("deferred")) if analysis.plan.deferred else None,
    )


@dataclass(frozen=True)
class _Ordered:
    """An analysis's lists in the order every view shows them, before any limit applies."""

    groups: tuple[tuple[Action, tuple[ResourceChange, ...]], ...]
    findings: tuple[Finding, ...]
    cost_rows: tuple[CostRow, ...] | None


# The note's size-budget loop selects from the same analyses several times with smaller limits: what
# does not depend on the limits is worked out once per analysis (the last few analyses are kept).
_ORDERED: list[tuple[Analysis, _Ordered]] = []


def _ordered(analysis: Analysis) -> _Ordered:
    for held, ordered in _ORDERED:
        if held is analysis:
            return ordered
    changes = analysis.plan.changes()
    data_findings = safe_findings(analysis)
    groups = []
    for action in GROUP_ORDER:
        rcs = [rc for rc in changes if rc.action is action]
        if action.value in DANGER_LISTS:  # what loses data first
            rcs.sort(key=lambda rc: not holds_data(rc, data_findings))
        if rcs:
            groups.append((action, tuple(rcs)))
    findings = sorted(analysis.findings, key=lambda f: (-f.severity.rank, f.waived, f.rule, f.address))
    cost_rows = tuple(_cost_rows(analysis.cost)) if analysis.cost is not None else None
    ordered = _Ordered(tuple(groups), tuple(findings), cost_rows)
    _ORDERED[:] = [*_ORDERED[-7:], (analysis, ordered)]
    return ordered


def build_env_view(
    analysis: Analysis,
    config: ReportConfig,
    limits: Limits,
    items: dict[tuple[int, bool], ChangeItem] | None = None,
    selection: Selection | None = None,
) -> EnvView:
    """What to show of `analysis` within `limits` (`selection`: `select(analysis, limits)` when
    already made). `items` memoises change items (their diffs are the costly part) across the
    renders of one note while its size budget is being met."""
    memo = items if items is not None else {}
    chosen = selection or select(analysis, limits)

    data_findings = safe_findings(analysis)

    def item(rc: ResourceChange) -> ChangeItem:
        key = (id(rc), limits.diffs)
        if key not in memo:
            memo[key] = _change_item(
                analysis, rc, config, with_diff=limits.diffs, data_findings=data_findings
            )
        return memo[key]

    max_nodes = limits.mermaid_max_nodes if limits.mermaid_max_nodes is not None else config.mermaid_max_nodes
    return EnvView(
        name=environment_name(analysis),
        verdict=verdict_line(analysis),
        blocked=bool(analysis.blocking_findings),
        has_changes=bool(analysis.plan.changes()),
        groups=tuple(Group(a.value, GROUP_TITLES[a], rcs.map(item)) for a, rcs in chosen.groups),
        findings=chosen.findings,
        cost=_cost_view(analysis.cost, chosen.cost_rows) if analysis.cost is not None else None,
        drift=chosen.drift,
        mermaid=changed_subgraph_mermaid(analysis, max_nodes=max_nodes) if max_nodes > 0 else None,
        notes=(*analysis.plan.notes, *analysis.graph.notes),
        minimal=limits.minimal,
        errored=analysis.plan.errored,
        incomplete=analysis.plan.incomplete,
        deferred=chosen.deferred,
        headline=headline(analysis),
        summary=summary_line(analysis),
        waivers=tuple(
            Waiver(f.rule, f.address, analysis.environment)
            for f in sorted(analysis.blocking_findings, key=lambda f: (f.rule, f.address))[:MAX_WAIVERS]
        ),
        destroyed=sum(1 for rc in analysis.plan.changes() if rc.action.destroys),
        destroyed_data=sum(
            1 for rc in analysis.plan.changes() if rc.action.destroys and holds_data(rc, data_findings)
        ),
        rules_url=config.rules_docs_url,
    )


def safe_findings(analysis: Analysis) -> frozenset[str]:
    """Addresses TFO-SAFE-001 reported: resources whose destruction loses data."""
    return frozenset(f.address for f in analysis.findings if f.rule == "TFO-SAFE-001")


def _change_item(
    analysis: Analysis,
    rc: ResourceChange,
    config: ReportConfig,
    *,
    with_diff: bool,
    data_findings: frozenset[str],
) -> ChangeItem:
    diff: list[AttributeChange] = []
    if with_diff and rc.action is Action.UPDATE:
        diff = attribute_changes(rc, max_chars=config.diff_value_max_chars)
    dependents: tuple[str, ...] = ()
    if rc.action.destroys and rc.address in analysis.graph:
        dependents = analysis.graph.blast_radius(rc.address, kinds=(RESOURCE,))
    return ChangeItem(
        address=rc.address,
        type=rc.type,
        action=rc.action.value,
        forced_by=tuple(replace_reasons(rc)),
        reason=rc.action_reason,
        previous_address=rc.previous_address,
        diff=tuple(diff[:MAX_DIFF_LINES]),
        diff_left_out=max(len(diff) - MAX_DIFF_LINES, 0),
        holds_data=rc.action.destroys and holds_data(rc, data_findings),
        dependents=dependents,
    )


def _cost_rows(cost: CostEstimate) -> list[CostRow]:
    return sorted(
        (
            CostRow(
                r.address,
                r.action,
                r.monthly_before,
                r.monthly_after,
                r.monthly_delta,
                components=tuple(component_row(c, cost.currency) for c in r.components),
                usage_based=_usage_based(r),
                only_usage=r.depends_on_usage,
            )
            for r in cost.resources
        ),
        key=lambda r: (-abs(r.delta), r.address),
    )


def component_row(c: CostComponent, currency: str = "USD") -> ComponentRow:
    price = f"{format_price(c.unit_price, currency)} per {per_unit(c.unit)}"
    if c.monthly_cost is None or c.monthly_quantity is None:
        return ComponentRow(c.name, "", price, None)
    return ComponentRow(c.name, f"{format_quantity(c.monthly_quantity)} {c.unit}", price, c.monthly_cost)


def format_price(value: Decimal, currency: str = "USD") -> str:
    """A unit price with every significant digit (`$0.0000166667`), at least cents (`$0.20`)."""
    text = f"{value.normalize():f}"
    whole, _, frac = text.partition(".")
    text = f"{int(whole):,}.{frac.ljust(2, '0')}"
    return f"${text}" if currency == "USD" else f"{text} {currency}"


def format_quantity(value: Decimal) -> str:
    text = f"{value.normalize():f}"
    whole, _, frac = text.partition(".")
    return f"{int(whole):,}" + (f".{frac}" if frac else "")


def per_unit(unit: str) -> str:
    """`hours` -> `hour`, `GB-seconds` -> `GB-second`; `1M requests`, `GB` and `IOPS` stay."""
    if unit[:1].isdigit() or not unit.endswith("s") or unit.endswith("ss") or len(unit) < 3:
        return unit
    return unit[:-1]


def price_sources(cost: CostEstimate) -> tuple[str, ...]:
    """Where this estimate's prices come from, with their dates: `AWS public pricing pages
    (2025-08-28 to 2025-11-03)`. Read from each component's source (`file (date); reference`)."""
    dates: dict[str, set[str]] = {}
    for r in cost.resources:
        for c in r.components:
            match = _SOURCE.match(c.price_source)
            if match is None:
                continue
            dates.setdefault(_source_kind(match.group(1)), set()).add(match.group(2))
    out = []
    for kind, found in sorted(dates.items()):
        first, last = min(found), max(found)
        out.append(f"{kind} ({first})" if first == last else f"{kind} ({first} to {last})")
    return tuple(out)


_SOURCE = re.compile(r"^(.*?) \((\d{4}-\d{2}-\d{2})\)")
_SOURCE_KINDS = (
    ("AWS Price List API", "AWS Price List API"),
    ("pricing-page-unit-maps/", "AWS public pricing pages"),
    ("curated/", "AWS Price List extracts"),
    ("infracost-goldens/", "AWS prices published in Infracost's test data"),
)


def _source_kind(file: str) -> str:
    return next((kind for prefix, kind in _SOURCE_KINDS if file.startswith(prefix)), "price catalog")


def _cost_view(cost: CostEstimate, rows: Shown[CostRow] | None) -> CostView:
    assert rows is not None  # selected whenever there is a cost estimate
    by_type: dict[str, int] = {}
    for n in cost.not_priced:
        by_type[n.type] = by_type.get(n.type, 0) + 1
    return CostView(
        currency=cost.currency,
        before=cost.monthly_before,
        after=cost.monthly_after,
        delta=cost.monthly_delta,
        rows=rows,
        not_priced=len(cost.not_priced),
        not_priced_types=tuple(sorted(by_type.items())),
        notes=cost.notes,
        sources=price_sources(cost),
        usage_based=sum(1 for r in cost.resources if _usage_based(r)),
    )
