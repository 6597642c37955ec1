"""Load grammar files, lay them over each other, and check them before any dream uses them."""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import marshal
import math
import re
import sys
from collections import ChainMap
from collections.abc import Iterable, Iterator, Mapping, MutableMapping, Sequence
from pathlib import Path
from typing import Any, NamedTuple, cast

import tracery

from . import __version__, paths
from .english import MODIFIERS, Modifier, modifiers
from .errors import DreamError, Problem
from .files import prune, stamp, store, stored, touch, write_atomic

MOVEMENTS = ("setting", "artifact", "revelation", "journey", "release")
REQUIRED = ("title", *MOVEMENTS)
PREMISE = "premise"
# `#texture#` marks where a Markov sentence may stand; a grammar need not define it.
TEXTURE = "texture"
JSON_SUFFIXES = (".json",)
YAML_SUFFIXES = (".yaml", ".yml")
GRAMMAR_SUFFIXES = JSON_SUFFIXES + YAML_SUFFIXES


class Origin(NamedTuple):
    """Where a symbol was (last) defined."""

    file: str
    line: int | None


class PackedRules(Mapping[str, list[str]]):
    """Symbol -> rules, as the grammar cache keeps them: each symbol's list stays packed
    (marshalled) until it is first asked for, since a dream uses a few hundred of the
    grammar's symbols and unpacking them all would cost more than the dream."""

    def __init__(self, packed: dict[str, bytes]) -> None:
        self._packed = packed
        self._unpacked: dict[str, list[str]] = {}

    def __getitem__(self, symbol: str) -> list[str]:
        found = self._unpacked.get(symbol)
        if found is None:
            found = self._unpacked[symbol] = marshal.loads(self._packed[symbol])
        return found

    def __contains__(self, symbol: object) -> bool:
        return symbol in self._packed

    def __iter__(self) -> Iterator[str]:
        return iter(self._packed)

    def __len__(self) -> int:
        return len(self._packed)


class Grammar:
    """Symbol -> rules, merged from every file, each symbol remembering its file and line.

    (A plain class: a dataclass costs about a millisecond to define, at every start.)
    """

    def __init__(
        self,
        rules: Mapping[str, list[str]] | None = None,
        weights: dict[str, list[float]] | None = None,
        origins: Mapping[str, tuple[str, int | None]] | None = None,
        files: list[str] | None = None,
        modifiers: dict[str, Modifier] | None = None,
    ) -> None:
        self.rules: Mapping[str, list[str]] = {} if rules is None else rules
        # Only for symbols written with weights: one weight per rule.
        self.weights = {} if weights is None else weights
        # symbol -> (file, line): an Origin, or a plain pair from the cache
        self.origins: Mapping[str, tuple[str, int | None]] = {} if origins is None else origins
        self.files = [] if files is None else files
        self.modifiers = {} if modifiers is None else modifiers

    def where(self, symbol: str) -> Origin:
        found = self.origins.get(symbol)
        if found is None:
            return Origin(self.files[-1] if self.files else "grammar", None)
        return Origin(*found)

    def choices(self, symbol: str) -> set[str]:
        """Every value the grammar's actions can give `symbol` (the themes, the places...)."""
        return set(self._pushes.get(symbol, ()))

    @functools.cached_property
    def _pushes(self) -> dict[str, set[str]]:
        found: dict[str, set[str]] = {}
        for pushes in self._pushes_by_symbol.values():
            for name, values in pushes.items():
                found.setdefault(name, set()).update(values)
        return found

    @functools.cached_property
    def _pushes_by_symbol(self) -> dict[str, dict[str, list[str]]]:
        """symbol -> what its rules' actions set: name -> values (cached with the grammar)."""
        return {
            symbol: pushes
            for symbol, rule_list in self.rules.items()
            if (pushes := _pushes_of(rule_list))
        }

    def choosing(self, symbol: str, value: str) -> Grammar:
        """A copy in which every action that sets `symbol` sets it to `value`.

        Rules that would set it to something else are dropped, unless that would leave a
        symbol with no rules at all.
        """
        if value not in self.choices(symbol):
            known = ", ".join(sorted(self.choices(symbol))) or "none"
            raise DreamError(
                [Problem(self.files[-1], f"no {symbol} {value!r} (the grammar has: {known})")]
            )
        changed: dict[str, list[str]] = {}
        weights = dict(self.weights)
        # Only symbols whose rules push a literal value to `symbol` can lose rules.
        for name, pushes in self._pushes_by_symbol.items():
            if symbol not in pushes:
                continue
            rule_list = self.rules[name]
            keep = [i for i, rule in enumerate(rule_list) if _sets_only(rule, symbol, value)]
            if keep and len(keep) < len(rule_list):
                changed[name] = [rule_list[i] for i in keep]
                if name in weights:
                    weights[name] = [self.weights[name][i] for i in keep]
        # The cut-down lists over the rest (ChainMap only ever writes to its first map).
        rules: Mapping[str, list[str]] = (
            ChainMap(changed, cast("MutableMapping[str, list[str]]", self.rules))
            if changed
            else self.rules
        )
        chosen = Grammar(rules, weights, self.origins, self.files, self.modifiers)
        # Only the symbols that lost rules push anything different.
        chosen.__dict__["_pushes_by_symbol"] = {
            **self._pushes_by_symbol,
            **{name: _pushes_of(rule_list) for name, rule_list in changed.items()},
        }
        return chosen


def write_copy(folder: Path) -> list[Path]:
    """Copy the built-in grammar (and its README) into `folder`, refusing to overwrite."""
    originals = sorted(
        p for p in paths.builtin("grammars").iterdir() if p.suffix in (*GRAMMAR_SUFFIXES, ".md")
    )
    targets = [folder / original.name for original in originals]
    taken = [target for target in targets if target.exists()]
    if taken:
        raise DreamError([Problem(str(t), "already exists; nothing was written") for t in taken])
    for original, target in zip(originals, targets, strict=True):
        if not write_atomic(target, original.read_bytes(), overwrite=False):
            raise DreamError([Problem(str(target), "appeared while writing; left as it is")])
    return targets


def _sets_only(rule: str, symbol: str, value: str) -> bool:
    for action in _actions(rule):
        target, colon, pushed = action.partition(":")
        if colon and target == symbol and pushed not in (value, "POP") and "#" not in pushed:
            return False
    return True


def builtin_paths() -> list[Path]:
    return [paths.builtin("grammars")]


def sources(extra: Sequence[Path | str] = ()) -> list[Path]:
    """Where a dream's grammar comes from, in order: built-in, the user's folder, `extra`."""
    user = paths.user_grammar_dir()
    return [*builtin_paths(), *([user] if user.is_dir() else []), *(Path(p) for p in extra)]


def load(sources: Sequence[Path | str], cache_dir: Path | None = None) -> Grammar:
    """Merge the grammar files and folders in order (later symbols replace earlier), then check.

    Raises DreamError with every error found; warnings (see `inspect`) are not errors. A
    grammar that passed is remembered in the cache folder (by the contents of its files), so
    the same files are not parsed and checked again on the next run.
    """
    folder = cache_dir if cache_dir is not None else paths.user_cache_dir()
    files = list(_grammar_files([Path(s) for s in sources], []))
    key = _cache_key(files)
    cached = folder / f"grammar-{key}.marshal" if key else None
    if cached is not None:
        with contextlib.suppress(Exception):  # missing, truncated, another layout: check
            loaded = _from_builtins(stored(cached))
            touch(cached)
            return loaded
    grammar, problems = inspect(sources)
    errors = [p for p in problems if p.severity == "error"]
    if errors:
        raise DreamError(errors)
    if cached is not None:
        store(cached, _to_builtins(grammar))
        prune(folder, "grammar-*.marshal", KEEP_CACHED)
    return grammar


# Bump when what a cached grammar holds changes.
CACHE_FORMAT = 3
# Checked grammars kept in the cache folder, the most recently used.
KEEP_CACHED = 16


def _cache_key(files: Sequence[Path]) -> str | None:
    """A hash of the files' names and contents (sizes and times for the shipped ones); None
    when one cannot be read (the check will say why)."""
    digest = hashlib.sha256(f"{CACHE_FORMAT} {__version__} {sys.version}".encode())
    shipped = paths.builtin("grammars")
    for file in files:
        try:
            digest.update(f"\0{file}\0".encode() + stamp(file, shipped))
        except OSError:
            return None
    return digest.hexdigest()[:24]


def _to_builtins(grammar: Grammar) -> dict[str, Any]:
    return {
        "rules": {symbol: marshal.dumps(rules) for symbol, rules in grammar.rules.items()},
        "weights": grammar.weights,
        "origins": {symbol: tuple(origin) for symbol, origin in grammar.origins.items()},
        "files": grammar.files,
        # Only a grammar that uses a plugin's modifier needs the (slow) look for plugins.
        "plugins": sorted(_modifiers_used(grammar) - MODIFIERS.keys()),
        "pushes": grammar._pushes_by_symbol,
    }


def _from_builtins(data: dict[str, Any]) -> Grammar:
    grammar = Grammar(
        rules=PackedRules(data["rules"]),
        weights=data["weights"],
        origins=data["origins"],
        files=data["files"],
        modifiers=modifiers()[0] if data["plugins"] else dict(MODIFIERS),
    )
    grammar.__dict__["_pushes_by_symbol"] = data["pushes"]
    return grammar


def _modifiers_used(grammar: Grammar) -> set[str]:
    return {
        name
        for rules in grammar.rules.values()
        for rule in rules
        if "." in rule
        for kind, name in _walk(rule)
        if kind == "modifier"
    }


def inspect(sources: Sequence[Path | str]) -> tuple[Grammar, list[Problem]]:
    """The merged grammar and every problem and warning, as `dream grammar check` shows them."""
    problems: list[Problem] = []
    available, plugin_problems = modifiers()
    problems.extend(plugin_problems)
    rules: dict[str, list[str]] = {}
    origins: dict[str, Origin] = {}
    grammar = Grammar(rules=rules, origins=origins, modifiers=available)
    broken: set[str] = set()
    for file in _grammar_files([Path(s) for s in sources], problems):
        _merge_file(grammar, file, problems, broken, (rules, origins))
    problems.extend(p for p in check(grammar) if p.symbol not in broken)
    return grammar, sorted(problems, key=_problem_order)


def _grammar_files(sources: list[Path], problems: list[Problem]) -> Iterator[Path]:
    for source in sources:
        if source.is_dir():
            found = sorted(p for p in source.rglob("*") if p.suffix in GRAMMAR_SUFFIXES)
            if not found:
                problems.append(
                    Problem(str(source), "no grammar files (*.json, *.yaml) in this folder")
                )
            yield from found
        elif source.is_file():
            yield source
        else:
            problems.append(Problem(str(source), "no such file or folder"))


def _merge_file(
    grammar: Grammar,
    file: Path,
    problems: list[Problem],
    broken: set[str],
    into: tuple[dict[str, list[str]], dict[str, Origin]],
) -> None:
    """Lay one file's symbols over the grammar's: `into` is its rules and origins."""
    rules_of, origins = into
    name = str(file)
    try:
        text = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        problems.append(Problem(name, f"cannot read: {error}"))
        return
    parsed = _parse_yaml(text, name) if file.suffix in YAML_SUFFIXES else _parse_json(text, name)
    if isinstance(parsed, Problem):
        problems.append(parsed)
        return
    data, lines = parsed
    grammar.files.append(name)
    for symbol, raw in data.items():
        origin = Origin(name, lines.get(symbol))
        rules, weights, message = _as_rules(raw)
        if message is not None:
            problems.append(Problem(name, message, origin.line, symbol))
            broken.add(symbol)
            continue
        rules_of[symbol] = rules
        origins[symbol] = origin
        if weights is None:
            grammar.weights.pop(symbol, None)
        else:
            grammar.weights[symbol] = weights


def _parse_json(text: str, name: str) -> tuple[dict[str, Any], dict[str, int]] | Problem:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        return Problem(name, f"invalid JSON: {error.msg}", line=error.lineno)
    if not isinstance(data, dict):
        return Problem(name, "a grammar must be an object of symbol: rules", line=1)
    return data, _key_lines(text)


def _parse_yaml(text: str, name: str) -> tuple[dict[str, Any], dict[str, int]] | Problem:
    import yaml

    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark is not None else None
        return Problem(name, f"invalid YAML: {error.problem or error}", line=line)
    except yaml.YAMLError as error:
        return Problem(name, f"invalid YAML: {error}")
    if not isinstance(data, dict) or not isinstance(node, yaml.MappingNode):
        return Problem(name, "a grammar must be a mapping of symbol: rules", line=1)
    lines = {
        str(key.value): key.start_mark.line + 1
        for key, _ in node.value
        if isinstance(key, yaml.ScalarNode)
    }
    return {str(key): value for key, value in data.items()}, lines


def _as_rules(raw: object) -> tuple[list[str], list[float] | None, str | None]:
    """(rules, weights or None, problem or None) for one symbol's value."""
    if isinstance(raw, str):
        return [raw], None, None
    if isinstance(raw, list):
        if not raw:
            return [], None, "empty rule list"
        if not all(isinstance(rule, str) for rule in raw):
            return [], None, "rules must be a string or a list of strings"
        return list(raw), None, None
    if isinstance(raw, dict):
        # {"rule": weight, ...}: weighted choices that are still plain JSON.
        if not raw:
            return [], None, "empty rule list"
        weights: list[float] = []
        for rule, weight in raw.items():
            if isinstance(weight, bool) or not isinstance(weight, int | float):
                return [], None, f"weight of {rule!r} must be a number, not {weight!r}"
            if weight < 0 or not math.isfinite(weight):
                return [], None, f"weight of {rule!r} must be zero or more"
            weights.append(float(weight))
        if sum(weights) <= 0:
            return [], None, "weights add up to zero"
        return [str(rule) for rule in raw], weights, None
    return [], None, "rules must be a string or a list of strings"


def _key_lines(text: str) -> dict[str, int]:
    """The line of each key (its first appearance as `"key":`)."""
    lines: dict[str, int] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        for match in re.finditer(r'"((?:[^"\\]|\\.)*)"\s*:', line):
            key = json.loads(f'"{match.group(1)}"')
            lines.setdefault(key, number)
    return lines


def check(grammar: Grammar) -> list[Problem]:
    """Every problem that would make a dream fail or print raw markup, and warnings."""
    problems: list[Problem] = []
    # Each rule is parsed once; everything below reads these walks.
    walks = {
        symbol: [list(_walk(rule)) for rule in rules] for symbol, rules in grammar.rules.items()
    }
    pushed = {
        name for rules in walks.values() for walk in rules for kind, name in walk if kind == "push"
    }
    defined = grammar.rules.keys() | pushed | {TEXTURE}
    for symbol in REQUIRED:
        if symbol not in grammar.rules:
            origin = grammar.where(symbol)
            problems.append(Problem(origin.file, "missing movement symbol", symbol=symbol))
    used: set[str] = set()
    for symbol, rules in grammar.rules.items():
        origin = grammar.where(symbol)
        for rule, walk in zip(rules, walks[symbol], strict=True):
            for kind, name in walk:
                message = None
                if kind == "error":
                    message = f"{name} in rule {rule!r}"
                elif kind == "symbol":
                    used.add(name)
                    if name not in defined:
                        message = f"undefined symbol #{name}#"
                elif kind == "modifier" and name not in grammar.modifiers:
                    message = f"unknown modifier .{name}"
                if message is not None:
                    problems.append(Problem(origin.file, message, origin.line, symbol))
    for symbol in sorted(_never_finish(walks, pushed)):
        origin = grammar.where(symbol)
        problems.append(
            Problem(
                origin.file,
                "can never finish expanding: every rule leads back into a cycle",
                origin.line,
                symbol,
            )
        )
    for symbol in grammar.rules.keys() - used - {*REQUIRED, PREMISE, TEXTURE}:
        origin = grammar.where(symbol)
        problems.append(
            Problem(origin.file, "never used by any rule", origin.line, symbol, "warning")
        )
    return problems


def _problem_order(problem: Problem) -> tuple[str, str, int, str]:
    return (problem.severity, problem.file, problem.line or 0, problem.symbol or "")


def _never_finish(walks: dict[str, list[list[tuple[str, str]]]], pushed: set[str]) -> set[str]:
    """Symbols every one of whose rules needs a symbol that can never finish."""
    needs = {
        symbol: [{n for kind, n in walk if kind == "symbol"} for walk in rules]
        for symbol, rules in walks.items()
    }
    # A symbol that only actions define holds finished text.
    finished = pushed - walks.keys()
    missing = {n for options in needs.values() for o in options for n in o} - walks.keys()
    finished |= missing  # undefined symbols are reported on their own
    changed = True
    while changed:
        changed = False
        for symbol, options in needs.items():
            if symbol not in finished and any(option <= finished for option in options):
                finished.add(symbol)
                changed = True
    return walks.keys() - finished


def pushed_symbols(rule_lists: Iterable[list[str]]) -> Iterator[str]:
    """Every symbol some action pushes to, as in `[name:rule]`."""
    for rules in rule_lists:
        for rule in rules:
            for kind, name in _walk(rule):
                if kind == "push":
                    yield name


def _pushes_of(rule_list: Iterable[str]) -> dict[str, list[str]]:
    """What the rules' actions set: name -> the literal values, in order, once each."""
    found: dict[str, list[str]] = {}
    for rule in rule_list:
        if "[" not in rule:
            continue
        for action in _actions(rule):
            name, _, pushed = action.partition(":")
            if pushed and pushed != "POP":
                values = found.setdefault(name, [])
                for value in pushed.split(","):
                    if value and "#" not in value and value not in values:
                        values.append(value)
    return found


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
            else:
                yield "error", f"tag #{section['raw']}# names no symbol"
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
