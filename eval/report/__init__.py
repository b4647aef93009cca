"""Numbers people can read: `metrics` (intervals, paired tests, votes), `claims` (verdicts), `run` (a run's
table and report.md), `study` + `markdown` (the study report rebuilt from records) and `plots`."""
