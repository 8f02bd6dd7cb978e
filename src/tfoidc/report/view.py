"""What the markdown note shows, computed from an `Analysis` (pure, no formatting).

Lists are held as `Shown`: a head and a tail around a left-out middle, so the size budget can shorten
the middle of a long section and the template can still say how much it left out.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Generic, TypeVar

from tfoidc.analysis.model import Analysis
from tfoidc.cost.model import CostEstimate
from tfoidc.guardrails.model import Finding
from tfoidc.plan.model import Action, DeferredChange, ResourceChange
from tfoidc.report.config import ReportConfig
from tfoidc.report.diff import AttributeChange, attribute_changes, replace_reasons
from tfoidc.report.mermaid import MermaidGraph, changed_subgraph_mermaid

T = TypeVar("T")
U = TypeVar("U")

DEFAULT_ENVIRONMENT = "default"
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
class CostRow:
    address: str
    action: str
    before: Decimal
    after: Decimal
    delta: Decimal


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
    others = len([f for f in analysis.findings if not f.blocking and not f.waived])
    finding_text = f"{blocking} blocking finding{'s' if blocking != 1 else ''}"
    if others:
        finding_text += f", {others} warning{'s' if others != 1 else ''}"
    parts.append(finding_text)
    cost = analysis.cost
    if cost is not None and not cost.resources:
        parts.append("no priced resources")  # not "±$0.00/mo": nothing says the change is free
    elif cost is not None:
        unpriced = f" ({len(cost.not_priced)} not priced)" if cost.not_priced else ""
        parts.append(f"{format_money(cost.monthly_delta, cost.currency, signed=True)}/mo{unpriced}")
    if analysis.drift is not None and analysis.drift.has_drift:
        parts.append(f"drift on {len(analysis.drift.drifted)}")
    return f"{environment_name(analysis)}: " + " · ".join(parts)


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
    changes = analysis.plan.changes()
    groups = []
    for action in GROUP_ORDER:
        rcs = [rc for rc in changes if rc.action is action]
        if rcs:
            groups.append((action, shown(rcs, limits.of(action.value))))
    findings = sorted(analysis.findings, key=lambda f: (-f.severity.rank, f.waived, f.rule, f.address))
    drift = analysis.drift
    return Selection(
        minimal=limits.minimal,
        groups=tuple(groups),
        findings=shown(findings, limits.of("findings")),
        cost_rows=shown(_cost_rows(analysis.cost), limits.of("cost")) if analysis.cost is not None else None,
        drift=shown(drift.drifted, limits.of("drift")) if drift is not None and drift.has_drift else None,
        deferred=shown(analysis.plan.deferred, limits.of("deferred")) if analysis.plan.deferred else None,
    )


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

    def item(rc: ResourceChange) -> ChangeItem:
        key = (id(rc), limits.diffs)
        if key not in memo:
            memo[key] = _change_item(rc, config, with_diff=limits.diffs)
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
    )


def _change_item(rc: ResourceChange, config: ReportConfig, *, with_diff: bool) -> ChangeItem:
    diff: list[AttributeChange] = []
    if with_diff and rc.action is Action.UPDATE:
        diff = attribute_changes(rc, max_chars=config.diff_value_max_chars)
    return ChangeItem(
        address=rc.address,
        type=rc.type,
        action=rc.action.value,
        forced_by=tuple(replace_reasons(rc)),
        reason=rc.action_reason,
        previous_address=rc.previous_address,
        diff=tuple(diff[:MAX_DIFF_LINES]),
        diff_left_out=max(len(diff) - MAX_DIFF_LINES, 0),
    )


def _cost_rows(cost: CostEstimate) -> list[CostRow]:
    return sorted(
        (
            CostRow(r.address, r.action, r.monthly_before, r.monthly_after, r.monthly_delta)
            for r in cost.resources
        ),
        key=lambda r: (-abs(r.delta), r.address),
    )


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
    )
