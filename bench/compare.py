"""dream against the naive use of its four libraries, and its own start-up and memory.

    python bench/compare.py [--count 1000] [--runs 3]

Measures, on this machine, in one run:

1. words per second: `dream batch --jobs 2` against a naive pipeline (a small Tracery grammar,
   markovify trained on the same corpus, one Jinja template, as the libraries' READMEs show
   them), both writing a .txt file per dream, timed as whole commands;
2. cold start: `dream tonight --no-save` against `python -c "import click, jinja2, markovify,
   tracery"` (each a new process; the model cache is built once before timing);
3. `dream --help` against `python -c "import click"`;
4. peak memory (maximum resident set) of a 300-dream and a 3,000-dream `dream batch --jobs 1`.

Prints each figure, the ratio, and the target it is held to. Only the standard library, the
installed `dream` package and its dependencies are used.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PYTHON = sys.executable
# The installed command, as a user runs it; `python -m generator` where there is none.
_SCRIPT = Path(PYTHON).parent / "dream"
DREAM = [str(_SCRIPT)] if _SCRIPT.exists() else [PYTHON, "-m", "generator"]

# The naive pipeline: what a first script with the four libraries looks like.
NAIVE = """
import sys
from pathlib import Path

import jinja2
import markovify
import tracery
from tracery.modifiers import base_english

count, corpus, out = int(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3])
rules = {
    "origin": ["#[object:#artifact#][place:#where#]story#"],
    "story": ["#setting#\\n\\n#artifact_found#\\n\\n#revelation#\\n\\n#journey#\\n\\n#release#"],
    "artifact": ["orb", "lantern", "feather", "key", "hourglass", "shell", "compass"],
    "where": ["forest", "shore", "desert", "garden", "river", "moor", "cave"],
    "setting": ["I find myself at the edge of an ancient #place#, in the soft light of dusk.",
                "In the dreamscape that unfolds before me, I am standing in #place.a#."],
    "artifact_found": ["Suddenly I notice #object.a# glowing at my feet.",
                       "I find #object.a# resting in my hands."],
    "revelation": ["The #object# shows me a mistake I made, and I forgive myself.",
                   "As I gaze into the #object#, I understand why I did what I did."],
    "journey": ["I walk deeper into the #place#, led by the #object#.",
                "The #object# guides me further into the #place#."],
    "release": ["At a still pond I let the #object# go, and I wake changed.",
                "I release the #object# into the water and wake feeling lighter."],
}
grammar = tracery.Grammar(rules)
grammar.add_modifiers(base_english)
texts = [p.read_text(encoding="utf-8") for p in sorted(corpus.rglob("*.txt"))]
model = markovify.Text("\\n".join(line for t in texts for line in t.splitlines()
                                  if not line.startswith("%%")))
template = jinja2.Template("{{ title }}\\n\\n{% for part in parts %}{{ part }}\\n\\n{% endfor %}")
out.mkdir(parents=True, exist_ok=True)
for seed in range(count):
    story = grammar.flatten("#origin#").split("\\n\\n")
    parts = [f"{part} {model.make_sentence() or ''}".strip() for part in story]
    text = template.render(title=f"Dream {seed}", parts=parts)
    (out / f"dream-{seed:05d}.txt").write_text(text, encoding="utf-8")
"""


def run(command: list[str]) -> float:
    """Wall time of one run of the command, output discarded."""
    started = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - started


def median_time(command: list[str], runs: int) -> float:
    return statistics.median(run(command) for _ in range(runs))


def peak_memory_mib(command: list[str]) -> float:
    """The largest resident set size the command reached, in MiB (Linux reports KiB)."""
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(process.pid, 0)
    if status != 0:
        raise SystemExit(f"failed: {' '.join(command)}")
    return usage.ru_maxrss / 1024


def words_in(folder: Path) -> int:
    return sum(len(p.read_text(encoding="utf-8").split()) for p in folder.glob("*.txt"))


def line(name: str, ours: float, theirs: float, unit: str, target: str) -> None:
    print(f"{name:<34} {ours:10.3f} {theirs:10.3f} {unit:<10} {ours / theirs:6.2f}x  {target}")


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--count", type=int, default=1000, help="dreams per throughput run")
    parser.add_argument("--runs", type=int, default=3, help="runs per timing (median)")
    args = parser.parse_args()
    from generator import paths

    corpus = paths.builtin("corpus")
    with tempfile.TemporaryDirectory() as scratch:
        root = Path(scratch)
        env_cache = os.environ.setdefault("DREAM_CACHE_DIR", str(root / "cache"))
        print(f"cache: {env_cache} (built before timing)")
        run([*DREAM, "batch", "--count", "2", "--jobs", "1", "--out", str(root / "warm"),
             "--quiet"])  # fmt: skip
        script = root / "naive.py"
        script.write_text(NAIVE, encoding="utf-8")

        print(f"{'':<34} {'dream':>10} {'baseline':>10} {'':<10} {'ratio':>7}  target")
        # Start-up first, before the batches leave the disk busy with thousands of files.
        tonight = median_time([*DREAM, "tonight", "--no-save"], args.runs * 5)
        bare = median_time([PYTHON, "-c", "import click, jinja2, markovify, tracery"],
                           args.runs * 5)  # fmt: skip
        line("cold start: tonight vs imports", tonight, bare, "s", "<= 1.5x")
        helped = median_time([*DREAM, "--help"], args.runs * 5)
        click_only = median_time([PYTHON, "-c", "import click"], args.runs * 5)
        line("dream --help vs import click", helped, click_only, "s", "<= 1.5x")

        ours_rates, naive_rates = [], []
        for attempt in range(args.runs):
            folder = root / f"ours-{attempt}"
            seconds = run([*DREAM, "batch", "--count", str(args.count), "--jobs", "2",
                           "--out", str(folder), "--quiet"])  # fmt: skip
            ours_rates.append(words_in(folder) / seconds)
            folder = root / f"naive-{attempt}"
            seconds = run([PYTHON, str(script), str(args.count), str(corpus), str(folder)])
            naive_rates.append(words_in(folder) / seconds)
        line("words/s, batch --jobs 2 vs naive", statistics.median(ours_rates) / 1000,
             statistics.median(naive_rates) / 1000, "k words/s", ">= 2x")  # fmt: skip

        small = peak_memory_mib([*DREAM, "batch", "--count", "300", "--jobs", "1",
                                 "--out", str(root / "m300"), "--quiet"])  # fmt: skip
        large = peak_memory_mib([*DREAM, "batch", "--count", "3000", "--jobs", "1",
                                 "--out", str(root / "m3000"), "--quiet"])  # fmt: skip
        line("peak memory: 3,000 vs 300 dreams", large, small, "MiB", "<= 1.15x")


if __name__ == "__main__":
    main()
