"""The answer checker: `grade.grade` extracts a response's final answer (`extract`), normalises LaTeX
(`latex_norm`) and decides equivalence with the gold (`equiv`, `equiv_struct`), parsing math with a safe
parser (`safe_parse`, `safe_eval`) and running sympy in a time-budgeted worker process (`budget`)."""
