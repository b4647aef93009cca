"""Benchmark loading, answer extraction, sympy equivalence, metrics and reports."""
