"""Policy checks on the plan's after-state, with the dependency graph."""
