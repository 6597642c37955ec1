"""dream: procedural dream narratives from Tracery grammars, Markov texture and Jinja templates.

    >>> from generator import Dreamer, Renderer
    >>> dream = Dreamer().dream(seed=7)
    >>> print(Renderer().render([dream], "md"))

The heavy parts (tracery, markovify, Jinja2) load only when first used.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

__all__ = ["Dream", "DreamError", "Dreamer", "Problem", "Renderer", "Stage", "__version__"]

if TYPE_CHECKING:
    from .dreamer import Dream, Dreamer, Stage
    from .errors import DreamError, Problem
    from .render import Renderer

_LAZY = {
    "Dream": "dreamer",
    "Dreamer": "dreamer",
    "Stage": "dreamer",
    "DreamError": "errors",
    "Problem": "errors",
    "Renderer": "render",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from importlib import import_module

    return getattr(import_module(f".{module}", __name__), name)
