"""Small helpers the tests share."""

from __future__ import annotations

from pathlib import Path


def write_grammar(folder: Path, name: str, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def shout(text: str, *params: str) -> str:
    """A custom modifier, loaded in tests through a fake entry point."""
    return text.upper() + "!"
