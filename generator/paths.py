"""Where the built-in data and the user's folders are."""

from __future__ import annotations

import os
import sys
from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def builtin(name: str) -> Path:
    """The shipped data folder `name` ("grammars" or "corpus").

    A wheel carries it inside the package; a source checkout keeps it at the top.
    """
    packaged = _PACKAGE / "_data" / name
    if packaged.is_dir():
        return packaged
    return _PACKAGE.parent / name


def templates() -> Path:
    return _PACKAGE / "templates"


def user_cache_dir() -> Path:
    """The folder for cached models; DREAM_CACHE_DIR overrides the platform default."""
    override = os.environ.get("DREAM_CACHE_DIR")
    if override:
        return Path(override)
    if sys.platform.startswith("linux"):  # the XDG rule, without importing platformdirs
        return _xdg("XDG_CACHE_HOME", ".cache") / "dream"
    import platformdirs

    return Path(platformdirs.user_cache_dir("dream", appauthor=False))


def _xdg(variable: str, default: str) -> Path:
    """An XDG base folder: the variable if it holds an absolute path, else ~/default."""
    value = os.environ.get(variable, "").strip()
    return Path(value) if value and Path(value).is_absolute() else Path.home() / default


def user_grammar_dir() -> Path:
    """The user's own grammar folder, laid over the built-in grammar when it exists.

    DREAM_GRAMMAR_DIR overrides the platform's user config folder.
    """
    override = os.environ.get("DREAM_GRAMMAR_DIR")
    if override:
        return Path(override)
    if sys.platform.startswith("linux"):
        return _xdg("XDG_CONFIG_HOME", ".config") / "dream" / "grammars"
    import platformdirs

    return Path(platformdirs.user_config_dir("dream", appauthor=False)) / "grammars"
