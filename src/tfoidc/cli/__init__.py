"""Click commands: option parsing, exit codes, the rich console. Wiring only."""
