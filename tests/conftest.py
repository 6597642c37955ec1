"""Shared fixtures: no test touches the real home or cache; the model is trained once."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from generator import Dreamer


@pytest.fixture(scope="session")
def cache_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("cache")


@pytest.fixture(autouse=True)
def isolated_home(
    tmp_path: Path, cache_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[None]:
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(home / ".cache"))
    # Shared across the session so the texture model is trained once, never in the real cache.
    monkeypatch.setenv("DREAM_CACHE_DIR", str(cache_dir))
    yield


@pytest.fixture(scope="session")
def dreamer(cache_dir: Path) -> Dreamer:
    return Dreamer(cache_dir=cache_dir)


@pytest.fixture(scope="session")
def hundred_dreams(dreamer: Dreamer) -> list:  # type: ignore[type-arg]
    return list(dreamer.dreams(1000, 100))


@pytest.fixture(scope="session")
def two_hundred_dreams(dreamer: Dreamer, hundred_dreams: list) -> list:  # type: ignore[type-arg]
    return [*hundred_dreams, *dreamer.dreams(1100, 100)]


@pytest.fixture(scope="session")
def small_corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One movement's worth of the built-in corpus: quick to train, still real text."""
    from generator import paths

    folder = tmp_path_factory.mktemp("small-corpus") / "setting"
    folder.mkdir()
    source = paths.builtin("corpus") / "companion" / "setting" / "part-1.txt"
    (folder / "part-1.txt").write_bytes(source.read_bytes())
    return folder
