"""Trust policies x GitLab token claim sets, with the decision IAM makes and the documented rule it follows.

Every row names the IAM documentation rule(s) behind its verdict (URL + rule), and who the token stands
for relative to the role's intended identity (project acme/infra on gitlab.example.com, the protected
branch main, audience sts.amazonaws.com). test_trust_table.py runs the evaluator, `tfoidc doctor`'s pure
diagnosis and the OIDC trust guardrail (TFO-IAM-003) over every row and requires them to agree with IAM.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

HOST = "gitlab.example.com"
OTHER_HOST = "gitlab.com"
ACCOUNT = "111122223333"
PROVIDER = f"arn:aws:iam::{ACCOUNT}:oidc-provider/{HOST}"
OTHER_PROVIDER = f"arn:aws:iam::{ACCOUNT}:oidc-provider/{OTHER_HOST}"
AUD = "sts.amazonaws.com"
ACTION = "sts:AssumeRoleWithWebIdentity"
MAIN = "project_path:acme/infra:ref_type:branch:ref:main"

IAM = "https://docs.aws.amazon.com/IAM/latest/UserGuide"
OPERATORS = f"{IAM}/reference_policies_elements_condition_operators.html"


@dataclass(frozen=True)
class Rule:
    url: str
    rule: str


RULES: dict[str, Rule] = {
    "absent": Rule(
        OPERATORS,
        "If the key in a condition is not present in the request context, the values do not match and the "
        "condition is false",
    ),
    "absent-negated": Rule(
        OPERATORS,
        "If the condition requires that the key is not matched (StringNotLike, ArnNotLike...) and the key "
        "is not present, the condition is true",
    ),
    "if-exists": Rule(
        f"{OPERATORS}#Conditions_IfExists",
        "...IfExists: if the key is not present in the request context, the condition evaluates to true; "
        "if it is present, it is evaluated as the operator says",
    ),
    "null": Rule(
        f"{OPERATORS}#Conditions_Null",
        'Null "true": the key is absent from the request context; "false": it is present and not null',
    ),
    "string-equals": Rule(f"{OPERATORS}#Conditions_String", "StringEquals: exact matching, case-sensitive"),
    "no-wildcards-in-equals": Rule(
        f"{OPERATORS}#Conditions_String",
        "Wildcards are supported by StringLike/StringNotLike only: under StringEquals '*' is a literal",
    ),
    "ignore-case": Rule(
        f"{OPERATORS}#Conditions_String", "StringEqualsIgnoreCase / StringNotEqualsIgnoreCase: ignore case"
    ),
    "string-like": Rule(
        f"{OPERATORS}#Conditions_String",
        "StringLike: case-sensitive matching; '*' matches any run of characters, '?' exactly one",
    ),
    "and": Rule(
        f"{IAM}/reference_policies_condition-logic-multiple-context-keys-or-values.html",
        "Several condition operators, and several keys under one operator, are evaluated with a logical AND",
    ),
    "or": Rule(
        f"{IAM}/reference_policies_condition-logic-multiple-context-keys-or-values.html",
        "Several values for one key under one operator are evaluated with a logical OR",
    ),
    "nor": Rule(
        f"{IAM}/reference_policies_condition-logic-multiple-context-keys-or-values.html",
        "Several values for one key under a negated operator are evaluated with a logical NOR",
    ),
    "deny-wins": Rule(
        f"{IAM}/reference_policies_evaluation-logic.html",
        "An explicit Deny in any applicable policy overrides any Allow",
    ),
    "implicit-deny": Rule(
        f"{IAM}/reference_policies_evaluation-logic.html",
        "A request is denied by default unless an Allow statement applies (implicit deny)",
    ),
    "for-all-values": Rule(
        f"{IAM}/reference_policies_condition-single-vs-multi-valued-context-keys.html",
        "ForAllValues: true if every value in the request matches a policy value, and also when the key "
        "is absent or its value set is empty",
    ),
    "for-any-value": Rule(
        f"{IAM}/reference_policies_condition-single-vs-multi-valued-context-keys.html",
        "ForAnyValue: true if at least one value in the request matches a policy value; false when the "
        "key is absent",
    ),
    "variables": Rule(
        f"{IAM}/reference_policies_variables.html",
        "Policy variables ${key} are replaced with the request's value of that key in String and ARN "
        "conditions; ${key, 'default'} uses the default when the key has no value; ${*} ${?} ${$} are the "
        "literal characters",
    ),
    "variables-version": Rule(
        f"{IAM}/reference_policies_elements_version.html",
        'Policy variables are only substituted in policies with "Version": "2012-10-17"; in the 2008-10-17 '
        "version they are literal strings",
    ),
    "wif-keys": Rule(
        f"{IAM}/reference_policies_iam-condition-keys.html#condition-keys-wif",
        "For a web identity, the request context holds <provider>:aud, :sub and :amr (the provider URL "
        "without https://); other claims, and keys of any other provider, are not in it",
    ),
    "key-case": Rule(
        f"{IAM}/reference_policies_elements_condition.html",
        "Condition key names are not case-sensitive; their values are compared as the operator says",
    ),
    "principal": Rule(
        f"{IAM}/reference_policies_elements_principal.html",
        'A web identity is covered by "Principal": {"Federated": <provider ARN>} naming its provider, '
        'or by "*"; NotPrincipal covers everyone it does not name',
    ),
    "action": Rule(
        f"{IAM}/reference_policies_elements_action.html",
        "The statement applies only to the actions its Action element lists (wildcards allowed)",
    ),
    "not-action": Rule(
        f"{IAM}/reference_policies_elements_notaction.html",
        "NotAction applies the statement to every action except those listed",
    ),
    "gitlab-sub": Rule(
        "https://docs.gitlab.com/ci/secrets/id_token_authentication/",
        "GitLab's sub is project_path:{group}/{project}:ref_type:{branch|tag}:ref:{ref} (the ref parts can "
        "be reordered or dropped per project); a fork merge request pipeline carries the fork's path",
    ),
}

Who = Literal[
    "intended",  # acme/infra, protected main, the audience the role expects
    "feature-branch",  # an unprotected branch of the project (any Developer can push it)
    "tag-named-main",  # a tag named like the protected branch (Developers may push tags)
    "case-variant",  # branch "MAIN": another, unprotected branch
    "other-project",  # another project on the instance (anyone who can create one)
    "group-project",  # another project of the same group
    "fork-mr",  # a fork's merge request pipeline (GitLab with the fix for gitlab#548165)
    "other-audience",  # a token minted for another audience (another job, another service)
]


def claims(
    project: str = "acme/infra",
    ref: str = "main",
    ref_type: str = "branch",
    *,
    aud: str | list[str] = AUD,
    host: str = HOST,
    sub: str | None = None,
) -> dict[str, Any]:
    """The claims GitLab puts in an ID token (IAM reads sub and aud; the rest is for people)."""
    return {
        "iss": f"https://{host}",
        "sub": sub or f"project_path:{project}:ref_type:{ref_type}:ref:{ref}",
        "aud": aud,
        "project_path": project,
        "ref": ref,
        "ref_type": ref_type,
        "ref_protected": "true"
        if (ref, ref_type) == ("main", "branch") and project == "acme/infra"
        else "false",
    }


TOKENS: dict[str, tuple[Who, dict[str, Any]]] = {
    "main": ("intended", claims()),
    "feature": ("feature-branch", claims(ref="feature/login")),
    "release": ("feature-branch", claims(ref="release/2.0")),
    "tag-main": ("tag-named-main", claims(ref_type="tag")),
    "branch-MAIN": ("case-variant", claims(ref="MAIN")),
    "mallory": ("other-project", claims(project="mallory/infra")),
    "evil": ("other-project", claims(project="evil/infra")),
    "website": ("group-project", claims(project="acme/website")),
    "fork": ("fork-mr", claims(project="mallory/infra-fork")),
    "aud-gitlab": ("other-audience", claims(aud=f"https://{HOST}")),
    "aud-list": ("intended", claims(aud=["https://vault.example.com", AUD])),
    "gitlab.com-main": ("other-project", claims(host=OTHER_HOST)),  # acme/infra of another instance
    "refless-tag-main": (
        "tag-named-main",
        claims(ref_type="tag", sub="project_path:acme/infra:ref:main"),
    ),
}


def statement(conditions: dict[str, Any] | None = None, **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"Effect": "Allow", "Principal": {"Federated": PROVIDER}, "Action": ACTION}
    if conditions is not None:
        body["Condition"] = conditions
    body.update(overrides)
    return body


def deny(conditions: dict[str, Any], **overrides: Any) -> dict[str, Any]:
    return statement(conditions, Effect="Deny", **overrides)


def policy(*statements: dict[str, Any], version: str = "2012-10-17") -> dict[str, Any]:
    return {"Version": version, "Statement": list(statements)}


def key(claim: str, host: str = HOST) -> str:
    return f"{host}:{claim}"


PINNED = {"StringEquals": {key("aud"): AUD, key("sub"): MAIN}}
AUD_ONLY = {"StringEquals": {key("aud"): AUD}}


def like(*subs: str) -> dict[str, Any]:
    return {**AUD_ONLY, "StringLike": {key("sub"): list(subs)}}


@dataclass(frozen=True)
class PolicyCase:
    name: str
    policy: dict[str, Any]
    # token name -> (IAM allows it, rule keys); the token names are TOKENS' keys
    verdicts: dict[str, tuple[bool, tuple[str, ...]]]
    reason: dict[str, str] = field(default_factory=dict)  # token name -> fragment of the decision's reason
    names: tuple[str, ...] = ()  # tokens this policy deliberately admits besides the intended one


A, D = True, False

POLICIES: list[PolicyCase] = [
    PolicyCase(
        "pinned project, branch and audience",
        policy(statement(PINNED)),
        {
            "main": (A, ("string-equals", "and", "wif-keys")),
            "feature": (D, ("string-equals", "implicit-deny")),
            "tag-main": (D, ("string-equals", "gitlab-sub")),
            "mallory": (D, ("string-equals",)),
            "fork": (D, ("string-equals", "gitlab-sub")),
            "aud-gitlab": (D, ("string-equals", "and")),
            "aud-list": (A, ("or", "string-equals")),
            "gitlab.com-main": (D, ("principal", "implicit-deny")),
        },
        {"main": "allowed by statement 0", "feature": f"{HOST}:sub did not match"},
    ),
    PolicyCase(
        "any branch of the project",
        policy(statement(like("project_path:acme/infra:ref_type:branch:ref:*"))),
        {
            "main": (A, ("string-like",)),
            "feature": (A, ("string-like",)),
            "tag-main": (D, ("string-like", "gitlab-sub")),
            "mallory": (D, ("string-like",)),
        },
    ),
    PolicyCase(
        "any ref type named main: a tag named main passes",
        policy(statement(like("project_path:acme/infra:ref_type:*:ref:main"))),
        {
            "main": (A, ("string-like",)),
            "tag-main": (A, ("string-like", "gitlab-sub")),
            "feature": (D, ("string-like",)),
        },
    ),
    PolicyCase(
        "group-wide wildcard",
        policy(statement(like("project_path:acme/*:ref_type:branch:ref:main"))),
        {
            "main": (A, ("string-like",)),
            "website": (A, ("string-like",)),
            "mallory": (D, ("string-like",)),
        },
    ),
    PolicyCase(
        "no sub condition: every project on the instance",
        policy(statement(AUD_ONLY)),
        {
            "mallory": (A, ("and", "wif-keys")),
            "fork": (A, ("wif-keys", "gitlab-sub")),
            "aud-gitlab": (D, ("string-equals",)),
        },
    ),
    PolicyCase(
        "project_path:* wildcard",
        policy(statement(like("project_path:*"))),
        {"mallory": (A, ("string-like",)), "main": (A, ("string-like",))},
    ),
    PolicyCase(
        "only a negated sub condition",
        policy(statement({**AUD_ONLY, "StringNotLike": {key("sub"): "project_path:evil/*"}})),
        {
            "mallory": (A, ("absent-negated", "nor")),
            "evil": (D, ("string-like", "and")),
        },
    ),
    PolicyCase(
        "broad StringLike next to an exact StringEquals on sub: tight",
        policy(
            statement(
                {
                    "StringEquals": {key("aud"): AUD, key("sub"): MAIN},
                    "StringLike": {key("sub"): "project_path:acme/*"},
                }
            )
        ),
        {
            "main": (A, ("and",)),
            "website": (D, ("and", "string-equals")),
            "feature": (D, ("and", "string-equals")),
        },
    ),
    PolicyCase(
        "Deny carves tags out of an any-ref Allow",
        policy(
            statement(like("project_path:acme/infra:*")),
            deny({"StringLike": {key("sub"): "*:ref_type:tag:*"}}, Sid="NoTags"),
        ),
        {
            "main": (A, ("string-like",)),
            "tag-main": (D, ("deny-wins",)),
            "feature": (A, ("string-like",)),
        },
        {"tag-main": "explicitly denied by Deny statement 1 (NoTags)"},
    ),
    PolicyCase(
        "Deny everything but main: the Allow is carved down to one branch",
        policy(
            statement(like("project_path:acme/infra:*")),
            deny({"StringNotEquals": {key("sub"): MAIN}}),
        ),
        {
            "main": (A, ("string-equals", "deny-wins")),
            "feature": (D, ("deny-wins",)),
            "tag-main": (D, ("deny-wins",)),
            "mallory": (D, ("string-like",)),
        },
    ),
    PolicyCase(
        "conditions on another provider's keys: absent, so the Allow admits nobody",
        policy(statement({"StringEquals": {key("aud", OTHER_HOST): AUD, key("sub", OTHER_HOST): MAIN}})),
        {"main": (D, ("wif-keys", "absent")), "mallory": (D, ("wif-keys", "absent"))},
    ),
    PolicyCase(
        "a negated condition on another provider's keys restricts nothing",
        policy(statement({**AUD_ONLY, "StringNotLike": {key("sub", OTHER_HOST): "project_path:evil/*"}})),
        {"mallory": (A, ("wif-keys", "absent-negated")), "evil": (A, ("wif-keys", "absent-negated"))},
    ),
    PolicyCase(
        "a Deny on another provider's keys never applies",
        policy(
            statement(like("project_path:acme/infra:*")),
            deny({"StringLike": {key("sub", OTHER_HOST): "*:ref_type:tag:*"}}),
        ),
        {"tag-main": (A, ("wif-keys", "absent")), "mallory": (D, ("string-like",))},
    ),
    PolicyCase(
        "StringLikeIfExists on a present sub still compares",
        policy(statement({**AUD_ONLY, "StringLikeIfExists": {key("sub"): "project_path:acme/infra:*"}})),
        {
            "main": (A, ("if-exists",)),
            "feature": (A, ("if-exists", "string-like")),
            "mallory": (D, ("if-exists", "string-like")),
        },
    ),
    PolicyCase(
        "IfExists on amr, which GitLab does not send",
        policy(statement({**PINNED, "StringEqualsIfExists": {key("amr"): "mfa"}})),
        {"main": (A, ("if-exists", "wif-keys")), "feature": (D, ("string-equals",))},
    ),
    PolicyCase(
        "Null true on amr: absent, so true",
        policy(statement({**PINNED, "Null": {key("amr"): "true"}})),
        {"main": (A, ("null",))},
    ),
    PolicyCase(
        "Null true on sub: every token carries sub",
        policy(statement({**AUD_ONLY, "Null": {key("sub"): "true"}})),
        {"main": (D, ("null",)), "mallory": (D, ("null",))},
    ),
    PolicyCase(
        "Null false on sub restricts nothing",
        policy(statement({**AUD_ONLY, "Null": {key("sub"): "false"}})),
        {"mallory": (A, ("null",))},
    ),
    PolicyCase(
        "StringEqualsIgnoreCase: another spelling of main is another branch",
        policy(statement({**AUD_ONLY, "StringEqualsIgnoreCase": {key("sub"): MAIN.upper()}})),
        {
            "main": (A, ("ignore-case",)),
            "branch-MAIN": (A, ("ignore-case",)),
            "feature": (D, ("ignore-case",)),
        },
    ),
    PolicyCase(
        "StringEquals values are case-sensitive",
        policy(statement({"StringEquals": {key("aud"): AUD, key("sub"): MAIN.replace("main", "MAIN")}})),
        {"main": (D, ("string-equals",)), "feature": (D, ("string-equals",))},
    ),
    PolicyCase(
        "a wildcard under StringEquals is a literal",
        policy(statement({"StringEquals": {key("aud"): AUD, key("sub"): "project_path:acme/infra:*"}})),
        {"main": (D, ("no-wildcards-in-equals",)), "feature": (D, ("no-wildcards-in-equals",))},
    ),
    PolicyCase(
        "StringNotEquals on aud admits every other audience",
        policy(
            statement({"StringEquals": {key("sub"): MAIN}, "StringNotEquals": {key("aud"): "https://vault"}})
        ),
        {"main": (A, ("and",)), "aud-gitlab": (A, ("nor", "and"))},
    ),
    PolicyCase(
        "ForAllValues on an absent key is true: any project",
        policy(statement({**AUD_ONLY, "ForAllValues:StringEquals": {key("amr"): "mfa"}})),
        {"mallory": (A, ("for-all-values", "wif-keys"))},
    ),
    PolicyCase(
        "ForAnyValue on aud: one listed audience is enough",
        policy(
            statement({"StringEquals": {key("sub"): MAIN}, "ForAnyValue:StringEquals": {key("aud"): AUD}})
        ),
        {
            "main": (A, ("for-any-value",)),
            "aud-list": (A, ("for-any-value",)),
            "aud-gitlab": (D, ("for-any-value",)),
        },
    ),
    PolicyCase(
        "ForAllValues on aud: every audience must be listed",
        policy(
            statement({"StringEquals": {key("sub"): MAIN}, "ForAllValues:StringEquals": {key("aud"): AUD}})
        ),
        {"main": (A, ("for-all-values",)), "aud-list": (D, ("for-all-values",))},
    ),
    PolicyCase(
        "policy variable ${*} is a literal asterisk",
        policy(statement(like("project_path:acme/infra:ref_type:branch:ref:${*}"))),
        {"main": (D, ("variables",)), "feature": (D, ("variables",))},
    ),
    PolicyCase(
        "policy variable with a default, the key being absent",
        policy(
            statement(
                {
                    **AUD_ONLY,
                    "StringEquals": {
                        key("aud"): AUD,
                        key("sub"): "project_path:acme/infra:ref_type:branch:ref:${aws:username, 'main'}",
                    },
                }
            )
        ),
        {"main": (A, ("variables",)), "feature": (D, ("variables",))},
    ),
    PolicyCase(
        "sub compared with itself through a policy variable: any project",
        policy(statement({"StringEquals": {key("aud"): AUD, key("sub"): f"${{{key('sub')}}}"}})),
        {"mallory": (A, ("variables",)), "main": (A, ("variables",))},
    ),
    PolicyCase(
        "the same variable in a 2008-10-17 policy is literal text",
        policy(
            statement({"StringEquals": {key("aud"): AUD, key("sub"): f"${{{key('sub')}}}"}}),
            version="2008-10-17",
        ),
        {"mallory": (D, ("variables-version",)), "main": (D, ("variables-version",))},
    ),
    PolicyCase(
        'Principal "*" with pinned conditions',
        policy(statement(PINNED, Principal="*")),
        {
            "main": (A, ("principal",)),
            "mallory": (D, ("string-equals",)),
            "gitlab.com-main": (D, ("absent",)),
        },
    ),
    PolicyCase(
        "another provider only",
        policy(
            statement(
                {"StringEquals": {key("aud", OTHER_HOST): AUD, key("sub", OTHER_HOST): MAIN}},
                Principal={"Federated": OTHER_PROVIDER},
            )
        ),
        {"main": (D, ("principal",)), "gitlab.com-main": (A, ("principal", "wif-keys"))},
        {"main": f"no Allow statement trusts {PROVIDER}"},
        names=("gitlab.com-main",),
    ),
    PolicyCase(
        "NotAction that does not exclude web identity",
        policy({k: v for k, v in statement(PINNED, NotAction="sts:AssumeRole").items() if k != "Action"}),
        {"main": (A, ("not-action",)), "feature": (D, ("string-equals",))},
    ),
    PolicyCase(
        "NotAction with no sub condition: every project",
        policy({k: v for k, v in statement(AUD_ONLY, NotAction="sts:AssumeRole").items() if k != "Action"}),
        {"mallory": (A, ("not-action", "wif-keys")), "main": (A, ("not-action",))},
    ),
    PolicyCase(
        "Action sts:AssumeRole only",
        policy(statement(PINNED, Action="sts:AssumeRole")),
        {"main": (D, ("action", "implicit-deny"))},
    ),
    PolicyCase(
        "several values for sub are ORed",
        policy(statement(like(MAIN, "project_path:acme/infra:ref_type:branch:ref:release/*"))),
        {"main": (A, ("or",)), "release": (A, ("or", "string-like")), "feature": (D, ("or",))},
    ),
    PolicyCase(
        "condition keys are case-insensitive",
        policy(statement({"StringEquals": {"GitLab.Example.COM:SUB": MAIN, "gitlab.example.com:Aud": AUD}})),
        {"main": (A, ("key-case",)), "feature": (D, ("key-case", "string-equals"))},
    ),
    PolicyCase(
        "two Allow statements: the second matches",
        policy(
            statement({"StringEquals": {key("aud"): AUD, key("sub"): MAIN.replace("infra", "website")}}),
            statement(PINNED, Sid="Infra"),
        ),
        {
            "main": (A, ("or", "string-equals")),
            "website": (A, ("string-equals",)),
            "feature": (D, ("string-equals",)),
        },
        {"main": "allowed by statement 1 (Infra)"},
        names=("website",),
    ),
    PolicyCase(
        "NotPrincipal excluding the provider",
        policy(
            {
                **{k: v for k, v in statement(PINNED).items() if k != "Principal"},
                "NotPrincipal": {"Federated": PROVIDER},
            }
        ),
        {"main": (D, ("principal",))},
    ),
    PolicyCase(
        "Deny StringNotEqualsIgnoreCase: every spelling of main stays",
        policy(
            statement(like("project_path:acme/infra:*")),
            deny({"StringNotEqualsIgnoreCase": {key("sub"): MAIN}}),
        ),
        {
            "main": (A, ("ignore-case", "deny-wins")),
            "branch-MAIN": (A, ("ignore-case",)),
            "feature": (D, ("deny-wins", "ignore-case")),
        },
    ),
    PolicyCase(
        "a sub format without ref_type: the tag main is the branch main",
        policy(
            statement({"StringEquals": {key("aud"): AUD, key("sub"): "project_path:acme/infra:ref:main"}})
        ),
        {"refless-tag-main": (A, ("string-equals", "gitlab-sub")), "main": (D, ("string-equals",))},
    ),
]


@dataclass(frozen=True)
class Row:
    policy_name: str
    policy: dict[str, Any]
    token: str
    who: Who
    claims: dict[str, Any]
    allowed: bool
    rules: tuple[Rule, ...]
    reason: str

    @property
    def id(self) -> str:
        return f"{self.policy_name} / {self.token}"


ROWS: list[Row] = [
    Row(
        case.name,
        case.policy,
        token,
        "intended" if token in case.names else TOKENS[token][0],
        TOKENS[token][1],
        allowed,
        tuple(RULES[r] for r in rules),
        case.reason.get(token, ""),
    )
    for case in POLICIES
    for token, (allowed, rules) in case.verdicts.items()
]
