"""IAM permission policies: what identities are granted, in every shape a plan carries a policy.

Documents are read from aws_iam_policy, aws_iam_role_policy, aws_iam_user_policy,
aws_iam_group_policy, aws_iam_role inline_policy blocks and aws_iam_policy_document data sources (their
`json`, or their `statement` blocks when the json is known only after apply), parsed by
`tfoidc.iam.document` (the parser `tfoidc doctor` uses). Actions are expanded with AWS's catalog of
IAM actions (`tfoidc.guardrails.iam_actions`), so `s3:*Object` or `lambda:*` count for every action they
cover. Privilege escalation is judged over everything one principal is granted: a role's inline
policies, its role policies and the managed policies this plan attaches to it.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from tfoidc.guardrails.documents import PolicySource, parsed, policy_sources
from tfoidc.guardrails.iam_actions import catalog
from tfoidc.guardrails.links import attribute_references, linked
from tfoidc.guardrails.model import Severity
from tfoidc.guardrails.registry import Hit, RuleContext, rule
from tfoidc.guardrails.resources import known, live, unknown, value
from tfoidc.guardrails.settings import setting
from tfoidc.iam.document import PolicyDocument, Statement, action_matches
from tfoidc.plan.model import Plan, ResourceChange

PERMISSION_POLICY_TYPES = (
    "aws_iam_policy",
    "aws_iam_role_policy",
    "aws_iam_user_policy",
    "aws_iam_group_policy",
    "aws_iam_role",  # its inline_policy blocks; the trust policy is judged by the trust rules
)
# AWS managed policies that grant (nearly) everything or every IAM action.
ADMIN_MANAGED_POLICIES = {
    "AdministratorAccess": Severity.BLOCK,
    "IAMFullAccess": Severity.BLOCK,
    "PowerUserAccess": Severity.WARN,
}
# Actions that hand out credentials whatever they are scoped to (cloudsplaining's credential exposure
# list, the basis of Checkov CKV_AWS_287).
CREDENTIAL_ACTIONS = (
    "iam:CreateAccessKey",
    "iam:CreateLoginProfile",
    "iam:UpdateLoginProfile",
    "iam:CreateServiceSpecificCredential",
    "iam:ResetServiceSpecificCredential",
    "iam:UpdateAccessKey",
    "sts:AssumeRole",
    "sts:GetFederationToken",
    "sts:GetSessionToken",
    "ec2:GetPasswordData",
    "ecr:GetAuthorizationToken",
    "redshift:GetClusterCredentials",
    "rds-db:Connect",
    "sso:GetRoleCredentials",
    "lightsail:GetInstanceAccessDetails",
    "lightsail:GetRelationalDatabaseMasterUserPassword",
    "cognito-identity:GetCredentialsForIdentity",
    "gamelift:RequestUploadCredentials",
)
# Reads that hand over data (Checkov CKV_AWS_288's class): worth a warning even on their own.
DATA_READS = (
    "s3:GetObject",
    "ssm:GetParameter",
    "ssm:GetParameters",
    "ssm:GetParametersByPath",
    "secretsmanager:GetSecretValue",
    "kms:Decrypt",
    "dynamodb:GetItem",
    "dynamodb:Query",
    "dynamodb:Scan",
)


@dataclass(frozen=True)
class Escalation:
    name: str
    actions: tuple[str, ...]
    how: str


# Privilege-escalation methods: Rhino Security Labs, "AWS IAM Privilege Escalation - Methods and
# Mitigation" (parts 1 and 2), Bishop Fox iam-vulnerable, and AWS's own warnings on iam:PassRole
# (https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_use_passrole.html).
ESCALATIONS = (
    Escalation("CreatePolicyVersion", ("iam:CreatePolicyVersion",), "rewrite a managed policy it holds"),
    Escalation(
        "SetDefaultPolicyVersion", ("iam:SetDefaultPolicyVersion",), "switch a policy to a broader version"
    ),
    Escalation("CreateAccessKey", ("iam:CreateAccessKey",), "mint keys for other users"),
    Escalation("CreateLoginProfile", ("iam:CreateLoginProfile",), "set a console password for other users"),
    Escalation("UpdateLoginProfile", ("iam:UpdateLoginProfile",), "reset other users' console passwords"),
    Escalation("AttachUserPolicy", ("iam:AttachUserPolicy",), "attach AdministratorAccess to a user"),
    Escalation("AttachGroupPolicy", ("iam:AttachGroupPolicy",), "attach AdministratorAccess to a group"),
    Escalation("AttachRolePolicy", ("iam:AttachRolePolicy",), "attach AdministratorAccess to a role"),
    Escalation("PutUserPolicy", ("iam:PutUserPolicy",), "write an inline admin policy on a user"),
    Escalation("PutGroupPolicy", ("iam:PutGroupPolicy",), "write an inline admin policy on a group"),
    Escalation("PutRolePolicy", ("iam:PutRolePolicy",), "write an inline admin policy on a role"),
    Escalation("AddUserToGroup", ("iam:AddUserToGroup",), "join a more privileged group"),
    Escalation(
        "UpdateAssumeRolePolicy",
        ("iam:UpdateAssumeRolePolicy", "sts:AssumeRole"),
        "make a role trust itself, then assume it",
    ),
    Escalation(
        "PassRole to EC2", ("iam:PassRole", "ec2:RunInstances"), "start an instance with a stronger role"
    ),
    Escalation(
        "PassRole to Lambda",
        ("iam:PassRole", "lambda:CreateFunction", "lambda:InvokeFunction"),
        "run code as a stronger role",
    ),
    Escalation(
        "PassRole to Lambda via event source",
        ("iam:PassRole", "lambda:CreateFunction", "lambda:CreateEventSourceMapping"),
        "run code as a stronger role",
    ),
    Escalation(
        "UpdateFunctionCode",
        ("lambda:UpdateFunctionCode",),
        "replace the code of a function with a stronger role",
    ),
    Escalation(
        "PassRole to Glue dev endpoint",
        ("iam:PassRole", "glue:CreateDevEndpoint"),
        "run code as a stronger role",
    ),
    Escalation(
        "UpdateDevEndpoint", ("glue:UpdateDevEndpoint",), "log in to a Glue endpoint with a stronger role"
    ),
    Escalation(
        "PassRole to Glue job",
        ("iam:PassRole", "glue:CreateJob", "glue:StartJobRun"),
        "run code as a stronger role",
    ),
    Escalation(
        "PassRole to CloudFormation",
        ("iam:PassRole", "cloudformation:CreateStack"),
        "create resources as a stronger role",
    ),
    Escalation(
        "PassRole to Data Pipeline",
        ("iam:PassRole", "datapipeline:CreatePipeline", "datapipeline:PutPipelineDefinition"),
        "run commands as a stronger role",
    ),
    Escalation(
        "PassRole to CodeBuild",
        ("iam:PassRole", "codebuild:CreateProject", "codebuild:StartBuild"),
        "run a build as a stronger role",
    ),
    Escalation(
        "PassRole to SageMaker notebook",
        ("iam:PassRole", "sagemaker:CreateNotebookInstance", "sagemaker:CreatePresignedNotebookInstanceUrl"),
        "open a notebook running as a stronger role",
    ),
    Escalation(
        "PassRole to ECS",
        ("iam:PassRole", "ecs:RegisterTaskDefinition", "ecs:RunTask"),
        "run a task as a stronger role",
    ),
    Escalation(
        "PassRole to Auto Scaling",
        ("iam:PassRole", "autoscaling:CreateLaunchConfiguration", "autoscaling:CreateAutoScalingGroup"),
        "launch instances with a stronger role",
    ),
    Escalation("SSM SendCommand", ("ssm:SendCommand",), "run commands on instances and use their roles"),
)


# The actions the escalation methods are made of (lower case): the only ones Grants needs to keep.
ESCALATION_ACTIONS = frozenset(a.lower() for method in ESCALATIONS for a in method.actions)


@dataclass
class Grants:
    """What a set of policy documents allows of the escalation methods' actions: action (lower case)
    -> on every resource or not. (`s3:*` alone covers hundreds of actions none of the methods use.)"""

    actions: dict[str, bool] = field(default_factory=dict)
    denied_everywhere: set[str] = field(default_factory=set)

    def add(self, document: PolicyDocument) -> None:
        actions = catalog()
        for statement in document.statements:
            if statement.has_principal_element:
                continue  # a resource policy: grants on that resource, not an identity's permissions
            if statement.effect == "Allow" and ("*" in statement.actions or statement.not_actions):
                continue  # administrator access is TFO-IAM-001's finding; escalation adds nothing
            if statement.effect == "Deny":
                if _every_resource(statement) and not statement.conditions and statement.actions:
                    self.denied_everywhere |= ESCALATION_ACTIONS & actions.covered(statement.actions)
                continue
            everywhere = _every_resource(statement)
            for name in ESCALATION_ACTIONS & actions.covered(statement.actions):
                self.actions[name] = self.actions.get(name, False) or everywhere

    def allows(self, action: str) -> bool | None:
        """None: not allowed; True: on every resource; False: on some resources."""
        name = action.lower()
        if name in self.denied_everywhere or name not in self.actions:
            return None
        return self.actions[name]


def _every_resource(statement: Statement) -> bool:
    return "*" in statement.resources or bool(statement.not_resources)


def permission_documents(plan: Plan) -> tuple[tuple[PolicySource, PolicyDocument], ...]:
    """Every permission policy the plan grants, parsed once for the four rules that read them."""
    return plan.derived("permission_documents", lambda: tuple(_permission_documents(plan)))


def _permission_documents(plan: Plan) -> Iterator[tuple[PolicySource, PolicyDocument]]:
    for source in policy_sources(plan, PERMISSION_POLICY_TYPES):
        if source.attribute == "assume_role_policy":
            continue
        document = parsed(source)
        if document is not None and not _is_trust_document(source, document):
            yield source, document


def _is_trust_document(source: PolicySource, document: PolicyDocument) -> bool:
    """A data source written as a role trust policy (judged by the trust rules, not as a grant)."""
    return source.is_data and any(
        s.has_principal_element and all(a.lower().startswith("sts:assumerole") for a in s.actions)
        for s in document.statements
    )


def _where(index: int, statement: Statement) -> str:
    sid = f" ({statement.sid})" if statement.sid else ""
    return f"statement {index}{sid}"


def pending_documents(plan: Plan) -> Iterator[tuple[ResourceChange, str]]:
    """Permission policies whose document is known only after apply (and not from a data source)."""
    for rc in live(
        plan, "aws_iam_policy", "aws_iam_role_policy", "aws_iam_user_policy", "aws_iam_group_policy"
    ):
        if (
            unknown(rc, "policy")
            and setting(plan, rc, "policy").pending
            and not _from_document_data(plan, rc)
        ):
            yield rc, "policy"


def _from_document_data(plan: Plan, rc: ResourceChange) -> bool:
    """The document comes from an aws_iam_policy_document data source (judged on its statements)."""
    return any(
        r.startswith("data.aws_iam_policy_document.") for r in attribute_references(plan, rc, "policy")
    )


# --- the rules -----------------------------------------------------------------------------------


@rule(
    "TFO-IAM-001",
    title="IAM policy grants every action, or every action of a service on every resource",
    severity=Severity.BLOCK,
    rationale='Action "*" (or Allow with NotAction) is administrator access; "service:*" on Resource "*" '
    "hands over the whole service, including actions added later, for every resource in the account. "
    "Attaching AdministratorAccess or IAMFullAccess is the same grant in another shape.",
    fix="List the actions the workload calls and the resources it needs (IAM Access Analyzer can generate "
    "a policy from CloudTrail activity).",
    references=(
        "CKV_AWS_62",
        "CKV_AWS_63",
        "CKV_AWS_1",
        "CKV_AWS_49",
        "CKV_AWS_274",
        "CKV2_AWS_40",
        # Action "*" includes every class Checkov's cloudsplaining checks look for
        "CKV_AWS_355",
        "CKV_AWS_290",
        "CKV_AWS_289",
        "CKV_AWS_288",
        "CKV_AWS_287",
        "CKV_AWS_286",
        "AWS-0057",
    ),
)
def wildcard_actions(ctx: RuleContext) -> Iterator[Hit]:
    for source, document in permission_documents(ctx.plan):
        for index, statement in enumerate(document.statements):
            if statement.effect != "Allow":
                continue
            attribute = f"{source.attribute}.Statement[{index}]"
            every_resource = _every_resource(statement)
            where = _where(index, statement)
            if "*" in statement.actions or statement.not_actions:
                grant = (
                    'Action "*"'
                    if "*" in statement.actions
                    else "every action except " + ", ".join(statement.not_actions)
                )
                scope = "on every resource" if every_resource else "on its resources"
                yield Hit(
                    source.address,
                    f"{where} allows {grant} {scope}",
                    attribute,
                    severity=Severity.BLOCK if every_resource else Severity.WARN,
                )
                continue
            services = sorted({a for a in statement.actions if a.endswith(":*")})
            if services and every_resource:
                yield Hit(
                    source.address,
                    f'{where} allows {", ".join(services)} on Resource "*"',
                    attribute,
                    severity=Severity.BLOCK if "iam:*" in {s.lower() for s in services} else Severity.WARN,
                )
    for rc, arn, attribute in managed_attachments(ctx.plan):
        name = arn.rsplit("/", 1)[-1]
        if arn.startswith("arn:aws") and ":iam::aws:policy/" in arn and name in ADMIN_MANAGED_POLICIES:
            yield Hit(
                rc.address,
                f"attaches the AWS managed policy {name}",
                attribute,
                severity=ADMIN_MANAGED_POLICIES[name],
            )
    for rc, attribute in pending_documents(ctx.plan):
        yield Hit(
            rc.address,
            f"{attribute} is known only after apply: its grants cannot be judged yet",
            attribute,
            pending=True,
        )


def managed_attachments(plan: Plan) -> Iterator[tuple[ResourceChange, str, str]]:
    """(resource, policy ARN, attribute) for every managed policy the plan attaches."""
    for rc in live(
        plan,
        "aws_iam_role_policy_attachment",
        "aws_iam_user_policy_attachment",
        "aws_iam_group_policy_attachment",
        "aws_iam_policy_attachment",
    ):
        arn = value(rc, "policy_arn")
        if known(arn) and isinstance(arn, str):
            yield rc, arn, "policy_arn"
    for rc in live(plan, "aws_iam_role"):
        for index, arn in enumerate(value(rc, "managed_policy_arns") or ()):
            if known(arn) and isinstance(arn, str):
                yield rc, arn, f"managed_policy_arns[{index}]"


@rule(
    "TFO-IAM-004",
    title='IAM policy grants actions that could be scoped on Resource "*"',
    severity=Severity.WARN,
    rationale='Actions that support resource-level permissions, granted on Resource "*", reach every '
    "current and future resource of their type in the account (AWS Service Authorization Reference); "
    'credential-issuing actions on "*" hand out credentials for any user or role.',
    fix='Name the ARNs (or ARN patterns) of the resources the workload uses; keep "*" only for actions '
    "that support no resource type.",
    references=("CKV_AWS_355", "CKV_AWS_290", "CKV_AWS_289", "CKV_AWS_288", "CKV_AWS_287", "AWS-0057"),
)
def wildcard_resources(ctx: RuleContext) -> Iterator[Hit]:
    actions = catalog()
    credentials = {a.lower() for a in CREDENTIAL_ACTIONS}
    reads = {a.lower() for a in DATA_READS}
    sensitive = credentials | reads
    # A policy repeated across modules (one per stack or account) is judged once.
    judged: dict[tuple[str, ...], tuple[list[str], bool]] = {}
    for source, document in permission_documents(ctx.plan):
        for index, statement in enumerate(document.statements):
            if statement.effect != "Allow" or not _every_resource(statement) or not statement.actions:
                continue
            if "*" in statement.actions or statement.has_principal_element:
                continue  # TFO-IAM-001's finding; a resource policy's "*" is the resource itself
            key = tuple(statement.actions)
            if key not in judged:
                found = [a for p in statement.actions for a in actions.expand(p)]
                judged[key] = (
                    sorted({a.name for a in found if a.scoped or a.name.lower() in credentials}),
                    any(
                        a.level in ("Write", "Permissions management") or a.name.lower() in sensitive
                        for a in found
                    ),
                )
            scoped, risky = judged[key]
            if not scoped:
                continue
            shown = ", ".join(scoped[:6]) + (f" and {len(scoped) - 6} more" if len(scoped) > 6 else "")
            yield Hit(
                source.address,
                f'{_where(index, statement)} grants {shown} on Resource "*"',
                f"{source.attribute}.Statement[{index}]",
                severity=Severity.WARN if risky else Severity.INFO,
            )


@rule(
    "TFO-IAM-005",
    title='IAM policy allows iam:PassRole on Resource "*"',
    severity=Severity.WARN,
    rationale="iam:PassRole on every role lets the holder hand any role, including administrator roles, "
    "to a service it can start (EC2, Lambda, ECS, CloudFormation...) "
    "(https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_use_passrole.html).",
    fix="Scope iam:PassRole to the role ARNs the workload must pass, and add an iam:PassedToService "
    "condition.",
    references=("CKV_AWS_286", "AWS-0057"),
)
def pass_role_everywhere(ctx: RuleContext) -> Iterator[Hit]:
    for source, document in permission_documents(ctx.plan):
        for index, statement in enumerate(document.statements):
            if statement.effect != "Allow" or not _every_resource(statement) or "*" in statement.actions:
                continue
            if statement.has_principal_element:
                continue
            passed = any(action_matches(p, "iam:PassRole") for p in statement.actions) or (
                bool(statement.not_actions)
                and not any(action_matches(p, "iam:PassRole") for p in statement.not_actions)
            )
            limited = any(c.key.lower() == "iam:passedtoservice" for c in statement.conditions)
            if passed:
                yield Hit(
                    source.address,
                    f'{_where(index, statement)} allows iam:PassRole on Resource "*"'
                    + (" (limited by iam:PassedToService)" if limited else ""),
                    f"{source.attribute}.Statement[{index}]",
                    severity=Severity.INFO if limited else None,
                )


@rule(
    "TFO-IAM-006",
    title="IAM grants allow privilege escalation",
    severity=Severity.BLOCK,
    rationale="Some permissions let their holder grant itself more: rewrite or attach policies, mint "
    "credentials for others, or pass a stronger role to a service that runs its code (Rhino Security "
    "Labs' escalation methods; AWS's iam:PassRole guidance). Judged over everything one principal is "
    "granted in this plan.",
    fix="Remove the escalating permissions, or scope them to resources that cannot lead to more privilege "
    "(and use a permissions boundary on the roles this principal may create or change).",
    references=("CKV_AWS_286", "AWS-0057"),
)
def privilege_escalation(ctx: RuleContext) -> Iterator[Hit]:
    plan = ctx.plan
    reported: set[tuple[str, str]] = set()
    documents = list(permission_documents(plan))
    for source, document in documents:
        grants = Grants()
        grants.add(document)
        for hit in _escalations(source.address, source.attribute, grants):
            reported.add((hit.address, hit.message))
            yield hit
    for principal, held in principals(ctx, documents).items():
        if len(held) < 2:
            continue
        grants = Grants()
        for _, document in held:
            grants.add(document)
        parts = ", ".join(sorted({s.address for s, _ in held}))
        for hit in _escalations(principal, None, grants, through=parts):
            singles = {(s.address, hit.message) for s, _ in held}
            if not singles & reported:
                yield hit


def _escalations(address: str, attribute: str | None, grants: Grants, through: str = "") -> Iterator[Hit]:
    for method in ESCALATIONS:
        scopes = [grants.allows(a) for a in method.actions]
        if any(s is None for s in scopes):
            continue
        everywhere = all(scopes)
        via = f" through {through}" if through else ""
        yield Hit(
            address,
            f"allows {' + '.join(method.actions)}{via}: can {method.how} ({method.name})"
            + ("" if everywhere else " on the resources named"),
            attribute,
            severity=Severity.BLOCK if everywhere else Severity.WARN,
        )


ROLE_POLICY_OWNERS = {
    "aws_iam_role_policy": ("role", "aws_iam_role"),
    "aws_iam_user_policy": ("user", "aws_iam_user"),
    "aws_iam_group_policy": ("group", "aws_iam_group"),
}
ATTACHMENTS = {
    "aws_iam_role_policy_attachment": ("role", "aws_iam_role"),
    "aws_iam_user_policy_attachment": ("user", "aws_iam_user"),
    "aws_iam_group_policy_attachment": ("group", "aws_iam_group"),
}


def principals(
    ctx: RuleContext, documents: list[tuple[PolicySource, PolicyDocument]]
) -> dict[str, list[tuple[PolicySource, PolicyDocument]]]:
    """Principal address -> the documents this plan grants it (inline, role policies, attachments)."""
    plan = ctx.plan
    by_address: dict[str, list[tuple[PolicySource, PolicyDocument]]] = {}
    for source, document in documents:
        by_address.setdefault(source.address, []).append((source, document))
    held: dict[str, list[tuple[PolicySource, PolicyDocument]]] = {}
    for source, document in documents:
        rc = plan.by_address().get(source.address)
        if rc is None:
            continue
        if rc.type == "aws_iam_role":
            held.setdefault(rc.address, []).append((source, document))
        elif rc.type in ROLE_POLICY_OWNERS:
            attribute, owner_type = ROLE_POLICY_OWNERS[rc.type]
            for owner in linked(plan, ctx.graph, rc, attribute, (owner_type,), id_attributes=("id", "name")):
                held.setdefault(owner.address, []).append((source, document))
    for rc in live(plan, *ATTACHMENTS):
        attribute, owner_type = ATTACHMENTS[rc.type]
        policies = linked(plan, ctx.graph, rc, "policy_arn", ("aws_iam_policy",), id_attributes=("arn",))
        owners = linked(plan, ctx.graph, rc, attribute, (owner_type,), id_attributes=("id", "name"))
        for owner in owners:
            for policy in policies:
                held.setdefault(owner.address, []).extend(by_address.get(policy.address, []))
    return held


@rule(
    "TFO-IAM-007",
    title="IAM policy is attached directly to a user",
    severity=Severity.WARN,
    rationale="Permissions on individual users are hard to review and outlive the person's role; AWS "
    "recommends granting through groups or roles "
    "(https://docs.aws.amazon.com/IAM/latest/UserGuide/best-practices.html).",
    fix="Attach the policy to a group (or a role the user assumes) and add the user to it.",
    references=("CKV_AWS_40", "AWS-0143"),
)
def user_policies(ctx: RuleContext) -> Iterator[Hit]:
    for rc in live(ctx.plan, "aws_iam_user_policy"):
        yield Hit(rc.address, "inline policy on a user", "user")
    for rc in live(ctx.plan, "aws_iam_user_policy_attachment"):
        yield Hit(rc.address, f"attaches {value(rc, 'policy_arn') or 'a policy'} to a user", "user")
    for rc in live(ctx.plan, "aws_iam_policy_attachment"):
        users = value(rc, "users")
        if users:
            yield Hit(
                rc.address, f"attaches the policy to user(s) {', '.join(str(u) for u in users)}", "users"
            )
