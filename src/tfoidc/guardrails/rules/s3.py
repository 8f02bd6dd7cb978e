"""Public S3 buckets, judged per bucket with everything the plan attaches to it.

A bucket's ACL, policy, website and public access block may each live on a separate resource; they
are tied back to their bucket (by name, configuration reference or graph edge) so that a bucket made
public by a separate `aws_s3_bucket_acl` is caught and one protected by a separate block is not.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from tfoidc.guardrails.documents import (
    PolicySource,
    allows_anyone,
    parse_document,
    parsed,
    restricted_by_condition,
)
from tfoidc.guardrails.links import linked
from tfoidc.guardrails.model import Severity
from tfoidc.guardrails.registry import Hit, RuleContext, rule
from tfoidc.guardrails.resources import blocks, falsy, live, truthy, unknown, value
from tfoidc.plan.model import ResourceChange

BUCKET = "aws_s3_bucket"
PUBLIC_CANNED_ACLS = {"public-read", "public-read-write", "authenticated-read"}
PUBLIC_GROUPS = (
    "http://acs.amazonaws.com/groups/global/AllUsers",
    "http://acs.amazonaws.com/groups/global/AuthenticatedUsers",
)
BLOCK_SETTINGS = ("block_public_acls", "block_public_policy", "ignore_public_acls", "restrict_public_buckets")


@dataclass
class BucketView:
    """One bucket and the resources in this plan that configure it."""

    bucket: ResourceChange
    acls: list[ResourceChange] = field(default_factory=list)
    policies: list[ResourceChange] = field(default_factory=list)
    blocks: list[ResourceChange] = field(default_factory=list)  # public access blocks that exist after apply
    removed_blocks: list[ResourceChange] = field(default_factory=list)  # ... that this plan deletes
    websites: list[ResourceChange] = field(default_factory=list)

    def blocked(self, *settings: str) -> bool:
        """True when an attached public access block turns on any of `settings`."""
        return any(truthy(value(b, s)) or unknown(b, s) for b in self.blocks for s in settings)


def bucket_views(ctx: RuleContext) -> list[BucketView]:
    views = {b.address: BucketView(b) for b in live(ctx.plan, BUCKET)}
    attachments = {
        "aws_s3_bucket_acl": "acls",
        "aws_s3_bucket_policy": "policies",
        "aws_s3_bucket_public_access_block": "blocks",
        "aws_s3_bucket_website_configuration": "websites",
    }
    for rc in ctx.plan.resource_changes:
        slot = attachments.get(rc.type)
        if slot is None or rc.is_data or rc.deposed is not None:
            continue
        if not isinstance(rc.after, dict):
            if slot == "blocks" and rc.action.destroys:
                slot = "removed_blocks"
            else:
                continue
        for bucket in linked(ctx.plan, ctx.graph, rc, "bucket", (BUCKET,), id_attributes=("id", "bucket")):
            if bucket.address in views:
                getattr(views[bucket.address], slot).append(rc)
    return [views[a] for a in sorted(views)]


@rule(
    "TFO-S3-001",
    title="S3 bucket ACL grants public access",
    severity=Severity.BLOCK,
    rationale="A public-read(-write) or authenticated-read ACL, or a grant to AllUsers/AuthenticatedUsers, "
    "lets anyone on the internet (or any AWS account) read or write the bucket.",
    fix="Use a private ACL (or disable ACLs with BucketOwnerEnforced ownership) and attach a public access "
    "block with block_public_acls and ignore_public_acls (only ignore_public_acls neutralises an ACL "
    "applied before the block).",
    references=("CKV_AWS_20", "CKV_AWS_57", "AWS-0092"),
)
def public_acl(ctx: RuleContext) -> Iterator[Hit]:
    for view in bucket_views(ctx):
        # block_public_acls only rejects *new* public ACLs and does not touch one applied before the
        # block exists (Terraform may create the ACL first); ignore_public_acls neutralises any.
        if view.blocked("ignore_public_acls"):
            continue
        for owner in (view.bucket, *view.acls):
            yield from _public_acl_hits(owner, view.bucket)


def _public_acl_hits(owner: ResourceChange, bucket: ResourceChange) -> Iterator[Hit]:
    of_bucket = "" if owner is bucket else f" on {bucket.address}"
    canned = value(owner, "acl")
    if canned in PUBLIC_CANNED_ACLS:
        yield Hit(owner.address, f"canned ACL {canned!r}{of_bucket} makes the bucket public", "acl")
    grant_lists: list[tuple[str, list[dict[str, Any]]]] = [("grant", blocks(owner, "grant"))]
    for i, policy in enumerate(blocks(owner, "access_control_policy")):
        grant_lists.append((f"access_control_policy[{i}].grant", [g for g in policy.get("grant") or ()]))
    for prefix, grants in grant_lists:
        for j, grant in enumerate(grants):
            uris = [grant.get("uri")] + [
                g.get("uri") for g in grant.get("grantee") or () if isinstance(g, dict)
            ]
            public = next((u for u in uris if u in PUBLIC_GROUPS), None)
            if public:
                group = public.rsplit("/", 1)[-1]
                yield Hit(
                    owner.address,
                    f"ACL grant to {group}{of_bucket} makes the bucket public",
                    f"{prefix}[{j}]",
                )


@rule(
    "TFO-S3-002",
    title="S3 bucket policy allows any principal without a restricting condition",
    severity=Severity.BLOCK,
    rationale='An Allow statement with Principal "*" and no condition on the caller\'s account, '
    "organisation, VPC, IP or source ARN opens the bucket to everyone.",
    fix="Name the principals, or add a condition such as aws:PrincipalOrgID / aws:SourceVpce / aws:SourceArn; "
    "keep block_public_policy and restrict_public_buckets on.",
    references=("CKV_AWS_70", "AWS-0087", "AWS-0093"),
)
def public_policy(ctx: RuleContext) -> Iterator[Hit]:
    for view in bucket_views(ctx):
        # likewise block_public_policy only rejects new public policies; restrict_public_buckets limits
        # a bucket with a public policy to AWS services and the owning account, whenever it was set
        if view.blocked("restrict_public_buckets"):
            continue
        for owner in (view.bucket, *view.policies):
            document = parse_document(value(owner, "policy"))
            typed = parsed(PolicySource(owner.address, "policy", document)) if document else None
            for index, statement in enumerate(typed.statements if typed else ()):
                if allows_anyone(statement) and not restricted_by_condition(statement):
                    sid = f" ({statement.sid})" if statement.sid else ""
                    of_bucket = "" if owner is view.bucket else f" on {view.bucket.address}"
                    yield Hit(
                        owner.address,
                        f'statement {index}{sid}{of_bucket} allows Principal "*" with no restricting condition',
                        f"policy.Statement[{index}]",
                    )


@rule(
    "TFO-S3-003",
    title="S3 bucket has no public access block",
    severity=Severity.WARN,
    rationale="Without a bucket-level public access block, one later ACL or policy change can make the bucket "
    "public; the account-level block and AWS's April 2023 defaults are not visible in the plan.",
    fix="Add an aws_s3_bucket_public_access_block for the bucket with all four settings true.",
    references=("CKV2_AWS_6", "AWS-0094"),
)
def missing_public_access_block(ctx: RuleContext) -> Iterator[Hit]:
    for view in bucket_views(ctx):
        if view.blocks:
            continue
        if view.removed_blocks:
            for removed in view.removed_blocks:
                yield Hit(
                    removed.address,
                    f"deleting this public access block leaves {view.bucket.address} without one",
                )
        else:
            yield Hit(view.bucket.address, "no aws_s3_bucket_public_access_block protects this bucket")


@rule(
    "TFO-S3-004",
    title="S3 public access block has a setting turned off",
    severity=Severity.WARN,
    rationale="Each of the four settings closes a different path to public access (new public ACLs, existing "
    "public ACLs, new public policies, cross-account access through a public policy).",
    fix="Set block_public_acls, block_public_policy, ignore_public_acls and restrict_public_buckets to true.",
    references=(
        "CKV2_AWS_6",  # Checkov's graph check also fails a bucket whose block has a setting off
        "CKV_AWS_53",
        "CKV_AWS_54",
        "CKV_AWS_55",
        "CKV_AWS_56",
        "AWS-0086",
        "AWS-0087",
        "AWS-0091",
        "AWS-0093",
    ),
)
def weak_public_access_block(ctx: RuleContext) -> Iterator[Hit]:
    for rc in live(ctx.plan, "aws_s3_bucket_public_access_block"):
        for setting in BLOCK_SETTINGS:
            if not unknown(rc, setting) and (falsy(value(rc, setting)) or value(rc, setting) is None):
                yield Hit(rc.address, f"{setting} is false", setting)


@rule(
    "TFO-S3-005",
    title="S3 bucket is configured as a public website",
    severity=Severity.WARN,
    rationale="Static website hosting serves the bucket's objects over plain HTTP to anyone once a policy "
    "allows it; nothing in the plan blocks public policies for this bucket.",
    fix="Serve the content through CloudFront with origin access control, or keep a public access block "
    "with block_public_policy and restrict_public_buckets on.",
    references=(),
)
def public_website(ctx: RuleContext) -> Iterator[Hit]:
    for view in bucket_views(ctx):
        if view.blocked("restrict_public_buckets"):
            continue
        if _has_website(view.bucket):
            yield Hit(view.bucket.address, "website hosting is enabled on the bucket", "website")
        for website in view.websites:
            yield Hit(website.address, f"website hosting is enabled on {view.bucket.address}")


def _has_website(bucket: ResourceChange) -> bool:
    return any(
        b.get("index_document") or b.get("redirect_all_requests_to") for b in blocks(bucket, "website")
    )
