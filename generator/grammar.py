"""Load grammar files, lay them over each other, and check them before any dream uses them."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import tracery

from . import paths
from .english import MODIFIERS
from .errors import DreamError, Problem

MOVEMENTS = ("setting", "artifact", "revelation", "journey", "release")
REQUIRED = ("title", *MOVEMENTS)
PREMISE = "premise"
GRAMMAR_SUFFIXES = (".json",)


@dataclass(frozen=True)
class Origin:
    """Where a symbol was (last) defined."""

    file: str
    line: int | None


@dataclass
class Grammar:
    """Symbol -> rules, merged from every file, each symbol remembering its file and line."""

    rules: dict[str, list[str]] = field(default_factory=dict)
    origins: dict[str, Origin] = field(default_factory=dict)
    files: list[str] = field(default_factory=list)

    def where(self, symbol: str) -> Origin:
        return self.origins.get(symbol, Origin(self.files[-1] if self.files else "grammar", None))


def builtin_paths() -> list[Path]:
    return [paths.builtin("grammars")]


def load(sources: Sequence[Path | str]) -> Grammar:
    """Merge the grammar files and folders in order (later symbols replace earlier), then check."""
    grammar = Grammar()
    problems: list[Problem] = []
    broken: set[str] = set()
    for file in _grammar_files([Path(s) for s in sources], problems):
        _merge_file(grammar, file, problems, broken)
    problems.extend(p for p in check(grammar) if p.symbol not in broken)
    if problems:
        raise DreamError(problems)
    return grammar


def _grammar_files(sources: list[Path], problems: list[Problem]) -> Iterator[Path]:
    for source in sources:
        if source.is_dir():
            found = sorted(p for p in source.rglob("*") if p.suffix in GRAMMAR_SUFFIXES)
            if not found:
                problems.append(Problem(str(source), "no grammar files (*.json) in this folder"))
            yield from found
        elif source.is_file():
            yield source
        else:
            problems.append(Problem(str(source), "no such file or folder"))


def _merge_file(grammar: Grammar, file: Path, problems: list[Problem], broken: set[str]) -> None:
    name = str(file)
    try:
        text = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        problems.append(Problem(name, f"cannot read: {error}"))
        return
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        problems.append(Problem(name, f"invalid JSON: {error.msg}", line=error.lineno))
        return
    if not isinstance(data, dict):
        problems.append(Problem(name, "a grammar must be a JSON object of symbol: rules", line=1))
        return
    grammar.files.append(name)
    lines = _key_lines(text)
    for symbol, raw in data.items():
        origin = Origin(name, lines.get(symbol))
        rules = _as_rules(raw)
        if rules is None:
            problems.append(
                Problem(name, "rules must be a string or a list of strings", origin.line, symbol)
            )
            broken.add(symbol)
            continue
        if not rules:
            problems.append(Problem(name, "empty rule list", origin.line, symbol))
            broken.add(symbol)
            continue
        grammar.rules[symbol] = rules
        grammar.origins[symbol] = origin


def _as_rules(raw: object) -> list[str] | None:
    if isinstance(raw, str):
        return [raw]
    if isinstance(raw, list) and all(isinstance(rule, str) for rule in raw):
        return list(raw)
    return None


def _key_lines(text: str) -> dict[str, int]:
    """The line of each top-level key (its first appearance as `"key":`)."""
    lines: dict[str, int] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        for match in re.finditer(r'"((?:[^"\\]|\\.)*)"\s*:', line):
            key = json.loads(f'"{match.group(1)}"')
            lines.setdefault(key, number)
    return lines


def check(grammar: Grammar) -> list[Problem]:
    """Every problem that would make a dream fail or print raw markup."""
    problems: list[Problem] = []
    pushed = set(pushed_symbols(grammar.rules.values()))
    for symbol in REQUIRED:
        if symbol not in grammar.rules:
            origin = grammar.where(symbol)
            problems.append(Problem(origin.file, "missing movement symbol", symbol=symbol))
    for symbol, rules in grammar.rules.items():
        origin = grammar.where(symbol)
        for rule in rules:
            for message in _rule_problems(rule, grammar.rules.keys() | pushed):
                problems.append(Problem(origin.file, message, origin.line, symbol))
    return problems


def _rule_problems(rule: str, defined: set[str] | Iterable[str]) -> Iterator[str]:
    defined = set(defined)
    for kind, name in _walk(rule):
        if kind == "error":
            yield f"{name} in rule {rule!r}"
        elif kind == "symbol" and name not in defined:
            yield f"undefined symbol #{name}#"
        elif kind == "modifier" and name not in MODIFIERS:
            yield f"unknown modifier .{name}"


def pushed_symbols(rule_lists: Iterable[list[str]]) -> Iterator[str]:
    """Every symbol some action pushes to, as in `[name:rule]`."""
    for rules in rule_lists:
        for rule in rules:
            for kind, name in _walk(rule):
                if kind == "push":
                    yield name


def pushed_values(rules: dict[str, list[str]], target: str) -> set[str]:
    """Every plain-text value an action anywhere in the grammar pushes to `target`."""
    values: set[str] = set()
    for rule_list in rules.values():
        for rule in rule_list:
            for action in _actions(rule):
                name, _, pushed = action.partition(":")
                if name == target and pushed and pushed != "POP":
                    values.update(v for v in pushed.split(",") if v and "#" not in v)
    return values


def _actions(rule: str) -> Iterator[str]:
    sections, _ = tracery.parse(rule)
    for section in sections:
        if section["type"] == 2:
            yield section["raw"]
            for part in section["raw"].partition(":")[2].split(","):
                yield from _actions(part)
        elif section["type"] == 1:
            tag = _parse_tag(section["raw"])
            if tag is not None:
                for action in tag["preactions"]:
                    yield action["raw"]


def _parse_tag(raw: str) -> dict[str, Any] | None:
    try:
        parsed: dict[str, Any] = tracery.parse_tag(raw)
    except Exception:  # tracery raises a bare Exception for "#a[x:y]b#"
        return None
    return parsed


def _walk(rule: str) -> Iterator[tuple[str, str]]:
    """Yield (kind, name) for what a rule uses: symbol, modifier, push, or error."""
    sections, errors = tracery.parse(rule)
    for error in errors:
        yield "error", error
    for section in sections:
        if section["type"] == 1:
            tag = _parse_tag(section["raw"])
            if tag is None:
                yield "error", f"malformed tag #{section['raw']}#"
                continue
            preactions = tag["preactions"]
            for action in preactions:
                yield from _walk_action(action["raw"])
            if tag["symbol"]:
                yield "symbol", str(tag["symbol"])
                for modifier in tag["modifiers"]:
                    yield "modifier", modifier.split("(", 1)[0]
            elif not preactions:
                yield "error", "empty tag ##"
        elif section["type"] == 2:
            yield from _walk_action(section["raw"])


def _walk_action(raw: str) -> Iterator[tuple[str, str]]:
    target, colon, pushed = raw.partition(":")
    if not colon:
        # `[#symbol#]` runs the rule for its actions only.
        yield from _walk(target)
        return
    yield "push", target
    if pushed != "POP":
        for part in pushed.split(","):
            yield from _walk(part)
