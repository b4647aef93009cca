"""Find a study directory's main pool (the 2-of-3 filter, every kept question) by the model that generated it.

The exploratory scripts beside this file read the study's stage records directly. Since claim 2's arm, two main
pools exist (the 0.5b's and the 1.5b's questions), each with its own index; the run of a (generator, solver)
pair records the index it used in its ``summary.json``.
"""

from __future__ import annotations

import json
from pathlib import Path

SOLVER = "qwen2.5-coder-0.5b"


def inputs(stage_dir: Path) -> dict:
    """The stage inputs recorded in a stage directory's ``inputs.json``."""
    return json.loads((stage_dir / "inputs.json").read_text())["inputs"]


def main_index(root: Path, generator: str) -> str:
    """The index key of the main pool whose questions `generator` (a model name, e.g. qwen2.5-coder-0.5b) wrote."""
    return json.loads((run_dir(root, generator) / "summary.json").read_text())["stages"]["index"]


def run_dir(root: Path, generator: str, solver: str = SOLVER) -> Path:
    """The run directory of one (generator, solver) pair of the grid (k = 2, global scope)."""
    return root / "runs" / f"{generator}--{solver}--k2--global"
