"""`saicot --help` wall time against a bare `python -c pass`, run side by side (target: help <= 0.5 s).

Usage: python bench/startup.py [--repeats 10]
Prints both medians and ends with one summary line holding the ratio help / bare interpreter.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time


def wall(cmd: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeats", type=int, default=10)
    args = parser.parse_args()
    bare, helps = [], []
    for _ in range(args.repeats):  # interleaved, so machine noise hits both alike
        bare.append(wall([sys.executable, "-c", "pass"]))
        helps.append(wall([sys.executable, "-m", "pipeline.cli", "--help"]))
    b, h = statistics.median(bare), statistics.median(helps)
    print(f"python -c pass : {b:.3f} s (median of {args.repeats})")
    print(f"saicot --help  : {h:.3f} s (median of {args.repeats}); target <= 0.5 s: {'met' if h <= 0.5 else 'MISSED'}")
    print(f"SUMMARY startup: saicot --help {h:.3f} s = {h / b:.1f}x a bare interpreter")


if __name__ == "__main__":
    main()
