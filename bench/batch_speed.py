"""How fast `dream batch` writes dreams, with one worker process and with two.

    python bench/batch_speed.py [--count 300]

Runs each batch into a fresh folder (after one warm-up run that builds the model cache),
times the whole command, and prints dreams per second and the ratio. Only the standard
library and the installed `dream` command are used.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def timed(command: list[str]) -> float:
    started = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - started


def batch(count: int, jobs: int, folder: Path) -> list[str]:
    return [sys.executable, "-m", "generator", "batch", "--count", str(count),
            "--jobs", str(jobs), "--out", str(folder), "--quiet"]  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=300)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        root = Path(scratch)
        timed(batch(8, 1, root / "warm-up"))
        rates = {}
        for jobs in (1, 2):
            times = [timed(batch(args.count, jobs, root / f"j{jobs}-{run}"))
                     for run in range(args.runs)]  # fmt: skip
            rates[jobs] = args.count / statistics.median(times)
            print(f"--jobs {jobs}: {rates[jobs]:6.1f} dreams/s  (median of {args.runs} runs)")
    print(f"--jobs 2 / --jobs 1: {rates[2] / rates[1]:.2f}x")


if __name__ == "__main__":
    main()
