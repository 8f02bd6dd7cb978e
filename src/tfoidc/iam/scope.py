"""Who can assume a role: every token a trust policy lets in, described as data, with witnesses.

For each OIDC provider a policy trusts, the request context of a web-identity token holds `<host>:sub`
and `<host>:aud` (and `amr`, which GitLab does not send); every key of another provider, and every
other claim, is absent. So a statement admits exactly the (sub, aud) pairs in the intersection of its
conditions' languages (tfoidc.iam.lang), minus those an applying Deny statement catches. Conditions on
keys that do not come from the token (aws:SourceIp, sts:RoleSessionName...) are decided concretely for
a few candidate values the caller could meet, absent included.

Over-broad trust is a *witness*: a concrete token the policy admits from a project it does not name, a
ref it does not name, or an audience it does not name. Every witness is re-checked with the concrete
evaluator (tfoidc.iam.trust.evaluate_trust_policy), so a finding is a token IAM would accept. Pure.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

from tfoidc.iam.conditions import (
    NEGATED_TO_POSITIVE,
    VARIABLES_VERSION,
    Context,
    evaluate_condition,
    is_negated,
    lowercase_keys,
    resolve_segments,
)
from tfoidc.iam.document import Condition, PolicyDocument, Statement, has_wildcard
from tfoidc.iam.evaluate import PolicyInput, action_covered, document_of
from tfoidc.iam.gitlab import (
    SUB_PREFIX,
    gitlab_subjects,
    looks_like_gitlab_sub,
    parse_subject,
    subject_claims,
    uses_another_format,
)
from tfoidc.iam.lang import (
    ANY_STRING,
    EMPTY,
    NON_EMPTY,
    UNIVERSE,
    Budget,
    Lang,
    LanguageTooComplex,
    all_of,
    any_of,
    glob,
    lang,
    literal,
    seq,
    witness,
)
from tfoidc.iam.trust import (
    WEB_IDENTITY_ACTION,
    evaluate_trust_policy,
    issuer_host_of,
    oidc_provider_host,
    web_identity_principal,
)

ExposureKind = Literal["any-project", "other-project", "any-ref", "any-audience"]
ANY_PROVIDER = "any OIDC provider"
_PLACEHOLDER_ACCOUNT = "000000000000"
_STRING_OPERATORS = frozenset({"StringEquals", "StringEqualsIgnoreCase", "StringLike"})
_OTHER_VALUE = "tfoidc-other-value"
_MAX_ASSIGNMENTS = 64


@dataclass(frozen=True)
class Witness:
    """A token the policy admits: its claims (IAM reads sub and aud) and any other request keys needed."""

    host: str
    provider_arn: str
    claims: dict[str, str]
    context: dict[str, tuple[str, ...]] = field(default_factory=dict)
    confirmed: bool = True  # the concrete evaluator allows it (False: a condition tfoidc cannot model)


@dataclass(frozen=True)
class Exposure:
    """Tokens admitted beyond what the policy names, shown by one witness."""

    kind: ExposureKind
    statement_index: int
    witness: Witness
    values: tuple[str, ...]  # the policy values (sub or aud patterns) that admit the witness
    no_positive_condition: bool = False  # the statement has no condition that names allowed values


@dataclass(frozen=True)
class TrustedSubject:
    """One `sub` value of an Allow statement that admits tokens, read as GitLab's parts."""

    value: str
    operator: str
    statement_index: int
    project: str | None  # None: not a GitLab-shaped value
    ref_type: str | None
    ref: str | None
    exceptions: tuple[str, ...] = ()  # Deny statements and negated conditions that carve tokens out

    def describe(self) -> str:
        if self.project is None:
            text = f"sub {self.operator} {self.value}"
        else:
            text = _project_words(self.project) + ", " + _ref_words(self.ref_type, self.ref)
        return text + "".join(f", except {e}" for e in self.exceptions)


@dataclass(frozen=True)
class ProviderScope:
    """Who can assume the role through one OIDC provider."""

    host: str
    provider_arns: tuple[str, ...]
    gitlab: bool  # the sub values are GitLab-shaped (or absent)
    any_project: bool
    subjects: tuple[TrustedSubject, ...]
    audiences: tuple[str, ...] | None  # None: any audience the provider accepts
    exposures: tuple[Exposure, ...]
    assumed: tuple[str, ...] = ()  # conditions on request keys outside the token, assumed satisfiable
    unknown: tuple[str, ...] = ()  # questions the analysis could not settle (policy too complex)

    @property
    def admits_anything(self) -> bool:
        return self.any_project or bool(self.subjects)

    def describe(self) -> str:
        if not self.admits_anything:
            return f"no token from {self.host}"
        if self.any_project:
            who = f"any project on {self.host}"
        else:
            who = f"{self.host}: " + "; ".join(s.describe() for s in self.subjects)
        audiences = (
            "any audience the provider accepts"
            if self.audiences is None
            else "audience " + ", ".join(self.audiences)
        )
        return f"{who} ({audiences})"


@dataclass(frozen=True)
class TrustScope:
    providers: tuple[ProviderScope, ...]
    other_principals: tuple[str, ...]  # non-web-identity principals an Allow statement trusts

    def describe(self) -> str:
        lines = [p.describe() for p in self.providers if p.admits_anything]
        lines += [f"principal {p}" for p in self.other_principals]
        return "\n".join(lines) if lines else "nobody"


def describe_trust(
    policy: PolicyInput, *, issuer_host: str | None = None, account_id: str | None = None
) -> TrustScope:
    """Who can assume a role with this trust policy, per OIDC provider, as IAM would decide it.

    `issuer_host` names the issuer to judge statements trusting any principal ("*") for; `account_id`
    completes provider ARNs written as bare host names."""
    document = document_of(policy)
    providers = [
        _provider_scope(document, host, arns)
        for host, arns in _trusted_providers(document, issuer_host, account_id).items()
    ]
    return TrustScope(providers=tuple(providers), other_principals=_other_principals(document))


# --- which providers, which statements ---------------------------------------------------------------


def _trusted_providers(
    document: PolicyDocument, issuer_host: str | None, account_id: str | None
) -> dict[str, tuple[str, ...]]:
    account = account_id or _PLACEHOLDER_ACCOUNT
    hosts: dict[str, list[str]] = {}
    for statement in document.statements:
        if statement.effect != "Allow" or not action_covered(statement, WEB_IDENTITY_ACTION)[0]:
            continue
        for name in statement.principals.get("Federated", ()):
            host = oidc_provider_host(name) or (name if "." in name and ":" not in name else None)
            if host:
                hosts.setdefault(host, []).append(name)
        if _trusts_anyone(statement):
            named = {h for c in statement.conditions if (h := _key_host(c.key)) is not None}
            wanted = {issuer_host_of(issuer_host)} if issuer_host else set()
            for host in sorted((wanted | named) or {ANY_PROVIDER}):
                arn = f"arn:aws:iam::{account}:oidc-provider/{host}"
                if arn not in hosts.setdefault(host, []):
                    hosts[host].append(arn)
    return {host: tuple(dict.fromkeys(arns)) for host, arns in hosts.items()}


def _trusts_anyone(statement: Statement) -> bool:
    if statement.not_principals:
        return True
    return "*" in statement.principals or "*" in statement.principals.get("AWS", ())


def _key_host(key: str) -> str | None:
    """'gitlab.example.com:sub' -> 'gitlab.example.com'; None for service keys (aws:, sts:, s3:...)."""
    prefix, colon, _claim = key.rpartition(":")
    return prefix.lower() if colon and ("." in prefix or "/" in prefix) else None


def _other_principals(document: PolicyDocument) -> tuple[str, ...]:
    found: list[str] = []
    for statement in document.statements:
        if statement.effect != "Allow":
            continue
        for kind, names in statement.principals.items():
            if kind == "Federated" and action_covered(statement, WEB_IDENTITY_ACTION)[0]:
                continue
            found += ["anyone (*)" if kind == "*" else f"{kind}: {name}" for name in names]
        if statement.not_principals:
            found.append(f"anyone but {dict(statement.not_principals)}")
    return tuple(dict.fromkeys(found))


# --- one provider --------------------------------------------------------------------------------------


@dataclass
class _Model:
    """One statement seen from one provider's tokens."""

    index: int
    statement: Statement
    sub: list[tuple[Condition, Lang | None]]  # None: a condition the languages cannot express
    aud: list[tuple[Condition, Lang | None]]
    concrete: list[Condition]  # keys absent from the token, or outside it: decided per candidate

    @property
    def effect(self) -> str:
        return self.statement.effect


@dataclass
class _Provider:
    document: PolicyDocument
    host: str
    arn: str
    grammar: Lang
    gitlab: bool
    allows: list[_Model]
    denies: list[_Model]
    free_keys: dict[str, list[Condition]]
    unknown: list[str] = field(default_factory=list)
    budget: Budget = field(default_factory=Budget)

    def search(self, language: Lang, what: str) -> str | None:
        """A witness of `language`, or None when it is empty or undecided (then noted in `unknown`)."""
        try:
            return witness(language, budget=self.budget)
        except LanguageTooComplex as exc:
            self.unknown.append(f"{what}: {exc}")
            return None

    def decides_empty(self, language: Lang, what: str) -> bool:
        """Whether `language` is empty for sure (False when it is not, or when undecided)."""
        try:
            return witness(language, budget=self.budget) is None
        except LanguageTooComplex as exc:
            self.unknown.append(f"{what}: {exc}")
            return False


def _provider_scope(document: PolicyDocument, host: str, arns: tuple[str, ...]) -> ProviderScope:
    arn = arns[0]
    relevant = [
        (i, s)
        for i, s in enumerate(document.statements)
        if web_identity_principal(arn)(s)[0] and action_covered(s, WEB_IDENTITY_ACTION)[0]
    ]
    sub_values = [
        v
        for _, s in relevant
        for c in s.conditions
        if c.key.lower() == f"{host.lower()}:sub" and not is_negated(c.operator)
        for v in c.values
    ]
    gitlab = all(looks_like_gitlab_sub(v) for v in sub_values)
    models = [_model(document, host, gitlab, index, statement) for index, statement in relevant]
    free: dict[str, list[Condition]] = {}
    for model in models:
        for condition in model.concrete:
            if _is_free_key(condition.key, host, gitlab):
                free.setdefault(condition.key.lower(), []).append(condition)
    provider = _Provider(
        document=document,
        host=host,
        arn=arn,
        grammar=gitlab_subjects(every_format=any(uses_another_format(v) for v in sub_values))
        if gitlab
        else NON_EMPTY_LANG,
        gitlab=gitlab,
        allows=[m for m in models if m.effect == "Allow"],
        denies=[m for m in models if m.effect == "Deny"],
        free_keys=free,
    )
    if _size(document) > MAX_TRUST_POLICY_CHARACTERS:
        # IAM refuses such a trust policy; a plan may still carry one, and its patterns must not make
        # the analysis run for long
        return _undecided(
            host,
            arns,
            gitlab,
            f"the policy is larger than IAM accepts ({MAX_TRUST_POLICY_CHARACTERS} characters)",
        )
    exposures = [e for allow in provider.allows for e in _exposures(provider, allow)]
    subjects = [s for allow in provider.allows for s in _subjects(provider, allow)]
    any_project = any(e.kind == "any-project" for e in exposures)
    audiences = (
        None
        if any(e.kind == "any-audience" for e in exposures)
        else tuple(
            dict.fromkeys(a for allow in provider.allows for a in _admitted_audiences(provider, allow))
        )
    )
    assumed = tuple(
        f"{c.full_operator} {c.key} {list(c.values)}" for conditions in free.values() for c in conditions
    )
    return ProviderScope(
        host=host,
        provider_arns=arns,
        gitlab=gitlab,
        any_project=any_project,
        subjects=tuple(subjects),
        audiences=audiences,
        exposures=tuple(exposures),
        assumed=tuple(dict.fromkeys(assumed)),
        unknown=tuple(dict.fromkeys(provider.unknown)),
    )


NON_EMPTY_LANG: Lang = lang(NON_EMPTY)
# The largest trust policy IAM accepts (the role trust policy length quota, raised to its maximum).
MAX_TRUST_POLICY_CHARACTERS = 4096


def _size(document: PolicyDocument) -> int:
    """Characters of the document's strings: no more than its JSON without whitespace."""
    total = 0
    for statement in document.statements:
        values = [
            *statement.actions,
            *statement.not_actions,
            *statement.resources,
            *statement.not_resources,
            *(name for names in statement.principals.values() for name in names),
            *(name for names in statement.not_principals.values() for name in names),
            *(v for c in statement.conditions for v in (c.key, *c.values)),
        ]
        total += sum(len(v) for v in values)
    return total


def _undecided(host: str, arns: tuple[str, ...], gitlab: bool, why: str) -> ProviderScope:
    return ProviderScope(
        host=host,
        provider_arns=arns,
        gitlab=gitlab,
        any_project=False,
        subjects=(),
        audiences=(),
        exposures=(),
        unknown=(why,),
    )


def _model(document: PolicyDocument, host: str, gitlab: bool, index: int, statement: Statement) -> _Model:
    model = _Model(index=index, statement=statement, sub=[], aud=[], concrete=[])
    dims = {f"{host.lower()}:sub": model.sub, f"{host.lower()}:aud": model.aud}
    for condition in statement.conditions:
        target = dims.get(condition.key.lower())
        if target is None:
            model.concrete.append(condition)
        else:
            target.append((condition, _value_language(condition, document.version, set(dims))))
    return model


def _is_free_key(key: str, host: str, gitlab: bool) -> bool:
    """Keys that do not come from the token: the caller may meet them (aws:SourceIp...). A key of a
    provider is absent unless it is this provider's amr (GitLab tokens carry no amr)."""
    owner = _key_host(key)
    if owner is None:
        return True
    return owner == host.lower() and key.lower().endswith(":amr") and not gitlab


def _value_language(condition: Condition, version: str | None, token_keys: set[str]) -> Lang | None:
    """The values of a present, single-valued key (a token's sub or aud) that satisfy `condition`;
    None when the condition is not a string comparison the languages express."""
    if condition.operator == "Null":
        wanted = {v.lower() for v in condition.values}
        return UNIVERSE if "false" in wanted and wanted <= {"true", "false"} else EMPTY
    positive = NEGATED_TO_POSITIVE.get(condition.operator, condition.operator)
    if positive not in _STRING_OPERATORS:
        return None
    options: list[Lang] = []
    for value in condition.values:
        if version == VARIABLES_VERSION and "${" in value and any(k in value.lower() for k in token_keys):
            return None  # compares the token with itself
        segments = resolve_segments(value, {}, version=version)
        if segments is None:
            continue  # a variable without a value: this value never matches
        if positive == "StringLike":
            options.append(lang(glob(segments)))
        else:
            text = "".join(part for part, _ in segments)
            options.append(lang(literal(text, ignore_case=positive == "StringEqualsIgnoreCase")))
    matched = any_of(options)
    return ~matched if is_negated(condition.operator) else matched


# --- the search ---------------------------------------------------------------------------------------


def _find(provider: _Provider, allow: _Model, sub_class: Lang, aud_class: Lang) -> Witness | None:
    """A token `allow` admits, no Deny catches, whose sub is in `sub_class` and aud in `aud_class`."""
    unconfirmed: Witness | None = None
    for assignment in _assignments(provider):
        context = lowercase_keys({k: v for k, v in assignment.items() if v is not None})
        if not all(
            evaluate_condition(c, context, version=provider.document.version).matched for c in allow.concrete
        ):
            continue
        subs = all_of([provider.grammar, sub_class, *(lg for _, lg in allow.sub if lg is not None)])
        auds = all_of([NON_EMPTY_LANG, aud_class, *(lg for _, lg in allow.aud if lg is not None)])
        denies = [
            d
            for d in provider.denies
            if all(
                evaluate_condition(c, context, version=provider.document.version).matched for c in d.concrete
            )
        ]
        for escapes in itertools.product(*(_escapes(d) for d in denies)):
            sub_parts = [subs, *(lg for dim, lg in escapes if dim == "sub")]
            aud_parts = [auds, *(lg for dim, lg in escapes if dim == "aud")]
            try:
                sub = witness(all_of(sub_parts), budget=provider.budget)
                aud = witness(all_of(aud_parts), budget=provider.budget)
            except LanguageTooComplex as exc:
                provider.unknown.append(f"statement {allow.index}: {exc}")
                return None
            if sub is None or aud is None:
                continue
            found = _verified(provider, sub, aud, {k: v for k, v in assignment.items() if v is not None})
            if found.confirmed:
                return found
            unconfirmed = unconfirmed or found
    return unconfirmed


def _escapes(deny: _Model) -> list[tuple[str, Lang]]:
    """The ways a token can avoid `deny`: fail one of its sub or aud conditions. A Deny without such
    conditions catches every token (empty list: no way out)."""
    ways: list[tuple[str, Lang]] = []
    for dim, conditions in (("sub", deny.sub), ("aud", deny.aud)):
        if not conditions:
            continue
        if any(lg is None for _, lg in conditions):
            ways.append((dim, UNIVERSE))  # not expressible: assume the Deny can be missed, then verify
        else:
            ways.append((dim, ~all_of([lg for _, lg in conditions if lg is not None])))
    return ways


def _assignments(provider: _Provider) -> Iterator[dict[str, tuple[str, ...] | None]]:
    keys = sorted(provider.free_keys)
    options = [_candidates(provider.free_keys[key]) for key in keys]
    size = 1
    for values in options:
        size *= len(values)
    if size > _MAX_ASSIGNMENTS:
        options = [[None, (_OTHER_VALUE,)] for _ in keys]
    for combination in itertools.product(*options):
        yield dict(zip(keys, combination, strict=True))


def _candidates(conditions: Sequence[Condition]) -> list[tuple[str, ...] | None]:
    """Values a caller might present for a key outside the token: absent, the policy's own values (with
    wildcards filled in), numbers either side, and something else."""
    found: list[tuple[str, ...] | None] = [None]
    for condition in conditions:
        for value in condition.values:
            if "${" in value:
                continue
            text = value.replace("*", "").replace("?", "x")
            found.append((text,))
            if condition.operator.startswith(("IpAddress", "NotIpAddress")):
                found.append((text.split("/", 1)[0],))
            if condition.operator.startswith(("Numeric", "Date")):
                try:
                    number = float(text)
                except ValueError:
                    continue
                found += [(repr(number - 1),), (repr(number + 1),)]
        if condition.operator == "Bool" or condition.operator == "BoolIfExists":
            found += [("true",), ("false",)]
    found.append((_OTHER_VALUE,))
    return list(dict.fromkeys(found))


def _verified(provider: _Provider, sub: str, aud: str, context: Mapping[str, tuple[str, ...]]) -> Witness:
    issuer = f"https://{provider.host}"
    claims = (
        subject_claims(sub, aud=aud, issuer=issuer)
        if provider.gitlab
        else {"iss": issuer, "sub": sub, "aud": aud}
    )
    decision = evaluate_trust_policy(
        provider.document,
        claims=claims,
        provider_arn=provider.arn,
        issuer_host=provider.host,
        extra_context=context,
    )
    return Witness(provider.host, provider.arn, claims, dict(context), confirmed=decision.allowed)


# --- exposures: what the policy admits beyond what it names ---------------------------------------------


@dataclass(frozen=True)
class _Named:
    namespaces: frozenset[str]
    projects: frozenset[str]
    tails: frozenset[str]  # literal ":ref_type:T:ref:R" / ":ref:R:ref_type:T" endings
    refless: tuple[str, ...]  # literal subs without a ref type: a tag and a branch of that name look alike
    prefixes: tuple[str, ...]  # non-GitLab: the literal start of each value
    audiences: tuple[str, ...]


def _named(provider: _Provider) -> _Named:
    """What the policy names: the values of the Allow statements' positive sub/aud conditions, and the
    values a Deny's negated condition spares ("deny every sub but X" names X)."""
    namespaces: set[str] = set()
    projects: set[str] = set()
    tails: set[str] = set()
    refless: list[str] = []
    prefixes: list[str] = []
    audiences: list[str] = []
    for _condition, value in _naming_values(provider, "aud"):
        if not has_wildcard(value):
            audiences.append(value)
    for condition, value in _naming_values(provider, "sub"):
        prefix = re.split(r"[*?]", value, maxsplit=1)[0]
        if prefix:
            prefixes.append(prefix)
        subject = parse_subject(value)
        if subject is None:
            continue
        namespace, slash, _ = subject.project.partition("/")
        if slash and not has_wildcard(namespace):
            namespaces.add(namespace.lower())
        if slash and not has_wildcard(subject.project):
            projects.add(subject.project.lower())
        parts = [p for p in (subject.ref_type, subject.ref) if p is not None]
        if not parts or any(has_wildcard(p) for p in parts):
            continue
        tail = value[len(SUB_PREFIX) + len(subject.project) :]
        if subject.ref_type is None:
            refless.append(value)
        elif subject.ref is not None:
            tails.add(tail)
            if "IgnoreCase" in condition.operator:
                # GitLab writes the keywords in lower case; the ref as written, or in lower case, is the
                # one meant: every other spelling is another (unprotected) branch
                for ref in (subject.ref, subject.ref.lower()):
                    tails.add(_tail_like(tail, subject.ref_type.lower(), ref))
    return _Named(
        frozenset(namespaces),
        frozenset(projects),
        frozenset(tails),
        tuple(refless),
        tuple(prefixes),
        tuple(audiences),
    )


def _naming_values(provider: _Provider, dim: str) -> Iterator[tuple[Condition, str]]:
    version = provider.document.version
    sources = [(m, False) for m in provider.allows] + [(m, True) for m in provider.denies]
    for model, spared in sources:
        for condition, _ in getattr(model, dim):
            if condition.operator == "Null" or is_negated(condition.operator) != spared:
                continue
            for value in condition.values:
                segments = resolve_segments(value, {}, version=version)
                if segments is not None and not (
                    version == VARIABLES_VERSION and f"${{{provider.host.lower()}:" in value.lower()
                ):
                    yield condition, "".join(text for text, _ in segments)


def _tail_like(tail: str, ref_type: str, ref: str) -> str:
    if tail.lower().startswith(":ref:"):
        return f":ref:{ref}:ref_type:{ref_type}"
    return f":ref_type:{ref_type}:ref:{ref}"


def _positive(conditions: list[tuple[Condition, Lang | None]]) -> list[Condition]:
    """Conditions that admit only the values they list (not negations, not Null checks)."""
    return [c for c, _ in conditions if not is_negated(c.operator) and c.operator != "Null"]


def _starting(prefix: str, *, ignore_case: bool) -> Lang:
    return lang(seq(literal(prefix, ignore_case=ignore_case), ANY_STRING))


def _ending(suffix: str) -> Lang:
    return lang(seq(ANY_STRING, literal(suffix)))


def _classes(provider: _Provider, named: _Named) -> list[tuple[ExposureKind, Lang, Lang]]:
    """(kind, sub class, aud class) for every kind of exposure, most severe first."""
    anything = NON_EMPTY_LANG
    if not provider.gitlab:
        unnamed = ~any_of([_starting(p, ignore_case=False) for p in named.prefixes])
        return [("any-project", unnamed, anything), ("any-audience", UNIVERSE, _unnamed_audience(named))]
    in_named_namespace = any_of([_starting(f"{SUB_PREFIX}{n}/", ignore_case=True) for n in named.namespaces])
    in_named_project = any_of([_starting(f"{SUB_PREFIX}{p}:", ignore_case=True) for p in named.projects])
    named_ref = any_of([_ending(t) for t in named.tails] + [lang(literal(s)) for s in named.refless])
    return [
        ("any-project", ~in_named_namespace, anything),
        ("other-project", in_named_namespace & ~in_named_project, anything),
        ("any-ref", ~named_ref, anything),
        ("any-audience", UNIVERSE, _unnamed_audience(named)),
    ]


def _unnamed_audience(named: _Named) -> Lang:
    return ~any_of([lang(literal(a)) for a in named.audiences])


def _exposures(provider: _Provider, allow: _Model) -> list[Exposure]:
    named = _named(provider)
    found: list[Exposure] = []
    for kind, sub_class, aud_class in _classes(provider, named):
        if kind in ("other-project", "any-ref") and any(e.kind == "any-project" for e in found):
            continue  # any project already means any project of the group, and any ref
        hit = _find(provider, allow, sub_class, aud_class)
        if hit is None:
            continue
        dim = allow.aud if kind == "any-audience" else allow.sub
        value = hit.claims["aud" if kind == "any-audience" else "sub"]
        found.append(
            Exposure(
                kind=kind,
                statement_index=allow.index,
                witness=hit,
                values=_values_admitting(dim, value, provider.document.version),
                no_positive_condition=not _positive(dim),
            )
        )
    if provider.gitlab and not any(e.kind in ("any-project", "any-ref") for e in found):
        found += _refless_exposures(provider, allow, named)
    return found


def _refless_exposures(provider: _Provider, allow: _Model, named: _Named) -> list[Exposure]:
    """A literal sub without its ref type (sub format project_path,ref) is the same for the branch and
    for a tag of that name: the tag, which a Developer may push, passes."""
    for value in named.refless:
        admitted = _find(provider, allow, lang(literal(value)), NON_EMPTY_LANG)
        if admitted is not None:
            claims = {**admitted.claims, "ref_type": "tag"}
            witness_ = Witness(
                admitted.host, admitted.provider_arn, claims, admitted.context, admitted.confirmed
            )
            return [Exposure("any-ref", allow.index, witness_, (value,))]
    return []


def _values_admitting(
    conditions: list[tuple[Condition, Lang | None]], value: str, version: str | None
) -> tuple[str, ...]:
    hits: list[str] = []
    for condition in _positive(conditions):
        for pattern in condition.values:
            probe = Condition(condition.operator, None, False, condition.key, (pattern,))
            if evaluate_condition(probe, {condition.key.lower(): (value,)}, version=version).matched:
                hits.append(pattern)
    return tuple(dict.fromkeys(hits))


# --- description ---------------------------------------------------------------------------------------


def _subjects(provider: _Provider, allow: _Model) -> list[TrustedSubject]:
    positive = [(c, lg) for c, lg in allow.sub if not is_negated(c.operator) and c.operator != "Null"]
    listed: list[tuple[Condition, str, Lang]] = []
    for condition, _ in positive:
        for value in condition.values:
            single = _value_language(
                Condition(condition.operator, None, False, condition.key, (value,)),
                provider.document.version,
                {f"{provider.host.lower()}:sub", f"{provider.host.lower()}:aud"},
            )
            if single is None:
                continue
            narrower = all(
                other is None
                or provider.decides_empty(single & provider.grammar & ~other, f"statement {allow.index}")
                for c, other in positive
                if c is not condition
            )
            if narrower:
                listed.append((condition, value, single))
    if not listed:
        listed = [(c, v, lg) for c, lg in positive if lg is not None for v in c.values]
    subjects: list[TrustedSubject] = []
    for condition, value, language in listed:
        if _find(provider, allow, language, NON_EMPTY_LANG) is None:
            continue
        parts = parse_subject(value) if provider.gitlab else None
        subjects.append(
            TrustedSubject(
                value=value,
                operator=condition.full_operator,
                statement_index=allow.index,
                project=parts.project if parts else None,
                ref_type=parts.ref_type if parts else None,
                ref=parts.ref if parts else None,
                exceptions=_exceptions(provider, allow, language),
            )
        )
    return subjects


def _exceptions(provider: _Provider, allow: _Model, language: Lang) -> tuple[str, ...]:
    found: list[str] = []
    for condition, other in allow.sub:
        if (
            is_negated(condition.operator)
            and other is not None
            and provider.search(language & ~other, f"statement {allow.index}") is not None
        ):
            found += [f"{v} ({condition.operator})" for v in condition.values]
    for deny in provider.denies:
        for condition, catches in deny.sub:
            if (
                catches is None
                or provider.search(language & catches & provider.grammar, "exceptions") is None
            ):
                continue
            shape = "what is not {}" if is_negated(condition.operator) else "{}"
            found += [f"{shape.format(v)} (Deny statement {deny.index})" for v in condition.values]
    return tuple(dict.fromkeys(found))


def _admitted_audiences(provider: _Provider, allow: _Model) -> list[str]:
    admitted: list[str] = []
    for condition in _positive(allow.aud):
        for value in condition.values:
            if has_wildcard(value) or "${" in value:
                continue
            if _find(provider, allow, UNIVERSE, lang(literal(value))) is not None:
                admitted.append(value)
    return admitted


def _project_words(project: str) -> str:
    if project in ("*", ""):
        return "any project"
    namespace, _, rest = project.partition("/")
    if has_wildcard(namespace):
        return f"projects matching {project}"
    if has_wildcard(rest):
        return f"projects {project} (group {namespace})"
    return f"project {project}"


def _ref_words(ref_type: str | None, ref: str | None) -> str:
    kind = {"branch": "branch", "tag": "tag", None: "branch or tag"}.get(ref_type, "branch or tag")
    if ref is None:
        return f"any {kind}" if ref_type else "any ref"
    if ref == "*":
        return f"any {kind}"
    if has_wildcard(ref):
        return f"{kind} matching {ref}"
    return f"{kind} {ref}"


__all__ = [
    "ANY_PROVIDER",
    "Context",
    "Exposure",
    "ProviderScope",
    "TrustScope",
    "TrustedSubject",
    "Witness",
    "describe_trust",
]
