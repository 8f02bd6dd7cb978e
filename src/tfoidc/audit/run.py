"""The audit commands as plain functions: read the account or its logs, judge, and return a report table.

The CLI parses options and renders; everything between is here, in order.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from tfoidc.audit.cloudtrail import S3Location, read_lookup_events, read_s3_logs
from tfoidc.audit.iam_inventory import Inventory, read_inventory
from tfoidc.audit.roles import EnvironmentRoles, RoleAudit, audit_roles, last_used_text
from tfoidc.audit.trail import Assumption, Expectations, RoleExpectation, TrailCollector, judge
from tfoidc.config import Config
from tfoidc.errors import InputError
from tfoidc.guardrails.engine import apply_waivers
from tfoidc.guardrails.model import Finding
from tfoidc.iam.trust import issuer_host_of
from tfoidc.report.audit import AuditTable, mask_key

_RELATIVE = re.compile(r"^(?P<n>\d+)(?P<unit>[mhdw])$")
_UNIT = {"m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


@dataclass(frozen=True, slots=True)
class Window:
    since: datetime
    until: datetime


def parse_window(since: str, until: str | None, *, now: datetime | None = None) -> Window:
    """`--since 1d` / `12h` / `2026-11-01` / an ISO time, and `--until` likewise (default: now)."""
    current = now or datetime.now(UTC)
    start = _when(since, current, "--since")
    end = _when(until, current, "--until") if until else current
    if start >= end:
        raise InputError(f"--since {since} is not before --until {until or 'now'}")
    return Window(start, end)


def _when(text: str, now: datetime, option: str) -> datetime:
    relative = _RELATIVE.match(text.strip())
    if relative:
        return now - timedelta(**{_UNIT[relative["unit"]]: int(relative["n"])})
    try:
        parsed = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        raise InputError(
            f"{option} {text!r}: expected a duration such as 1d, 12h, 30m, 2w or a date/time"
        ) from None
    return parsed.replace(tzinfo=parsed.tzinfo or UTC).astimezone(UTC)


def expectations_from(config: Config) -> Expectations:
    """What tfoidc.toml expects: each environment's apply role with its branch rules, its plan role, and
    the [audit] project patterns."""
    roles: dict[str, RoleExpectation] = {}
    for name, env in config.environments.items():
        for arn in (env.plan_role_arn, env.local_role_arn):
            if arn:
                roles.setdefault(arn, RoleExpectation(environment=name, apply=False))
        if env.role_arn:
            # An apply role wins over a plan role of the same ARN: its rules are the stricter ones.
            roles[env.role_arn] = RoleExpectation(
                environment=name, apply=True, apply_refs=tuple(env.apply_refs)
            )
    return Expectations(
        projects=tuple(config.audit.projects),
        roles=roles,
        failure_threshold=config.audit.failure_threshold,
    )


def audit_trail(
    session: Any,
    config: Config,
    *,
    window: Window,
    regions: Sequence[str],
    s3: str | None,
    activity: bool,
    today: date | None = None,
) -> AuditTable:
    collector = TrailCollector(activity_wanted=activity)
    if s3:
        location = S3Location.parse(s3)
        read_s3_logs(session.client("s3"), location, collector, since=window.since, until=window.until)
        source = f"CloudTrail log files in s3://{location.bucket}/{location.prefix}"
    else:
        for region in regions:
            client = session.client("cloudtrail", region_name=region)
            read_lookup_events(client, collector, since=window.since, until=window.until, activity=activity)
        source = f"CloudTrail event history (LookupEvents) in {', '.join(regions)}"
    assumptions = sorted(collector.assumptions, key=lambda a: (a.time, a.event_id))
    findings = _waived(judge(assumptions, expectations_from(config)), config, today)
    return _trail_table(assumptions, collector, findings, source, window, activity)


def _waived(findings: Sequence[Finding], config: Config, today: date | None) -> tuple[Finding, ...]:
    day = today or datetime.now(UTC).date()
    return tuple(apply_waivers(f, config.guardrails.waivers, None, day) for f in findings)


def _trail_table(
    assumptions: Sequence[Assumption],
    collector: TrailCollector,
    findings: tuple[Finding, ...],
    source: str,
    window: Window,
    activity: bool,
) -> AuditTable:
    sessions = collector.activity()
    rows = tuple(
        (
            f"{a.time:%Y-%m-%d %H:%M:%S}",
            a.role_arn.rsplit("/", 1)[-1],
            a.host,
            a.project_path or a.subject,
            f"{a.ref_type}:{a.ref}" if a.ref_type else "",
            f"{a.pipeline_id}/{a.job_id}" if a.pipeline_id else "",
            a.source_ip,
            "yes" if a.via_tfoidc else "no",
            a.result,
        )
        for a in assumptions
    )
    sections: list[tuple[str, tuple[str, ...]]] = []
    if activity:
        for a in assumptions:
            session = sessions.get(a.access_key_id) if a.access_key_id else None
            if session is None:
                continue
            calls = ", ".join(f"{svc}:{name} x{n}" for (svc, name), n in session.calls.most_common(10))
            writes = tuple(f"write {when} {svc}:{name}" for when, svc, name in session.writes[:50])
            sections.append(
                (
                    f"Session {a.session_name} ({mask_key(a.access_key_id)}): {session.total} calls",
                    (calls, *writes),
                )
            )
    stats = collector.stats
    totals = [
        f"window {window.since:%Y-%m-%d %H:%M} to {window.until:%Y-%m-%d %H:%M} UTC; "
        f"read {stats.files_read:,} log files and {stats.events_read:,} events; "
        f"{len(assumptions):,} assumptions ({sum(1 for a in assumptions if not a.succeeded):,} refused)"
    ]
    for reason, count in sorted(stats.files_skipped.items()):
        totals.append(f"skipped {count:,} file{'s' * (count != 1)}: {reason}")
    for reason, count in sorted(stats.events_skipped.items()):
        totals.append(f"skipped {count:,} event{'s' * (count != 1)}: {reason}")
    details = {
        "window": {"since": window.since, "until": window.until},
        "read": {
            "files": stats.files_read,
            "events": stats.events_read,
            "files_skipped": dict(stats.files_skipped),
            "events_skipped": dict(stats.events_skipped),
        },
        "assumptions": [_assumption_dict(a, sessions) for a in assumptions],
    }
    return AuditTable(
        kind="trail",
        title="Who assumed the GitLab roles",
        source=source,
        columns=(
            "time (UTC)",
            "role",
            "host",
            "project",
            "ref",
            "pipeline/job",
            "source IP",
            "tfoidc",
            "result",
        ),
        rows=rows,
        findings=findings,
        totals=tuple(totals),
        details=details,
        sections=tuple(sections),
    )


def _assumption_dict(a: Assumption, sessions: dict[str, Any]) -> dict[str, Any]:
    session = sessions.get(a.access_key_id) if a.access_key_id else None
    return {
        "time": a.time,
        "role_arn": a.role_arn,
        "region": a.region,
        "host": a.host,
        "subject": a.subject,
        "project_path": a.project_path,
        "ref_type": a.ref_type,
        "ref": a.ref,
        "session_name": a.session_name,
        "pipeline_id": a.pipeline_id,
        "job_id": a.job_id,
        "source_ip": a.source_ip,
        "user_agent": a.user_agent,
        "via_tfoidc": a.via_tfoidc,
        "result": a.result,
        "audience": a.audience,
        "event_id": a.event_id,
        "access_key": mask_key(a.access_key_id) if a.access_key_id else None,
        "activity": None
        if session is None
        else {
            "calls": [{"service": s, "event": n, "count": c} for (s, n), c in sorted(session.calls.items())],
            "writes": [{"time": t, "service": s, "event": n} for t, s, n in session.writes],
        },
    }


# --- audit roles --------------------------------------------------------------------------------------


def environment_roles(config: Config) -> list[EnvironmentRoles]:
    return [
        EnvironmentRoles(
            name=name,
            apply_role=env.role_arn,
            other_roles=tuple(
                arn
                for arn in (
                    env.plan_role_arn,
                    env.local_role_arn,
                    env.chain_role_arn,
                    getattr(env, "plan_chain_role_arn", None),
                )
                if arn
            ),
            apply_refs=tuple(env.apply_refs),
        )
        for name, env in config.environments.items()
    ]


def audit_account_roles(iam: Any, config: Config, *, today: date | None = None) -> AuditTable:
    inventory = read_inventory(iam)
    return roles_table(inventory, config, today=today)


def roles_table(inventory: Inventory, config: Config, *, today: date | None = None) -> AuditTable:
    hosts = {issuer_host_of(env.issuer) for env in config.environments.values() if env.issuer}
    audits, extra = audit_roles(inventory.roles, environment_roles(config), gitlab_hosts=hosts)
    audits.sort(key=lambda a: (a.kind != "gitlab", a.record.name))
    findings = _waived([*(f for a in audits for f in a.findings), *extra], config, today)
    rows = tuple(
        (
            a.record.name,
            "GitLab" if a.kind == "gitlab" else "other OIDC",
            a.who.replace("\n", "; "),
            a.power,
            "yes" if a.record.permissions_boundary else "no",
            f"{a.record.max_session_duration // 60} min",
            last_used_text(a.record.last_used, a.record.last_used_region),
            a.environment or "",
        )
        for a in audits
    )
    sections = tuple((f"{a.record.name}: what it can do", a.can_do) for a in audits)
    gitlab = sum(1 for a in audits if a.kind == "gitlab")
    totals = (
        f"{inventory.roles_listed:,} roles in the account; {len(audits):,} trust a web identity "
        f"({gitlab:,} GitLab, {len(audits) - gitlab:,} other OIDC providers); "
        f"{len(inventory.providers):,} OIDC providers",
    )
    return AuditTable(
        kind="roles",
        title="Who can assume the GitLab roles",
        source="IAM: " + (", ".join(p.url for p in inventory.providers) or "no OIDC provider"),
        columns=(
            "role",
            "trusts",
            "who can assume it",
            "power",
            "boundary",
            "max session",
            "last used",
            "environment",
        ),
        rows=rows,
        findings=findings,
        totals=totals,
        details={
            "providers": [
                {"arn": p.arn, "url": p.url, "client_ids": list(p.client_ids)} for p in inventory.providers
            ],
            "roles": [_role_dict(a) for a in audits],
        },
        sections=sections,
    )


def _role_dict(a: RoleAudit) -> dict[str, Any]:
    r = a.record
    return {
        "arn": r.arn,
        "name": r.name,
        "trusts": a.kind,
        "who": a.who,
        "providers": [
            {
                "host": p.host,
                "provider_arns": list(p.provider_arns),
                "any_project": p.any_project,
                "audiences": None if p.audiences is None else list(p.audiences),
                "subjects": [
                    {
                        "value": s.value,
                        "operator": s.operator,
                        "project": s.project,
                        "ref_type": s.ref_type,
                        "ref": s.ref,
                        "except": list(s.exceptions),
                    }
                    for s in p.subjects
                ],
                "over_broad": [
                    {"kind": e.kind, "example_sub": e.witness.claims.get("sub")} for e in p.exposures
                ],
            }
            for p in a.scope.providers
        ],
        "other_principals": list(a.scope.other_principals),
        "power": a.power,
        "can_do": list(a.can_do),
        "managed_policies": [arn for arn, _ in r.managed_policies],
        "inline_policies": [name for name, _ in r.inline_policies],
        "permissions_boundary": r.permissions_boundary[0] if r.permissions_boundary else None,
        "max_session_duration": r.max_session_duration,
        "last_used": r.last_used,
        "last_used_region": r.last_used_region,
        "environment": a.environment,
    }
