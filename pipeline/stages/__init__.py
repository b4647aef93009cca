"""One module per pipeline stage: generate, sample, index, retrieve, solve, score."""
