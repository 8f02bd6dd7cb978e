"""The analysis stage: a parsed plan becomes an `Analysis` (graph, drift, guardrail findings, cost).

`run.analyze` is the one place that knows the order of the stages; `contract` is the JSON form both ways.
"""
