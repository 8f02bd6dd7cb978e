"""Plan model, parser and dependency graph."""
