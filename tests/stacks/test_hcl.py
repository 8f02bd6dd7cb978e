"""Reading Terraform files with tree-sitter's HCL grammar: what is a literal, what is not, and what a
comment or a string that merely looks like a block must never become."""

from __future__ import annotations

from tfoidc.stacks.hcl import Backend, FileFacts, ModuleCall, RemoteState, read_facts


def test_module_sources_are_read_only_when_literal() -> None:
    facts = read_facts(
        "main.tf",
        b'module "a" { source = "../modules/a" }\n'
        b'module "b" {\n  source = "./b${var.x}"\n}\n'
        b'module "c" { source = "terraform-aws-modules/vpc/aws"\n version = "5.0" }\n'
        b'module "d" { source = "" }\n'
        b'module "e" { source = local.path }\n',
    )
    assert facts.modules == (
        ModuleCall("a", "../modules/a"),
        ModuleCall("b", None),
        ModuleCall("c", "terraform-aws-modules/vpc/aws"),
        ModuleCall("d", ""),
        ModuleCall("e", None),
    )
    assert [m.is_local for m in facts.modules] == [True, False, False, False, False]


def test_comments_heredocs_and_strings_that_look_like_blocks_are_not_blocks() -> None:
    source = b"""
# module "commented" { source = "./nope" }
/* module "block_comment" { source = "../nope" } */
locals {
  text = <<-EOT
    module "heredoc" { source = "./nope" }
  EOT
  s = "module \\"quoted\\" { source = \\"./nope\\" }"
}
resource "null_resource" "r" {
  triggers = { source = "./not-a-module" }
}
"""
    facts = read_facts("main.tf", source)
    assert facts.modules == ()
    assert facts.syntax_error_line is None


def test_remote_state_and_backend_settings() -> None:
    facts = read_facts(
        "main.tf",
        b"""
terraform {
  required_version = ">= 1.0"
  backend "s3" {
    bucket  = "acme-state"
    key     = "live/app.tfstate"
    encrypt = true
  }
}
data "terraform_remote_state" "net" {
  backend = "s3"
  config = {
    bucket   = "acme-state"
    "key"    = "live/net.tfstate"
    region   = var.region
  }
}
data "aws_caller_identity" "me" {}
""",
    )
    assert facts.backend == Backend("s3", (("bucket", "acme-state"), ("key", "live/app.tfstate")))
    assert facts.remote_states == (
        RemoteState("net", "s3", (("bucket", "acme-state"), ("key", "live/net.tfstate"))),
    )
    assert facts.remote_states[0].setting("region") is None


def test_escapes_in_literals_are_decoded() -> None:
    facts = read_facts("main.tf", b'module "a" { source = "./we\\"ird\\\\path" }\n')
    assert facts.modules[0].source == './we"ird\\path'


def test_a_syntax_error_is_reported_with_its_line_and_what_came_before_is_kept() -> None:
    facts = read_facts("main.tf", b'module "a" { source = "./a" }\n\nresource "x" "y" {{{\n')
    assert facts.syntax_error_line == 3
    assert facts.modules == (ModuleCall("a", "./a"),)


def test_json_configuration_syntax() -> None:
    facts = read_facts(
        "main.tf.json",
        b'{"module": {"a": {"source": "../m"}, "b": [{"source": "hashicorp/x/aws"}]},'
        b' "terraform": {"backend": {"s3": {"key": "k", "bucket": "b"}}},'
        b' "data": {"terraform_remote_state": {"n": {"backend": "s3", "config": {"bucket": "b", "key": "n"}}}}}',
    )
    assert facts.modules == (ModuleCall("a", "../m"), ModuleCall("b", "hashicorp/x/aws"))
    assert facts.backend == Backend("s3", (("bucket", "b"), ("key", "k")))
    assert facts.remote_states == (RemoteState("n", "s3", (("bucket", "b"), ("key", "n"))),)
    assert read_facts("x.tf.json", b"not json").syntax_error_line == 1


def test_facts_survive_their_cache_form() -> None:
    facts = read_facts(
        "main.tf",
        b'module "a" { source = "./a" }\n' + b'terraform {\n backend "s3" {\n key = "k"\n }\n}\n',
    )
    assert FileFacts.from_json(facts.to_json()) == facts


def test_binary_and_non_utf8_content_never_raises() -> None:
    facts = read_facts("main.tf", b'module "\xff\xfe" { source = "./\xc3(" }\n\x00\x01')
    assert isinstance(facts, FileFacts)
