"""AWS Backup vaults."""

from __future__ import annotations

from tests.cost.costplans import Change, one, priced
from tests.cost.goldens import check_golden


def test_backup_vault_golden() -> None:
    check_golden("backup_vault")


def test_backup_prices_exist_only_where_the_data_has_them() -> None:
    """The shared data prices Backup in us-west-1 alone: elsewhere the vault is not priced, with the reason."""
    est = priced([Change("aws_backup_vault.v", {"name": "v"})], region="us-west-1")
    vault = one(est, "aws_backup_vault.v")
    assert vault.depends_on_usage and len(vault.components) == 12
    elsewhere = priced([Change("aws_backup_vault.v", {"name": "v"})], region="us-east-1")
    assert "no price for backup/" in elsewhere.not_priced[0].reason
