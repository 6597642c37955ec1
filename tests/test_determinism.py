"""Same seed, same bytes: in one process, across processes, and whatever else uses random."""

from __future__ import annotations

import os
import random
import subprocess
import sys
from pathlib import Path

from generator import Dreamer, Renderer


def test_same_seed_gives_identical_dreams_in_one_process(dreamer: Dreamer) -> None:
    assert dreamer.dream(42) == dreamer.dream(42)


def test_different_seeds_give_different_dreams(dreamer: Dreamer) -> None:
    texts = {dreamer.dream(seed).text for seed in range(10)}
    assert len(texts) == 10


def test_count_gives_the_dreams_of_consecutive_seeds(dreamer: Dreamer) -> None:
    assert list(dreamer.dreams(7, 3)) == [dreamer.dream(7), dreamer.dream(8), dreamer.dream(9)]


def test_global_random_state_does_not_change_a_dream(dreamer: Dreamer) -> None:
    random.seed(1)
    first = dreamer.dream(5)
    random.seed(999)
    random.random()
    assert dreamer.dream(5) == first


def test_dreaming_leaves_the_global_random_state_alone(dreamer: Dreamer) -> None:
    random.seed(3)
    expected = [random.random() for _ in range(3)]
    random.seed(3)
    dreamer.dream(11)
    assert [random.random() for _ in range(3)] == expected


def test_fresh_dreamers_agree(dreamer: Dreamer, cache_dir) -> None:  # type: ignore[no-untyped-def]
    assert Dreamer(cache_dir=cache_dir).dream(21) == dreamer.dream(21)


_SCRIPT = (
    "from generator import Dreamer, Renderer; "
    "print(Renderer().render(list(Dreamer().dreams(3, 2)), 'json'), end='')"
)


def test_same_seed_gives_identical_bytes_across_processes_and_hash_seeds(
    dreamer: Dreamer,
    cache_dir,  # type: ignore[no-untyped-def]
) -> None:
    outputs = set()
    for hash_seed in ("0", "1", "12345"):
        env = {**os.environ, "PYTHONHASHSEED": hash_seed, "DREAM_CACHE_DIR": str(cache_dir)}
        done = subprocess.run(
            [sys.executable, "-c", _SCRIPT], env=env, capture_output=True, check=True
        )
        outputs.add(done.stdout)
    assert len(outputs) == 1
    assert outputs.pop().decode() == Renderer().render(list(dreamer.dreams(3, 2)), "json")


def test_a_model_built_without_cache_dreams_the_same(tmp_path: Path, small_corpus: Path) -> None:
    built = Dreamer(corpus=[small_corpus], cache_dir=tmp_path / "cache").dream(8)
    loaded = Dreamer(corpus=[small_corpus], cache_dir=tmp_path / "cache").dream(8)
    assert built == loaded
