"""Where the user's folders are: the platform's rules, and the overrides."""

from __future__ import annotations

import sys
from pathlib import Path

import platformdirs
import pytest

from generator import paths


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the XDG rules are Linux's")
@pytest.mark.parametrize("xdg", [None, "/somewhere/else", "relative/ignored"])
def test_user_folders_are_where_platformdirs_puts_them(
    xdg: str | None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("DREAM_CACHE_DIR", raising=False)
    monkeypatch.delenv("DREAM_GRAMMAR_DIR", raising=False)
    for variable in ("XDG_CACHE_HOME", "XDG_CONFIG_HOME"):
        if xdg is None:
            monkeypatch.delenv(variable, raising=False)
        else:
            monkeypatch.setenv(variable, xdg)
    assert paths.user_cache_dir() == Path(platformdirs.user_cache_dir("dream", appauthor=False))
    config = Path(platformdirs.user_config_dir("dream", appauthor=False))
    assert paths.user_grammar_dir() == config / "grammars"


def test_environment_overrides_the_user_folders(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DREAM_CACHE_DIR", str(tmp_path / "c"))
    monkeypatch.setenv("DREAM_GRAMMAR_DIR", str(tmp_path / "g"))
    assert (paths.user_cache_dir(), paths.user_grammar_dir()) == (tmp_path / "c", tmp_path / "g")
