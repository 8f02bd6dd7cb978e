"""Offline monthly cost estimates from a shipped AWS price catalog."""
