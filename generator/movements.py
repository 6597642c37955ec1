"""Expand the five movements of one dream, with choices that hold from first to last."""

from __future__ import annotations

import contextlib
import random
import re
from collections.abc import Iterator, Mapping, Sequence
from typing import Any, NamedTuple

import tracery

from .english import FUNCTION_WORDS, English, stem
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

# A movement in which two parts of the grammar say the same word in one sentence ("the cool
# mud of the bank cool against my soles", "As the dark deepens, the dark thins") is drawn
# again, up to this many times in all; the draw with the fewest such echoes stands. A word
# one rule says twice ("step by step", "round and round") is the rule's own, and no echo.
ECHO_DRAWS = 4
# Words that two parts may share in a sentence besides the short and the function words.
ECHO_FREE = FUNCTION_WORDS | frozenset(
    ["something", "nothing", "everything", "anything", "someone", "anyone", "without",
     "being", "other"]
)  # fmt: skip
# Words ("river's" is "river" and "s") and the ends of sentences.
_WORD = re.compile(r"[a-z][a-z-]*|[.!?]")
# What a journal entry did (see _DreamGrammar.undo).
_PUSHED, _POPPED, _MADE, _TWICE = 0, 1, 2, 3
# A rule's tags, which are not its own words (what its actions push is).
_TAGS = re.compile(r"#[^#]*#")


def _said_twice(rule: str) -> frozenset[str]:
    """The words (stemmed) a rule says twice in a sentence of its own text ("step by step",
    "I walk and keep walking")."""
    seen: set[str] = set()
    twice: set[str] = set()
    for word in _WORD.findall(_TAGS.sub(" ", rule.lower())):
        if word in ".!?":
            seen.clear()
            continue
        root = stem(word)
        if root in seen:
            twice.add(root)
        else:
            seen.add(root)
    return frozenset(twice)


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


# A tag with one of these is left to tracery (actions, escapes).
_TAG_SPECIAL = re.compile(r"[\[\]\\]")
# A modifier's parameters: "replace(a,b)".
_PARAMS = re.compile(r"\(([^)]+)\)")
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
    """tracery's Node, with rules parsed by `parse`, and actions that push with `_Push`."""

    is_expanded: bool
    expansion_errors: list[str]
    preactions: list[Any]
    postactions: list[Any]

    def expand(self, prevent_recursion: bool = False) -> None:
        if self.is_expanded:
            return
        if self.type == 2:
            self.is_expanded = True
            self.action = _Push(self, self.raw)
            self.action.activate()
            self.finished_text = ""
        elif self.type == 1 and self.raw and not _TAG_SPECIAL.search(self.raw):
            self._expand_tag(prevent_recursion)
        else:
            super().expand(prevent_recursion)

    def _expand_tag(self, prevent_recursion: bool) -> None:
        """A tag with no actions in it ("#name.a.capitalize#"), as tracery expands it, but
        split on its dots rather than parsed character by character."""
        self.is_expanded = True
        self.expansion_errors = []
        self.preactions, self.postactions = [], []
        self.symbol, *self.modifiers = self.raw.split(".")
        self.finished_text = self.raw
        rule = self.grammar.select_rule(self.symbol, self, self.errors)
        self.expand_children(rule, prevent_recursion)
        for modifier in self.modifiers:
            # As tracery reads "replace(a,b)": the name, and the text in brackets split on
            # commas.
            name, params = modifier, []
            if modifier.find("(") > 0:
                found = _PARAMS.findall(modifier)
                if found:
                    name, params = modifier[: modifier.index("(")], found[0].split(",")
            apply = self.grammar.modifiers.get(name)
            if apply is None:
                self.errors.append(f"Missing modifier {name}")
                self.finished_text += f"((.{name}))"
            else:
                self.finished_text = apply(self.finished_text, *params)

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


class _Push(tracery.NodeAction):  # type: ignore[misc]  # tracery is untyped
    """tracery's action, expanding what it pushes with `_Node`s (tracery's own Nodes parse
    every rule again the slow way: the premise pushes a whole place)."""

    def activate(self) -> None:
        if self.type != 0:  # a pop, or a symbol expanded for its actions
            super().activate()
            return
        # As tracery does: "[name:a,b]" pushes two rules, "a" and "b".
        self.rule_sections = self.rule.split(",")
        self.finished_rules = []
        self.drawn_from = len(self.node.grammar.drawn)  # the rules drawn for what it pushes
        for section in self.rule_sections:
            node = _Node(self.node.grammar, 0, {"type": -1, "raw": section})
            node.expand()
            self.finished_rules.append(node.finished_text)
        self.node.grammar.push_rules(self.target, self.finished_rules, self)


class _DreamGrammar(tracery.Grammar):  # type: ignore[misc]  # tracery is untyped
    """A tracery Grammar for one dream: its own RNG, loud errors, and a depth limit."""

    def __init__(self, grammar: Grammar, rng: random.Random, english: English | None) -> None:
        super().__init__({})
        self.symbols = _Symbols(self, grammar.rules)
        self.rng = rng
        # Every rule drawn, in order: a word one of them says twice itself is no echo.
        self.drawn: list[str] = []
        # The words that pushed texts say twice themselves (judged when pushed).
        self.pushed_twice: set[str] = set()
        # Each push and pop as it happens (and the words a pushed text says twice), so that
        # a draw can be undone (see `undo`).
        self.journal: list[tuple[Any, Any, int]] = []
        self.weights = grammar.weights
        self.add_modifiers(grammar.modifiers)
        if english is not None:  # the run's own, which remembers what inflect said
            self.add_modifiers(english.modifiers())

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
            rule: str = self.rng.choices(rules, weights=weights)[0]
        else:
            rule = self.rng.choice(rules)
        self.drawn.append(rule)
        return rule

    def undo(self, mark: int) -> None:
        """Undo every push and pop since the journal was `mark` entries long."""
        while len(self.journal) > mark:
            symbol, rules, kind = self.journal.pop()
            if kind == _PUSHED:
                symbol.stack.pop()
            elif kind == _POPPED:
                symbol.stack.append(rules)
            elif kind == _TWICE:  # words a pushed text says twice, no longer pushed
                self.pushed_twice -= rules
            else:  # _MADE: a symbol the push made
                del self.symbols[symbol.key]

    def redo(self, entries: Sequence[tuple[Any, Any, int]]) -> None:
        """Do again what `undo` undid: `entries` as the journal had them."""
        for symbol, rules, kind in entries:
            if kind == _PUSHED:
                symbol.stack.append(rules)
            elif kind == _POPPED:
                symbol.stack.pop()
            elif kind == _TWICE:
                self.pushed_twice |= rules
            else:
                self.symbols[symbol.key] = symbol
            self.journal.append((symbol, rules, kind))

    def pop_rules(self, key: str) -> None:
        symbol = self.symbols.get(key)
        if symbol is not None and symbol.stack:
            self.journal.append((symbol, symbol.stack[-1], _POPPED))
        super().pop_rules(key)

    def push_rules(self, key: str, raw_rules: list[str], source_action: Any = None) -> None:
        """tracery's push, with each text that echoes (see `echoes`) drawn again, up to
        ECHO_DRAWS times in all: "[placeGround:#riverGround#]" must not push "the cool mud
        of the bank cool against my soles"."""
        if source_action is not None and isinstance(raw_rules, list):
            since = getattr(source_action, "drawn_from", 0)
            raw_rules = [
                self._redrawn(text, section, since)
                for text, section in zip(raw_rules, source_action.rule_sections, strict=True)
            ]
            for text in raw_rules:  # what it says twice has been judged: no echo where used
                twice = _said_twice(text) - self.pushed_twice
                if twice:
                    self.pushed_twice |= twice
                    self.journal.append((None, twice, _TWICE))
        made = key not in self.symbols
        super().push_rules(key, raw_rules, source_action)
        symbol = self.symbols[key]
        self.journal.append((symbol, symbol.stack[-1], _MADE if made else _PUSHED))

    def _redrawn(self, text: str, rule: str, since: int) -> str:
        count = self.echoes(text, since)
        for _ in range(ECHO_DRAWS - 1):
            if not count:
                break
            mark, since = len(self.journal), len(self.drawn)
            node = _Node(self, 0, {"type": -1, "raw": rule})
            node.expand()
            again = self.echoes(node.finished_text, since)
            if again < count:
                text, count = node.finished_text, again
            else:
                self.undo(mark)
        return text

    def echoes(self, text: str, since: int = 0) -> int:
        """How often a word of substance comes back in one sentence of `text` (drawn with
        the rules from `since` in `drawn` on), where none of those rules, nor a text pushed
        before, says it twice itself ("step by step" is a rule's own; "the cool mud of the
        bank cool against my soles" is two rules meeting). The dream's named things, the
        words in ECHO_FREE and those of three letters or fewer may come back."""
        count = 0
        names: set[str] | None = None
        said: set[str] = set()
        for word in _WORD.findall(text.lower()):
            if word in ".!?":
                said.clear()
                continue
            root = stem(word)
            if root not in said:
                said.add(root)
            elif len(word) > 3 and word not in ECHO_FREE and root not in ECHO_FREE:
                if names is None:
                    names = self.names()
                count += root not in names and not self._says_twice(root, since)
        return count

    def _says_twice(self, root: str, since: int) -> bool:
        """Whether a text pushed, or a rule drawn since `since`, says a word of this stem
        twice itself."""
        return root in self.pushed_twice or any(
            root in rule and root in _said_twice(rule) for rule in self.drawn[since:]
        )

    def names(self) -> set[str]:
        """The words (stemmed) of the dream's named things (its object, place, ...), which
        any sentence may say twice."""
        words: set[str] = set()
        for symbol in ENTITY_SYMBOLS.values():
            value = self.current(symbol)
            if value:
                words.update(map(stem, _WORD.findall(value.lower())))
        return words

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


def expand(grammar: Grammar, rng: random.Random, english: English | None = None) -> Movements:
    """Expand premise, movements and title in one fresh tracery Grammar (state is per dream);
    `english` is the run's articles and plurals."""
    state = _DreamGrammar(grammar, rng, english)
    with _reported(grammar):
        if PREMISE in grammar.rules:
            _flatten(state, PREMISE)
        texts = {name: tidy(_drawn(state, name)) for name in MOVEMENTS}
        title = tidy(_flatten(state, "title").replace(TEXTURE_MARK, ""))
    entities = {name: state.current(symbol) for name, symbol in ENTITY_SYMBOLS.items()}
    return Movements(title=title, texts=texts, entities=entities)


def preview(grammar: Grammar, symbol: str, rng: random.Random) -> str:
    """One expansion of `symbol`, after the premise has made its choices."""
    if symbol not in grammar.rules and symbol not in set(pushed_symbols(grammar.rules.values())):
        raise DreamError([Problem(grammar.files[-1], "no such symbol", symbol=symbol)])
    state = _DreamGrammar(grammar, rng, None)
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


def _drawn(state: _DreamGrammar, symbol: str) -> str:
    """The symbol's text, drawn again (up to ECHO_DRAWS times in all) while it echoes; the
    draw with the fewest echoes stands."""
    mark = len(state.journal)
    best: tuple[int, str, list[tuple[Any, Any, int]]] | None = None
    for _ in range(ECHO_DRAWS):
        since = len(state.drawn)
        text: str = state.flatten(f"#{symbol}#")
        count = state.echoes(text, since)
        if not count:
            return text
        if best is None or count < best[0]:
            best = (count, text, state.journal[mark:])
        state.undo(mark)
    assert best is not None
    state.redo(best[2])
    return best[1]


def tidy(text: str) -> str:
    """One space between words and none before punctuation, whatever optional rules left,
    and one mark where a part's own question or exclamation meets its frame's full stop."""
    text = re.sub(r"\s+", " ", text).strip()
    text = re.sub(r" ([,.;:!?])", r"\1", text)
    return re.sub(r"([!?])\.", r"\1", text)


def weave(
    text: str, sentences: Sequence[str], rng: random.Random, last: bool = True
) -> tuple[str, tuple[str, ...]]:
    """The text with the texture sentences put where the grammar marked `#texture#` (each
    mark at most one), or, with no marks, between two of the movement's own sentences, never
    first or last; and the sentences it took.

    A sentence goes only where the grammar's next sentence does not open by pointing back
    ("Its lid is warm", "Among them, ...", "When I breathe on it"): put between them, it
    would point at the texture's things. With no such place, it goes after the movement's
    last sentence if `last` allows (not after the release's waking), or is left out."""
    between, marks = _gaps(text)
    placed: dict[int, str] = {}
    woven: list[str] = []
    after: list[str] = []
    for sentence in sentences:
        if marks:
            placed[marks.pop(rng.randrange(len(marks)))] = sentence
        elif last:
            after.append(sentence)
        else:
            continue
        woven.append(sentence)
    joined = between[0] + "".join(
        f" {placed.get(i, '')} {piece}" for i, piece in enumerate(between[1:], 1)
    )
    return tidy(" ".join([joined, *after])), tuple(woven)


def beside_texture(text: str, last: bool = True) -> str:
    """The sentences that `weave` may put a texture sentence next to, one per line: those
    either side of each place it may go (or the last, if it can only go after)."""
    between, marks = _gaps(text)
    if not marks:
        return _SENTENCE_END.split(between[-1].strip())[-1] if last else ""
    beside: list[str] = []
    for i in marks:
        beside.append(_SENTENCE_END.split(between[i - 1].strip())[-1])
        beside.append(_SENTENCE_END.split(between[i].strip(), maxsplit=1)[0])
    return "\n".join(beside)


def _gaps(text: str) -> tuple[list[str], list[int]]:
    """The movement's text in pieces, a texture sentence going before any but the first:
    at its marks, or else between its sentences; and the pieces it may go before."""
    pieces = text.split(TEXTURE_MARK)
    parts = _SENTENCE_END.split(text) if len(pieces) == 1 else []
    between = parts or pieces
    return between, [i for i in range(1, len(between)) if not _points_back(between[i])]


# Where one of a movement's sentences ends and the next begins.
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z])")


# A sentence that points back at what came just before, in its first words: "Its lid is
# warm", "Among them", "One comes nearer", "Under my hands it grows warm".
_POINTING_BACK = re.compile(
    r"^(?:\W*\w+\W+){0,5}?(it|its|they|them|their|he|him|his|she|her)\b"
    r"|^\W*(then )?(one|another)\b",
    re.IGNORECASE,
)


def _points_back(text: str) -> bool:
    """Whether the first sentence of `text` points back in its first words."""
    first = _SENTENCE_END.split(text.strip(), maxsplit=1)[0]
    return bool(_POINTING_BACK.match(first))
