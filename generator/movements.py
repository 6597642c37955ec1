"""Expand the five movements of one dream, with choices that hold from first to last."""

from __future__ import annotations

import contextlib
import random
import re
from collections.abc import Iterator, Mapping, Sequence
from typing import Any, NamedTuple

import tracery

from .errors import DreamError, Problem
from .grammar import MOVEMENTS, PREMISE, TEXTURE, Grammar, pushed_symbols

# JSON entity name -> the grammar symbol an action pushes it to.
ENTITY_SYMBOLS = {"artifact": "object", "place": "place", "creature": "creature", "theme": "theme"}

# What `#texture#` expands to when the grammar does not define it: a mark that the texture
# stage replaces with a sentence or removes. (A private-use character: no text has it.)
TEXTURE_MARK = "\ue000"

# Deeper than any sensible grammar; well inside Python's recursion limit, since tracery
# recurses about four frames per level.
MAX_DEPTH = 150


class ExpansionError(Exception):
    def __init__(self, symbol: str, message: str) -> None:
        self.symbol = symbol
        self.message = message
        super().__init__(f"{symbol}: {message}")


class _Symbols(dict[str, Any]):
    """tracery's symbol table, making each Symbol only when a dream first uses it: a grammar
    of hundreds of symbols need not build them all for every dream."""

    def __init__(self, grammar: tracery.Grammar, rules: Mapping[str, list[str]]) -> None:
        super().__init__()
        self._grammar = grammar
        self._rules = rules

    def __missing__(self, key: str) -> Any:
        if key in self._rules:
            rules = self._rules[key]
        elif key == TEXTURE:  # the grammar's own #texture#, or else the mark
            rules = [TEXTURE_MARK]
        else:
            raise KeyError(key)
        symbol = self[key] = tracery.Symbol(self._grammar, key, rules)
        return symbol

    def __contains__(self, key: object) -> bool:
        return super().__contains__(key) or key in self._rules or key == TEXTURE

    def get(self, key: str, default: Any = None) -> Any:
        try:
            return self[key]
        except KeyError:
            return default


# Where a rule's sections begin and end: tags, actions and their brackets.
_SPECIAL = re.compile(r"[\[\]#]")


def parse(rule: str) -> tuple[list[dict[str, Any]], list[str]]:
    """A rule's sections as tracery parses them (type 0 plain text, 1 a tag, 2 an action),
    with tracery's error messages; found by jumping from one special character to the next,
    where tracery steps through every character. A rule with escapes is left to tracery."""
    if "\\" in rule:
        found: tuple[list[dict[str, Any]], list[str]] = tracery.parse(rule)
        return found
    sections: list[dict[str, Any]] = []
    errors: list[str] = []

    def section(start: int, end: int, kind: int) -> None:
        if end <= start and kind:
            errors.append(f"{start}: empty {'tag' if kind == 1 else 'action'}")
        if end > start or kind:
            sections.append({"type": kind, "raw": rule[start:end]})

    depth, in_tag, start = 0, False, 0
    for match in _SPECIAL.finditer(rule):
        at, char = match.start(), match.group()
        if char == "[":
            if depth == 0 and not in_tag:
                section(start, at, 0)
                start = at + 1
            depth += 1
        elif char == "]":
            depth -= 1
            if depth == 0 and not in_tag:
                section(start, at, 2)
                start = at + 1
        elif depth == 0:  # a tag opens or closes
            section(start, at, 1 if in_tag else 0)
            start = at + 1
            in_tag = not in_tag
    section(start, len(rule), 0)
    if in_tag:
        errors.append("unclosed tag")
    if depth:
        errors.append("too many [" if depth > 0 else "too many ]")
    return sections, errors


class _Node(tracery.Node):  # type: ignore[misc]  # tracery is untyped
    """tracery's Node, with rules parsed by `parse`."""

    def expand_children(self, child_rule: str, prevent_recursion: bool = False) -> None:
        self.children = []
        self.finished_text = ""
        self.child_rule = child_rule
        sections, errors = parse(child_rule)
        self.errors.extend(errors)
        for index, section in enumerate(sections):
            node = _Node(self, index, section)
            self.children.append(node)
            if not prevent_recursion:
                node.expand(prevent_recursion)
            self.finished_text += node.finished_text


class _DreamGrammar(tracery.Grammar):  # type: ignore[misc]  # tracery is untyped
    """A tracery Grammar for one dream: its own RNG, loud errors, and a depth limit."""

    def __init__(self, grammar: Grammar, rng: random.Random) -> None:
        super().__init__({})
        self.symbols = _Symbols(self, grammar.rules)
        self.rng = rng
        self.weights = grammar.weights
        self.add_modifiers(grammar.modifiers)

    def create_root(self, rule: str) -> _Node:
        return _Node(self, 0, {"type": -1, "raw": rule})

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
        weights = self.weights.get(key)
        if weights is not None and symbol.stack[-1] is symbol.base_rules:
            return self.rng.choices(rules, weights=weights)[0]
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


class Movements(NamedTuple):
    """The plain text of each movement, the title, and the named things of the dream."""

    title: str
    texts: dict[str, str]
    entities: dict[str, str | None]


def expand(grammar: Grammar, rng: random.Random) -> Movements:
    """Expand premise, movements and title in one fresh tracery Grammar (state is per dream)."""
    state = _DreamGrammar(grammar, rng)
    with _reported(grammar):
        if PREMISE in grammar.rules:
            _flatten(state, PREMISE)
        texts = {name: tidy(_flatten(state, name)) for name in MOVEMENTS}
        title = tidy(_flatten(state, "title").replace(TEXTURE_MARK, ""))
    entities = {name: state.current(symbol) for name, symbol in ENTITY_SYMBOLS.items()}
    return Movements(title=title, texts=texts, entities=entities)


def preview(grammar: Grammar, symbol: str, rng: random.Random) -> str:
    """One expansion of `symbol`, after the premise has made its choices."""
    if symbol not in grammar.rules and symbol not in set(pushed_symbols(grammar.rules.values())):
        raise DreamError([Problem(grammar.files[-1], "no such symbol", symbol=symbol)])
    state = _DreamGrammar(grammar, rng)
    with _reported(grammar):
        if PREMISE in grammar.rules and symbol != PREMISE:
            _flatten(state, PREMISE)
        return tidy(_flatten(state, symbol).replace(TEXTURE_MARK, ""))


@contextlib.contextmanager
def _reported(grammar: Grammar) -> Iterator[None]:
    """Turn a failed expansion into a problem that names the file, line and symbol."""
    try:
        yield
    except ExpansionError as error:
        origin = grammar.where(error.symbol)
        raise DreamError(
            [Problem(origin.file, error.message, origin.line, error.symbol)]
        ) from None
    except RecursionError:
        raise DreamError(
            [Problem(grammar.files[-1], "a rule keeps expanding itself (recursion too deep)")]
        ) from None


def _flatten(state: _DreamGrammar, symbol: str) -> str:
    text: str = state.flatten(f"#{symbol}#")
    return text


def tidy(text: str) -> str:
    """One space between words and none before punctuation, whatever optional rules left,
    and one mark where a part's own question or exclamation meets its frame's full stop."""
    text = re.sub(r"\s+", " ", text).strip()
    text = re.sub(r" ([,.;:!?])", r"\1", text)
    return re.sub(r"([!?])\.", r"\1", text)


def weave(text: str, sentences: Sequence[str], rng: random.Random) -> str:
    """Put the texture sentences where the grammar marked `#texture#` (each mark at most one),
    or, with no marks, between two of the movement's own sentences, never first or last."""
    pieces = text.split(TEXTURE_MARK)
    marks = list(range(1, len(pieces)))
    placed: dict[int, str] = {}
    parts = re.split(r"(?<=[.!?])\s+(?=[A-Z])", text) if not marks else []
    for sentence in sentences:
        if marks:
            placed[marks.pop(rng.randrange(len(marks)))] = sentence
        else:
            parts.insert(rng.randint(1, max(1, len(parts) - 1)), sentence)
    if parts:
        return tidy(" ".join(parts))
    joined = pieces[0] + "".join(
        f" {placed.get(i, '')} {piece}" for i, piece in enumerate(pieces[1:], 1)
    )
    return tidy(joined)
