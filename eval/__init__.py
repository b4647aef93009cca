"""Everything that turns model output into numbers, by concept.

* `eval.checker`: answer extraction, normalisation and sympy equivalence, in a sandbox with time budgets
  (`eval.checker.grade` is the entry point: ``grade(response, gold, benchmark)``).
* `eval.benchmarks`: the bundled benchmarks' specs (fields, answer type) and loading of a user's files.
* `eval.report`: metrics with intervals, claims, the run and study reports, and plots.
"""
