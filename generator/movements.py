"""Expand the five movements of one dream, with choices that hold from first to last."""

from __future__ import annotations

import random
import re
from dataclasses import dataclass
from typing import Any

import tracery

from .english import MODIFIERS
from .errors import DreamError, Problem
from .grammar import MOVEMENTS, PREMISE, Grammar

# JSON entity name -> the grammar symbol an action pushes it to.
ENTITY_SYMBOLS = {"artifact": "object", "place": "place", "creature": "creature", "theme": "theme"}

# Deeper than any sensible grammar; well inside Python's recursion limit, since tracery
# recurses about four frames per level.
MAX_DEPTH = 150


class ExpansionError(Exception):
    def __init__(self, symbol: str, message: str) -> None:
        self.symbol = symbol
        self.message = message
        super().__init__(f"{symbol}: {message}")


class _DreamGrammar(tracery.Grammar):  # type: ignore[misc]  # tracery is untyped
    """A tracery Grammar for one dream: its own RNG, loud errors, and a depth limit."""

    def __init__(self, rules: dict[str, list[str]], rng: random.Random) -> None:
        super().__init__(rules)
        self.rng = rng
        self.add_modifiers(MODIFIERS)

    def select_rule(self, key: str, node: Any, errors: list[str]) -> str:
        # Replaces tracery's selection, which draws from the global RNG and records every
        # use of a symbol in a list that is never cleared.
        symbol = self.symbols.get(key)
        if symbol is None:
            raise ExpansionError(key, "undefined symbol")
        if node.depth > MAX_DEPTH:
            raise ExpansionError(key, f"expansion deeper than {MAX_DEPTH} levels")
        if not symbol.stack:
            raise ExpansionError(key, "more POPs than pushes")
        rules: list[str] = symbol.stack[-1].default_rules
        if not rules:
            raise ExpansionError(key, "empty rule list")
        return self.rng.choice(rules)

    def current(self, key: str) -> str | None:
        """The plain value a symbol holds now (as an action set it), if it is one phrase."""
        symbol = self.symbols.get(key)
        if symbol is None or not symbol.stack:
            return None
        rules = symbol.stack[-1].default_rules
        if len(rules) != 1 or "#" in rules[0] or "[" in rules[0]:
            return None
        value: str = rules[0]
        return value


@dataclass(frozen=True)
class Movements:
    """The plain text of each movement, the title, and the named things of the dream."""

    title: str
    texts: dict[str, str]
    entities: dict[str, str | None]


def expand(grammar: Grammar, rng: random.Random) -> Movements:
    """Expand premise, movements and title in one fresh tracery Grammar (state is per dream)."""
    state = _DreamGrammar(grammar.rules, rng)
    try:
        if PREMISE in grammar.rules:
            _flatten(state, PREMISE)
        texts = {name: tidy(_flatten(state, name)) for name in MOVEMENTS}
        title = tidy(_flatten(state, "title"))
    except ExpansionError as error:
        origin = grammar.where(error.symbol)
        raise DreamError(
            [Problem(origin.file, error.message, origin.line, error.symbol)]
        ) from None
    except RecursionError:
        raise DreamError(
            [Problem(grammar.files[-1], "a rule keeps expanding itself (recursion too deep)")]
        ) from None
    entities = {name: state.current(symbol) for name, symbol in ENTITY_SYMBOLS.items()}
    return Movements(title=title, texts=texts, entities=entities)


def _flatten(state: _DreamGrammar, symbol: str) -> str:
    text: str = state.flatten(f"#{symbol}#")
    return text


def tidy(text: str) -> str:
    """One space between words and none before punctuation, whatever optional rules left."""
    text = re.sub(r"\s+", " ", text).strip()
    return re.sub(r" ([,.;:!?])", r"\1", text)
