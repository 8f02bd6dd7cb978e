"""Stacks: many Terraform roots in one repository (discovery, change detection, order, child pipelines).

The pure parts (`hcl`, `discovery`, `changes`, `order`, `pipeline`) take plain data; `tree` and `git` do
the reading; `run` plans several stacks through the one-stack lifecycle. See docs/stacks.md.
"""
