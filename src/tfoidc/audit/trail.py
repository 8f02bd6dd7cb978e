"""Who assumed the GitLab roles: CloudTrail `AssumeRoleWithWebIdentity` records as rows, what each
session did, and what a security reviewer should look at (pure: records in, rows and findings out).

Record shapes follow AWS's documentation: the `userIdentity` element of a web identity request
(https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-user-identity.html:
type `WebIdentityUser`, `userName` = the token's `sub`, `identityProvider`), the STS event's
`requestParameters.roleArn` / `roleSessionName` and `responseElements.credentials.accessKeyId`
(https://docs.aws.amazon.com/IAM/latest/UserGuide/cloudtrail-integration.html), and `errorCode` /
`errorMessage` on a refused call (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-record-contents.html).
"""

from __future__ import annotations

import fnmatch
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from tfoidc.guardrails.audit_rules import AUDIT_RULES
from tfoidc.guardrails.model import Finding, Severity

ASSUME_EVENT = "AssumeRoleWithWebIdentity"
SUCCESS = "success"
# tfoidc names its sessions gitlab-<project id>-<pipeline id>-<job id> and identifies itself in the
# user agent; either tells that an assumption went through tfoidc.
_TFOIDC_SESSION = re.compile(r"^gitlab-(?P<project>\d+)-(?P<pipeline>\d+)-(?P<job>\d+)$")
_TFOIDC_AGENT = "tfoidc/"
_PROVIDER_ARN = re.compile(r"^arn:aws[a-z-]*:iam::\d{12}:oidc-provider/")
# API calls that change nothing: the read-only prefixes CloudTrail's own `readOnly` flag agrees with.
_READ_PREFIXES = ("Get", "List", "Describe", "Head", "Lookup", "Search", "Scan", "Query", "BatchGet")

RULE_UNEXPECTED = "TFO-AUDIT-001"
RULE_UNPROTECTED = "TFO-AUDIT-002"
RULE_PROBING = "TFO-AUDIT-003"
RULE_NOT_TFOIDC = "TFO-AUDIT-004"
RULE_TITLES = AUDIT_RULES


class BadEvent(ValueError):
    """A record that claims to be an assumption but lacks what one always carries."""


@dataclass(frozen=True, slots=True)
class Assumption:
    """One `AssumeRoleWithWebIdentity` call, successful or refused."""

    time: datetime
    role_arn: str
    region: str
    host: str  # the issuer's host (gitlab.com, gitlab.example.com), '' when the record does not say
    subject: str
    project_path: str
    ref_type: str
    ref: str
    session_name: str
    pipeline_id: str
    job_id: str
    source_ip: str
    user_agent: str
    via_tfoidc: bool
    result: str  # SUCCESS or the error code
    access_key_id: str
    audience: str
    event_id: str

    @property
    def succeeded(self) -> bool:
        return self.result == SUCCESS

    @property
    def source(self) -> str:
        """`group/project @ branch main`, or the raw subject when it is not GitLab's shape."""
        if not self.project_path:
            return self.subject or "(no subject)"
        return f"{self.project_path} @ {self.ref_type or 'ref'} {self.ref}".rstrip()


@dataclass
class SessionActivity:
    """What one session's credentials did: calls by service and name, and the calls that change things."""

    calls: Counter[tuple[str, str]] = field(default_factory=Counter)
    writes: list[tuple[str, str, str]] = field(default_factory=list)  # (eventTime as logged, service, event)

    @property
    def total(self) -> int:
        return sum(self.calls.values())


@dataclass(frozen=True, slots=True)
class RoleExpectation:
    """What tfoidc.toml says of one role: its environment, and for apply roles the refs that may use it."""

    environment: str
    apply: bool
    apply_refs: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Expectations:
    projects: tuple[str, ...] = ()  # fnmatch patterns; empty: any project
    roles: Mapping[str, RoleExpectation] = field(default_factory=dict)
    failure_threshold: int = 5


@dataclass
class ReadStats:
    """How much was read and what was skipped: a report never has a silent gap."""

    files_read: int = 0
    events_read: int = 0
    files_skipped: Counter[str] = field(default_factory=Counter)  # reason -> files
    events_skipped: Counter[str] = field(default_factory=Counter)  # reason -> events

    def skip_file(self, reason: str) -> None:
        self.files_skipped[reason] += 1

    def skip_event(self, reason: str) -> None:
        self.events_skipped[reason] += 1


@dataclass
class TrailCollector:
    """Reads records one at a time (memory stays flat: no record is kept) into rows and activity."""

    activity_wanted: bool = False
    stats: ReadStats = field(default_factory=ReadStats)
    assumptions: list[Assumption] = field(default_factory=list)
    # Activity is gathered for every temporary key seen, in the one pass, and kept only for the keys an
    # assumption returned (records arrive in no particular order across files).
    _activity: dict[str, SessionActivity] = field(default_factory=lambda: defaultdict(SessionActivity))

    def add(self, record: Any) -> None:
        self.stats.events_read += 1
        if not isinstance(record, dict):  # decoded JSON: a plain dict (an ABC check costs 5x as much)
            self.stats.skip_event("not a JSON object")
            return
        if record.get("eventName") == ASSUME_EVENT:
            try:
                self.assumptions.append(assumption_of(record))
            except BadEvent as exc:
                self.stats.skip_event(str(exc))
            return
        if self.activity_wanted:
            self._count_activity(record)

    def add_all(self, records: Iterable[Any]) -> None:
        for record in records:
            self.add(record)

    def activity(self) -> dict[str, SessionActivity]:
        keys = {a.access_key_id for a in self.assumptions if a.access_key_id}
        return {k: v for k, v in self._activity.items() if k in keys}

    def _count_activity(self, record: dict[str, Any]) -> None:
        identity = record.get("userIdentity")
        key = identity.get("accessKeyId") if type(identity) is dict else None
        if type(key) is not str or not key.startswith("ASIA"):
            return  # only temporary credentials come from an assumption
        service = str(record.get("eventSource") or "").removesuffix(".amazonaws.com")
        name = str(record.get("eventName") or "")
        session = self._activity[key]
        session.calls[(service, name)] += 1
        if not is_read_only(record):
            session.writes.append((str(record.get("eventTime") or ""), service, name))


def assumption_of(record: Mapping[str, Any]) -> Assumption:
    """One row from one `AssumeRoleWithWebIdentity` record (raises BadEvent when essentials are missing)."""
    params = record.get("requestParameters")
    if not isinstance(params, Mapping) or not isinstance(params.get("roleArn"), str):
        raise BadEvent("assumption without requestParameters.roleArn")
    if not isinstance(record.get("eventTime"), str):
        raise BadEvent("assumption without eventTime")
    identity = record.get("userIdentity") if isinstance(record.get("userIdentity"), Mapping) else {}
    response = record.get("responseElements") if isinstance(record.get("responseElements"), Mapping) else {}
    assert isinstance(identity, Mapping) and isinstance(response, Mapping)
    subject = _text(response.get("subjectFromWebIdentityToken")) or _text(identity.get("userName"))
    project_path, ref_type, ref = parse_gitlab_subject(subject)
    session_name = _text(params.get("roleSessionName"))
    session = _TFOIDC_SESSION.match(session_name)
    user_agent = _text(record.get("userAgent"))
    credentials = response.get("credentials") if isinstance(response.get("credentials"), Mapping) else {}
    assert isinstance(credentials, Mapping)
    error = _text(record.get("errorCode"))
    return Assumption(
        time=_time(record["eventTime"]),
        role_arn=params["roleArn"],
        region=_text(record.get("awsRegion")),
        host=issuer_host(_text(identity.get("identityProvider")) or _text(response.get("provider"))),
        subject=subject,
        project_path=project_path,
        ref_type=ref_type,
        ref=ref,
        session_name=session_name,
        pipeline_id=session["pipeline"] if session else "",
        job_id=session["job"] if session else "",
        source_ip=_text(record.get("sourceIPAddress")),
        user_agent=user_agent,
        via_tfoidc=_TFOIDC_AGENT in user_agent or session is not None,
        result=error or SUCCESS,
        access_key_id=_text(credentials.get("accessKeyId")) if not error else "",
        audience=_text(response.get("audience")),
        event_id=_text(record.get("eventID")),
    )


def parse_gitlab_subject(subject: str) -> tuple[str, str, str]:
    """`project_path:g/p:ref_type:branch:ref:main` -> ('g/p', 'branch', 'main'); ('', '', '') otherwise.
    Project paths and git refs cannot hold ':', so the three markers split the subject unambiguously."""
    match = re.fullmatch(r"project_path:(?P<path>[^:]+):ref_type:(?P<type>[^:]+):ref:(?P<ref>.*)", subject)
    if match is None:
        return "", "", ""
    return match["path"], match["type"], match["ref"]


def issuer_host(provider: str) -> str:
    """The host of an identity provider as CloudTrail names it: a provider ARN, a URL or a host."""
    text = _PROVIDER_ARN.sub("", provider).removeprefix("https://").removeprefix("http://")
    return text.split("/", 1)[0]


def is_read_only(record: Mapping[str, Any]) -> bool:
    flag = record.get("readOnly")
    if isinstance(flag, bool):
        return flag
    if isinstance(flag, str):
        return flag.lower() == "true"
    return str(record.get("eventName") or "").startswith(_READ_PREFIXES)


def judge(assumptions: Iterable[Assumption], expectations: Expectations) -> tuple[Finding, ...]:
    """What a reviewer should look at: unexpected sources, apply roles used from refs their branch rules
    do not allow, repeated refusals, and sessions that did not go through tfoidc."""
    findings: list[Finding] = []
    refusals: Counter[tuple[str, str]] = Counter()
    # One finding per (rule, role, source, outcome), however many times it happened, with the count and
    # the first and last time: a reviewer reads one line per thing to look at.
    grouped: dict[tuple[str, str, str, bool], list[Assumption]] = defaultdict(list)
    for a in assumptions:
        for rule in _rules_broken(a, expectations):
            grouped[
                (rule, a.role_arn, a.source if rule != RULE_NOT_TFOIDC else a.session_name, a.succeeded)
            ].append(a)
        if not a.succeeded:
            refusals[(a.role_arn, a.subject or a.source_ip)] += 1
    for (rule, _, _, _), group in grouped.items():
        findings.append(_grouped_finding(rule, group, expectations))
    for (role, who), count in sorted(refusals.items()):
        if count >= expectations.failure_threshold:
            findings.append(
                _finding(
                    RULE_PROBING,
                    Severity.WARN,
                    role,
                    f"{count} refused assumptions of {role} by {who}",
                    "Find out who runs these jobs; a trust policy that refuses them is working, but "
                    "someone is trying.",
                )
            )
    return tuple(findings)


def _rules_broken(a: Assumption, expectations: Expectations) -> Iterable[str]:
    if expectations.projects and not any(
        fnmatch.fnmatchcase(a.project_path, p) for p in expectations.projects
    ):
        yield RULE_UNEXPECTED
    role = expectations.roles.get(a.role_arn)
    if role is not None and role.apply and not _ref_allowed(a, role):
        yield RULE_UNPROTECTED
    if a.succeeded and not a.via_tfoidc:
        yield RULE_NOT_TFOIDC


def _grouped_finding(rule: str, group: list[Assumption], expectations: Expectations) -> Finding:
    a = group[0]
    severity = Severity.BLOCK if a.succeeded else Severity.WARN
    outcome = "assumed" if a.succeeded else "tried to assume"
    when = f"at {a.time:%Y-%m-%d %H:%M:%S} UTC"
    if len(group) > 1:
        when = f"{len(group)} times, {a.time:%Y-%m-%d %H:%M} to {group[-1].time:%Y-%m-%d %H:%M} UTC"
    if rule == RULE_UNEXPECTED:
        return _finding(
            rule,
            severity,
            a.role_arn,
            f"{a.source} {outcome} {a.role_arn} {when}, and no project pattern in [audit] projects expects "
            f"{a.project_path or 'it'}",
            "Tighten the role's trust policy to the expected projects, or add the project to [audit] "
            "projects if it is expected.",
        )
    if rule == RULE_UNPROTECTED:
        role = expectations.roles[a.role_arn]
        rules = ", ".join(role.apply_refs) or "(any branch)"
        return _finding(
            rule,
            severity,
            a.role_arn,
            f"{a.source} {outcome} the apply role of {role.environment} ({a.role_arn}) {when}; its branch "
            f"rules allow branches {rules}",
            "Restrict the apply role's trust policy to protected branches (ref_type:branch:ref:<name>) and "
            "use a protected environment; see docs/security.md.",
        )
    return _finding(
        RULE_NOT_TFOIDC,
        Severity.WARN,
        a.role_arn,
        f"session {a.session_name or '(unnamed)'} of {a.role_arn} from {a.source} did not go through "
        f"tfoidc ({when}; user agent {a.user_agent or 'unknown'})",
        "Check that the job is one of yours; tfoidc's sessions are named gitlab-<project>-<pipeline>-<job>.",
    )


def _ref_allowed(a: Assumption, role: RoleExpectation) -> bool:
    if a.ref_type != "branch":
        return False  # a tag named like a protected branch is not that branch
    return not role.apply_refs or any(fnmatch.fnmatchcase(a.ref, p) for p in role.apply_refs)


def _finding(rule: str, severity: Severity, address: str, message: str, fix: str) -> Finding:
    return Finding(
        rule=rule, severity=severity, address=address, message=message, title=RULE_TITLES[rule], fix=fix
    )


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _time(value: Any) -> datetime:
    if isinstance(value, datetime):
        return value.astimezone(UTC)
    if not isinstance(value, str):
        raise BadEvent("event without a valid eventTime")
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00")).astimezone(UTC)
    except ValueError:
        raise BadEvent(f"eventTime {value[:40]!r} is not a time") from None
